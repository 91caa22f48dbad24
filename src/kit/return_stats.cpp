// ReturnMoments: runs of constant position within each block; a run's first
// return carries the commission and is added on its own, the rest are the
// position times the price changes, whose power sums are prefix differences.
#include "btopt/kit/return_stats.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include <gsl/assert>

namespace btopt::kit {
namespace {

// Sums of r, r^2, r^3, r^4.
struct Powers {
    std::array<double, 4> s{};
    void add(double r) {
        const double r2 = r * r;
        s[0] += r;
        s[1] += r2;
        s[2] += r2 * r;
        s[3] += r2 * r2;
    }
};

// The first i in [from, to) with p[i] != held, or `to`: eight positions at a
// time, since a strategy's positions change rarely.
std::size_t run_end(const Position* p, std::size_t from, std::size_t to, Position held) {
    const std::uint64_t pattern = 0x0101010101010101ULL * static_cast<std::uint8_t>(held);
    std::size_t i = from;
    for (std::uint64_t word = 0; i + 8 <= to; i += 8) {
        std::memcpy(&word, p + i, 8);
        if (word != pattern) break;
    }
    while (i < to && p[i] == held) ++i;
    return i;
}

void central_moments(const Powers& p, std::size_t count, ReturnStats& out) {
    if (count == 0) return;
    const double n = static_cast<double>(count);
    const double mean = p.s[0] / n, a2 = p.s[1] / n, a3 = p.s[2] / n, a4 = p.s[3] / n;
    const double m2 = a2 - mean * mean;
    const double m3 = a3 - 3.0 * mean * a2 + 2.0 * mean * mean * mean;
    const double m4 = a4 - 4.0 * mean * a3 + 6.0 * mean * mean * a2 - 3.0 * mean * mean * mean * mean;
    if (!(m2 > 0.0)) return;
    out.skewness = m3 / (m2 * std::sqrt(m2));
    out.kurtosis = m4 / (m2 * m2);
}

}  // namespace

ReturnMoments::ReturnMoments(const Prices& prices)
    : changes_(prices.changes().begin(), prices.changes().end()) {
    const std::size_t bars = changes_.size();
    prefix_.assign(bars + 1, {0.0, 0.0, 0.0, 0.0});
    for (std::size_t t = 1; t < bars; ++t) {
        const double c = changes_[t], c2 = c * c;
        const double powers[] = {c, c2, c2 * c, c2 * c2};
        for (std::size_t j = 0; j < 4; ++j) prefix_[t + 1][j] = prefix_[t][j] + powers[j];
    }
}

ReturnStats ReturnMoments::compute(std::span<const Position> p, double commission) const {
    return compute(p, commission, 0, p.size());
}

ReturnStats ReturnMoments::compute(std::span<const Position> p, double commission, std::size_t first_bar,
                                   std::size_t end_bar) const {
    Expects(p.size() == changes_.size() && first_bar <= end_bar && end_bar <= p.size());
    ReturnStats out;
    if (end_bar - first_bar < 2) return out;
    out.n = end_bar - first_bar - 1;
    Powers total;
    for (std::size_t k = 0; k < kReturnBlocks; ++k) {
        const std::size_t lo = first_bar + 1 + k * out.n / kReturnBlocks;
        const std::size_t hi = first_bar + 1 + (k + 1) * out.n / kReturnBlocks;
        Powers block;
        for (std::size_t t = lo; t < hi;) {
            const int held = p[t - 1];
            const std::size_t end = run_end(p.data(), t, hi - 1, p[t - 1]) + 1;  // p[end - 1] differs, or end = hi
            const int before = t >= first_bar + 2 ? p[t - 2] : 0;  // flat before the first bar
            // The run's first return pays for the change of position made before it, if any.
            const double cost = commission * std::abs(held - before);
            std::size_t first = t;  // the first return summed from the prefix sums
            if (cost != 0.0) {
                block.add(held * changes_[t] - cost);
                first = t + 1;
            }
            if (held != 0 && end > first) {
                const auto &to = prefix_[end], &from = prefix_[first];
                const auto range = [&](std::size_t j) { return to[j] - from[j]; };
                block.s[0] += held * range(0);  // held^odd = held, held^even = 1
                block.s[1] += range(1);
                block.s[2] += held * range(2);
                block.s[3] += range(3);
            }
            t = end;
        }
        out.block_sum[k] = block.s[0];
        out.block_sumsq[k] = block.s[1];
        for (std::size_t j = 0; j < 4; ++j) total.s[j] += block.s[j];
    }
    central_moments(total, out.n, out);
    return out;
}

}  // namespace btopt::kit
