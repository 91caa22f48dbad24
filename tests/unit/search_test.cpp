#include "search/search.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <set>

using namespace btopt::internal;

namespace {

Space two_ints(std::int64_t n)
{
    Space space;
    REQUIRE(space.add_int("a", 0, n - 1, 1));
    REQUIRE(space.add_int("b", 0, n - 1, 1));
    return space;
}

// Asks in chunks of `chunk`, tells every point's fitness in order, like the coordinator.
std::vector<Point> drive(Search &search, const std::function<std::optional<double>(const Point &)> &fitness,
                         std::size_t chunk = 7)
{
    std::vector<Point> asked;
    while (!search.finished()) {
        std::vector<Point> points;
        REQUIRE(search.ask(chunk, points));
        for (const Point &p : points) {
            asked.push_back(p);
            search.tell(fitness(p));
        }
    }
    return asked;
}

std::optional<double> peak(const Point &p)
{
    return -static_cast<double>((p[0].i - 7) * (p[0].i - 7) + (p[1].i - 3) * (p[1].i - 3));
}

std::unique_ptr<Search> make(const std::string &algorithm, const Space &space, const Options &options = {})
{
    auto search = make_search(algorithm, space, options);
    REQUIRE(search);
    return std::move(*search);
}

} // namespace

TEST_CASE("grid visits every valid point once, row-major, skipping constrained ones")
{
    Space space = two_ints(4);
    REQUIRE(space.add_constraint("a < b"));
    auto search = make("grid", space);
    CHECK(search->planned() == 6u);
    const auto points = drive(*search, peak);
    REQUIRE(points.size() == 6u);
    const std::vector<std::pair<std::int64_t, std::int64_t>> expected{{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}};
    for (std::size_t i = 0; i < points.size(); ++i) {
        CHECK(points[i][0].i == expected[i].first);
        CHECK(points[i][1].i == expected[i].second);
    }
}


TEST_CASE("grid steps through a mixed space in the order its indices decode to")
{
    Space space;
    REQUIRE(space.add_int("n", -3, 7, 5));
    REQUIRE(space.add_float("x", 0.5, 1.5, 0.25));
    REQUIRE(space.add_choice("c", {"a", "b", "c"}));
    REQUIRE(space.add_int("one", 4, 4, 1));
    auto search = make("grid", space);
    const auto points = drive(*search, [](const Point &) { return 1.0; }, 4);
    REQUIRE(points.size() == 3u * 5u * 3u);
    for (std::size_t i = 0; i < points.size(); ++i)
        CHECK(points[i] == space.decode(i));
}
TEST_CASE("grid over a continuous float is refused, naming the parameter")
{
    Space space;
    REQUIRE(space.add_float("x", 0.0, 1.0, 0.0));
    auto search = make_search("grid", space, Options{});
    REQUIRE_FALSE(search);
    CHECK(search.error().code == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(search.error().message.find("'x'") != std::string::npos);
}

TEST_CASE("a 10^12-point grid starts at once and hands out its first points")
{
    Space space;
    REQUIRE(space.add_int("a", 0, 999'999, 1));
    REQUIRE(space.add_int("b", 0, 999'999, 1));
    auto search = make("grid", space);
    CHECK(search->planned() == 1'000'000'000'000u);
    std::vector<Point> points{Point{}};
    REQUIRE(search->ask(3, points));
    REQUIRE(points.size() == 4u); // appended after what was there
    CHECK(points[3][1].i == 2);
}

TEST_CASE("random never repeats a point and stops when the space is used up")
{
    Space space = two_ints(5);
    REQUIRE(space.add_constraint("a != b"));
    Options options;
    options.n_iterations = 1000;
    options.random_seed = 7;
    auto search = make("random", space, options);
    CHECK(search->planned() == 20u);
    const auto points = drive(*search, peak);
    CHECK(points.size() == 20u);
    std::set<std::pair<std::int64_t, std::int64_t>> distinct;
    for (const Point &p : points) {
        CHECK(p[0].i != p[1].i);
        distinct.insert({p[0].i, p[1].i});
    }
    CHECK(distinct.size() == 20u);
}

TEST_CASE("random draws n_iterations points, the same for the same seed and chunking")
{
    Space space = two_ints(100);
    Options options;
    options.n_iterations = 50;
    options.random_seed = 3;
    const auto first = drive(*make("random", space, options), peak, 1);
    const auto second = drive(*make("random", space, options), peak, 64);
    CHECK(first.size() == 50u);
    CHECK(first == second);
    options.random_seed = 4;
    CHECK(drive(*make("random", space, options), peak) != first);
}

TEST_CASE("random over continuous floats stays in range")
{
    Space space;
    REQUIRE(space.add_float("x", -1.0, 2.0, 0.0));
    REQUIRE(space.add_choice("c", {"p", "q"}));
    Options options;
    options.n_iterations = 200;
    const auto points = drive(*make("random", space, options), [](const Point &) { return 0.0; });
    REQUIRE(points.size() == 200u);
    for (const Point &p : points) {
        CHECK(p[0].f >= -1.0);
        CHECK(p[0].f <= 2.0);
        CHECK((p[1].i == 0 || p[1].i == 1));
    }
}

TEST_CASE("genetic evaluates each distinct point once and respects constraints")
{
    Space space = two_ints(12);
    REQUIRE(space.add_constraint("a + b <= 16"));
    Options options;
    options.population_size = 10;
    options.n_generations = 15;
    options.random_seed = 11;
    std::vector<Point> told;
    const auto points = drive(*make("genetic", space, options), peak);
    std::set<std::pair<std::int64_t, std::int64_t>> distinct;
    for (const Point &p : points) {
        CHECK(p[0].i + p[1].i <= 16);
        distinct.insert({p[0].i, p[1].i});
    }
    CHECK(distinct.size() == points.size());
    CHECK(points.size() > 10u);
    CHECK(points.size() <= 150u);
    // Elitism and selection find the peak at a=7, b=3 in this small space.
    CHECK(distinct.contains({7, 3}));
}

TEST_CASE("genetic stops early when the space is exhausted")
{
    Space space = two_ints(3); // 9 points
    Options options;
    options.population_size = 6;
    options.n_generations = 50;
    const auto points = drive(*make("genetic", space, options), peak);
    CHECK(points.size() == 9u);
}

TEST_CASE("genetic is deterministic for a seed whatever the chunking, and failed points rank last")
{
    Space space = two_ints(30);
    Options options;
    options.population_size = 12;
    options.n_generations = 8;
    options.random_seed = 5;
    const auto fitness = [](const Point &p) -> std::optional<double> {
        if (p[0].i % 5 == 0)
            return std::nullopt;
        return peak(p);
    };
    const auto a = drive(*make("genetic", space, options), fitness, 1);
    const auto b = drive(*make("genetic", space, options), fitness, 100);
    CHECK(a == b);
    options.random_seed = 6;
    CHECK(drive(*make("genetic", space, options), fitness) != a);
}

TEST_CASE("unknown algorithms and empty spaces are refused")
{
    Space space = two_ints(3);
    CHECK(make_search("annealing", space, Options{}).error().message.find("'annealing'") != std::string::npos);
    CHECK(make_search("grid", Space{}, Options{}).error().message.find("empty") != std::string::npos);
}

TEST_CASE("genetic patience ends the run after the generation in which it ran out")
{
    Space space = two_ints(100);
    Options options;
    options.population_size = 10;
    options.n_generations = 50;
    options.patience = 25;
    auto search = make("genetic", space, options);
    const auto points = drive(*search, [](const Point &) { return 1.0; }, 10); // never improves after the first
    CHECK(points.size() >= 26u);
    CHECK(points.size() <= 30u); // 25 in a row without improvement fall in the third generation
    Options patient = options;
    patient.patience = 0;
    auto unbounded = make("genetic", space, patient);
    CHECK(drive(*unbounded, [](const Point &) { return 1.0; }, 10).size() > 400u); // 10 + 49 x 9 new points
}
