// compute_metrics and equity_curve on series small enough to work out by hand.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <vector>

#include "btopt/kit/isa.hpp"
#include "btopt/kit/metrics.hpp"
#include "btopt/kit/prices.hpp"
#include "btopt/kit/synthetic.hpp"
#include "reference.hpp"
#include "support.hpp"

using namespace btopt::kit;
using doctest::Approx;

TEST_CASE("metrics: long/flat without commission, by hand") {
    // r = +10%, -10%, 0 (flat over bar 3), +10%; equity 1, 1.1, 0.99, 0.99, 1.089.
    const std::array<double, 5> c{100, 110, 99, 99, 108.9};
    const std::array<Position, 5> p{1, 1, 0, 1, 1};
    std::array<double, 4> r{};
    const auto m = compute_metrics(c, p, {}, r);
    CHECK(r[0] == Approx(0.1).epsilon(1e-12));
    CHECK(r[1] == Approx(-0.1).epsilon(1e-12));
    CHECK(r[2] == 0.0);
    CHECK(r[3] == Approx(0.1).epsilon(1e-12));
    // mean 0.025; squared deviations 0.075^2 + 0.125^2 + 0.025^2 + 0.075^2 = 0.0275.
    CHECK(m.sharpe == Approx(0.025 / std::sqrt(0.0275 / 3.0) * std::sqrt(252.0)).epsilon(1e-12));
    // downside: (0.1^2) / 4 = 0.0025 -> 0.05.
    CHECK(m.sortino == Approx(0.025 / 0.05 * std::sqrt(252.0)).epsilon(1e-12));
    CHECK(m.total_return == Approx(0.089).epsilon(1e-12));
    CHECK(m.cagr == Approx(std::pow(1.089, 252.0 / 4.0) - 1.0).epsilon(1e-12));
    CHECK(m.max_drawdown == Approx(0.1).epsilon(1e-12));  // 1.1 -> 0.99
    CHECK(m.trades == 2);                                  // entries at bars 0 and 3
    CHECK(m.exposure == Approx(0.8));

    std::array<double, 5> equity{};
    equity_curve(c, p, 0.0, equity);
    CHECK(equity[0] == 1.0);
    CHECK(equity[2] == Approx(0.99).epsilon(1e-12));
    CHECK(equity[4] == Approx(1.089).epsilon(1e-12));
}

TEST_CASE("metrics: long/short with commission, by hand") {
    // r1 = 0 - 0.01*|1-0|            = -0.01
    // r2 = -1*(90/100-1) - 0.01*|-1-1| = 0.1 - 0.02 = 0.08
    // r3 = -1*(99/90-1) - 0            = -0.1
    // r4 = 0 - 0.01*|0-(-1)|           = -0.01
    const std::array<double, 5> c{100, 100, 90, 99, 99};
    const std::array<Position, 5> p{1, -1, -1, 0, 0};
    std::array<double, 4> r{};
    const auto m = compute_metrics(c, p, {.commission = 0.01, .periods_per_year = 252.0}, r);
    CHECK(r[0] == Approx(-0.01).epsilon(1e-12));
    CHECK(r[1] == Approx(0.08).epsilon(1e-12));
    CHECK(r[2] == Approx(-0.1).epsilon(1e-12));
    CHECK(r[3] == Approx(-0.01).epsilon(1e-12));
    // mean -0.01; deviations 0, 0.09, -0.09, 0 -> 0.0162 / 3 = 0.0054.
    CHECK(m.sharpe == Approx(-0.01 / std::sqrt(0.0054) * std::sqrt(252.0)).epsilon(1e-12));
    // downside (0.0001 + 0.01 + 0.0001) / 4 = 0.00255.
    CHECK(m.sortino == Approx(-0.01 / std::sqrt(0.00255) * std::sqrt(252.0)).epsilon(1e-12));
    // equity 0.99 * 1.08 * 0.9 * 0.99 = 0.9526572.
    CHECK(m.total_return == Approx(0.9526572 - 1.0).epsilon(1e-12));
    CHECK(m.cagr == Approx(std::pow(0.9526572, 63.0) - 1.0).epsilon(1e-12));
    // peak 0.99 * 1.08 = 1.0692, then * 0.9 * 0.99: a fall of 1 - 0.891 = 0.109.
    CHECK(m.max_drawdown == Approx(0.109).epsilon(1e-12));
    CHECK(m.trades == 2);  // the entry at bar 0 and the reversal at bar 1
    CHECK(m.exposure == Approx(0.6));

    std::array<double, 5> equity{};
    equity_curve(c, p, 0.01, equity);
    CHECK(equity[4] == Approx(0.9526572).epsilon(1e-12));
}

TEST_CASE("metrics: degenerate series") {
    SUBCASE("no bars") {
        const auto m = compute_metrics({}, {});
        CHECK(m.sharpe == 0.0);
        CHECK(m.exposure == 0.0);
        CHECK(m.trades == 0);
    }
    SUBCASE("one bar: no returns") {
        const std::array<double, 1> c{5};
        const std::array<Position, 1> p{1};
        const auto m = compute_metrics(c, p);
        CHECK(m.sharpe == 0.0);
        CHECK(m.total_return == 0.0);
        CHECK(m.cagr == 0.0);
        CHECK(m.trades == 1);
        CHECK(m.exposure == 1.0);
    }
    SUBCASE("always flat: every ratio 0") {
        const std::array<double, 4> c{1, 2, 3, 4};
        const std::array<Position, 4> p{0, 0, 0, 0};
        const auto m = compute_metrics(c, p, {.commission = 0.5, .periods_per_year = 252.0});
        CHECK(m.sharpe == 0.0);
        CHECK(m.sortino == 0.0);
        CHECK(m.total_return == 0.0);
        CHECK(m.max_drawdown == 0.0);
        CHECK(m.trades == 0);
    }
    SUBCASE("no losing bar: sortino 0, constant returns: sharpe 0") {
        const std::array<double, 3> c{1, 2, 4};
        const std::array<Position, 3> p{1, 1, 1};
        const auto m = compute_metrics(c, p);
        CHECK(m.sharpe == 0.0);   // r = 1, 1: stdev 0
        CHECK(m.sortino == 0.0);  // no downside
        CHECK(m.total_return == Approx(3.0));
        CHECK(m.cagr == Approx(std::pow(4.0, 126.0) - 1.0));
    }
    SUBCASE("a short wiped out: cagr -1") {
        const std::array<double, 2> c{100, 200};
        const std::array<Position, 2> p{-1, 0};
        const auto m = compute_metrics(c, p);
        CHECK(m.total_return == -1.0);
        CHECK(m.cagr == -1.0);
        CHECK(m.max_drawdown == 1.0);
    }
    SUBCASE("periods per year") {
        const std::array<double, 3> c{100, 110, 105};
        const std::array<Position, 3> p{1, 1, 0};
        const auto daily = compute_metrics(c, p);
        const auto hourly = compute_metrics(c, p, {.commission = 0.0, .periods_per_year = 252.0 * 7});
        CHECK(hourly.sharpe == Approx(daily.sharpe * std::sqrt(7.0)));
    }
}

TEST_CASE("metrics: agree with the two-pass reference on long random series") {
    const auto bars = synthetic_gbm(10000, 5);
    const auto c = bars.close();
    std::vector<Position> p(c.size());
    std::uint64_t state = 12345;  // a small LCG: positions that change often, with reversals
    for (auto& x : p) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        x = static_cast<Position>(static_cast<int>(state >> 62) % 3 - 1);
    }
    for (const double commission : {0.0, 0.001}) {
        const auto got = compute_metrics(c, p, {.commission = commission, .periods_per_year = 252.0});
        const auto want = kit_test::ref::metrics(c, p, commission, 252.0);
        CHECK(kit_test::close_rel(got.sharpe, want.sharpe));
        CHECK(kit_test::close_rel(got.sortino, want.sortino));
        CHECK(kit_test::close_rel(got.total_return, want.total_return));
        CHECK(kit_test::close_rel(got.cagr, want.cagr));
        CHECK(kit_test::close_rel(got.max_drawdown, want.max_drawdown));
        CHECK(got.trades == want.trades);
        CHECK(got.exposure == want.exposure);
    }
}

namespace {

bool same_bits(const Metrics& a, const Metrics& b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

}  // namespace

TEST_CASE("metrics: Prices and bare closes agree to the bit with each other and with the reference, "
          "across chunk and segment boundaries") {
    for (const std::size_t n : {0u, 1u, 2u, 3u, 8u, 9u, 31u, 32u, 33u, 511u, 512u, 513u, 514u, 1025u, 2520u}) {
        const auto c = kit_test::random_walk(n, n + 1);
        const auto p = kit_test::random_positions(n, n + 2);
        const Prices prices(c);
        for (const double commission : {0.0, 0.002}) {
            CAPTURE(n);
            CAPTURE(commission);
            const MetricsOptions options{.commission = commission, .periods_per_year = 252.0};
            std::vector<double> r1(n > 0 ? n - 1 : 0), r2(r1.size());
            const auto fast = compute_metrics(prices, p, options, r1);
            const auto bare = compute_metrics(c, p, options, r2);
            CHECK(same_bits(fast, bare));
            CHECK(r1 == r2);
            kit_test::check_metrics_close(fast, kit_test::ref::metrics(c, p, commission, 252.0), 1e-12);
            for (std::size_t t = 1; t < n; ++t) {
                const double before = t >= 2 ? p[t - 2] : 0.0;
                REQUIRE(r1[t - 1] == p[t - 1] * (c[t] / c[t - 1] - 1.0) - commission * std::abs(p[t - 1] - before));
            }
        }
    }
}

TEST_CASE("metrics: every instruction set gives the same bits") {
    const auto c = kit_test::random_walk(5000, 21);
    const auto p = kit_test::random_positions(c.size(), 22);
    const Prices prices(c);
    kit_test::IsaGuard guard;
    REQUIRE(use_isa(Isa::Baseline));
    const auto want = compute_metrics(prices, p, {.commission = 0.001, .periods_per_year = 252.0});
    for (const Isa isa : kit_test::supported_isas()) {
        CAPTURE(isa_name(isa));
        REQUIRE(use_isa(isa));
        CHECK(same_bits(compute_metrics(prices, p, {.commission = 0.001, .periods_per_year = 252.0}), want));
    }
}

TEST_CASE("metrics: equity through zero and below, and back above, as the reference says") {
    // A short over a price that more than doubles in one bar loses more than it had
    // (1 + r < 0); a second such bar makes the equity positive again.
    auto c = kit_test::random_walk(3000, 31, 0.01);
    std::vector<Position> p(c.size(), 0);
    for (std::size_t t = 1000; t < 2600; ++t) p[t] = -1;
    for (const std::size_t jump : {1500u, 2400u}) {
        for (std::size_t t = jump; t < c.size(); ++t) c[t] *= 2.5;
    }
    const auto got = compute_metrics(c, p);
    const auto want = kit_test::ref::metrics(c, p, 0.0, 252.0);
    kit_test::check_metrics_close(got, want);
    CHECK(got.max_drawdown > 1.0);
    CHECK(got.total_return > -1.0);  // back above zero after the second jump
}

TEST_CASE("metrics: a million bars agree with the two-pass reference (no drift)") {
    const auto c = kit_test::random_walk(1000000, 41, 0.01);
    const auto p = kit_test::random_positions(c.size(), 42);
    for (const double commission : {0.0, 0.0005}) {
        CAPTURE(commission);
        kit_test::check_metrics_close(compute_metrics(Prices(c), p, {.commission = commission, .periods_per_year = 252.0}),
                    kit_test::ref::metrics(c, p, commission, 252.0));
    }
}
