// Deterministic synthetic price bars for tests and benchmarks.
#pragma once

#include <cstddef>
#include <cstdint>

#include "btopt/kit/bars.hpp"

namespace btopt::kit {

// Geometric Brownian motion, identical bytes on every platform for the same
// arguments. With dt = 1 / periods_per_year and Z, Zh, Zl, Zv independent
// standard normals drawn in that order for each bar t = 0..n_bars-1:
//
//   open[0]  = s0,   open[t] = close[t-1]
//   close[t] = open[t] * exp((mu - sigma^2 / 2) * dt + sigma * sqrt(dt) * Z)
//   high[t]  = max(open[t], close[t]) * exp( sigma * sqrt(dt) * |Zh| / 2)
//   low[t]   = min(open[t], close[t]) * exp(-sigma * sqrt(dt) * |Zl| / 2)
//   volume[t] = floor(1e6 * exp(Zv / 4))
//   timestamp[t] = 2000-01-01 00:00:00 UTC + t days
//
// so log returns are N((mu - sigma^2/2) dt, sigma^2 dt) and high >= max(open,
// close) >= min(open, close) >= low > 0. Adj Close and OpenInterest are absent.
//
// Why it is the same everywhere: the engine is xoshiro256** seeded through
// splitmix64; normals come from Marsaglia's polar method; exp and log are the
// library's own polynomial versions built from + - * / sqrt floor frexp ldexp,
// which IEEE-754 defines exactly (the C library's exp/log, and
// std::normal_distribution, differ between platforms). The file is compiled
// with -ffp-contract=off so no fused multiply-add changes a rounding.
// Preconditions: s0 > 0, sigma >= 0, periods_per_year > 0.
[[nodiscard]] Bars synthetic_gbm(std::size_t n_bars, std::uint64_t seed, double s0 = 100.0,
                                 double mu = 0.05, double sigma = 0.2, double periods_per_year = 252.0);

}  // namespace btopt::kit
