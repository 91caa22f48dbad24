// A trial's equity curve for the dashboard: the study holds no curves, so the
// run's plugin computes it again, in btopt-worker, with the config the study
// recorded and the trial's point (btopt_optimizer_equity_curve).
#pragma once

#include "dashboard/mirror.hpp"

#include <nlohmann/json.hpp>

namespace btopt::cli::dashboard {

// {number, equity, buy_and_hold, dates (days since 1970-01-01; absent when
// the bars have none)}, or {missing: why there is none} — a plugin that is not
// on this machine, one without equity curves, a point it refuses.
nlohmann::json trial_equity(const Run &run, std::int64_t number);

} // namespace btopt::cli::dashboard
