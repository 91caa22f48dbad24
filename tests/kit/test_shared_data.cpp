// The real files of the shared data folder (skipped when it is absent).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include <sys/stat.h>

#include "btopt/kit/bars.hpp"
#include "btopt/kit/cache.hpp"
#include "btopt/kit/metrics.hpp"
#include "btopt/kit/strategies.hpp"
#include "reference.hpp"
#include "support.hpp"

using namespace btopt::kit;

namespace {

struct Expected {
    const char* file;
    std::size_t bars;
    std::int64_t first;
    std::int64_t last;
    bool adj_close;
    bool open_interest;
};

// From the folder's README.md (bar counts, first and last dates) and the files' last lines.
const Expected kFiles[] = {
    {"GOOG.csv", 2148, utc_seconds(2004, 8, 19), utc_seconds(2013, 3, 1), false, false},
    {"EURUSD.csv", 5000, utc_seconds(2017, 4, 19, 9), utc_seconds(2018, 2, 7, 15), false, false},
    {"ORCL.csv", 5036, utc_seconds(1995, 1, 3), utc_seconds(2014, 12, 31), true, false},
    {"NVDA.csv", 4012, utc_seconds(1999, 1, 22), utc_seconds(2014, 12, 31), true, false},
    {"YHOO.csv", 4965, utc_seconds(1996, 4, 12), utc_seconds(2015, 12, 31), true, false},
    {"minute-2006-01-02.csv", 30889, utc_seconds(2006, 1, 2, 9, 1), utc_seconds(2006, 2, 27, 22), false, true},
};

}  // namespace

TEST_CASE("shared data: every file loads with its bar count, first and last timestamp") {
    const auto dir = kit_test::shared_data_dir();
    if (!dir) {
        MESSAGE("skipped: no shared data folder (set BTOPT_SHARED_DATA)");
        return;
    }
    for (const auto& e : kFiles) {
        CAPTURE(e.file);
        const auto bars = load_csv(*dir / e.file);
        if (!bars) FAIL(bars.error());  // the message only when there is one
        CHECK(bars->size() == e.bars);
        CHECK(format_timestamp(bars->timestamps().front()) == format_timestamp(e.first));
        CHECK(format_timestamp(bars->timestamps().back()) == format_timestamp(e.last));
        CHECK(bars->has(Column::Open));
        CHECK(bars->has(Column::High));
        CHECK(bars->has(Column::Low));
        CHECK(bars->has(Column::Volume));
        CHECK(bars->has(Column::AdjClose) == e.adj_close);
        CHECK(bars->has(Column::OpenInterest) == e.open_interest);
    }
}

TEST_CASE("shared data: GOOG first and last closes") {
    const auto dir = kit_test::shared_data_dir();
    if (!dir) {
        MESSAGE("skipped: no shared data folder");
        return;
    }
    const auto bars = load_csv(*dir / "GOOG.csv");
    REQUIRE(bars.has_value());
    CHECK(bars->close().front() == 100.34);
    CHECK(bars->close().back() == 806.19);
    CHECK(bars->volume().back() == 2175400.0);
}

TEST_CASE("shared data: a cached load equals the parsed one, and the read-only folder is left alone") {
    const auto dir = kit_test::shared_data_dir();
    if (!dir) {
        MESSAGE("skipped: no shared data folder");
        return;
    }
    const kit_test::TempDir cache_dir;
    const auto csv = *dir / "minute-2006-01-02.csv";
    const LoadOptions options{.csv = {}, .use_cache = true, .cache_dir = cache_dir.path()};
    LoadInfo first, second;
    const auto parsed = load_bars(csv, options, &first);
    const auto mapped = load_bars(csv, options, &second);
    REQUIRE(parsed.has_value());
    REQUIRE(mapped.has_value());
    CHECK(first.source == BarSource::Parsed);
    CHECK(second.source == BarSource::Cache);
    CHECK(first.cache_path.parent_path() == cache_dir.path());
    CHECK(std::ranges::equal(parsed->close(), mapped->close()));
    CHECK(std::ranges::equal(parsed->timestamps(), mapped->timestamps()));

    // The default cache is the user's cache folder, never the data's.
    if (const auto where = cache_path_for(csv)) CHECK(where->parent_path() != *dir);
}

TEST_CASE("shared data: sma_crossover on GOOG over its default grid matches the naive reference") {
    const auto dir = kit_test::shared_data_dir();
    if (!dir) {
        MESSAGE("skipped: no shared data folder");
        return;
    }
    const auto bars = load_csv(*dir / "GOOG.csv");
    REQUIRE(bars.has_value());
    const auto closes = bars->closes(PriceField::Close);
    std::vector<Position> positions(closes.size());
    int combinations = 0;
    for (std::size_t fast = 10; fast <= 50; fast += 5) {
        for (std::size_t slow = 50; slow <= 200; slow += 25) {
            if (fast >= slow) continue;
            CAPTURE(fast);
            CAPTURE(slow);
            REQUIRE(sma_crossover(closes, fast, slow, positions).has_value());
            const auto expected = kit_test::ref::sma_crossover(closes, fast, slow);
            CHECK(std::ranges::equal(positions, expected));
            const auto got = compute_metrics(closes, positions);
            const auto want = kit_test::ref::metrics(closes, expected, 0.0, 252.0);
            CHECK(kit_test::close_rel(got.sharpe, want.sharpe));
            CHECK(kit_test::close_rel(got.total_return, want.total_return));
            CHECK(kit_test::close_rel(got.max_drawdown, want.max_drawdown));
            CHECK(got.trades == want.trades);
            ++combinations;
        }
    }
    CHECK(combinations == 62);  // 9 fast values x 7 slow values, less the fast=50, slow=50 pair
}
