#include "core/result.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace btopt::internal;

namespace {

Evaluation ok(double score, Metrics metrics = {})
{
    return Evaluation{TrialStatus::Ok, score, {}, std::move(metrics)};
}

std::vector<Value> point_of(std::int64_t a, double b) { return {Value{a, 0.0}, Value{0, b}}; }

} // namespace

TEST_CASE("the trial table keeps every trial by column, with metrics and errors where reported")
{
    TrialTable table(Direction::Maximize, 0, 2, 2, 3);
    table.record(0, point_of(1, 0.5), ok(2.0, {10.0, 11.0}), 0.25);
    table.record(1, point_of(2, 1.5), Evaluation{TrialStatus::Failed, 0.0, "bad point", {}}, 0.5);
    table.record(2, point_of(3, 2.5), ok(3.0, {30.0}), 0.125); // fewer metrics than the run names
    CHECK(table.best_score() == 3.0);
    RunResult r;
    table.finish(r);
    const Trials &t = r.trials;
    REQUIRE(t.size() == 3u);
    REQUIRE(r.best == 2u);
    CHECK(t.point(1)[0].i == 2);
    CHECK(t.point(1)[1].f == 1.5);
    CHECK(t.status(1) == TrialStatus::Failed);
    CHECK(t.error(1) == "bad point");
    CHECK(t.error(0).empty());
    CHECK(t.error(2).empty());
    CHECK(t.metrics(1).empty());
    REQUIRE(t.metrics(0).size() == 2u);
    CHECK(t.metrics(0)[1] == 11.0);
    REQUIRE(t.metrics(2).size() == 2u);
    CHECK(t.metrics(2)[0] == 30.0);
    CHECK(std::isnan(t.metrics(2)[1]));
    CHECK(t.seconds(2) == 0.125);
    CHECK(r.eval_seconds == 0.875);
    CHECK(r.status_counts[static_cast<std::size_t>(TrialStatus::Failed)] == 1u);
}

TEST_CASE("keep_trials keeps the best ok trials in trial order, the lower number on a tie")
{
    for (const Direction direction : {Direction::Maximize, Direction::Minimize}) {
        CAPTURE(direction == Direction::Maximize);
        TrialTable table(direction, 3, 2, 0);
        const double scores[] = {5, 1, 9, 5, 7, 0, 9, 3};
        for (std::uint64_t n = 0; n < 8; ++n)
            table.record(n, point_of(static_cast<std::int64_t>(n), 0.0), ok(scores[n]), 1.0);
        table.record(8, point_of(8, 0.0), Evaluation{TrialStatus::Crashed, 0.0, "gone", {}}, 1.0);
        RunResult r;
        table.finish(r);
        REQUIRE(r.trials.size() == 3u);
        const std::vector<std::uint64_t> expected =
            direction == Direction::Maximize ? std::vector<std::uint64_t>{2, 4, 6} : std::vector<std::uint64_t>{1, 5, 7};
        for (std::size_t i = 0; i < 3; ++i) {
            CHECK(r.trials.number(i) == expected[i]);
            CHECK(r.trials.point(i)[0].i == static_cast<std::int64_t>(expected[i]));
        }
        // The best is the earliest of the two 9s (or the 0).
        REQUIRE(r.best);
        CHECK(r.trials.number(*r.best) == (direction == Direction::Maximize ? 2u : 5u));
        CHECK(r.evaluated == 9u);
    }
}
