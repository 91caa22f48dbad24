// What crosses between the coordinator and whoever evaluates: plain data only
// (a trial number, a point, a seed; back a status, a score, metrics, an error).
#pragma once

#include "space.hpp"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

namespace btopt::internal {

enum class TrialStatus : std::int32_t {
    Ok = BTOPT_TRIAL_OK,
    Failed = BTOPT_TRIAL_FAILED,
    Crashed = BTOPT_TRIAL_CRASHED,
    Timeout = BTOPT_TRIAL_TIMEOUT,
    Cancelled = BTOPT_TRIAL_CANCELLED,
    Infeasible = BTOPT_TRIAL_INFEASIBLE, // ok, but breaks `require` (set by the coordinator, never by an executor)
};

// How many statuses there are: arrays counted by status have this size.
constexpr std::size_t trial_status_count = BTOPT_TRIAL_INFEASIBLE + 1;
// The last status an executor may hand back: Infeasible is the coordinator's.
constexpr TrialStatus last_executor_status = TrialStatus::Cancelled;

// "ok", "failed", "crashed", "timeout", "cancelled" or "infeasible": how files and messages name a status.
constexpr const char *trial_status_name(TrialStatus status) noexcept
{
    constexpr const char *names[] = {"ok", "failed", "crashed", "timeout", "cancelled", "infeasible"};
    static_assert(std::size(names) == trial_status_count);
    const auto i = static_cast<std::size_t>(status);
    return i < trial_status_count ? names[i] : "unknown";
}

// Whether a trial of this status has a score: an ok one, or an infeasible
// one (it ended ok; its score is kept so users see what it gave up).
constexpr bool has_score(TrialStatus status) noexcept
{
    return status == TrialStatus::Ok || status == TrialStatus::Infeasible;
}

// The bars an evaluation trades, first .. end-1; end 0: all of them (what
// every objective can do). Only plugins with bar ranges take another.
struct BarRange {
    std::uint64_t first = 0, end = 0;
    bool whole() const { return end == 0; }
    bool operator==(const BarRange &) const = default;
};

struct Task {
    std::uint64_t number = 0; // trial number: position in proposal order
    Point point;
    std::uint64_t seed = 0; // for evaluations that draw random numbers
    BarRange range{};       // on the wire only when it changes (wire::append_range)
};

// A trial's metrics: inline up to 8, so passing an outcome along allocates nothing.
using Metrics = boost::container::small_vector<double, 8>;

// What evaluating one point gave, before it is timed and numbered.
struct Evaluation {
    TrialStatus status = TrialStatus::Ok;
    double score = 0.0;
    std::string error;
    Metrics metrics;
};

struct Outcome {
    std::uint64_t number = 0;
    Evaluation evaluation;
    double seconds = 0.0;
    // The CPU time its evaluator used since the outcome before that carried
    // one (the evaluator reads the CPU clock once per window of evaluations,
    // so alone, one outcome's cpu_cost means nothing); 0 for outcomes made
    // without an evaluator (a crash, a timeout). The coordinator sums it into
    // the speedup's basis (TrialTable::finish).
    double cpu_cost = 0.0;
};

struct Trial {
    std::uint64_t number = 0;
    Point point;
    Evaluation evaluation;
    double seconds = 0.0;
};

} // namespace btopt::internal
