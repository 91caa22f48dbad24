// Signal functions: small cases by hand, then against the naive references in
// reference.cpp over parameter grids on synthetic data.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>
#include <vector>

#include "btopt/kit/isa.hpp"
#include "btopt/kit/prices.hpp"
#include "btopt/kit/strategies.hpp"
#include "btopt/kit/synthetic.hpp"
#include "reference.hpp"
#include "support.hpp"

using namespace btopt::kit;

namespace {

// Synthetic closes, and the same rounded to whole numbers so that averages,
// channel levels and RSI values tie often (ties must resolve as the definitions say).
std::vector<std::vector<double>> test_series() {
    std::vector<std::vector<double>> out;
    for (const std::uint64_t seed : {1U, 2U}) {
        const auto bars = synthetic_gbm(1500, seed, 100.0, 0.05, 0.4);
        out.emplace_back(bars.close().begin(), bars.close().end());
        std::vector<double> rounded;
        for (const double c : bars.close()) rounded.push_back(std::round(c / 2.0));
        out.push_back(std::move(rounded));
    }
    return out;
}

// Positions equal, and so are the metrics to 1e-9 relative.
void check_same(std::span<const double> c, std::span<const Position> got, std::span<const Position> want) {
    REQUIRE(std::ranges::equal(got, want));
    const auto m = compute_metrics(c, got, {.commission = 0.001, .periods_per_year = 252.0});
    const auto r = kit_test::ref::metrics(c, want, 0.001, 252.0);
    CHECK(kit_test::close_rel(m.sharpe, r.sharpe));
    CHECK(kit_test::close_rel(m.total_return, r.total_return));
}

}  // namespace

TEST_CASE("strategies: small cases by hand") {
    std::array<Position, 7> p{};
    const std::array<double, 7> c{1, 2, 3, 4, 3, 2, 1};
    // SMA(3) from bar 2: 2, 3, 10/3, 3, 2 against SMA(1) = close: 3>2, 4>3, then below.
    REQUIRE(sma_crossover(c, 1, 3, p));
    CHECK(p == std::array<Position, 7>{0, 0, 1, 1, 0, 0, 0});
    // 3-bar momentum above 40%: 4/1 and 3/2 only.
    REQUIRE(momentum(c, 3, 40, p));
    CHECK(p == std::array<Position, 7>{0, 0, 0, 1, 1, 0, 0});

    std::vector<std::size_t> scratch(donchian_scratch_size(2, 1));
    const std::array<double, 8> d{5, 6, 7, 8, 4, 3, 6, 7};
    std::array<Position, 8> q{};
    REQUIRE(donchian_breakout(d, 2, 1, q, scratch));
    CHECK(q == std::array<Position, 8>{0, 0, 1, 1, -1, -1, 1, 1});  // 4 < min(7,8): reversal in one step
    // Long at bar 3, exit at bar 4 (3.5 < previous close 4) without a short entry (3.5 > 2).
    const std::array<double, 6> e{1, 2, 3, 4, 3.5, 3.6};
    std::array<Position, 6> s{};
    scratch.resize(donchian_scratch_size(3, 1));
    REQUIRE(donchian_breakout(e, 3, 1, s, scratch));
    CHECK(s == std::array<Position, 6>{0, 0, 0, 1, 0, 0});

    // RSI(2): changes +1,+1,+1,-1,-1,-1. At bar 2 gains avg 1, losses 0: RSI 100 (> 70: flat).
    // Bar 4: gain 0.5, loss 0.5 -> 50 (hold). Bar 5: 0.25/0.75 -> 25 (< 30: long). Bar 6: 12.5 (long).
    REQUIRE(rsi_reversion(c, 2, 30, 70, p));
    CHECK(p == std::array<Position, 7>{0, 0, 0, 0, 0, 1, 1});
}

TEST_CASE("strategies: parameter errors are reported") {
    const std::array<double, 3> c{1, 2, 3};
    std::array<Position, 3> p{};
    std::array<Position, 2> short_p{};
    std::vector<std::size_t> scratch(10);
    CHECK(sma_crossover(c, 0, 3, p).error() == "fast must be at least 1, got 0");
    CHECK(sma_crossover(c, 1, 3, short_p).error() == "positions hold 2 values for 3 closes");
    CHECK(momentum(c, 0, 1.0, p).error() == "lookback must be at least 1, got 0");
    CHECK(rsi_reversion(c, 0, 30, 70, p).error() == "period must be at least 1, got 0");
    CHECK(donchian_breakout(c, 2, 0, p, scratch).error() == "exit_window must be at least 1, got 0");
    CHECK(donchian_breakout(c, 5, 1, p, scratch).error() == "scratch holds 10 values, needs 12");
}

TEST_CASE("strategies: windows longer than the data leave every position flat") {
    const std::array<double, 4> c{1, 2, 3, 4};
    std::array<Position, 4> p{1, 1, 1, 1};
    std::vector<std::size_t> scratch(donchian_scratch_size(10, 10));
    const std::array<Position, 4> flat{};
    REQUIRE(sma_crossover(c, 2, 10, p));
    CHECK(p == flat);
    REQUIRE(momentum(c, 4, -100, p));
    CHECK(p == flat);
    REQUIRE(rsi_reversion(c, 4, 101, 200, p));
    CHECK(p == flat);
    REQUIRE(donchian_breakout(c, 10, 10, p, scratch));
    CHECK(p == flat);
}

TEST_CASE("strategies: sma_crossover equals the naive reference over a grid, in both forms") {
    for (const auto& c : test_series()) {
        const WindowSums sums(c);
        std::vector<Position> p(c.size()), q(c.size());
        for (std::size_t fast = 1; fast <= 40; fast += 3)
            for (std::size_t slow = 1; slow <= 120; slow += 17) {
                CAPTURE(fast);
                CAPTURE(slow);
                REQUIRE(sma_crossover(c, fast, slow, p));
                REQUIRE(sma_crossover(sums, fast, slow, q));
                CHECK(p == q);
                check_same(c, p, kit_test::ref::sma_crossover(c, fast, slow));
            }
    }
}

TEST_CASE("strategies: sma_crossover on ties and flat prices stays flat where the averages are equal") {
    std::vector<std::vector<double>> series;
    series.emplace_back(300, 100.0);                         // flat
    series.emplace_back(300, 37.25);                         // flat, not an integer
    std::vector<double> cycle, plateaus;
    for (int t = 0; t < 300; ++t) cycle.push_back(10.0 + t % 3);  // SMA(3k) all equal
    for (int t = 0; t < 300; ++t) plateaus.push_back(50.0 + 0.25 * ((t / 40) % 5));
    series.push_back(cycle);
    series.push_back(plateaus);
    for (const auto& c : series) {
        const WindowSums sums(c);
        std::vector<Position> p(c.size()), q(c.size());
        for (const auto& [fast, slow] : {std::pair<std::size_t, std::size_t>{3, 6}, {3, 12}, {6, 3}, {5, 20}, {1, 40}}) {
            CAPTURE(fast);
            CAPTURE(slow);
            REQUIRE(sma_crossover(c, fast, slow, p));
            REQUIRE(sma_crossover(sums, fast, slow, q));
            CHECK(p == q);
            CHECK(p == kit_test::ref::sma_crossover(c, fast, slow));
        }
    }
    std::vector<Position> p(300);
    REQUIRE(sma_crossover(WindowSums(series[2]), 3, 12, p));
    CHECK(std::ranges::count(p, Position{1}) == 0);  // equal averages: never long
}

TEST_CASE("strategies: sma_crossover on WindowSums: short series, long windows, errors") {
    std::vector<Position> none;
    CHECK(sma_crossover(WindowSums(std::span<const double>{}), 2, 3, none));
    const std::array<double, 1> one{5.0};
    std::array<Position, 1> p1{1};
    REQUIRE(sma_crossover(WindowSums(one), 1, 1, p1));
    CHECK(p1[0] == 0);  // SMA(1) > SMA(1) is false
    const std::array<double, 4> c{1, 2, 3, 4};
    const WindowSums sums(c);
    std::array<Position, 4> p{1, 1, 1, 1};
    REQUIRE(sma_crossover(sums, 2, 10, p));
    CHECK(p == std::array<Position, 4>{});
    REQUIRE(sma_crossover(sums, 1, 2, p));
    CHECK(p == std::array<Position, 4>{0, 1, 1, 1});
    std::array<Position, 3> short_p{};
    CHECK(sma_crossover(sums, 0, 3, p).error() == "fast must be at least 1, got 0");
    CHECK(sma_crossover(sums, 1, 3, short_p).error() == "positions hold 3 values for 4 closes");
}

TEST_CASE("strategies: sma_crossover gives the same positions on every instruction set") {
    const auto c = kit_test::random_walk(3000, 51, 0.01);
    const WindowSums sums(c);
    kit_test::IsaGuard guard;
    std::vector<Position> want(c.size()), got(c.size());
    REQUIRE(use_isa(Isa::Baseline));
    for (const Isa isa : kit_test::supported_isas()) {
        CAPTURE(isa_name(isa));
        for (std::size_t fast = 1; fast <= 60; fast += 7)
            for (std::size_t slow = fast; slow <= 250; slow += 31) {
                REQUIRE(use_isa(Isa::Baseline));
                REQUIRE(sma_crossover(sums, fast, slow, want));
                REQUIRE(use_isa(isa));
                REQUIRE(sma_crossover(sums, fast, slow, got));
                CHECK(got == want);
            }
    }
}

TEST_CASE("strategies: sma_crossover on a million bars equals the naive reference (no drift)") {
    const auto c = kit_test::random_walk(1000000, 61, 0.01);
    const WindowSums sums(c);
    std::vector<Position> p(c.size()), q(c.size());
    for (const auto& [fast, slow] : {std::pair<std::size_t, std::size_t>{5, 20}, {40, 180}}) {
        CAPTURE(fast);
        CAPTURE(slow);
        REQUIRE(sma_crossover(sums, fast, slow, p));
        REQUIRE(sma_crossover(c, fast, slow, q));
        CHECK(p == q);
        CHECK(p == kit_test::ref::sma_crossover(c, fast, slow));
    }
}

TEST_CASE("strategies: momentum equals the naive reference over a grid") {
    for (const auto& c : test_series()) {
        std::vector<Position> p(c.size());
        for (std::size_t lookback = 1; lookback <= 60; lookback += 7)
            for (const double threshold : {-5.0, -0.5, 0.0, 1.0, 2.5, 10.0}) {
                CAPTURE(lookback);
                CAPTURE(threshold);
                REQUIRE(momentum(c, lookback, threshold, p));
                check_same(c, p, kit_test::ref::momentum(c, lookback, threshold));
            }
    }
}

TEST_CASE("strategies: rsi_reversion equals the reference over a grid") {
    for (const auto& c : test_series()) {
        std::vector<Position> p(c.size());
        for (std::size_t period = 1; period <= 30; period += 4)
            for (const double lower : {20.0, 30.0, 45.0})
                for (const double upper : {50.0, 70.0, 85.0}) {
                    CAPTURE(period);
                    CAPTURE(lower);
                    CAPTURE(upper);
                    REQUIRE(rsi_reversion(c, period, lower, upper, p));
                    check_same(c, p, kit_test::ref::rsi_reversion(c, period, lower, upper));
                }
    }
}

TEST_CASE("strategies: donchian_breakout equals the naive reference over a grid") {
    for (const auto& c : test_series()) {
        std::vector<Position> p(c.size());
        std::vector<std::size_t> scratch;
        for (std::size_t window = 1; window <= 80; window += 9)
            for (std::size_t exit_window = 1; exit_window <= 100; exit_window += 11) {  // also longer than window
                CAPTURE(window);
                CAPTURE(exit_window);
                scratch.resize(donchian_scratch_size(window, exit_window));
                REQUIRE(donchian_breakout(c, window, exit_window, p, scratch));
                check_same(c, p, kit_test::ref::donchian_breakout(c, window, exit_window));
            }
    }
}
