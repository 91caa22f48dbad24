// Prices and WindowSums (what a plugin prepares once per data set), and the
// choice of instruction set for the kernels.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "btopt/kit/isa.hpp"
#include "btopt/kit/prices.hpp"
#include "support.hpp"

using namespace btopt::kit;

TEST_CASE("prices: a copy of the closes and their changes, as divided one by one") {
    const auto c = kit_test::random_walk(1000, 3);
    const Prices prices(c);
    REQUIRE(prices.size() == c.size());
    CHECK(std::ranges::equal(prices.closes(), c));
    CHECK(prices.closes().data() != c.data());
    REQUIRE(prices.changes().size() == c.size());
    CHECK(prices.changes()[0] == 0.0);
    for (std::size_t t = 1; t < c.size(); ++t) {
        CAPTURE(t);
        CHECK(prices.changes()[t] == c[t] / c[t - 1] - 1.0);
    }
    CHECK(Prices(std::span<const double>{}).size() == 0);
    const std::array<double, 1> one{5.0};
    CHECK(Prices(one).changes().size() == 1);
}

TEST_CASE("window sums: exact on integers, within a rounding on long random series") {
    SUBCASE("integers: every window sum exact") {
        std::vector<double> c;
        for (int t = 0; t < 300; ++t) c.push_back((t * 37) % 101);
        const WindowSums sums(c);
        REQUIRE(sums.size() == c.size());
        for (std::size_t end = 0; end <= c.size(); end += 7)
            for (std::size_t count = 0; count <= end; count += 5) {
                double want = 0.0;
                for (std::size_t i = end - count; i < end; ++i) want += c[i];
                const double got = (sums.high()[end] - sums.high()[end - count]) +
                                   (sums.low()[end] - sums.low()[end - count]);
                CHECK(got == want);
            }
    }
    SUBCASE("a million bars: the last windows agree with long double sums") {
        const auto c = kit_test::random_walk(1000000, 11, 0.01, 1234.567);
        const WindowSums sums(c);
        for (const std::size_t count : {1u, 10u, 200u}) {
            const std::size_t end = c.size();
            long double want = 0.0L;
            for (std::size_t i = end - count; i < end; ++i) want += c[i];
            const double got =
                (sums.high()[end] - sums.high()[end - count]) + (sums.low()[end] - sums.low()[end - count]);
            CAPTURE(count);
            CHECK(std::abs(static_cast<long double>(got) - want) <= 4e-16L * std::abs(want));
        }
    }
    CHECK(WindowSums(std::span<const double>{}).size() == 0);
}

TEST_CASE("isa: baseline always runs, use_isa switches, the guard puts it back") {
    CHECK(isa_supported(Isa::Baseline));
    CHECK(std::string(isa_name(Isa::Baseline)) == "baseline");
    CHECK(std::string(isa_name(Isa::X86_64_V3)) == "x86-64-v3");
    CHECK(std::string(isa_name(Isa::X86_64_V4)) == "x86-64-v4");
    CHECK(isa_supported(active_isa()));
    const Isa before = active_isa();
    {
        kit_test::IsaGuard guard;
        for (const Isa isa : kit_test::supported_isas()) {
            CHECK(use_isa(isa));
            CHECK(active_isa() == isa);
        }
    }
    CHECK(active_isa() == before);
    MESSAGE("kernels run on ", std::string(isa_name(active_isa())));
}
