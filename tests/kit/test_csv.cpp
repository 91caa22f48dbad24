// load_csv: accepted layouts, and one test per kind of bad input with its exact message.
#include <doctest/doctest.h>

#include <string>

#include "btopt/kit/bars.hpp"
#include "support.hpp"

using btopt::kit::Column;
using btopt::kit::load_csv;
using btopt::kit::PriceField;
using btopt::kit::utc_seconds;
using kit_test::TempDir;

namespace {

// The error load_csv gives for a file with this text.
std::string error_for(const TempDir& dir, std::string_view text) {
    const auto path = dir.write("bad.csv", text);
    const auto bars = load_csv(path);
    REQUIRE_FALSE(bars.has_value());
    return bars.error();
}

std::string in_file(const TempDir& dir, std::string_view rest) {
    return (dir.path() / "bad.csv").string() + std::string(rest);
}

}  // namespace

TEST_CASE("csv: OHLC with adjusted close, volume and open interest") {
    TempDir dir;
    const auto path = dir.write("a.csv",
                                "Date,Open,High,Low,Close,Adj Close,Volume,OpenInterest\n"
                                "2020-01-02,10,12,9,11,10.5,1000,7\n"
                                "2020-01-03,11,13.5,10.25,13,12.5,2000,8\n");
    const auto bars = load_csv(path);
    REQUIRE(bars.has_value());
    REQUIRE(bars->size() == 2);
    CHECK(bars->timestamps()[0] == utc_seconds(2020, 1, 2));
    CHECK(bars->timestamps()[1] == 1578009600);  // 2020-01-03 00:00:00 UTC
    CHECK(bars->open()[1] == 11.0);
    CHECK(bars->high()[1] == 13.5);
    CHECK(bars->low()[1] == 10.25);
    CHECK(bars->close()[1] == 13.0);
    CHECK(bars->adj_close()[0] == 10.5);
    CHECK(bars->volume()[1] == 2000.0);
    CHECK(bars->open_interest()[0] == 7.0);
    CHECK(bars->closes(PriceField::Close)[0] == 11.0);
    CHECK(bars->closes(PriceField::AdjClose)[0] == 10.5);
}

TEST_CASE("csv: close-only file, CRLF, byte order mark, no final newline") {
    TempDir dir;
    const auto path = dir.write("c.csv", "\xEF\xBB\xBF" "date,close\r\n2021-03-04,5.5\r\n2021-03-05,6");
    const auto bars = load_csv(path);
    REQUIRE(bars.has_value());
    REQUIRE(bars->size() == 2);
    CHECK(bars->close()[1] == 6.0);
    CHECK(bars->has(Column::Close));
    CHECK_FALSE(bars->has(Column::Open));
    CHECK_FALSE(bars->has(Column::Volume));
    CHECK(bars->closes(PriceField::AdjClose).empty());  // no silent fallback to Close
}

TEST_CASE("csv: trailing blank lines are accepted") {
    TempDir dir;
    const auto bars = load_csv(dir.write("t.csv", "Date,Close\n2021-03-04,5.5\n\n\r\n"));
    REQUIRE(bars.has_value());
    CHECK(bars->size() == 1);
}

TEST_CASE("csv: date and time in one column, with space, T or Z") {
    TempDir dir;
    const auto bars = load_csv(dir.write("d.csv",
                                         ",Open,High,Low,Close,Volume\n"
                                         "2017-04-19 09:00:00,1,2,0.5,1.5,10\n"
                                         "2017-04-19T10:30,1,2,0.5,1.5,10\n"
                                         "2017-04-19T10:30:01Z,1,2,0.5,1.5,10\n"));
    REQUIRE(bars.has_value());
    CHECK(bars->timestamps()[0] == utc_seconds(2017, 4, 19, 9));
    CHECK(bars->timestamps()[1] == utc_seconds(2017, 4, 19, 10, 30));
    CHECK(bars->timestamps()[2] == utc_seconds(2017, 4, 19, 10, 30, 1));
}

TEST_CASE("csv: separate Time column, named or implied by one extra field") {
    TempDir dir;
    const auto named = load_csv(dir.write("n.csv", "Date,Time,Close\n2006-01-02,09:01,3\n2006-01-02,09:02:30,4\n"));
    REQUIRE(named.has_value());
    CHECK(named->timestamps()[1] == utc_seconds(2006, 1, 2, 9, 2, 30));

    // backtrader's minute files: the header has no name for the time field.
    const auto implied = load_csv(dir.write("i.csv",
                                            "Date,Open,High,Low,Close,Volume,OpenInterest\n"
                                            "2006-01-02,09:01:00,3602.00,3603.00,3597.00,3599.00,5699,0\r\n"
                                            "2006-01-02,09:02:00,3600.00,3601.00,3598.00,3599.00,894,1\r\n"));
    REQUIRE(implied.has_value());
    CHECK(implied->timestamps()[0] == utc_seconds(2006, 1, 2, 9, 1));
    CHECK(implied->open()[0] == 3602.0);
    CHECK(implied->close()[1] == 3599.0);
    CHECK(implied->volume()[1] == 894.0);
    CHECK(implied->open_interest()[1] == 1.0);
}

TEST_CASE("csv: a lone Time column holds the full timestamp") {
    TempDir dir;
    const auto bars = load_csv(dir.write("t.csv", "Time,Close\n2020-05-06 07:08:09,1\n"));
    REQUIRE(bars.has_value());
    CHECK(bars->timestamps()[0] == utc_seconds(2020, 5, 6, 7, 8, 9));
}

TEST_CASE("csv: column names ignore case, spaces and underscores, and unknown columns are ignored") {
    TempDir dir;
    for (const char* adj : {"AdjClose", "Adj_Close", "adj close", "ADJ CLOSE"}) {
        const auto bars = load_csv(dir.write("x.csv", std::string("DATE,CLOSE,Dividends,") + adj + "\n2020-01-01,2,0,1.5\n"));
        REQUIRE(bars.has_value());
        CHECK(bars->adj_close()[0] == 1.5);
        CHECK(bars->close()[0] == 2.0);
    }
}

TEST_CASE("csv: another delimiter") {
    TempDir dir;
    const auto bars = load_csv(dir.write("s.csv", "Date;Close\n2020-01-01;2.5\n"), {.delimiter = ';'});
    REQUIRE(bars.has_value());
    CHECK(bars->close()[0] == 2.5);
}

TEST_CASE("csv: missing file and empty files") {
    TempDir dir;
    const auto missing = load_csv(dir.path() / "nope.csv");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().starts_with((dir.path() / "nope.csv").string() + ": cannot open: "));
    CHECK(error_for(dir, "") == in_file(dir, ": file is empty"));
    CHECK(error_for(dir, "\r\n\n") == in_file(dir, ": file is empty"));
    CHECK(error_for(dir, "Date,Close\n") == in_file(dir, ": no data rows after the header"));
}

TEST_CASE("csv: header problems") {
    TempDir dir;
    CHECK(error_for(dir, "Date,Open\n2020-01-01,1\n") == in_file(dir, ":1: missing column 'Close'"));
    CHECK(error_for(dir, "Open,Close\n1,2\n") ==
          in_file(dir, ":1: no date column: expected one named Date, Datetime or Time, or an unnamed first column"));
    CHECK(error_for(dir, "Date,Close,close\n2020-01-01,1,2\n") == in_file(dir, ":1: duplicate column 'close'"));
}

TEST_CASE("csv: bad fields name file, line and field") {
    TempDir dir;
    CHECK(error_for(dir, "Date,Close\n2020-01-01,1\n2020-01-02,abc\n") ==
          in_file(dir, ":3: field 'Close' is not a number: 'abc'"));
    CHECK(error_for(dir, "Date,Close\n2020-01-01,1.5x\n") == in_file(dir, ":2: field 'Close' is not a number: '1.5x'"));
    CHECK(error_for(dir, "Date,Open,Close\n2020-01-01,nan,1\n") ==
          in_file(dir, ":2: field 'Open' is not a finite number: 'nan'"));
    CHECK(error_for(dir, "Date,Close,Volume\n2020-01-01,1,\n") == in_file(dir, ":2: field 'Volume' is empty"));
    CHECK(error_for(dir, "Date,Open,High,Low,Close\n2020-01-01,1,2,1\n") ==
          in_file(dir, ":2: expected 5 fields, found 4"));
    CHECK(error_for(dir, "Date,Close\n2020-01-01,1,2,3\n") == in_file(dir, ":2: expected 2 fields, found 4"));
}

TEST_CASE("csv: bad dates and times") {
    TempDir dir;
    const std::string expect = "field 'Date' is not a date (expected YYYY-MM-DD[ HH:MM[:SS]]): ";
    CHECK(error_for(dir, "Date,Close\n2020-13-01,1\n") == in_file(dir, (":2: " + expect + "'2020-13-01'")));
    CHECK(error_for(dir, "Date,Close\n2021-02-29,1\n") == in_file(dir, (":2: " + expect + "'2021-02-29'")));
    CHECK(error_for(dir, "Date,Close\n20200101,1\n") == in_file(dir, (":2: " + expect + "'20200101'")));
    CHECK(error_for(dir, "Date,Close\n2020-01-01 24:00,1\n") ==
          in_file(dir, (":2: " + expect + "'2020-01-01 24:00'")));
    CHECK(error_for(dir, "Date,Time,Close\n2020-01-01,9:30,1\n") ==
          in_file(dir, ":2: field 'Time' is not a time of day (expected HH:MM[:SS]): '9:30'"));
}

TEST_CASE("csv: increasing timestamps, High not below Low, no blank lines inside") {
    TempDir dir;
    CHECK(error_for(dir, "Date,Close\n2020-01-02,1\n2020-01-02,1\n") ==
          in_file(dir, ":3: timestamp 2020-01-02 00:00:00 is not after the previous row's 2020-01-02 00:00:00"));
    CHECK(error_for(dir, "Date,Close\n2020-01-02,1\n2020-01-01,1\n") ==
          in_file(dir, ":3: timestamp 2020-01-01 00:00:00 is not after the previous row's 2020-01-02 00:00:00"));
    CHECK(error_for(dir, "Date,High,Low,Close\n2020-01-01,9,10,9.5\n") == in_file(dir, ":2: High 9 is below Low 10"));
    CHECK(error_for(dir, "Date,Close\n2020-01-01,1\n\n2020-01-02,1\n") == in_file(dir, ":3: empty line"));
}

TEST_CASE("csv: prices a backtest cannot trade are refused with file:line") {
    TempDir dir;
    CHECK(error_for(dir, "Date,Close\n2020-01-01,1\n2020-01-02,0\n") ==
          in_file(dir, ":3: field 'Close' is not a price (above 0 and at most 1e+15): '0'"));
    CHECK(error_for(dir, "Date,Close\n2020-01-01,-3\n") ==
          in_file(dir, ":2: field 'Close' is not a price (above 0 and at most 1e+15): '-3'"));
    CHECK(error_for(dir, "Date,Close\n2020-01-01,1e308\n") ==
          in_file(dir, ":2: field 'Close' is not a price (above 0 and at most 1e+15): '1e308'"));
    CHECK(error_for(dir, "Date,Open,Close\n2020-01-01,0,1\n") ==
          in_file(dir, ":2: field 'Open' is not a price (above 0 and at most 1e+15): '0'"));
    CHECK(error_for(dir, "Date,High,Low,Close\n2020-01-01,10,9,9.5\n2020-01-02,10,9,50\n") ==
          in_file(dir, ":3: Close 50 is outside the bar's Low 9 to High 10"));
    CHECK(error_for(dir, "Date,High,Low,Close\n2020-01-01,10,9,8.9\n") ==
          in_file(dir, ":2: Close 8.9 is outside the bar's Low 9 to High 10"));
    // Within the tolerance for rounding in the source: kept.
    const auto path = dir.write("ok.csv", "Date,High,Low,Close,Volume\n2020-01-01,10,9,10.005,0\n2020-01-02,10,9,9,0\n");
    CHECK(load_csv(path).has_value());
}

TEST_CASE("timestamps: utc_seconds and format_timestamp agree, before and after 1970") {
    using btopt::kit::format_timestamp;
    CHECK(utc_seconds(1970, 1, 1) == 0);
    CHECK(utc_seconds(2000, 3, 1, 12, 0, 1) == 951912001);
    CHECK(format_timestamp(951912001) == "2000-03-01 12:00:01");
    CHECK(format_timestamp(utc_seconds(1969, 12, 31, 23, 59, 59)) == "1969-12-31 23:59:59");
    CHECK(utc_seconds(1969, 12, 31, 23, 59, 59) == -1);
}
