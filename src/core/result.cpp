#include "result.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

namespace btopt::internal {

// ---- Trials ------------------------------------------------------------------

std::span<const double> Trials::metrics(std::size_t i) const
{
    if (!(statuses_[i] & has_metrics))
        return {};
    return {metrics_.data() + i * width_, width_};
}

const std::string &Trials::error(std::size_t i) const
{
    static const std::string none;
    const auto it = std::lower_bound(errors_.begin(), errors_.end(), i,
                                     [](const auto &entry, std::size_t row) { return entry.first < row; });
    return it != errors_.end() && it->first == i ? it->second : none;
}

void Trials::reserve(std::size_t rows)
{
    numbers_.reserve(rows);
    statuses_.reserve(rows);
    scores_.reserve(rows);
    seconds_.reserve(rows);
    values_.reserve(rows * dims_);
    metrics_.reserve(rows * width_);
}

void Trials::append(std::uint64_t number, std::span<const Value> point, const Evaluation &e, double seconds)
{
    const std::size_t row = numbers_.size();
    numbers_.push_back(number);
    statuses_.push_back(status_byte(e));
    scores_.push_back(e.score);
    seconds_.push_back(seconds);
    values_.insert(values_.end(), point.begin(), point.begin() + static_cast<std::ptrdiff_t>(dims_));
    if (width_ > 0) {
        metrics_.resize(metrics_.size() + width_);
        copy_metrics(e.metrics, metrics_.data() + row * width_);
    }
    if (e.status != TrialStatus::Ok && !e.error.empty())
        errors_.emplace_back(row, e.error);
}

// Only ok trials are kept this way, and they carry no error text.
void Trials::replace(std::size_t i, std::uint64_t number, std::span<const Value> point, const Evaluation &e,
                     double seconds)
{
    numbers_[i] = number;
    statuses_[i] = status_byte(e);
    scores_[i] = e.score;
    seconds_[i] = seconds;
    std::copy_n(point.begin(), dims_, values_.begin() + static_cast<std::ptrdiff_t>(i * dims_));
    copy_metrics(e.metrics, metrics_.data() + i * width_);
}

std::uint8_t Trials::status_byte(const Evaluation &e)
{
    return static_cast<std::uint8_t>(static_cast<std::uint8_t>(e.status) | (e.metrics.empty() ? 0 : has_metrics));
}

// A row's width_ metrics: NaN where the trial reported fewer.
void Trials::copy_metrics(const Metrics &metrics, double *row) const
{
    const std::size_t given = std::min(metrics.size(), width_);
    std::copy_n(metrics.begin(), given, row);
    std::fill(row + given, row + width_, std::numeric_limits<double>::quiet_NaN());
}

void Trials::copy_row(const Trials &from, std::size_t i)
{
    numbers_.push_back(from.numbers_[i]);
    statuses_.push_back(from.statuses_[i]);
    scores_.push_back(from.scores_[i]);
    seconds_.push_back(from.seconds_[i]);
    const auto point = from.point(i);
    values_.insert(values_.end(), point.begin(), point.end());
    const double *row = from.metrics_.data() + i * width_;
    metrics_.insert(metrics_.end(), row, row + width_);
    if (const std::string &error = from.error(i); !error.empty())
        errors_.emplace_back(numbers_.size() - 1, error);
}

Trials Trials::sorted_by_number() const
{
    std::vector<std::size_t> order(size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [this](std::size_t a, std::size_t b) { return numbers_[a] < numbers_[b]; });
    Trials sorted(dims_, width_);
    sorted.reserve(size());
    for (std::size_t i : order)
        sorted.copy_row(*this, i);
    return sorted;
}

// ---- TrialTable --------------------------------------------------------------

TrialTable::TrialTable(Direction direction, std::uint64_t keep, std::size_t dims, std::size_t metric_width,
                       std::uint64_t expected)
    : direction_(direction), keep_(keep), trials_(dims, metric_width)
{
    // Allocating once keeps a large grid from doubling (and copying) its columns
    // while it runs; capped, because a plan can be far larger than what will run.
    constexpr std::uint64_t most_reserved = std::uint64_t{1} << 24;
    trials_.reserve(static_cast<std::size_t>(std::min({keep > 0 ? keep : expected, expected, most_reserved})));
}

// A higher score (a lower one when minimising); the lower trial number on a tie.
bool TrialTable::better(const Rank &a, const Rank &b) const
{
    if (a.score != b.score)
        return direction_ == Direction::Maximize ? a.score > b.score : a.score < b.score;
    return a.number < b.number;
}

void TrialTable::record(std::uint64_t number, std::span<const Value> point, const Evaluation &e, double seconds,
                        bool reused)
{
    ++recorded_;
    ++status_counts_[static_cast<std::size_t>(e.status)];
    if (!reused)
        eval_seconds_ += seconds;
    const bool ok = e.status == TrialStatus::Ok;
    const Rank rank{e.score, number, 0};
    if (ok && (!best_ || better(rank, *best_)))
        best_ = rank;
    if (keep_ == 0)
        trials_.append(number, point, e, seconds);
    else if (ok)
        keep_best(number, point, e, seconds);
}

void TrialTable::keep_best(std::uint64_t number, std::span<const Value> point, const Evaluation &e, double seconds)
{
    const auto worst_on_top = [this](const Rank &a, const Rank &b) { return better(a, b); };
    if (heap_.size() < keep_) {
        heap_.push_back(Rank{e.score, number, trials_.size()});
        trials_.append(number, point, e, seconds);
        std::push_heap(heap_.begin(), heap_.end(), worst_on_top);
        return;
    }
    const Rank candidate{e.score, number, heap_.front().row};
    if (!better(candidate, heap_.front()))
        return;
    std::pop_heap(heap_.begin(), heap_.end(), worst_on_top);
    heap_.back() = candidate;
    trials_.replace(candidate.row, number, point, e, seconds);
    std::push_heap(heap_.begin(), heap_.end(), worst_on_top);
}

void TrialTable::finish(RunResult &result)
{
    result.trials = keep_ > 0 ? trials_.sorted_by_number() : std::move(trials_);
    result.status_counts = status_counts_;
    result.evaluated = evaluated();
    result.eval_seconds = eval_seconds_;
    // The speedup's basis, decided over the whole run: the evaluations' CPU
    // time, or their wall time when the CPU was busy for less than a tenth
    // of it (they mostly wait: sleep, I/O). Deciding per run, not per worker,
    // keeps a worker that waited most of its life for a lock another worker
    // held (glibc's mutex, the GIL) from counting as one that waits for I/O.
    constexpr double mostly_waiting = 0.1;
    const bool computing = cpu_seconds_ >= mostly_waiting * eval_seconds_;
    result.sequential_seconds = computing ? cpu_seconds_ : eval_seconds_;
    result.cpu_seconds = computing ? cpu_seconds_ : 0.0;
    result.best.reset();
    if (!best_)
        return;
    // Rows are in trial order: find the best by its number.
    std::size_t lo = 0, hi = result.trials.size();
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (result.trials.number(mid) < best_->number)
            lo = mid + 1;
        else
            hi = mid;
    }
    result.best = lo;
}

} // namespace btopt::internal
