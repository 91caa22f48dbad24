// Robustness of the optimum for grid runs (docs/VALIDATION.md): each trial's
// neighbourhood score, the most robust point, and the sensitivity of the
// score along each parameter through the best point. Computed once a run has
// ended, from the trial table alone.
#pragma once

#include "../core/result.hpp"
#include "../core/selection.hpp"

#include <optional>
#include <string>

namespace btopt::internal::analysis {

// Nothing for a run that is not a grid or whose grid is too large to lay out
// (then `note` says so).
std::optional<RobustStats> robustness(const RunResult &result, std::uint32_t radius, std::string &note);

} // namespace btopt::internal::analysis
