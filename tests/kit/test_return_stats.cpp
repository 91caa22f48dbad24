// ReturnMoments against the returns written out and summed one by one.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "btopt/kit/metrics.hpp"
#include "btopt/kit/prices.hpp"
#include "btopt/kit/return_stats.hpp"
#include "btopt/kit/synthetic.hpp"

using namespace btopt::kit;
using doctest::Approx;

namespace {

// The definitions of return_stats.hpp on a stored return series.
ReturnStats direct(std::span<const double> closes, std::span<const Position> p, double commission) {
    std::vector<double> r(closes.size() - 1);
    (void)compute_metrics(closes, p, {.commission = commission}, r);
    ReturnStats s;
    s.n = r.size();
    double mean = 0;
    for (double x : r) mean += x;
    mean /= static_cast<double>(s.n);
    double m2 = 0, m3 = 0, m4 = 0;
    for (double x : r) {
        const double d = x - mean;
        m2 += d * d;
        m3 += d * d * d;
        m4 += d * d * d * d;
    }
    m2 /= static_cast<double>(s.n), m3 /= static_cast<double>(s.n), m4 /= static_cast<double>(s.n);
    s.skewness = m3 / std::pow(m2, 1.5);
    s.kurtosis = m4 / (m2 * m2);
    for (std::size_t k = 0; k < kReturnBlocks; ++k)
        for (std::size_t i = k * s.n / kReturnBlocks; i < (k + 1) * s.n / kReturnBlocks; ++i) {
            s.block_sum[k] += r[i];
            s.block_sumsq[k] += r[i] * r[i];
        }
    return s;
}

void check_same(const ReturnStats& got, const ReturnStats& want) {
    CHECK(got.n == want.n);
    CHECK(got.skewness == Approx(want.skewness).epsilon(1e-9));
    CHECK(got.kurtosis == Approx(want.kurtosis).epsilon(1e-9));
    for (std::size_t k = 0; k < kReturnBlocks; ++k) {
        CHECK(got.block_sum[k] == Approx(want.block_sum[k]).epsilon(1e-11).scale(1e-12));
        CHECK(got.block_sumsq[k] == Approx(want.block_sumsq[k]).epsilon(1e-11).scale(1e-14));
    }
}

}  // namespace

TEST_CASE("return stats: runs of long, short and flat with commission equal the returns summed one by one") {
    const Bars bars = synthetic_gbm(5000, 7);
    const auto closes = bars.closes(PriceField::Close);
    const Prices prices(closes);
    const ReturnMoments moments(prices);
    std::mt19937_64 rng(3);
    for (const double hold : {0.5, 0.95, 0.999}) {  // chance a position is kept: short runs to long ones
        std::vector<Position> p(closes.size());
        Position now = 0;
        for (auto& x : p) {
            if (std::uniform_real_distribution<double>(0, 1)(rng) > hold)
                now = static_cast<Position>(static_cast<int>(rng() % 3) - 1);
            x = now;
        }
        for (const double commission : {0.0, 0.001}) check_same(moments.compute(p, commission), direct(closes, p, commission));
    }
}

TEST_CASE("return stats: fewer returns than blocks, and no position at all") {
    const Bars bars = synthetic_gbm(10, 1);
    const auto closes = bars.closes(PriceField::Close);
    const ReturnMoments moments{Prices(closes)};
    std::vector<Position> p(closes.size(), 1);
    check_same(moments.compute(p, 0.0), direct(closes, p, 0.0));
    std::vector<Position> flat(closes.size(), 0);
    const ReturnStats none = moments.compute(flat, 0.0);
    CHECK(none.n == 9);
    CHECK(none.skewness == 0.0);  // m2 = 0: defined as 0
    CHECK(none.kurtosis == 0.0);
}

TEST_CASE("return stats on a range of bars equal those of its prices and positions alone") {
    // What a walk-forward window or a --start/--end run reports: the range's
    // returns only, flat before its first bar, from the whole series' sums.
    const Bars bars = synthetic_gbm(3000, 11);
    const auto closes = bars.closes(PriceField::Close);
    const ReturnMoments moments{Prices(closes)};
    std::mt19937_64 rng(5);
    std::vector<Position> p(closes.size());
    Position now = 1;
    for (auto& x : p) {
        if (std::uniform_real_distribution<double>(0, 1)(rng) > 0.9) now = static_cast<Position>(static_cast<int>(rng() % 3) - 1);
        x = now;
    }
    const std::pair<std::size_t, std::size_t> ranges[] = {{0, 3000}, {1, 3000}, {500, 1700}, {2990, 3000}, {100, 110}};
    for (const auto& [first, end] : ranges) {
        CAPTURE(first);
        CAPTURE(end);
        const std::span<const double> sub_closes = std::span(closes).subspan(first, end - first);
        const std::span<const Position> sub_p = std::span<const Position>(p).subspan(first, end - first);
        for (const double commission : {0.0, 0.001})
            check_same(moments.compute(p, commission, first, end), direct(sub_closes, sub_p, commission));
    }
    CHECK(moments.compute(p, 0.0, 7, 8).n == 0);  // one bar: no return
}
