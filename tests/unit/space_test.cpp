#include "core/constraints.hpp"
#include "core/space.hpp"

#include <doctest/doctest.h>

#include <limits>

using namespace btopt::internal;

TEST_CASE("integer ranges include both ends and stop at the last step below hi")
{
    Space space;
    REQUIRE(space.add_int("fast", 10, 50, 5));
    REQUIRE(space.add_int("odd", 10, 52, 5));
    CHECK(space.parameters()[0].size() == 9u);
    CHECK(space.parameters()[1].size() == 9u);
    CHECK(space.parameters()[1].at(8).i == 50);
    CHECK(space.cardinality() == 81u);
}

TEST_CASE("the original's example space has 9 x 7 = 63 points")
{
    Space space;
    REQUIRE(space.add_int("ma_short", 10, 50, 5));
    REQUIRE(space.add_int("ma_long", 50, 200, 25));
    CHECK(space.cardinality() == 63u);
}

TEST_CASE("float ranges with a step keep their last value despite rounding")
{
    Space space;
    REQUIRE(space.add_float("x", 0.0, 1.0, 0.1));
    CHECK(space.parameters()[0].size() == 11u);
    CHECK(space.parameters()[0].at(10).f == doctest::Approx(1.0));
}

TEST_CASE("a continuous float makes the space infinite")
{
    Space space;
    REQUIRE(space.add_int("n", 1, 3, 1));
    REQUIRE(space.add_float("x", 0.0, 1.0, 0.0));
    CHECK_FALSE(space.cardinality().has_value());
}

TEST_CASE("huge integer ranges count without overflow")
{
    Space space;
    REQUIRE(space.add_int("a", std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(), 1 << 20));
    CHECK(space.parameters()[0].size() == (std::numeric_limits<std::uint64_t>::max() >> 20) + 1);
    REQUIRE(space.add_int("b", 0, 1 << 30, 1));
    CHECK_FALSE(space.cardinality().has_value()); // past 2^64
}

TEST_CASE("decode is row-major with the last parameter fastest")
{
    Space space;
    REQUIRE(space.add_int("a", 1, 2, 1));
    REQUIRE(space.add_int("b", 10, 30, 10));
    const Point p = space.decode(4); // a=2 (index 1), b=20 (index 1): 1*3 + 1
    CHECK(p[0].i == 2);
    CHECK(p[1].i == 20);
    CHECK(space.describe(p) == "a=2, b=20");
}

TEST_CASE("bad ranges and names are refused with the parameter's name")
{
    Space space;
    CHECK(space.add_int("a", 5, 1, 1).error().message.find("'a'") != std::string::npos);
    CHECK(space.add_int("a", 1, 5, 0).error().code == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(space.add_float("x", 0.0, std::numeric_limits<double>::infinity(), 0.0).error().code ==
          BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(space.add_float("x", 0.0, 1.0, -0.5).error().code == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(space.add_choice("c", {}).error().code == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(space.add_choice("c", {"x", "x"}).error().message.find("'x'") != std::string::npos);
    REQUIRE(space.add_int("a", 1, 5, 1));
    CHECK(space.add_int("a", 1, 5, 1).error().message.find("twice") != std::string::npos);
    CHECK(space.add_int("", 1, 5, 1).error().code == BTOPT_ERR_INVALID_ARGUMENT);
}

TEST_CASE("constraints filter points and report what they cannot parse")
{
    Space space;
    REQUIRE(space.add_int("fast", 1, 4, 1));
    REQUIRE(space.add_int("slow", 1, 4, 1));
    REQUIRE(space.add_choice("mode", {"a", "b"}));
    REQUIRE(space.add_constraint("fast < slow"));
    auto c = Constraints::compile(space, space.constraints());
    REQUIRE(c);
    CHECK(c->allow(Point{{1, 0}, {2, 0}, {0, 0}}));
    CHECK_FALSE(c->allow(Point{{2, 0}, {2, 0}, {0, 0}}));
    CHECK(count_valid(space, *c) == 6u * 2u);

    const auto unknown = space.add_constraint("fast < slwo");
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().message.find("unknown parameter 'slwo'") != std::string::npos);
    CHECK(unknown.error().message.find("position 8") != std::string::npos);
    const auto categorical = space.add_constraint("mode > 0");
    REQUIRE_FALSE(categorical);
    CHECK(categorical.error().message.find("categorical") != std::string::npos);
    const auto broken = space.add_constraint("fast < < slow");
    REQUIRE_FALSE(broken);
    CHECK(broken.error().message.find("does not parse") != std::string::npos);
    CHECK(space.constraints().size() == 1u);
}

TEST_CASE("constraints support arithmetic and logical and/or")
{
    Space space;
    REQUIRE(space.add_int("fast", 1, 10, 1));
    REQUIRE(space.add_int("slow", 1, 10, 1));
    REQUIRE(space.add_int("threshold_x100", 0, 3, 1));
    REQUIRE(space.add_constraint("fast * 2 <= slow && threshold_x100 > 1 || fast == 10"));
    auto c = Constraints::compile(space, space.constraints());
    REQUIRE(c);
    CHECK(c->allow(Point{{3, 0}, {6, 0}, {2, 0}}));
    CHECK_FALSE(c->allow(Point{{3, 0}, {6, 0}, {1, 0}}));
    CHECK(c->allow(Point{{10, 0}, {1, 0}, {0, 0}}));
}

TEST_CASE("single comparisons, checked without muparser, agree with muparser on every point")
{
    Space space;
    REQUIRE(space.add_int("fast", -3, 3, 1));
    REQUIRE(space.add_float("x", -1.0, 1.0, 0.5));
    REQUIRE(space.add_choice("mode", {"a", "b"}));
    for (const std::string op : {"<", "<=", ">", ">=", "==", "!="})
        for (const std::string rhs : {"x", "0.5", "-1", "1e0"}) {
            const std::string simple = "fast " + op + rhs;
            // "fast + 0" keeps the same meaning but is not a bare operand: muparser evaluates it.
            const std::string general = "fast + 0 " + op + " " + rhs;
            CAPTURE(simple);
            auto direct = Constraints::compile(space, {simple});
            auto parsed = Constraints::compile(space, {general});
            REQUIRE(direct);
            REQUIRE(parsed);
            for (std::uint64_t i = 0; i < *space.cardinality(); ++i) {
                const Point p = space.decode(i);
                CHECK(direct->allow(p) == parsed->allow(p));
            }
        }
    // Not a single comparison: muparser still decides.
    auto chained = Constraints::compile(space, {"fast < x", "fast * 2 > -4"});
    REQUIRE(chained);
    CHECK(chained->allow(Point{{-1, 0}, {0, 0.5}, {0, 0}}));
    CHECK_FALSE(chained->allow(Point{{-2, 0}, {0, 0.5}, {0, 0}}));
}

TEST_CASE("counting valid points scans only the constrained parameters")
{
    Space space;
    REQUIRE(space.add_int("fast", 10, 50, 5));
    REQUIRE(space.add_int("slow", 50, 200, 25));
    REQUIRE(space.add_int("big", 0, 999'999'999, 1)); // 10^9 values, unconstrained
    REQUIRE(space.add_constraint("fast < slow"));
    auto c = Constraints::compile(space, space.constraints());
    REQUIRE(c);
    // fast=50 only fails with slow=50: 63 - 1 valid pairs.
    CHECK(count_valid(space, *c) == 62ULL * 1'000'000'000ULL);
}

TEST_CASE("an integer range of 2^64 values is refused rather than wrapped")
{
    Space space;
    const auto all = space.add_int("all", std::numeric_limits<std::int64_t>::min(),
                                   std::numeric_limits<std::int64_t>::max(), 1);
    REQUIRE_FALSE(all);
    CHECK(all.error().message.find("'all'") != std::string::npos);
    REQUIRE(space.add_int("most", std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(), 2));
    CHECK(space.cardinality() == std::uint64_t{1} << 63);
}
