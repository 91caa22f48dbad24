// Selection-bias statistics over a run's trials (docs/VALIDATION.md): the
// Deflated and Probabilistic Sharpe Ratio of the best trial, and the
// Probability of Backtest Overfitting by combinatorially symmetric
// cross-validation. Computed once a run has ended, from the metrics a plugin
// reports under the names of docs/VALIDATION.md; searches and executors never
// know about it.
#pragma once

#include "../core/result.hpp"
#include "../core/selection.hpp"

#include <cstdint>
#include <span>

namespace btopt::internal::analysis {

// The statistics of `result`, with the options pbo_blocks (S for the PBO),
// random_seed (draws the PBO's splits when there are too many to evaluate
// them all), robust_radius and select. What cannot be computed is said in the note.
SelectionStats selection_stats(const RunResult &result, const Options &options);

// The pieces, for tests.
double normal_cdf(double x);
double normal_quantile(double p); // 0 < p < 1
// P(true Sharpe > sr_star) for an observed Sharpe `sr` per return over `returns` returns.
double probabilistic_sharpe(double sr, double sr_star, double returns, double skewness, double kurtosis);
// The expected largest Sharpe of `trials` unskilled trials whose Sharpe ratios vary by `variance`.
double expected_max_sharpe(double variance, double trials);

} // namespace btopt::internal::analysis
