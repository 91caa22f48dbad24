// Bar ranges: which bars of a plugin's data an evaluation trades, chosen by
// date or by bar number (options start/end, walk-forward windows). The one
// home of turning a user's text into bar numbers.
#pragma once

#include "error.hpp"
#include "trial.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace btopt::internal {

// The bars a plugin's init loaded.
struct Timeline {
    std::uint64_t bars = 0;
    std::vector<std::int64_t> dates{}; // days since 1970-01-01, one per bar, ascending; empty: no dates
};

// A bar given by the user: a date (YYYY-MM-DD) or a bar number.
struct BarMark {
    bool is_date = false;
    std::int64_t value = 0; // days since 1970-01-01, or the bar number
};
// INVALID_ARGUMENT naming `what` (e.g. "option 'start' (--start)") unless the
// text is a date YYYY-MM-DD or a bar number (a whole number from 0).
Result<BarMark> parse_bar_mark(std::string_view text, std::string_view what);

// "YYYY-MM-DD" of days since 1970-01-01.
std::string date_text(std::int64_t days);

// The bars from `start` to `end`, both included (either text empty: from the
// first bar, to the last). INVALID_ARGUMENT naming the option's flag when a
// mark is outside the data, dates are given for bars without dates, or the
// range holds no bar. Both empty: the whole data (BarRange{}).
Result<BarRange> resolve_range(const std::string &start, const std::string &end, const Timeline &timeline);

// A walk-forward window length: bars ("500") or a calendar period ("2y",
// "6m", "3w", "10d").
struct Period {
    enum class Unit { Bars, Days, Weeks, Months, Years } unit = Unit::Bars;
    std::int64_t count = 0;
};
// INVALID_ARGUMENT naming `what` unless a positive count with an optional unit.
Result<Period> parse_period(std::string_view text, std::string_view what);

struct WindowSpec {
    Period train, test, step; // step: how far each window moves on (usually the test length)
    bool anchored = false;    // every train window starts at the first bar (expanding)
    std::optional<Period> validation{}; // bars between train and test that choose among the top train points
};

// One walk-forward window: it searches on `train` and trades its choice on `test`,
// the bars right after.
struct Window {
    BarRange train, test;
    BarRange validation{}; // between them; whole() (end 0): no validation period
};

// Every window that fits the data, in order: train windows from the first
// bar (or all from the first bar when anchored), each `step` after the last,
// test windows right after their train windows, up to the last bar.
// INVALID_ARGUMENT when none fits, or a window holds no bar, naming the window.
Result<std::vector<Window>> make_windows(const Timeline &timeline, const WindowSpec &spec);

} // namespace btopt::internal
