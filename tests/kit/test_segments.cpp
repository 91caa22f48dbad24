// compute_metrics per segment (btopt/kit/segments.hpp) against the per-bar
// path and the two-pass reference.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "btopt/kit/bars.hpp"
#include "btopt/kit/isa.hpp"
#include "btopt/kit/segments.hpp"
#include "btopt/kit/strategies.hpp"
#include "btopt/kit/synthetic.hpp"
#include "reference.hpp"
#include "support.hpp"

using namespace btopt::kit;

namespace {


bool same_bits(const Metrics& a, const Metrics& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// The segment path (forced, whatever the number of segments) against the
// per-bar path and, when asked, the reference; and the choosing form.
void check_point(const Prices& prices, const SegmentIndex& index, std::span<const Position> p, double commission,
                 bool reference = true, double tol = 1e-12) {
    CAPTURE(commission);
    const MetricsOptions options{.commission = commission, .periods_per_year = 252.0};
    const Metrics bars = compute_metrics(prices, p, options);
    Metrics segments;
    REQUIRE(compute_metrics_by_segment(index, p, options, segments));
    kit_test::check_metrics_close(segments, bars, tol);
    if (reference) kit_test::check_metrics_close(segments, kit_test::ref::metrics(prices.closes(), p, commission, 252.0), tol);
    kit_test::check_metrics_close(compute_metrics(prices, index, p, options), bars, tol);
}

void check_sma_grid(std::span<const double> closes, std::size_t fast_step, std::size_t slow_step) {
    const Prices prices(closes);
    const SegmentIndex index(prices, SegmentIndex::Sides::Long);
    const WindowSums sums(closes);
    std::vector<Position> p(closes.size());
    for (std::size_t fast = 2; fast <= 101; fast += fast_step)
        for (std::size_t slow = 102; slow <= 201; slow += slow_step) {
            CAPTURE(fast);
            CAPTURE(slow);
            REQUIRE(sma_crossover(sums, fast, slow, p));
            for (const double commission : {0.0, 0.001}) check_point(prices, index, p, commission);
        }
}

}  // namespace

TEST_CASE("segments: the sma_crossover grid on GOOG-like synthetic data") {
    for (const std::uint64_t seed : {1u, 2u, 3u}) {
        CAPTURE(seed);
        check_sma_grid(synthetic_gbm(2148, seed).close(), 3, 3);
    }
}

TEST_CASE("segments: the sma_crossover sweep grid on GOOG") {
    const auto dir = kit_test::shared_data_dir();
    if (!dir) {
        MESSAGE("skipped: no shared data folder");
        return;
    }
    const auto bars = load_csv(*dir / "GOOG.csv");
    REQUIRE(bars.has_value());
    check_sma_grid(bars->close(), 1, 1);
}

TEST_CASE("segments: long, flat and short with reversals") {
    for (const std::size_t n : {2u, 3u, 15u, 16u, 17u, 33u, 100u, 1025u, 5000u}) {
        CAPTURE(n);
        const auto c = kit_test::random_walk(n, n + 7);
        const Prices prices(c);
        const SegmentIndex index(prices);
        const auto p = kit_test::random_positions(n, n + 8);
        for (const double commission : {0.0, 0.002}) check_point(prices, index, p, commission);
    }
}

TEST_CASE("segments: edges and degenerate series") {
    const auto c = kit_test::random_walk(300, 11);
    const Prices prices(c);
    const SegmentIndex index(prices);
    std::vector<Position> p(c.size(), 1);
    SUBCASE("one long segment over everything") {
        for (const double commission : {0.0, 0.01}) check_point(prices, index, p, commission);
    }
    SUBCASE("one short segment over everything") {
        std::fill(p.begin(), p.end(), Position{-1});
        for (const double commission : {0.0, 0.01}) check_point(prices, index, p, commission);
    }
    SUBCASE("all flat") {
        std::fill(p.begin(), p.end(), Position{0});
        for (const double commission : {0.0, 0.01}) check_point(prices, index, p, commission);
    }
    SUBCASE("changes at the first and the last bar, and one-bar segments") {
        for (const int last : {-1, 0, 1}) {
            p.back() = static_cast<Position>(last);
            p[0] = -1;
            p[1] = 0;
            p[150] = -1;
            p[298] = 0;
            for (const double commission : {0.0, 0.01}) check_point(prices, index, p, commission);
        }
    }
    SUBCASE("N < 2: the per-bar path") {
        const std::vector<double> one{100.0};
        const Prices small(one);
        const SegmentIndex none(small);
        const std::vector<Position> held{1};
        Metrics m;
        CHECK_FALSE(compute_metrics_by_segment(none, held, {}, m));
        CHECK(same_bits(compute_metrics(small, none, held), compute_metrics(small, held)));
    }
}

TEST_CASE("segments: falls back to the per-bar path where it does not apply") {
    const MetricsOptions costly{.commission = 0.6, .periods_per_year = 252.0};
    SUBCASE("a short losing everything: 1 + r <= 0") {
        const std::vector<double> c{100, 100, 250, 240, 230, 220, 210, 200, 190, 180, 170, 160, 150, 140, 130, 120,
                                    110, 100, 90};
        const Prices prices(c);
        const SegmentIndex index(prices);
        const std::vector<Position> p(c.size(), -1);
        Metrics m;
        CHECK_FALSE(compute_metrics_by_segment(index, p, {}, m));
        CHECK(same_bits(compute_metrics(prices, index, p), compute_metrics(prices, p)));
    }
    SUBCASE("a reversal costing more than everything") {
        const auto c = kit_test::random_walk(64, 3);
        const Prices prices(c);
        const SegmentIndex index(prices);
        std::vector<Position> p(c.size(), 1);
        std::fill(p.begin() + 30, p.end(), Position{-1});
        Metrics m;
        CHECK_FALSE(compute_metrics_by_segment(index, p, costly, m));
        CHECK(same_bits(compute_metrics(prices, index, p, costly), compute_metrics(prices, p, costly)));
    }
    SUBCASE("a short without short tables, and too many segments") {
        const auto c = kit_test::random_walk(64, 4);
        const Prices prices(c);
        const SegmentIndex longs(prices, SegmentIndex::Sides::Long);
        std::vector<Position> p(c.size(), 0);
        p[10] = -1;
        Metrics m;
        CHECK_FALSE(compute_metrics_by_segment(longs, p, {}, m));
        CHECK(same_bits(compute_metrics(prices, longs, p), compute_metrics(prices, p)));
        p = kit_test::random_positions(c.size(), 5);
        CHECK_FALSE(compute_metrics_by_segment(SegmentIndex(prices), p, {}, m, 4));
    }
}

TEST_CASE("segments: every instruction set gives the same bits") {
    const auto bars = synthetic_gbm(2148, 9);
    const auto c = bars.close();
    const Prices prices(c);
    const SegmentIndex index(prices);
    const WindowSums sums(c);
    std::vector<Position> p(c.size());
    REQUIRE(sma_crossover(sums, 40, 150, p));
    kit_test::IsaGuard guard;
    REQUIRE(use_isa(Isa::Baseline));
    const Metrics want = compute_metrics(prices, index, p, {.commission = 0.001, .periods_per_year = 252.0});
    for (const Isa isa : kit_test::supported_isas()) {
        CAPTURE(isa_name(isa));
        REQUIRE(use_isa(isa));
        CHECK(same_bits(compute_metrics(prices, index, p, {.commission = 0.001, .periods_per_year = 252.0}), want));
    }
}

TEST_CASE("segments: a million bars agree with the per-bar path and the reference") {
    const auto c = kit_test::random_walk(1000000, 77, 0.01);
    const Prices prices(c);
    const SegmentIndex index(prices);
    const WindowSums sums(c);
    std::vector<Position> p(c.size());
    REQUIRE(sma_crossover(sums, 50, 400, p));
    for (const double commission : {0.0, 0.001}) check_point(prices, index, p, commission);
    for (auto& x : p) x = static_cast<Position>(x == 0 ? -1 : 1);  // long/short
    for (const double commission : {0.0, 0.001}) check_point(prices, index, p, commission);
}
