#include "result.hpp"

#include <algorithm>

namespace btopt::internal {

bool is_better(const Trial &a, const Trial &b, Direction direction)
{
    const double x = a.evaluation.score, y = b.evaluation.score;
    if (x != y)
        return direction == Direction::Maximize ? x > y : x < y;
    return a.number < b.number;
}

TrialTable::TrialTable(Direction direction, std::uint64_t keep) : direction_(direction), keep_(keep) {}

void TrialTable::record(Trial trial)
{
    ++recorded_;
    ++status_counts_[static_cast<std::size_t>(trial.evaluation.status)];
    eval_seconds_ += trial.seconds;
    const bool ok = trial.evaluation.status == TrialStatus::Ok;
    if (ok && (!best_ || is_better(trial, *best_, direction_)))
        best_ = trial;
    if (keep_ == 0) {
        trials_.push_back(std::move(trial));
        return;
    }
    if (!ok)
        return;
    const auto worst_on_top = [this](const Trial &a, const Trial &b) { return is_better(a, b, direction_); };
    if (trials_.size() < keep_) {
        trials_.push_back(std::move(trial));
        std::push_heap(trials_.begin(), trials_.end(), worst_on_top);
    } else if (is_better(trial, trials_.front(), direction_)) {
        std::pop_heap(trials_.begin(), trials_.end(), worst_on_top);
        trials_.back() = std::move(trial);
        std::push_heap(trials_.begin(), trials_.end(), worst_on_top);
    }
}

void TrialTable::finish(RunResult &result)
{
    if (keep_ > 0)
        std::sort(trials_.begin(), trials_.end(), [](const Trial &a, const Trial &b) { return a.number < b.number; });
    result.trials = std::move(trials_);
    result.status_counts = status_counts_;
    result.evaluated = evaluated();
    result.eval_seconds = eval_seconds_;
    result.best.reset();
    if (best_) {
        const auto it = std::lower_bound(result.trials.begin(), result.trials.end(), best_->number,
                                         [](const Trial &t, std::uint64_t n) { return t.number < n; });
        result.best = static_cast<std::size_t>(it - result.trials.begin());
    }
}

} // namespace btopt::internal
