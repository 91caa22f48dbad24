// The trial table and what a run hands back. Trials are recorded in trial
// order (the coordinator reorders outcomes first), so the best is the lowest
// trial number among equal scores, whatever order workers finished in.
#pragma once

#include "options.hpp"
#include "trial.hpp"

#include <array>
#include <memory>
#include <optional>
#include <string>
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
};

struct RunResult {
    std::shared_ptr<const Space> space;
    RunInfo info;
    std::vector<Trial> trials; // kept trials, in trial order
    std::optional<std::size_t> best; // index into trials
    std::array<std::uint64_t, 5> status_counts{}; // by TrialStatus
    std::uint64_t evaluated = 0; // trials evaluated, kept or not (cancelled ones are not evaluated)
    double wall_seconds = 0.0;
    double eval_seconds = 0.0;

    double speedup() const { return wall_seconds > 0 ? eval_seconds / wall_seconds : 0.0; }
};

// True when a is a better trial than b: a higher score (a lower one when
// minimising), the lower trial number on a tie.
bool is_better(const Trial &a, const Trial &b, Direction direction);

class TrialTable {
public:
    // keep: keep only the best that many ok trials (0: keep every trial).
    TrialTable(Direction direction, std::uint64_t keep);

    void record(Trial trial);
    const Trial *best() const { return best_ ? &*best_ : nullptr; }
    std::uint64_t recorded() const { return recorded_; }
    // Recorded trials that were evaluated (not cancelled before they ran).
    std::uint64_t evaluated() const
    {
        return recorded_ - status_counts_[static_cast<std::size_t>(TrialStatus::Cancelled)];
    }
    // Moves the table into a result, trials sorted by number.
    void finish(RunResult &result);

private:
    Direction direction_;
    std::uint64_t keep_;
    std::vector<Trial> trials_; // a heap with the worst on top when keep_ > 0
    std::optional<Trial> best_;
    std::array<std::uint64_t, 5> status_counts_{};
    std::uint64_t recorded_ = 0;
    double eval_seconds_ = 0.0;
};

Result<void> write_json(const RunResult &result, const std::string &path);
Result<void> write_csv(const RunResult &result, const std::string &path);

} // namespace btopt::internal
