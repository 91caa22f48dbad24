// Metrics per segment (a run of bars with the same position) instead of per
// bar: tables built once per data set let compute_metrics cost O(segments)
// rather than O(N) for strategies whose positions change rarely. See
// docs/METRICS.md ("Computation, per segment").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "btopt/kit/metrics.hpp"
#include "btopt/kit/prices.hpp"

namespace btopt::kit {

namespace detail {

// A prefix sum in double-double: the sum over bars 1..t is high[t] + low[t]
// (index 0 holds 0), so a range sum is exact to far below one rounding of it.
struct DoublePrefix {
    std::vector<double> high, low;
    [[nodiscard]] double range(std::size_t s, std::size_t e) const {  // bars s..e, 1 <= s <= e
        return (high[e] - high[s - 1]) + (low[e] - low[s - 1]);
    }
};

// Over a range of the log-equity path L: its highest and lowest value and
// its largest fall, max over i <= j of L[i] - L[j].
struct PathRange {
    double high, low, drop;
};

// One direction (long: x = change, short: x = -change) of the bars' returns
// without costs: log1p(x) summed, the downside sum of min(x, 0)^2, the bars
// where 1 + x <= 0 (no logarithm: such a segment goes bar by bar), and range
// queries on L[t] = sum of log1p(x) over bars 1..t: in blocks of kBlock bars
// each bar keeps the summary from its block's start and to its block's end,
// and a disjoint sparse table over the blocks answers the rest in O(1).
struct SideTables {
    static constexpr std::size_t kBlock = 16;
    DoublePrefix log_sum, downside;
    std::vector<std::uint32_t> bad;  // bad[t]: bars 1..t with 1 + x <= 0
    std::vector<double> path;        // L[t], rounded
    std::vector<PathRange> from_block_start, to_block_end, block_table;
    std::size_t blocks = 0;

    [[nodiscard]] PathRange query(std::size_t s, std::size_t e) const;  // L[s..e], s <= e
};

}  // namespace detail

// What compute_metrics needs to work per segment, built once per data set
// from the Prices (O(N) time and memory: about 17 doubles per bar, 12 more
// with the short side); read-only afterwards, so any thread may share it.
// Long-only strategies save the short tables with Sides::Long (a -1 position
// then falls back to the per-bar computation).
class SegmentIndex {
public:
    enum class Sides { Long, LongShort };
    explicit SegmentIndex(const Prices& prices, Sides sides = Sides::LongShort);

    [[nodiscard]] std::size_t size() const noexcept { return changes_.size(); }
    [[nodiscard]] std::span<const double> changes() const noexcept { return changes_; }
    [[nodiscard]] const detail::DoublePrefix& change_sum() const noexcept { return sum_; }
    [[nodiscard]] const detail::DoublePrefix& change_squares() const noexcept { return squares_; }
    // The tables of position 1 or -1; nullptr when not built.
    [[nodiscard]] const detail::SideTables* side(int position) const noexcept {
        if (position == 1) return &long_;
        return position == -1 && has_short_ ? &short_ : nullptr;
    }

private:
    std::vector<double> changes_;
    detail::DoublePrefix sum_, squares_;
    detail::SideTables long_, short_;
    bool has_short_ = false;
};

// The same metrics as compute_metrics(prices, positions, options), to about
// 1e-12 relative (trades and exposure exactly): per segment when there are
// at most N / 16 segments and every factor 1 + r is positive, else through
// the per-bar path. Plain scalar code: the same bits on every instruction set.
// `index` must be built from `prices`.
[[nodiscard]] Metrics compute_metrics(const Prices& prices, const SegmentIndex& index,
                                      std::span<const Position> positions, const MetricsOptions& options = {});

// The per-segment computation alone, for tests: false (and `out` untouched)
// when it does not apply (too many segments, a factor 1 + r <= 0, a position
// other than -1, 0, 1, or a -1 without short tables), N < 2 included.
bool compute_metrics_by_segment(const SegmentIndex& index, std::span<const Position> positions,
                                const MetricsOptions& options, Metrics& out,
                                std::size_t max_segments = static_cast<std::size_t>(-1));

}  // namespace btopt::kit
