// Performance metrics of a position series on a close series.
//
// Definitions (also in docs/METRICS.md). N bars, closes c[0..N-1], positions
// p[0..N-1] where p[t] is decided at the close of bar t (1 long, 0 flat,
// -1 short) and is 0 while a strategy's indicators are undefined; p[-1] = 0.
//
//   r[t] = p[t-1] * (c[t] / c[t-1] - 1) - commission * |p[t-1] - p[t-2]|,  t = 1..N-1
//
// i.e. the position held over bar t earns its price change, and the change of
// position made at the close of bar t-1 pays `commission` (a fraction of
// notional) per unit traded, charged in the bar that follows. n = N - 1.
//
//   sharpe       = mean(r) / stdev(r) * sqrt(periods_per_year), stdev with n-1;
//                  0 when n < 2 or stdev is 0
//   sortino      = mean(r) / dd * sqrt(periods_per_year),
//                  dd = sqrt(sum(min(r,0)^2) / n) (downside deviation about 0,
//                  over all n returns); 0 when dd is 0
//   total_return = prod(1 + r) - 1
//   cagr         = (1 + total_return)^(periods_per_year / n) - 1; -1 when the
//                  equity reached 0 or below (1 + total_return <= 0); 0 when n = 0
//   max_drawdown = max over t of (peak - equity[t]) / peak, equity[0] = 1 before the
//                  first return, equity[t] = prod_{k<=t}(1 + r[k]), peak the running
//                  maximum; a positive fraction (0.25 = a 25% fall)
//   trades       = number of bars t = 0..N-1 with p[t] != p[t-1] and p[t] != 0
//                  (entries and reversals; exits to flat are not counted)
//   exposure     = (number of bars with p[t] != 0) / N
// With N < 2 there are no returns and every metric except trades and exposure is 0.
//
// Both compute_metrics give the same bits on every machine (see isa.hpp) and
// agree with a plain two-pass computation to about 1e-15 relative; how they
// get there is in docs/METRICS.md ("Computation").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "btopt/kit/prices.hpp"

namespace btopt::kit {

// A position: -1 short, 0 flat, 1 long.
using Position = std::int8_t;

struct MetricsOptions {
    double commission = 0.0;         // fraction of notional per unit of position traded
    double periods_per_year = 252.0; // bars per year, for sharpe, sortino and cagr
};

struct Metrics {
    double sharpe = 0.0;
    double sortino = 0.0;
    double total_return = 0.0;
    double cagr = 0.0;
    double max_drawdown = 0.0;
    std::int64_t trades = 0;
    double exposure = 0.0;
};

// O(N), no allocation, a few KiB of stack. `positions` must have as many
// values as `prices` (contract). `returns_out` is optional caller storage:
// when it is not empty it must hold size() - 1 values (or be empty for N < 2)
// and receives r[1..N-1] (r[t] at index t-1), for reports. The fast form:
// what a plugin calls once per evaluation, on Prices built in its init.
[[nodiscard]] Metrics compute_metrics(const Prices& prices, std::span<const Position> positions,
                                      const MetricsOptions& options = {}, std::span<double> returns_out = {});

// The same on bare closes, for one-off use: the same values to the bit,
// dividing once per bar for the price changes. `closes` and `positions` must
// have the same size (contract).
[[nodiscard]] Metrics compute_metrics(std::span<const double> closes, std::span<const Position> positions,
                                      const MetricsOptions& options = {},
                                      std::span<double> returns_out = {});

// Equity curve for a report: equity_out[0] = 1 and equity_out[t] =
// equity_out[t-1] * (1 + r[t]); equity_out must have closes.size() values.
void equity_curve(std::span<const double> closes, std::span<const Position> positions, double commission,
                  std::span<double> equity_out);

}  // namespace btopt::kit
