// Naive reference implementations, written independently of the library:
// each indicator recomputed from scratch at every bar (O(N * window)), and the
// metrics from a stored return series with two-pass formulas.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "btopt/kit/metrics.hpp"

namespace kit_test::ref {

using btopt::kit::Position;

std::vector<Position> sma_crossover(std::span<const double> c, std::size_t fast, std::size_t slow);
std::vector<Position> momentum(std::span<const double> c, std::size_t lookback, double threshold_x100);
std::vector<Position> rsi_reversion(std::span<const double> c, std::size_t period, double lower, double upper);
std::vector<Position> donchian_breakout(std::span<const double> c, std::size_t window, std::size_t exit_window);

btopt::kit::Metrics metrics(std::span<const double> c, std::span<const Position> p, double commission,
                            double periods_per_year);

}  // namespace kit_test::ref
