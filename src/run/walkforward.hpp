// Walk-forward: one search per window on its train bars, its best point
// traded on the test bars right after, with one plugin init and one
// executor for every window (docs/VALIDATION.md, "Walk-forward"). With a
// study, each window's search, validation and test is a run of the study on
// its own bars, so a walk-forward resumes and reuses like any run.
#pragma once

#include "launch.hpp"

#include "../core/bar_range.hpp"

namespace btopt::internal {

// What a window's evaluations did: trials evaluated, and outcomes reused
// from the study (a resumed walk-forward).
struct EvaluationCounts {
    std::uint64_t evaluated = 0, reused = 0;
};

// One window's outcome.
struct WindowOutcome {
    Window window{};
    Point chosen{};                // the best point of its train bars
    double in_sample_score = 0.0;  // its score on the train bars
    Metrics in_sample{};           // its metrics on the train bars
    std::uint64_t trials = 0;      // trials evaluated on the train bars
    TrialStatus out_of_sample_status = TrialStatus::Ok;
    double out_of_sample_score = 0.0;
    Metrics out_of_sample{};       // its metrics on the test bars
    std::string out_of_sample_error{};
    std::size_t candidates = 0;   // with a validation period: the train points tried on it
    double validation_score = 0.0; // the chosen point's score on the validation bars
    Metrics validation{};
    EvaluationCounts counts{};     // over its train, validation and test bars
};

// With a validation period, how many of a window's best train points are
// evaluated on it to choose the one carried to the test bars.
inline constexpr std::size_t validation_candidates = 10;

struct WalkForwardOutcome {
    // BTOPT_OK, or how the walk-forward stopped (cancelled, a failed trial):
    // the windows done before it are kept.
    btopt_status status = BTOPT_OK;
    std::string message{};
    RunInfo info{};
    std::shared_ptr<const Space> space{};
    Timeline timeline{};
    WindowSpec spec{};
    std::vector<WindowOutcome> windows{};
    std::string study{};      // the study its runs were recorded in, if any
    EvaluationCounts counts{}; // over every window, the one it stopped in included
    double seconds = 0.0;
};

Result<WalkForwardOutcome> walk_forward(const RunPlan &plan, const WindowSpec &spec, const std::atomic<bool> &cancel);

// The outcome as JSON: the windows, the stitched out-of-sample returns,
// walk-forward efficiency and parameter stability (docs/VALIDATION.md).
std::string walk_forward_json(const WalkForwardOutcome &outcome);

} // namespace btopt::internal
