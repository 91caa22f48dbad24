// compute_metrics per segment (docs/METRICS.md, "Computation, per segment").
// Within a segment of position v the returns are v * change, except the first
// one, which pays the commission of the change: the sums come from prefix
// sums, the equity and drawdown from range queries on the log-equity path.
// Plain scalar code, the same on every instruction set.
#include "btopt/kit/segments.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <gsl/assert>

#include "prefix_sum.hpp"
#include "ratios.hpp"

namespace btopt::kit {
namespace detail {
namespace {

// The summary of A followed by B.
PathRange join(const PathRange& a, const PathRange& b) {
    return {std::max(a.high, b.high), std::min(a.low, b.low), std::max(std::max(a.drop, b.drop), a.high - b.low)};
}

PathRange point(double x) { return {x, x, 0.0}; }

// Sums of f(x[t]) over bars 1..t, x[0] ignored.
template <class F>
DoublePrefix prefix_of(std::span<const double> x, F f) {
    DoublePrefix out{std::vector<double>(x.size(), 0.0), std::vector<double>(x.size(), 0.0)};
    PrefixSum sum;
    for (std::size_t t = 1; t < x.size(); ++t) {
        sum.add(f(x[t]));
        out.high[t] = sum.high();
        out.low[t] = sum.low();
    }
    return out;
}

// Level k of the disjoint sparse table: within each run of 2^(k+1) blocks, the
// summary from each block of the first half to its middle, and from the middle
// to each block of the second half. Stored level after level.
void build_block_table(SideTables& s, std::span<const PathRange> block) {
    const std::size_t m = block.size();
    const std::size_t levels = m > 1 ? static_cast<std::size_t>(std::bit_width(m - 1)) : 0;
    s.block_table.assign(levels * m, point(0.0));
    for (std::size_t k = 0; k < levels; ++k) {
        PathRange* level = s.block_table.data() + k * m;
        const std::size_t half = std::size_t{1} << k;
        for (std::size_t mid = half; mid < m; mid += 2 * half) {
            level[mid - 1] = block[mid - 1];
            for (std::size_t i = mid - 1; i-- > mid - half;) level[i] = join(block[i], level[i + 1]);
            level[mid] = block[mid];
            for (std::size_t i = mid + 1; i < std::min(m, mid + half); ++i) level[i] = join(level[i - 1], block[i]);
        }
    }
}

void build_ranges(SideTables& s) {
    const std::size_t n = s.path.size(), b = SideTables::kBlock;
    s.from_block_start.resize(n);
    s.to_block_end.resize(n);
    for (std::size_t t = 0; t < n; ++t)
        s.from_block_start[t] = t % b == 0 ? point(s.path[t]) : join(s.from_block_start[t - 1], point(s.path[t]));
    for (std::size_t t = n; t-- > 0;)
        s.to_block_end[t] =
            (t + 1) % b == 0 || t + 1 == n ? point(s.path[t]) : join(point(s.path[t]), s.to_block_end[t + 1]);
    s.blocks = (n + b - 1) / b;
    std::vector<PathRange> block(s.blocks);
    for (std::size_t i = 0; i < s.blocks; ++i) block[i] = s.to_block_end[i * b];
    build_block_table(s, block);
}

SideTables build_side(std::span<const double> changes, double sign) {
    SideTables s;
    const std::size_t n = changes.size();
    s.bad.assign(n, 0);
    std::vector<double> logs(n, 0.0);
    for (std::size_t t = 1; t < n; ++t) {
        const double x = sign * changes[t];
        const bool ok = 1.0 + x > 0.0;
        s.bad[t] = s.bad[t - 1] + (ok ? 0u : 1u);
        logs[t] = ok ? std::log1p(x) : 0.0;  // a segment over such a bar goes bar by bar
    }
    s.log_sum = prefix_of(logs, [](double v) { return v; });
    s.downside = prefix_of(changes, [sign](double c) {
        const double loss = std::min(sign * c, 0.0);
        return loss * loss;
    });
    s.path.resize(n);
    for (std::size_t t = 0; t < n; ++t) s.path[t] = s.log_sum.high[t] + s.log_sum.low[t];
    build_ranges(s);
    return s;
}

}  // namespace

PathRange SideTables::query(std::size_t s, std::size_t e) const {
    const std::size_t bs = s / kBlock, be = e / kBlock;
    if (bs == be) {  // within one block: at most kBlock values
        PathRange r = point(path[s]);
        for (std::size_t t = s + 1; t <= e; ++t) r = join(r, point(path[t]));
        return r;
    }
    PathRange r = to_block_end[s];
    if (be > bs + 1) {
        const std::size_t x = bs + 1, y = be - 1;
        if (x == y) r = join(r, to_block_end[x * kBlock]);
        else {
            const std::size_t k = static_cast<std::size_t>(std::bit_width(x ^ y)) - 1;
            const PathRange* level = block_table.data() + k * blocks;
            r = join(join(r, level[x]), level[y]);
        }
    }
    return join(r, from_block_start[e]);
}

}  // namespace detail

SegmentIndex::SegmentIndex(const Prices& prices, Sides sides)
    : changes_(prices.changes().begin(), prices.changes().end()), has_short_(sides == Sides::LongShort) {
    sum_ = detail::prefix_of(changes_, [](double c) { return c; });
    squares_ = detail::prefix_of(changes_, [](double c) { return c * c; });
    long_ = detail::build_side(changes_, 1.0);
    if (has_short_) short_ = detail::build_side(changes_, -1.0);
}

namespace {

// The running state of the walk: sums of the returns, and the equity, its
// peak and the largest fall so far, all in logarithms.
class SegmentWalk {
public:
    SegmentWalk(const SegmentIndex& index, double commission) : index_(index), commission_(commission) {}

    // Position v over bars a..b, after position `before`; false when this path does not apply.
    bool add(std::size_t a, std::size_t b, Position v, Position before) {
        if (v != 0) {
            ++trades_;
            exposed_ += static_cast<std::int64_t>(b - a + 1);
        }
        const std::size_t last = index_.size() - 1;
        if (a >= last) return true;  // a change at the last close is never charged
        if (v == 0) return commission_ == 0.0 || before == 0 || bar(-commission_ * std::abs(0 - before));
        const detail::SideTables* side = index_.side(v);
        if (side == nullptr) return false;
        std::size_t s = a + 1;
        const std::size_t e = std::min(b + 1, last);
        if (commission_ != 0.0) {  // the first return pays for the change, as the per-bar path computes it
            if (!bar(v * index_.changes()[s] - commission_ * std::abs(v - before))) return false;
            if (++s > e) return true;
        }
        return run(*side, v, s, e);
    }

    void finish(std::size_t bars, double periods_per_year, Metrics& m) const {
        m.trades = trades_;
        m.exposure = static_cast<double>(exposed_) / static_cast<double>(bars);
        detail::Moments t;
        t.n = bars - 1;
        t.sum = sum_.high() + sum_.low();
        const double squares = squares_.high() + squares_.low();
        t.m2 = std::max(squares - t.sum * (t.sum / static_cast<double>(t.n)), 0.0);
        t.downside_sq = downside_.high() + downside_.low();
        t.equity = std::exp(log_equity_);
        t.lowest_ratio = std::exp(-drop_);
        detail::fill_ratios(t, periods_per_year, m);
    }

private:
    // One return r on its own.
    bool bar(double r) {
        if (!(1.0 + r > 0.0)) return false;
        sum_.add(r);
        squares_.add(r * r);
        const double loss = std::min(r, 0.0);
        downside_.add(loss * loss);
        log_equity_ += std::log1p(r);
        peak_ = std::max(peak_, log_equity_);
        drop_ = std::max(drop_, peak_ - log_equity_);
        return true;
    }

    // Returns v * change over bars s..e: sums from the prefix sums; the path
    // runs from the equity now through L[t] - L[s-1], so the fall from the
    // peak so far is at its lowest point, and a new peak within may fall later.
    bool run(const detail::SideTables& side, Position v, std::size_t s, std::size_t e) {
        if (side.bad[e] != side.bad[s - 1]) return false;
        sum_.add(v * index_.change_sum().range(s, e));
        squares_.add(index_.change_squares().range(s, e));
        downside_.add(side.downside.range(s, e));
        const detail::PathRange r = side.query(s, e);
        const double base = side.path[s - 1];
        drop_ = std::max(std::max(drop_, r.drop), peak_ - (log_equity_ + (r.low - base)));
        peak_ = std::max(peak_, log_equity_ + (r.high - base));
        log_equity_ += side.log_sum.range(s, e);
        return true;
    }

    const SegmentIndex& index_;
    double commission_;
    detail::PrefixSum sum_, squares_, downside_;
    double log_equity_ = 0.0, peak_ = 0.0, drop_ = 0.0;
    std::int64_t trades_ = 0, exposed_ = 0;
};

// The first t >= from with p[t] != v, or n: eight positions per comparison.
std::size_t next_change(const Position* p, std::size_t from, std::size_t n, Position v) {
    const std::uint64_t pattern = 0x0101010101010101ULL * static_cast<std::uint8_t>(v);
    std::size_t t = from;
    for (; t + 8 <= n; t += 8) {
        std::uint64_t word;
        std::memcpy(&word, p + t, sizeof word);
        if (const std::uint64_t diff = word ^ pattern; diff != 0) {
            const int bit =
                std::endian::native == std::endian::little ? std::countr_zero(diff) : std::countl_zero(diff);
            return t + static_cast<std::size_t>(bit / 8);
        }
    }
    while (t < n && p[t] == v) ++t;
    return t;
}

}  // namespace

bool compute_metrics_by_segment(const SegmentIndex& index, std::span<const Position> positions,
                                const MetricsOptions& options, Metrics& out, std::size_t max_segments) {
    Expects(positions.size() == index.size());
    const std::size_t n = positions.size();
    if (n < 2) return false;
    SegmentWalk walk(index, options.commission);
    Position before = 0;
    std::size_t segments = 0;
    for (std::size_t a = 0; a < n;) {
        const Position v = positions[a];
        const std::size_t end = next_change(positions.data(), a + 1, n, v);
        if (++segments > max_segments || !walk.add(a, end - 1, v, before)) return false;
        before = v;
        a = end;
    }
    Metrics m;
    walk.finish(n, options.periods_per_year, m);
    out = m;
    return true;
}

Metrics compute_metrics(const Prices& prices, const SegmentIndex& index, std::span<const Position> positions,
                        const MetricsOptions& options) {
    Expects(prices.size() == index.size());
    // Past N / 16 segments the vector kernels over the bars are as fast or faster.
    if (Metrics m; compute_metrics_by_segment(index, positions, options, m, positions.size() / 16)) return m;
    return compute_metrics(prices, positions, options);
}

}  // namespace btopt::kit
