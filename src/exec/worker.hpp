// What runs inside a worker process: read batches, evaluate each task, send
// the outcomes back in order, until the coordinator closes the socket.
// Outcomes are sent a few at a time (one wake-up of the coordinator per
// write is what a tiny evaluation costs), and a crash handler sends those
// not yet sent before the worker dies: a crash still costs only the task
// being evaluated, and the coordinator blames exactly that one.
#pragma once

#include "../core/objective.hpp"

#include <cstdint>

namespace btopt::internal {

struct WorkerLimits {
    std::uint64_t max_memory = 0; // bytes of address space, 0: no limit
    std::int64_t threads = 1;     // OMP/OpenBLAS/MKL threads, 0: leave as they are
    // Send each outcome the moment it is done instead of a few at a time:
    // eval_timeout needs it, because the coordinator times whichever task it
    // has not heard back about first.
    bool answer_each = false;
};

// Once per worker, right after the fork: dies with its parent, caps its
// memory, pins the math libraries' thread counts, and reports a failed
// allocation past the cap as that trial's failure.
void prepare_worker(const WorkerLimits &limits);

// Serves tasks from `fd` until it closes; then the caller _exits.
void serve_tasks(int fd, Objective &objective, bool answer_each);

// The signals a worker's crash handler catches (and sends its finished outcomes on).
bool is_crash_signal(int sig);


} // namespace btopt::internal
