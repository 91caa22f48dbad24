#include "executor.hpp"

#include <chrono>
#include <cmath>

namespace btopt::internal {

namespace {

constexpr std::chrono::milliseconds cpu_window{2};

// The clock's CPU time plus what this thread's evaluations reported they
// used in other processes (cpu_elsewhere: an objective that is a proxy).
double cpu_seconds(clockid_t clock)
{
    timespec t{};
    clock_gettime(clock, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9 + cpu_elsewhere();
}

} // namespace

Evaluator::Evaluator(Objective &objective, clockid_t cpu_clock) : objective_(objective), cpu_clock_(cpu_clock)
{
    restart();
    window_start_ = last_;
    cpu_start_ = cpu_seconds(cpu_clock_);
}

// Adds the CPU time this evaluator used since the last window closed to the
// closing outcome. Whether the run's speedup counts CPU or wall time is
// decided over the whole run (TrialTable::finish), not here.
void Evaluator::close_window(Outcome &closing)
{
    const double cpu = cpu_seconds(cpu_clock_) - cpu_start_;
    closing.cpu_cost = cpu - emitted_cpu_;
    emitted_cpu_ = cpu;
    window_start_ = last_;
}

Outcome Evaluator::operator()(const Task &task)
{
    const auto start = last_;
    Outcome outcome{.number = task.number, .evaluation = objective_.evaluate(task.point, task.seed, task.range)};
    last_ = std::chrono::steady_clock::now();
    outcome.seconds = std::chrono::duration<double>(last_ - start).count();
    if (last_ - window_start_ >= cpu_window)
        close_window(outcome);
    Evaluation &e = outcome.evaluation;
    if (e.status == TrialStatus::Ok && !std::isfinite(e.score)) {
        e.status = TrialStatus::Failed;
        e.error = fmt::format("the objective returned a score of {}", e.score);
    }
    return outcome;
}

Outcome cancelled_outcome(const Task &task)
{
    return Outcome{.number = task.number,
                   .evaluation = Evaluation{.status = TrialStatus::Cancelled,
                                            .score = 0.0,
                                            .error = "cancelled before it was evaluated",
                                            .metrics = {}}};
}

} // namespace btopt::internal
