// The coordinator: the one loop that ties a search to an executor. It asks
// the search for points, numbers them, hands them to the executor, puts the
// outcomes back in trial order, records them in the trial table, tells the
// search, reports progress and stops on cancellation or on a failed trial.
#pragma once

#include "../core/result.hpp"
#include "../exec/executor.hpp"
#include "../search/search.hpp"
#include "../core/trial_store.hpp"

#include <array>
#include <atomic>
#include <functional>

namespace btopt::internal {

using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total, double best_score)>;

// What a progress report says after a recorded trial (btopt_progress in btopt.h).
struct ProgressReport {
    std::uint64_t done = 0;  // recorded trials that finished (not cancelled), reused ones included
    std::uint64_t total = 0; // as ProgressFn's total
    std::array<std::uint64_t, trial_status_count> by_status{};
    std::uint64_t reused = 0;
    double best_score = 0.0; // NaN until a trial succeeds
    double evaluations_per_second = 0.0;
    double elapsed_seconds = 0.0;
    std::int64_t trial = -1; // the last trial recorded, if this report is the first to say so; else -1
};
using ProgressReportFn = std::function<void(const ProgressReport &)>;

struct RunRequest {
    std::shared_ptr<const Space> space;
    Search &search;
    Executor &executor;
    const Options &options;
    RunInfo info;
    ProgressFn progress;              // may be empty
    ProgressReportFn progress_report; // may be empty: a report per recorded trial (options.progress_interval)
    const std::atomic<bool> &cancel; // set from anywhere to stop the run
    TrialStore *store = nullptr;      // a study: records every trial, may supply stored outcomes
    BarRange range{};                 // the bars every evaluation trades
};

struct RunOutcome {
    // BTOPT_OK, BTOPT_ERR_OBJECTIVE (a trial failed without ignore_errors) or
    // BTOPT_ERR_CANCELLED; the result holds every trial started either way.
    btopt_status status = BTOPT_OK;
    std::string message;
    RunResult result;
};

Result<RunOutcome> coordinate(RunRequest request);

} // namespace btopt::internal
