// The last step of every metrics computation, shared by the per-bar path
// (metrics.cpp) and the per-segment one (segments.cpp). Private to btopt_kit.
#pragma once

#include <cstddef>

#include "btopt/kit/metrics.hpp"

namespace btopt::kit::detail {

// n returns with their sum, squared deviations about their mean, downside sum,
// the final equity and the lowest equity / peak.
struct Moments {
    std::size_t n = 0;
    double sum = 0.0, m2 = 0.0, downside_sq = 0.0, equity = 1.0, lowest_ratio = 1.0;
};

// sharpe, sortino, total_return, cagr and max_drawdown (left 0 when n = 0).
void fill_ratios(const Moments& t, double periods_per_year, Metrics& m);

}  // namespace btopt::kit::detail
