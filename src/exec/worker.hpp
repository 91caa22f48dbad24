// What runs inside a worker process: read batches, evaluate each task, send
// the outcomes back in order, until the coordinator closes the socket.
// Outcomes are sent a few at a time (one wake-up of the coordinator per
// write is what a tiny evaluation costs), and a crash handler sends those
// not yet sent before the worker dies: a crash still costs only the task
// being evaluated, and the coordinator blames exactly that one.
#pragma once

#include "../core/objective.hpp"

#include <csignal>
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

// How a worker process (and btopt-worker) exits on its own, named in one
// place. A worker's tasks are never judged by these: the objective's code can
// call exit(3) too. What the coordinator concludes comes from wire::Notice.
namespace exit_code {
inline constexpr int done = 0;
inline constexpr int refused = 1;       // btopt-worker: the reason is on stdout or the control socket; a worker: its parent was gone
inline constexpr int usage = 2;         // btopt-worker run by hand
inline constexpr int out_of_memory = 3; // after sending the failed trial and wire::Notice::Leaving
inline constexpr int init_failed = 4;   // a per-worker init refused
} // namespace exit_code

// The signals of a crash: a worker reports its unsent outcomes on them, and
// a worker or the worker server dies of them with their default action.
inline constexpr int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

// Sent by the coordinator at a cancel: the worker sends the outcomes it has
// finished but not sent yet, and leaves.
inline constexpr int stop_signal = SIGUSR2;

// Once per worker, right after the fork: dies with its parent, caps its
// memory, pins the math libraries' thread counts, and reports a failed
// allocation past the cap as that trial's failure.
void prepare_worker(const WorkerLimits &limits);

// Serves tasks from `fd` until it closes; then the caller _exits. The socket
// is moved to a high descriptor first, so a plugin writing to the low ones
// it thinks are its own files never lands in the protocol.
void serve_tasks(int fd, Objective &objective, bool answer_each);
// Says on `fd` that the worker cannot serve (a per-worker init refused), so
// the run fails once with the plugin's words; then the caller _exits.
void refuse_tasks(int fd, const std::string &why);

} // namespace btopt::internal
