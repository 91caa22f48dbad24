// An executor evaluates the tasks it is given and hands back their outcomes,
// in whatever order they finish. It never knows which search proposed them.
// Inline and thread executors run the objective in this process; the process
// and MPI executors (later) run it in workers.
#pragma once

#include "../core/objective.hpp"
#include "../core/options.hpp"

#include <memory>
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
};

// Times one evaluation and turns a non-finite score into a failed trial.
Outcome evaluate_task(Objective &objective, const Task &task);
Outcome cancelled_outcome(const Task &task);

std::unique_ptr<Executor> make_inline_executor(Objective &objective, const Options &options);
std::unique_ptr<Executor> make_thread_executor(Objective &objective, const Options &options, unsigned workers);

class Spawner;
// Starts `workers` worker processes from the spawner; they are replaced as they die.
Result<std::unique_ptr<Executor>> make_process_executor(std::unique_ptr<Spawner> spawner, const Options &options,
                                                        unsigned workers);

} // namespace btopt::internal
