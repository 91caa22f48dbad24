#include "executor.hpp"

#include <chrono>
#include <cmath>

namespace btopt::internal {

namespace {

constexpr std::chrono::milliseconds cpu_window{2};
constexpr double mostly_waiting = 0.1; // CPU busy for less than this share of the wall time

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

// Brings what this evaluator's outcomes have added up to so far to its whole
// life's cost: all its CPU time, or all its evaluations' wall time when the
// CPU was busy for less than a tenth of it. Deciding on the whole life, not
// the window, keeps a thread that waited a while for a lock (another
// evaluation's, the GIL) from counting as one that waits for I/O.
void Evaluator::close_window(Outcome &closing)
{
    const double cpu = cpu_seconds(cpu_clock_) - cpu_start_;
    const bool computing = cpu >= mostly_waiting * wall_;
    const double cost = computing ? cpu : wall_;
    closing.cost += cost - emitted_cost_;
    closing.cpu_cost = (computing ? cpu : 0.0) - emitted_cpu_;
    emitted_cost_ = cost;
    emitted_cpu_ = computing ? cpu : 0.0;
    window_start_ = last_;
}

Outcome Evaluator::operator()(const Task &task)
{
    const auto start = last_;
    Outcome outcome{.number = task.number, .evaluation = objective_.evaluate(task.point, task.seed, task.range)};
    last_ = std::chrono::steady_clock::now();
    outcome.seconds = std::chrono::duration<double>(last_ - start).count();
    outcome.cost = outcome.seconds;
    wall_ += outcome.seconds;
    emitted_cost_ += outcome.seconds;
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
