#include "btopt/kit/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <gsl/assert>

namespace btopt::kit {
namespace {

// r[t] as defined in the header; t >= 1.
double bar_return(std::span<const double> c, std::span<const Position> p, std::size_t t, double commission) {
    const int held = p[t - 1];
    const int before = t >= 2 ? p[t - 2] : 0;
    return held * (c[t] / c[t - 1] - 1.0) - commission * std::abs(held - before);
}

// Running statistics of the returns, updated once per bar.
struct Accumulator {
    std::size_t n = 0;
    double mean = 0.0;
    double m2 = 0.0;            // Welford's sum of squared deviations: stable in one pass
    double downside_sq = 0.0;   // sum of min(r, 0)^2
    double equity = 1.0;
    double peak = 1.0;
    double max_drawdown = 0.0;

    void add(double r) {
        ++n;
        const double delta = r - mean;
        mean += delta / static_cast<double>(n);
        m2 += delta * (r - mean);
        if (r < 0.0) downside_sq += r * r;
        equity *= 1.0 + r;
        peak = std::max(peak, equity);
        max_drawdown = std::max(max_drawdown, (peak - equity) / peak);
    }
};

void fill_ratios(const Accumulator& acc, double periods_per_year, Metrics& m) {
    const double n = static_cast<double>(acc.n);
    const double annual = std::sqrt(periods_per_year);
    const double stdev = acc.n >= 2 ? std::sqrt(acc.m2 / (n - 1.0)) : 0.0;
    m.sharpe = stdev > 0.0 ? acc.mean / stdev * annual : 0.0;
    const double downside = acc.n >= 1 ? std::sqrt(acc.downside_sq / n) : 0.0;
    m.sortino = downside > 0.0 ? acc.mean / downside * annual : 0.0;
    m.total_return = acc.equity - 1.0;
    if (acc.n == 0) m.cagr = 0.0;
    else if (acc.equity <= 0.0) m.cagr = -1.0;  // a fractional power of a non-positive number has no meaning
    else m.cagr = std::pow(acc.equity, periods_per_year / n) - 1.0;
    m.max_drawdown = acc.max_drawdown;
}

}  // namespace

Metrics compute_metrics(std::span<const double> closes, std::span<const Position> positions,
                        const MetricsOptions& options, std::span<double> returns_out) {
    const std::size_t n_bars = closes.size();
    Expects(positions.size() == n_bars);
    Expects(returns_out.empty() || returns_out.size() == (n_bars >= 1 ? n_bars - 1 : 0));

    Metrics m;
    Accumulator acc;
    std::size_t exposed = 0;
    Position previous = 0;
    for (std::size_t t = 0; t < n_bars; ++t) {
        const Position p = positions[t];
        if (p != 0) ++exposed;
        if (p != 0 && p != previous) ++m.trades;
        previous = p;
        if (t == 0) continue;
        const double r = bar_return(closes, positions, t, options.commission);
        if (!returns_out.empty()) returns_out[t - 1] = r;
        acc.add(r);
    }
    fill_ratios(acc, options.periods_per_year, m);
    m.exposure = n_bars > 0 ? static_cast<double>(exposed) / static_cast<double>(n_bars) : 0.0;
    return m;
}

void equity_curve(std::span<const double> closes, std::span<const Position> positions, double commission,
                  std::span<double> equity_out) {
    Expects(positions.size() == closes.size() && equity_out.size() == closes.size());
    if (closes.empty()) return;
    equity_out[0] = 1.0;
    for (std::size_t t = 1; t < closes.size(); ++t)
        equity_out[t] = equity_out[t - 1] * (1.0 + bar_return(closes, positions, t, commission));
}

}  // namespace btopt::kit
