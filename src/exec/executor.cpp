#include "executor.hpp"

#include <chrono>
#include <cmath>

namespace btopt::internal {

Outcome Evaluator::operator()(const Task &task)
{
    const auto start = last_;
    Outcome outcome{.number = task.number, .evaluation = objective_.evaluate(task.point, task.seed, task.range)};
    last_ = std::chrono::steady_clock::now();
    outcome.seconds = std::chrono::duration<double>(last_ - start).count();
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
