#include "reference.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace kit_test::ref {
namespace {

double mean_of(std::span<const double> c, std::size_t first, std::size_t count) {
    double sum = 0.0;
    for (std::size_t i = first; i < first + count; ++i) sum += c[i];
    return sum / static_cast<double>(count);
}

// Wilder's RSI at every bar from `period` on, as separate array passes.
std::vector<double> rsi_series(std::span<const double> c, std::size_t period) {
    const std::size_t n = c.size();
    std::vector<double> rsi(n, 0.0);
    if (n <= period) return rsi;
    std::vector<double> gain(n, 0.0), loss(n, 0.0);
    for (std::size_t t = 1; t < n; ++t) {
        gain[t] = c[t] > c[t - 1] ? c[t] - c[t - 1] : 0.0;
        loss[t] = c[t] < c[t - 1] ? c[t - 1] - c[t] : 0.0;
    }
    const double p = static_cast<double>(period);
    double g = 0.0, l = 0.0;
    for (std::size_t t = 1; t <= period; ++t) {
        g += gain[t];
        l += loss[t];
    }
    g /= p;
    l /= p;
    for (std::size_t t = period; t < n; ++t) {
        if (t > period) {
            g = (g * (p - 1.0) + gain[t]) / p;
            l = (l * (p - 1.0) + loss[t]) / p;
        }
        rsi[t] = l == 0.0 ? 100.0 : 100.0 - 100.0 / (1.0 + g / l);
    }
    return rsi;
}

}  // namespace

std::vector<Position> sma_crossover(std::span<const double> c, std::size_t fast, std::size_t slow) {
    std::vector<Position> pos(c.size(), 0);
    for (std::size_t t = std::max(fast, slow) - 1; t < c.size(); ++t)
        pos[t] = mean_of(c, t + 1 - fast, fast) > mean_of(c, t + 1 - slow, slow) ? 1 : 0;
    return pos;
}

std::vector<Position> momentum(std::span<const double> c, std::size_t lookback, double threshold_x100) {
    std::vector<Position> pos(c.size(), 0);
    for (std::size_t t = lookback; t < c.size(); ++t)
        pos[t] = c[t] / c[t - lookback] - 1.0 > threshold_x100 / 100.0 ? 1 : 0;
    return pos;
}

std::vector<Position> rsi_reversion(std::span<const double> c, std::size_t period, double lower, double upper) {
    const auto rsi = rsi_series(c, period);
    std::vector<Position> pos(c.size(), 0);
    for (std::size_t t = period; t < c.size(); ++t) {
        const Position before = t > 0 ? pos[t - 1] : Position{0};
        pos[t] = rsi[t] < lower ? 1 : rsi[t] > upper ? 0 : before;
    }
    return pos;
}

std::vector<Position> donchian_breakout(std::span<const double> c, std::size_t window, std::size_t exit_window) {
    std::vector<Position> pos(c.size(), 0);
    for (std::size_t t = window; t < c.size(); ++t) {
        const auto w = c.subspan(t - window, window);
        const std::size_t e_first = t >= exit_window ? t - exit_window : 0;
        const auto e = c.subspan(e_first, t - e_first);
        const double hi_w = *std::max_element(w.begin(), w.end()), lo_w = *std::min_element(w.begin(), w.end());
        const double hi_e = *std::max_element(e.begin(), e.end()), lo_e = *std::min_element(e.begin(), e.end());
        const Position before = pos[t - 1];
        Position now = before;
        if (c[t] > hi_w) now = 1;
        else if (c[t] < lo_w) now = -1;
        else if (before == 1 && c[t] < lo_e) now = 0;
        else if (before == -1 && c[t] > hi_e) now = 0;
        pos[t] = now;
    }
    return pos;
}

btopt::kit::Metrics metrics(std::span<const double> c, std::span<const Position> p, double commission,
                            double periods_per_year) {
    btopt::kit::Metrics m;
    const std::size_t n_bars = c.size();
    std::vector<double> r;
    for (std::size_t t = 1; t < n_bars; ++t) {
        const double before = t >= 2 ? p[t - 2] : 0.0;
        r.push_back(p[t - 1] * (c[t] / c[t - 1] - 1.0) - commission * std::abs(p[t - 1] - before));
    }
    for (std::size_t t = 0; t < n_bars; ++t) {
        const Position before = t > 0 ? p[t - 1] : Position{0};
        if (p[t] != before && p[t] != 0) ++m.trades;
        if (p[t] != 0) m.exposure += 1.0;
    }
    if (n_bars > 0) m.exposure /= static_cast<double>(n_bars);
    if (r.empty()) return m;
    const double n = static_cast<double>(r.size());
    double sum = 0.0, down = 0.0, equity = 1.0, peak = 1.0;
    for (const double x : r) sum += x;
    const double mean = sum / n;
    double ss = 0.0;
    for (const double x : r) {
        ss += (x - mean) * (x - mean);
        down += x < 0.0 ? x * x : 0.0;
        equity *= 1.0 + x;
        peak = std::max(peak, equity);
        m.max_drawdown = std::max(m.max_drawdown, 1.0 - equity / peak);
    }
    const double sd = r.size() >= 2 ? std::sqrt(ss / (n - 1.0)) : 0.0;
    m.sharpe = sd > 0.0 ? mean / sd * std::sqrt(periods_per_year) : 0.0;
    m.sortino = down > 0.0 ? mean / std::sqrt(down / n) * std::sqrt(periods_per_year) : 0.0;
    m.total_return = equity - 1.0;
    m.cagr = equity <= 0.0 ? -1.0 : std::pow(equity, periods_per_year / n) - 1.0;
    return m;
}

}  // namespace kit_test::ref
