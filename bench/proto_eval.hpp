// A prototype, for the benchmark report only: the sma_crossover evaluation
// restructured so that no loop carries a division or a long dependency chain.
// It is what bench/RESULTS.md proposes for btopt_kit (sma_crossover +
// compute_metrics), measured next to the kit's own code (btopt-bench-kit
// ProtoSmaEval) and checked against it (btopt-bench proto-check). Not used by
// the library.
//
// Once per data set (the plugin's init): the per-bar price changes
// ret[t] = c[t] / c[t-1] - 1, and prefix sums of the closes as double-double
// (hi + lo), so the sum of any window is two subtractions.
// Per evaluation:
//  1. signal: long when sum_fast * slow > sum_slow * fast (no division, no
//     rolling chain: every bar independent, so the compiler vectorises it);
//  2. returns r[t] = p[t-1] * ret[t] - commission * |p[t-1] - p[t-2]|, their
//     sum, the downside sum, trades and exposure: independent accumulators;
//  3. the variance in a second pass about the mean (two-pass: at least as
//     stable as Welford's update, without its division per bar);
//  4. equity, peak and drawdown four bars at a time: one multiply and one max
//     on the chain per four bars, the drawdown's division only when it may
//     set a new maximum.
// The returns of step 2 go to a thread-local scratch buffer, so the passes
// after it are plain loops over doubles.
#pragma once

// BENCH_PROTO_NS: the namespace (proto_v3.cpp builds the same code for x86-64-v3 under another name).
#ifndef BENCH_PROTO_NS
#define BENCH_PROTO_NS proto
#endif

#include <btopt/kit/metrics.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace bench::BENCH_PROTO_NS {

struct Prepared {
    std::span<const double> closes;
    std::vector<double> ret; // ret[0] = 0
    std::vector<double> hi, lo; // prefix sums: sum of closes[0..t-1] = hi[t] + lo[t]
};

inline Prepared prepare(std::span<const double> c)
{
    Prepared p;
    p.closes = c;
    const std::size_t n = c.size();
    p.ret.assign(n, 0.0);
    for (std::size_t t = 1; t < n; ++t)
        p.ret[t] = c[t] / c[t - 1] - 1.0;
    p.hi.assign(n + 1, 0.0);
    p.lo.assign(n + 1, 0.0);
    double s = 0.0, comp = 0.0;
    for (std::size_t t = 0; t < n; ++t) {
        const double x = c[t];
        const double sum = s + x; // TwoSum: sum + err == s + x exactly
        const double bb = sum - s;
        const double err = (s - (sum - bb)) + (x - bb);
        s = sum;
        comp += err;
        p.hi[t + 1] = s;
        p.lo[t + 1] = comp;
    }
    return p;
}

inline void signal(const Prepared &d, std::size_t fast, std::size_t slow, std::span<btopt::kit::Position> pos)
{
    const std::size_t n = d.closes.size();
    const std::size_t first = std::max(fast, slow) - 1;
    const double ff = static_cast<double>(fast), fs = static_cast<double>(slow);
    const double *hi = d.hi.data(), *lo = d.lo.data();
    std::int8_t *out = pos.data();
    const std::size_t stop = std::min(first, n);
    for (std::size_t t = 0; t < stop; ++t)
        out[t] = 0;
    for (std::size_t t = first; t < n; ++t) {
        const double sf = (hi[t + 1] - hi[t + 1 - fast]) + (lo[t + 1] - lo[t + 1 - fast]);
        const double ss = (hi[t + 1] - hi[t + 1 - slow]) + (lo[t + 1] - lo[t + 1 - slow]);
        out[t] = static_cast<std::int8_t>(sf * fs > ss * ff);
    }
}

inline btopt::kit::Metrics metrics(const Prepared &d, std::span<const btopt::kit::Position> pos,
                                   const btopt::kit::MetricsOptions &o = {})
{
    btopt::kit::Metrics m;
    const std::size_t n_bars = d.closes.size();
    const std::int8_t *p = pos.data();
    const double *ret = d.ret.data();
    std::int64_t exposed = 0, trades = 0;
    {
        std::int8_t prev = 0;
        for (std::size_t t = 0; t < n_bars; ++t) {
            exposed += p[t] != 0;
            trades += (p[t] != prev) & (p[t] != 0);
            prev = p[t];
        }
    }
    m.trades = trades;
    m.exposure = n_bars ? static_cast<double>(exposed) / static_cast<double>(n_bars) : 0.0;
    if (n_bars < 2)
        return m;
    const std::size_t n = n_bars - 1;
    // The returns, in this thread's scratch (r[0] is unused).
    thread_local std::vector<double> scratch;
    scratch.resize(n_bars + 4);
    double *r = scratch.data();
    for (std::size_t t = 1; t < n_bars; ++t)
        r[t] = static_cast<double>(p[t - 1]) * ret[t];
    if (o.commission != 0.0) {
        r[1] -= o.commission * std::abs(p[0]);
        for (std::size_t t = 2; t < n_bars; ++t)
            r[t] -= o.commission * std::abs(p[t - 1] - p[t - 2]);
    }
    for (std::size_t t = n_bars; t < n_bars + 4; ++t)
        r[t] = 0.0; // padding: adds nothing to the sums, multiplies equity by 1
    const std::size_t groups = (n + 3) / 4;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0, d0 = 0, d1 = 0, d2 = 0, d3 = 0;
    for (std::size_t g = 0; g < groups; ++g) {
        const double *x = r + 1 + 4 * g;
        s0 += x[0]; s1 += x[1]; s2 += x[2]; s3 += x[3];
        const double n0 = std::min(x[0], 0.0), n1 = std::min(x[1], 0.0), n2 = std::min(x[2], 0.0), n3 = std::min(x[3], 0.0);
        d0 += n0 * n0; d1 += n1 * n1; d2 += n2 * n2; d3 += n3 * n3;
    }
    const double nd = static_cast<double>(n);
    const double mean = ((s0 + s1) + (s2 + s3)) / nd;
    const double downside_sq = (d0 + d1) + (d2 + d3);
    double q0 = 0, q1 = 0, q2 = 0, q3 = 0;
    for (std::size_t g = 0; g < groups; ++g) {
        const double *x = r + 1 + 4 * g;
        const std::size_t left = n - 4 * g; // padding deviates by -mean: leave it out
        const double e0 = x[0] - mean, e1 = left > 1 ? x[1] - mean : 0.0, e2 = left > 2 ? x[2] - mean : 0.0,
                     e3 = left > 3 ? x[3] - mean : 0.0;
        q0 += e0 * e0; q1 += e1 * e1; q2 += e2 * e2; q3 += e3 * e3;
    }
    const double m2 = (q0 + q1) + (q2 + q3);
    double equity = 1.0, peak = 1.0, mdd = 0.0;
    for (std::size_t g = 0; g < groups; ++g) {
        const double *x = r + 1 + 4 * g;
        const double f1 = 1.0 + x[0], f2 = 1.0 + x[1], f3 = 1.0 + x[2], f4 = 1.0 + x[3];
        const double q12 = f1 * f2, q123 = q12 * f3, q1234 = q12 * (f3 * f4);
        const double e1 = equity * f1, e2 = equity * q12, e3 = equity * q123, e4 = equity * q1234;
        const double m2x = std::max(e1, e2), m3x = std::max(m2x, e3), m4x = std::max(m3x, e4);
        const double p1 = std::max(peak, e1), p2 = std::max(peak, m2x), p3 = std::max(peak, m3x),
                     p4 = std::max(peak, m4x);
        // A new maximum drawdown is rare: test with multiplications, divide only then.
        const double lim = 1.0 - mdd;
        if ((e1 < lim * p1) | (e2 < lim * p2) | (e3 < lim * p3) | (e4 < lim * p4))
            mdd = std::max({mdd, (p1 - e1) / p1, (p2 - e2) / p2, (p3 - e3) / p3, (p4 - e4) / p4});
        equity = e4;
        peak = p4;
    }
    const double annual = std::sqrt(o.periods_per_year);
    const double stdev = n >= 2 ? std::sqrt(m2 / (nd - 1.0)) : 0.0;
    m.sharpe = stdev > 0.0 ? mean / stdev * annual : 0.0;
    const double downside = std::sqrt(downside_sq / nd);
    m.sortino = downside > 0.0 ? mean / downside * annual : 0.0;
    m.total_return = equity - 1.0;
    m.cagr = equity <= 0.0 ? -1.0 : std::pow(equity, o.periods_per_year / nd) - 1.0;
    m.max_drawdown = mdd;
    return m;
}

} // namespace bench::BENCH_PROTO_NS
