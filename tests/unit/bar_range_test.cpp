// Bar ranges and walk-forward windows from dates and lengths (src/core/bar_range.cpp).
#include "core/bar_range.hpp"

#include <doctest/doctest.h>

#include <chrono>

using namespace btopt::internal;

namespace {

// Weekdays from 2020-01-01 (a Wednesday) on, `n` of them.
Timeline weekdays(std::size_t n)
{
    using namespace std::chrono;
    Timeline t;
    for (sys_days d = sys_days(year{2020} / January / 1); t.dates.size() < n; d += days(1))
        if (weekday(d) != Saturday && weekday(d) != Sunday)
            t.dates.push_back(d.time_since_epoch().count());
    t.bars = n;
    return t;
}

Period period(const char *text) { return *parse_period(text, "test"); }

} // namespace

TEST_CASE("start and end resolve to bars by date or number, both included")
{
    const Timeline t = weekdays(300);
    CHECK(resolve_range("", "", t)->whole());
    CHECK(*resolve_range("2020-01-04", "2020-01-10", t) == BarRange{3, 8}); // a Saturday: from the Monday
    CHECK(*resolve_range("5", "9", t) == BarRange{5, 10});
    CHECK(resolve_range("300", "", t).error().message.find("bars 0 to 299") != std::string::npos);
    CHECK(resolve_range("2019-12-31", "", t).error().message.find("runs from 2020-01-01") != std::string::npos);
    CHECK(resolve_range("9", "5", t).error().message.find("leave no bar") != std::string::npos);
    CHECK_FALSE(parse_bar_mark("2020-02-30", "x"));
    CHECK_FALSE(parse_bar_mark("-1", "x"));
    CHECK(date_text(t.dates[3]) == "2020-01-06");
}

TEST_CASE("calendar windows tile the test bars; rolling trains look back, anchored from the start")
{
    const Timeline t = weekdays(780); // about three years
    WindowSpec spec{period("1y"), period("6m"), period("6m"), false};
    const auto rolling = make_windows(t, spec);
    REQUIRE(rolling);
    REQUIRE(rolling->size() == 3);
    CHECK(date_text(t.dates[(*rolling)[0].test.first]) == "2021-01-01");
    CHECK(date_text(t.dates[(*rolling)[1].test.first]) == "2021-07-01");
    CHECK(date_text(t.dates[(*rolling)[1].train.first]) == "2020-07-01");
    for (std::size_t k = 0; k + 1 < rolling->size(); ++k)
        CHECK((*rolling)[k].test.end == (*rolling)[k + 1].test.first);
    spec.anchored = true;
    const auto anchored = make_windows(t, spec);
    REQUIRE(anchored->size() == 3);
    CHECK((*anchored)[2].train == BarRange{0, (*rolling)[2].test.first});
    spec.train = period("5y");
    CHECK(make_windows(t, spec).error().message.find("window 1 does not fit") != std::string::npos);
    CHECK_FALSE(parse_period("6q", "x"));
    CHECK_FALSE(parse_period("0", "x"));
    Timeline undated{.bars = 100, .dates = {}};
    CHECK(make_windows(undated, WindowSpec{period("1y"), period("6m"), period("6m"), false}).error().message.find(
              "need dated bars") != std::string::npos);
    CHECK(make_windows(undated, WindowSpec{period("40"), period("20"), period("10"), false})->size() == 5);
}
