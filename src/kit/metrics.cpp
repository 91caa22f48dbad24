// compute_metrics (docs/METRICS.md, "Computation"): the returns go through the
// vector kernel a chunk at a time (kernels.cpp: the returns, their sums, the
// variance about the chunk's mean, and per segment of the chunk a summary of
// its equity and drawdown); this file chains the chunks and segments in order.
// Nothing here divides per bar.
#include "btopt/kit/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include <gsl/assert>

#include "kernels.hpp"
#include "ratios.hpp"

namespace btopt::kit {
namespace {

using detail::ChunkIn;
using detail::ChunkOut;
using detail::kChunkBars;
using detail::kSegmentBars;

// The running quantities, carried from chunk to chunk.
struct Totals {
    std::size_t n = 0;
    double sum = 0.0;
    double downside_sq = 0.0;
    double mean = 0.0;  // Chan, Golub and LeVeque's pairwise update of mean and m2
    double m2 = 0.0;
    double equity = 1.0;
    double ratio = 1.0;  // equity / peak now
    double lowest_ratio = 1.0;  // max_drawdown = 1 - lowest_ratio
};

void add_moments(Totals& t, const ChunkOut& chunk, std::size_t count) {
    const double m = static_cast<double>(count), before = static_cast<double>(t.n);
    t.n += count;
    const double n = static_cast<double>(t.n);
    const double delta = chunk.sum / m - t.mean;
    t.mean += delta * m / n;
    t.m2 += chunk.m2 + delta * delta * before * m / n;
    t.sum += chunk.sum;
    t.downside_sq += chunk.downside_sq;
}

// Bar by bar. equity / peak follows d = min(d * (1 + r), 1) whatever the
// signs: the peak starts at 1 and never falls.
void walk_bars(Totals& t, const double* r, std::size_t bars) {
    for (std::size_t i = 0; i < bars; ++i) {
        const double growth = 1.0 + r[i];
        t.equity *= growth;
        t.ratio = std::min(t.ratio * growth, 1.0);
        t.lowest_ratio = std::min(t.lowest_ratio, t.ratio);
    }
}

// The segments of a chunk from the lanes' summary. With d the ratio before a
// segment and every 1 + r > 0, the ratio at its bar i is min(d P_i, d_i) (see
// ChunkOut): its lowest is min(d lowest P, lowest d_i), and the ratio after
// it is F(d) = min(d T, D) with T the last P and D the last d_i. F composes:
// F2(F1(d)) = min(d T1 T2, min(D1 T2, D2)), so four segments at a time cost
// one step of the chain d -> F(d), the rest being independent of d.
// A factor 1 + r <= 0 (a short losing all it had, or more) breaks all this:
// then the chunk is walked bar by bar.
void follow_segments(Totals& t, const ChunkOut& chunk, std::size_t count) {
    const std::size_t segments = (count + kSegmentBars - 1) / kSegmentBars;
    bool positive = t.ratio > 0.0;
    for (std::size_t s = 0; s < segments; ++s) positive = positive && chunk.lowest[s] > 0.0;
    if (!positive) {
        walk_bars(t, chunk.returns, count);
        return;
    }
    constexpr std::size_t group = 4;
    for (std::size_t first = 0; first < segments; first += group) {
        const double before = t.ratio;
        double product = 1.0, cap = std::numeric_limits<double>::infinity(), lowest = t.lowest_ratio;
        for (std::size_t s = first; s < std::min(segments, first + group); ++s) {
            const double entering = std::min(before * product, cap);
            lowest = std::min(lowest, std::min(entering * chunk.lowest[s], chunk.lowest_ratio[s]));
            product *= chunk.product[s];
            cap = std::min(cap * chunk.product[s], chunk.last_ratio[s]);
        }
        t.lowest_ratio = lowest;
        t.ratio = std::min(before * product, cap);
        t.equity *= product;
    }
}

// The price changes of returns t0 .. t0+count-1, padded with zeros to a chunk.
class ChangeFeed {
public:
    ChangeFeed(std::span<const double> changes, std::span<const double> closes) : changes_(changes), closes_(closes) {}

    const double* chunk(std::size_t t0, std::size_t count, double* scratch) const {
        if (!changes_.empty() && count == kChunkBars) return changes_.data() + t0;
        if (!changes_.empty()) std::copy_n(changes_.data() + t0, count, scratch);
        else detail::kernels().changes(closes_.data() + t0 - 1, count, scratch);
        std::fill(scratch + count, scratch + kChunkBars, 0.0);
        return scratch;
    }

private:
    std::span<const double> changes_;  // empty: divide the closes
    std::span<const double> closes_;
};

// p[t0-2 .. t0+count-2] (p[-1] = 0), padded by repeating the last one, so the
// padding holds no position change (its returns are 0).
const std::int8_t* chunk_positions(std::span<const Position> p, std::size_t t0, std::size_t count,
                                   std::int8_t* scratch) {
    if (t0 >= 2 && count == kChunkBars) return p.data() + t0 - 2;
    const std::size_t missing = t0 >= 2 ? 0 : 1;  // p[-1] before the first chunk
    scratch[0] = 0;
    std::copy_n(p.data() + t0 + missing - 2, count + 1 - missing, scratch + missing);
    std::fill(scratch + count + 1, scratch + kChunkBars + 1, scratch[count]);
    return scratch;
}

Totals follow_returns(const ChangeFeed& feed, std::span<const Position> positions, double commission,
                      std::span<double> returns_out) {
    Totals t;
    alignas(64) double returns[kChunkBars];
    alignas(64) double changes[kChunkBars];
    std::int8_t held[kChunkBars + 8];
    ChunkOut out;
    out.returns = returns;
    const std::size_t n_bars = positions.size();
    for (std::size_t t0 = 1; t0 < n_bars; t0 += kChunkBars) {
        const std::size_t count = std::min(kChunkBars, n_bars - t0);
        const ChunkIn in{feed.chunk(t0, count, changes), chunk_positions(positions, t0, count, held), count,
                         commission};
        detail::kernels().metrics_chunk(in, out);
        if (!returns_out.empty()) std::copy_n(returns, count, returns_out.data() + t0 - 1);
        add_moments(t, out, count);
        follow_segments(t, out, count);
    }
    return t;
}

void fill_ratios(const Totals& t, double periods_per_year, Metrics& m) {
    detail::fill_ratios({t.n, t.sum, t.m2, t.downside_sq, t.equity, t.lowest_ratio}, periods_per_year, m);
}

Metrics compute(const ChangeFeed& feed, std::span<const Position> positions, const MetricsOptions& options,
                std::span<double> returns_out) {
    const std::size_t n_bars = positions.size();
    Expects(returns_out.empty() || returns_out.size() == (n_bars >= 1 ? n_bars - 1 : 0));
    Metrics m;
    std::int64_t exposed = 0;
    detail::kernels().count_positions(positions.data(), n_bars, &exposed, &m.trades);
    m.exposure = n_bars > 0 ? static_cast<double>(exposed) / static_cast<double>(n_bars) : 0.0;
    fill_ratios(follow_returns(feed, positions, options.commission, returns_out), options.periods_per_year, m);
    return m;
}

// r[t] as defined in the header; t >= 1.
double bar_return(std::span<const double> c, std::span<const Position> p, std::size_t t, double commission) {
    const int held = p[t - 1];
    const int before = t >= 2 ? p[t - 2] : 0;
    return held * (c[t] / c[t - 1] - 1.0) - commission * std::abs(held - before);
}

}  // namespace

Metrics compute_metrics(const Prices& prices, std::span<const Position> positions, const MetricsOptions& options,
                        std::span<double> returns_out) {
    Expects(positions.size() == prices.size());
    return compute(ChangeFeed(prices.changes(), {}), positions, options, returns_out);
}

Metrics compute_metrics(std::span<const double> closes, std::span<const Position> positions,
                        const MetricsOptions& options, std::span<double> returns_out) {
    Expects(positions.size() == closes.size());
    return compute(ChangeFeed({}, closes), positions, options, returns_out);
}

void equity_curve(std::span<const double> closes, std::span<const Position> positions, double commission,
                  std::span<double> equity_out) {
    Expects(positions.size() == closes.size() && equity_out.size() == closes.size());
    if (closes.empty()) return;
    equity_out[0] = 1.0;
    for (std::size_t t = 1; t < closes.size(); ++t)
        equity_out[t] = equity_out[t - 1] * (1.0 + bar_return(closes, positions, t, commission));
}

namespace detail {

void fill_ratios(const Moments& t, double periods_per_year, Metrics& m) {
    if (t.n == 0) return;
    const double n = static_cast<double>(t.n);
    const double annual = std::sqrt(periods_per_year);
    const double mean = t.sum / n;
    const double stdev = t.n >= 2 ? std::sqrt(t.m2 / (n - 1.0)) : 0.0;
    m.sharpe = stdev > 0.0 ? mean / stdev * annual : 0.0;
    const double downside = std::sqrt(t.downside_sq / n);
    m.sortino = downside > 0.0 ? mean / downside * annual : 0.0;
    m.total_return = t.equity - 1.0;
    // A fractional power of a non-positive number has no meaning.
    m.cagr = t.equity <= 0.0 ? -1.0 : std::pow(t.equity, periods_per_year / n) - 1.0;
    m.max_drawdown = 1.0 - t.lowest_ratio;
}

}  // namespace detail

}  // namespace btopt::kit
