// An executor evaluates the tasks it is given and hands back their outcomes,
// in whatever order they finish. It never knows which search proposed them.
// Inline and thread executors run the objective in this process; the process
// and MPI executors run it in workers.
#pragma once

#include "../core/objective.hpp"
#include "../core/options.hpp"

#include <time.h>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace btopt::internal {

class Executor {
public:
    virtual ~Executor() = default;
    // How many tasks are worth keeping in flight: enough to keep every worker
    // busy, few enough that the coordinator's memory stays bounded.
    virtual std::size_t capacity() const = 0;
    // Takes every task, leaving `tasks` empty (the caller reuses its storage).
    virtual void submit(std::vector<Task> &tasks) = 0;
    // Appends the outcomes that finished since the last call to `out`. Blocks
    // until at least one is ready, for at most a short while (so the caller
    // can notice a cancellation); appends none when nothing is in flight or
    // nothing finished yet.
    virtual void collect(std::vector<Outcome> &out) = 0;
    // Tasks not started yet come back from collect() as cancelled; running
    // ones finish.
    virtual void cancel() = 0;
    virtual unsigned workers() const = 0;
    // Set when the executor cannot evaluate anything (a worker's own setup,
    // a per-worker plugin init, refused): the run fails with it, once.
    virtual std::optional<Error> failure() const { return std::nullopt; }
    // Ends the workers once the run is over (a plugin's finish runs then) and
    // says what went wrong there: a finish that crashed or never returned.
    // The trials are not touched. The destructor does the same, silently.
    virtual std::vector<std::string> shut_down() { return {}; }
};

// Evaluates tasks one after another, timing each and turning a non-finite
// score into a failed trial. It reads the clock once per evaluation (one
// ends where the next starts: for a tiny objective the clock is a good part
// of the cost); restart() after a pause, so waiting is not counted.
//
// It also measures what the evaluations cost on a CPU, for a speedup that
// says what happened: a GIL-bound objective on two threads takes twice the
// wall time per evaluation but not twice the CPU time. Its evaluations cost
// its CPU time, or their wall time when the CPU was busy for less than a
// tenth of it (they mostly wait: sleep, I/O, a remote service). Reading a CPU
// clock is a system call (0.3-1 us, as much as a tiny evaluation), so it is
// read once per window of at least 2 ms, and the outcome that closes a window
// carries the difference between what the outcomes so far added up to and
// the cost so far. The last window of a worker's life stays at wall time.
class Evaluator {
public:
    // cpu_clock: CLOCK_THREAD_CPUTIME_ID where evaluations share the process
    // (inline, threads); CLOCK_PROCESS_CPUTIME_ID in a worker process, where a
    // plugin's own threads are part of the cost.
    explicit Evaluator(Objective &objective, clockid_t cpu_clock = CLOCK_THREAD_CPUTIME_ID);
    void restart() { last_ = std::chrono::steady_clock::now(); }
    Outcome operator()(const Task &task);

private:
    void close_window(Outcome &closing);

    Objective &objective_;
    std::chrono::steady_clock::time_point last_;
    clockid_t cpu_clock_;
    std::chrono::steady_clock::time_point window_start_;
    double cpu_start_ = 0.0;
    double emitted_cpu_ = 0.0; // what the outcomes so far carry in cpu_cost
};
Outcome cancelled_outcome(const Task &task);

std::unique_ptr<Executor> make_inline_executor(Objective &objective, const Options &options);
std::unique_ptr<Executor> make_thread_executor(Objective &objective, const Options &options, unsigned workers);

class Spawner;
// Starts `workers` worker processes from the spawner; they are replaced as they die.
Result<std::unique_ptr<Executor>> make_process_executor(std::unique_ptr<Spawner> spawner, const Options &options,
                                                        unsigned workers);

} // namespace btopt::internal
