// The trial table and what a run hands back. Trials are recorded in trial
// order (the coordinator reorders outcomes first), so the best is the lowest
// trial number among equal scores, whatever order workers finished in.
#pragma once

#include "options.hpp"
#include "selection.hpp"
#include "trial.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace btopt::internal {

struct RunInfo {
    std::string algorithm;
    std::string backend;
    std::string objective;
    Direction direction = Direction::Maximize;
    std::int64_t seed = 0;
    unsigned workers = 1;
    std::vector<std::string> metric_names;
    int rank = 0; // MPI rank; only rank 0's result holds trials
    std::string plugin{}; // the plugin's name; empty for a host objective
};

// The trials of a run, stored by column: a million trials of a two-parameter
// space take ~60 bytes each, and recording one appends a few numbers instead
// of moving a whole struct. Row i is the i-th kept trial, in trial order.
class Trials {
public:
    Trials() = default;
    // dims: parameters per point; metric_width: metrics per trial (the run's metric names).
    Trials(std::size_t dims, std::size_t metric_width) : dims_(dims), width_(metric_width) {}

    std::size_t size() const { return numbers_.size(); }
    bool empty() const { return numbers_.empty(); }
    std::uint64_t number(std::size_t i) const { return numbers_[i]; }
    std::span<const Value> point(std::size_t i) const { return {values_.data() + i * dims_, dims_}; }
    TrialStatus status(std::size_t i) const { return static_cast<TrialStatus>(statuses_[i] & status_mask); }
    double score(std::size_t i) const { return scores_[i]; }
    double seconds(std::size_t i) const { return seconds_[i]; }
    // Empty when the trial reported none (a failure, or an objective without metrics).
    std::span<const double> metrics(std::size_t i) const;
    // Empty for an ok trial.
    const std::string &error(std::size_t i) const;

    void reserve(std::size_t rows);
    void append(std::uint64_t number, std::span<const Value> point, const Evaluation &e, double seconds);
    // Overwrites row i with an ok trial (a table keeping only the best).
    void replace(std::size_t i, std::uint64_t number, std::span<const Value> point, const Evaluation &e,
                 double seconds);
    // The same rows, ordered by trial number.
    Trials sorted_by_number() const;

private:
    static constexpr std::uint8_t status_mask = 0x7f, has_metrics = 0x80;
    static std::uint8_t status_byte(const Evaluation &e);
    void copy_metrics(const Metrics &metrics, double *row) const;
    void copy_row(const Trials &from, std::size_t i);

    std::size_t dims_ = 0;
    std::size_t width_ = 0;
    std::vector<std::uint64_t> numbers_;
    std::vector<std::uint8_t> statuses_; // TrialStatus, and whether it reported metrics
    std::vector<double> scores_;
    std::vector<double> seconds_;
    std::vector<Value> values_;   // dims_ per row
    std::vector<double> metrics_; // width_ per row; NaN where the trial reported fewer
    std::vector<std::pair<std::size_t, std::string>> errors_; // by row, ascending: only failures have one
};

struct RunResult {
    std::shared_ptr<const Space> space;
    RunInfo info;
    Trials trials; // kept trials, in trial order
    std::optional<std::size_t> best; // row in trials
    std::array<std::uint64_t, trial_status_count> status_counts{}; // by TrialStatus
    std::uint64_t evaluated = 0; // trials evaluated, kept or not (cancelled ones are not evaluated)
    std::uint64_t reused = 0; // trials whose outcome came from a study instead of an evaluation
    double wall_seconds = 0.0;
    double eval_seconds = 0.0; // of the trials evaluated by this run (reused ones excluded)
    // What those evaluations would have taken one after another on one core:
    // their CPU time, or their wall time where they mostly waited (Evaluator).
    // 0 for a run read back from a study, which stores wall times only.
    double sequential_seconds = 0.0;
    double cpu_seconds = 0.0; // the part of sequential_seconds measured as CPU time
    std::string provenance; // a JSON object saying what produced the run (runs with a study); empty: none
    SelectionStats selection; // computed by src/analysis once the run has ended
    // The max_seconds budget ran out before the search had proposed its last
    // trial: the trials are those an unbudgeted run begins with.
    bool stopped_on_budget = false;
    // What went wrong without costing a trial: a plugin's finish that crashed
    // or never returned (Executor::shut_down).
    std::vector<std::string> warnings;

    // sequential_seconds / wall_seconds: how many cores' worth of evaluation
    // the run kept busy. A run from a study falls back to eval_seconds.
    double speedup() const
    {
        const double work = sequential_seconds > 0 ? sequential_seconds : eval_seconds;
        return wall_seconds > 0 ? work / wall_seconds : 0.0;
    }
    double efficiency() const { return info.workers > 0 ? speedup() / info.workers : 0.0; }
    // How much of the speedup's basis is CPU time (1: all; 0: all wall time of
    // evaluations that mostly waited, or a run read back from a study).
    double cpu_share() const { return sequential_seconds > 0 ? std::min(cpu_seconds / sequential_seconds, 1.0) : 0.0; }
};

class TrialTable {
public:
    // keep: keep only the best that many ok trials (0: keep every trial).
    // expected: how many trials the run plans (a hint, to allocate once).
    TrialTable(Direction direction, std::uint64_t keep, std::size_t dims, std::size_t metric_width,
               std::uint64_t expected = 0);

    // A reused trial (its outcome stored by an earlier run) adds nothing to
    // the evaluation time of this one.
    void record(std::uint64_t number, std::span<const Value> point, const Evaluation &e, double seconds,
                bool reused = false);
    // Adds an evaluated outcome's CPU time (Outcome::cpu_cost); a non-finite
    // or negative one (a worker breaking the protocol) adds nothing.
    void add_cpu(double cpu_cost)
    {
        if (std::isfinite(cpu_cost) && cpu_cost > 0)
            cpu_seconds_ += cpu_cost;
    }
    // The best ok trial's score so far.
    std::optional<double> best_score() const { return best_ ? std::optional(best_->score) : std::nullopt; }
    std::uint64_t status_count(TrialStatus status) const { return status_counts_[static_cast<std::size_t>(status)]; }
    // Recorded trials that were evaluated (not cancelled before they ran).
    std::uint64_t evaluated() const
    {
        return recorded_ - status_counts_[static_cast<std::size_t>(TrialStatus::Cancelled)];
    }
    // Moves the table into a result, trials sorted by number.
    void finish(RunResult &result);

private:
    // A kept row, ranked by score and then trial number.
    struct Rank {
        double score;
        std::uint64_t number;
        std::size_t row;
    };
    bool better(const Rank &a, const Rank &b) const;
    void keep_best(std::uint64_t number, std::span<const Value> point, const Evaluation &e, double seconds);

    Direction direction_;
    std::uint64_t keep_;
    Trials trials_;
    std::vector<Rank> heap_; // with keep_ > 0: the kept rows, worst on top
    std::optional<Rank> best_;
    std::array<std::uint64_t, trial_status_count> status_counts_{};
    std::uint64_t recorded_ = 0;
    double eval_seconds_ = 0.0;
    double cpu_seconds_ = 0.0;
};

// One trial as the result files see it, wherever it is stored.
struct TrialView {
    std::uint64_t number = 0;
    std::span<const Value> point;
    TrialStatus status = TrialStatus::Ok;
    double score = 0.0;
    std::span<const double> metrics; // empty: none reported
    std::string_view error;
    double seconds = 0.0;
};
TrialView trial_view(const Trials &trials, std::size_t i);

// Hands every trial to `visit`, in trial order: a run's trials may be streamed
// from a study instead of held in memory.
using TrialVisitor = std::function<void(const TrialView &)>;
using TrialFeed = std::function<Result<void>(const TrialVisitor &visit)>;

// Streamed to a temporary file that replaces `path` only when complete. The
// trials are result.trials, or what `feed` gives when it is set (then
// result.trials holds the best trial alone, if any).
Result<void> write_json(const RunResult &result, const std::string &path, const TrialFeed &feed = {});
Result<void> write_csv(const RunResult &result, const std::string &path, const TrialFeed &feed = {});

} // namespace btopt::internal
