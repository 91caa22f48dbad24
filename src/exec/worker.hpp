// What runs inside a worker process: read a batch, evaluate each task, answer
// each as soon as it is done (so a crash costs only the task being evaluated),
// until the coordinator closes the socket.
#pragma once

#include "../core/objective.hpp"

#include <cstdint>

namespace btopt::internal {

struct WorkerLimits {
    std::uint64_t max_memory = 0; // bytes of address space, 0: no limit
    std::int64_t threads = 1;     // OMP/OpenBLAS/MKL threads, 0: leave as they are
};

// Once per worker, right after the fork: dies with its parent, caps its
// memory, pins the math libraries' thread counts, and reports a failed
// allocation past the cap as that trial's failure.
void prepare_worker(const WorkerLimits &limits);

// Serves tasks from `fd` until it closes; then the caller _exits.
void serve_tasks(int fd, Objective &objective);


} // namespace btopt::internal
