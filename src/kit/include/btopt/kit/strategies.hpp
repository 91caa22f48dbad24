// Signal functions: closes in, one position per bar out (see metrics.hpp for
// what a position means). Each runs in O(N) and writes into caller storage, so
// evaluating a parameter grid allocates nothing per call.
//
// Common rules: `positions.size()` must equal `closes.size()`; a position is
// 0 on every bar where the strategy's indicator is not yet defined; a window
// longer than the data leaves every position 0. Parameter errors (a window of
// 0, mismatched sizes, scratch too small) are returned as a sentence, and the
// positions are then left unspecified.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include <tl/expected.hpp>

#include "btopt/kit/metrics.hpp"
#include "btopt/kit/prices.hpp"

namespace btopt::kit {

using SignalResult = tl::expected<void, std::string>;

// Long (1) when SMA(fast) > SMA(slow) at bar t, else flat (0). SMA(n) at t is
// the mean of closes[t-n+1..t], defined from t = n-1, so positions are 0 until
// t >= max(fast, slow) - 1. The window sums come from double-double prefix
// sums (see WindowSums: they do not drift over long series) and are compared
// as sum_fast * slow > sum_slow * fast; equal averages give flat wherever the
// sums are exact (prices on a binary grid: integers, quarters, ...). O(N), no
// allocation. Requires fast >= 1, slow >= 1.
SignalResult sma_crossover(std::span<const double> closes, std::size_t fast, std::size_t slow,
                           std::span<Position> positions);

// The same positions, to the bit, from WindowSums built once per data set: each
// bar is independent of the others (no rolling sum), so this runs vectorised.
// positions.size() must equal sums.size().
SignalResult sma_crossover(const WindowSums& sums, std::size_t fast, std::size_t slow,
                           std::span<Position> positions);

// Long when closes[t] / closes[t-lookback] - 1 > threshold_x100 / 100, else
// flat; defined from t = lookback. threshold_x100 is in percent (5 = 5%).
// Requires lookback >= 1.
SignalResult momentum(std::span<const double> closes, std::size_t lookback, double threshold_x100,
                      std::span<Position> positions);

// Wilder's RSI on closes: with changes d[t] = c[t] - c[t-1], the first average
// gain and loss are the simple means of max(d,0) and max(-d,0) over
// t = 1..period; afterwards avg = (avg * (period-1) + x) / period.
// RSI = 100 - 100 / (1 + avg_gain / avg_loss), and 100 when avg_loss is 0;
// defined from t = period. Long when RSI < lower; otherwise flat when
// RSI > upper; otherwise the previous position is held. Requires period >= 1.
SignalResult rsi_reversion(std::span<const double> closes, std::size_t period, double lower, double upper,
                           std::span<Position> positions);

// Donchian channel breakout, long/short. hi_w, lo_w: highest and lowest close
// of the previous `window` bars (t-window..t-1); hi_e, lo_e: the same over the
// previous `exit_window` bars, clipped to the bars that exist (0..t-1) when
// exit_window > window. From t = window on: long when c[t] > hi_w, short when
// c[t] < lo_w (entries first, so a reversal is one step); otherwise a long
// goes flat when c[t] < lo_e, a short when c[t] > hi_e; otherwise hold.
// O(N) through monotonic queues kept in `scratch`, which must hold at least
// donchian_scratch_size(window, exit_window) values (allocate it once per grid).
// Requires window >= 1, exit_window >= 1.
SignalResult donchian_breakout(std::span<const double> closes, std::size_t window, std::size_t exit_window,
                               std::span<Position> positions, std::span<std::size_t> scratch);
[[nodiscard]] std::size_t donchian_scratch_size(std::size_t window, std::size_t exit_window) noexcept;

}  // namespace btopt::kit
