#include "bar_range.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

namespace btopt::internal {
namespace {

std::int64_t days_of(int y, unsigned m, unsigned d)
{
    using namespace std::chrono;
    return sys_days(year{y} / month{m} / day{d}).time_since_epoch().count();
}

// The bar a mark names, as an index of the timeline; `after` moves a date to
// the first bar after that day (an end date includes its day).
Result<std::uint64_t> locate(const BarMark &mark, const Timeline &t, bool after, std::string_view what,
                             std::string_view text)
{
    if (!mark.is_date) {
        if (static_cast<std::uint64_t>(mark.value) >= t.bars)
            return fail(BTOPT_ERR_INVALID_ARGUMENT, "{} = '{}': the data has bars 0 to {} only", what, text,
                        t.bars - 1);
        return static_cast<std::uint64_t>(mark.value) + (after ? 1 : 0);
    }
    if (t.dates.empty())
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "{} = '{}': the plugin's bars have no dates; give a bar number", what,
                    text);
    if (mark.value < t.dates.front() || mark.value > t.dates.back())
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "{} = '{}': the data runs from {} to {}", what, text,
                    date_text(t.dates.front()), date_text(t.dates.back()));
    const auto it = after ? std::upper_bound(t.dates.begin(), t.dates.end(), mark.value)
                          : std::lower_bound(t.dates.begin(), t.dates.end(), mark.value);
    return static_cast<std::uint64_t>(it - t.dates.begin());
}

} // namespace

Result<BarMark> parse_bar_mark(std::string_view text, std::string_view what)
{
    const auto bad = [&] {
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "{} = '{}': use a date (YYYY-MM-DD) or a bar number (0 is the first bar)",
                    what, text);
    };
    std::int64_t number = 0;
    if (auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
        ec == std::errc() && end == text.data() + text.size() && !text.empty())
        return number >= 0 ? Result<BarMark>(BarMark{false, number}) : bad();
    int y = 0;
    unsigned m = 0, d = 0;
    if (text.size() != 10 || text[4] != '-' || text[7] != '-')
        return bad();
    const char *p = text.data();
    if (std::from_chars(p, p + 4, y).ptr != p + 4 || std::from_chars(p + 5, p + 7, m).ptr != p + 7 ||
        std::from_chars(p + 8, p + 10, d).ptr != p + 10)
        return bad();
    using namespace std::chrono;
    if (!year_month_day(year{y}, month{m}, day{d}).ok())
        return bad();
    return BarMark{true, days_of(y, m, d)};
}

std::string date_text(std::int64_t days)
{
    using namespace std::chrono;
    const year_month_day ymd{sys_days(std::chrono::days(days))};
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                       static_cast<unsigned>(ymd.day()));
}

Result<BarRange> resolve_range(const std::string &start, const std::string &end, const Timeline &timeline)
{
    if (start.empty() && end.empty())
        return BarRange{};
    BarRange range{0, timeline.bars};
    if (!start.empty()) {
        auto mark = parse_bar_mark(start, "option 'start' (--start)");
        auto at = mark.and_then([&](const BarMark &m) { return locate(m, timeline, false, "option 'start' (--start)", start); });
        if (!at)
            return tl::unexpected(at.error());
        range.first = *at;
    }
    if (!end.empty()) {
        auto mark = parse_bar_mark(end, "option 'end' (--end)");
        auto at = mark.and_then([&](const BarMark &m) { return locate(m, timeline, true, "option 'end' (--end)", end); });
        if (!at)
            return tl::unexpected(at.error());
        range.end = *at;
    }
    if (range.first >= range.end)
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "options 'start' = '{}' and 'end' = '{}' (--start, --end) leave no bar",
                    start, end);
    return range;
}

namespace {

// The bar `p` after bar `from`: a bar count, or the first bar on or after the
// date that many days, weeks, months or years later (the bar count when past
// the last bar).
std::uint64_t advance(const Timeline &t, std::uint64_t from, const Period &p)
{
    using Unit = Period::Unit;
    if (p.unit == Unit::Bars)
        return from + static_cast<std::uint64_t>(p.count);
    if (from >= t.bars)
        return t.bars + 1;
    using namespace std::chrono;
    const sys_days start{days(t.dates[from])};
    sys_days target = start;
    if (p.unit == Unit::Days || p.unit == Unit::Weeks) {
        target = start + days(p.count * (p.unit == Unit::Weeks ? 7 : 1));
    } else {
        const year_month_day ymd{start};
        const year_month_day moved = p.unit == Unit::Years ? ymd + years(p.count) : ymd + months(p.count);
        // The 31st of a shorter month is its last day.
        target = moved.ok() ? sys_days(moved) : sys_days(moved.year() / moved.month() / last);
    }
    const std::int64_t day = target.time_since_epoch().count();
    if (day > t.dates.back())
        return t.bars + 1; // the period runs past the data
    return static_cast<std::uint64_t>(std::lower_bound(t.dates.begin(), t.dates.end(), day) - t.dates.begin());
}

// The first bar on or after the date `p` before bar `to`'s (a bar count: `p` bars before).
std::uint64_t retreat(const Timeline &t, std::uint64_t to, const Period &p)
{
    using Unit = Period::Unit;
    if (p.unit == Unit::Bars)
        return to >= static_cast<std::uint64_t>(p.count) ? to - static_cast<std::uint64_t>(p.count) : 0;
    using namespace std::chrono;
    const year_month_day ymd{sys_days{days(t.dates[to])}};
    sys_days target;
    if (p.unit == Unit::Days || p.unit == Unit::Weeks) {
        target = sys_days(ymd) - days(p.count * (p.unit == Unit::Weeks ? 7 : 1));
    } else {
        const year_month_day moved = p.unit == Unit::Years ? ymd - years(p.count) : ymd - months(p.count);
        target = moved.ok() ? sys_days(moved) : sys_days(moved.year() / moved.month() / last);
    }
    const std::int64_t day = target.time_since_epoch().count();
    return static_cast<std::uint64_t>(std::lower_bound(t.dates.begin(), t.dates.end(), day) - t.dates.begin());
}

std::string bars_text(const Timeline &t, const BarRange &r)
{
    if (t.dates.empty() || r.end > t.bars || r.first >= r.end)
        return fmt::format("bars {} to {}", r.first, r.end == 0 ? 0 : r.end - 1);
    return fmt::format("{} to {}", date_text(t.dates[r.first]), date_text(t.dates[r.end - 1]));
}

} // namespace

Result<Period> parse_period(std::string_view text, std::string_view what)
{
    using Unit = Period::Unit;
    Period p;
    const char *first = text.data(), *last = text.data() + text.size();
    const auto [rest, ec] = std::from_chars(first, last, p.count);
    const std::string_view unit(rest, static_cast<std::size_t>(last - rest));
    constexpr std::pair<std::string_view, Unit> units[] = {
        {"", Unit::Bars}, {"d", Unit::Days}, {"w", Unit::Weeks}, {"m", Unit::Months}, {"y", Unit::Years}};
    for (const auto &[name, u] : units)
        if (ec == std::errc() && rest != first && p.count > 0 && p.count < (1 << 30) && unit == name) {
            p.unit = u;
            return p;
        }
    return fail(BTOPT_ERR_INVALID_ARGUMENT,
                "{} = '{}': use a number of bars (500) or of days, weeks, months or years (30d, 4w, 6m, 2y)", what,
                text);
}

Result<std::vector<Window>> make_windows(const Timeline &t, const WindowSpec &spec)
{
    const bool calendar = spec.train.unit != Period::Unit::Bars || spec.test.unit != Period::Unit::Bars ||
                          spec.step.unit != Period::Unit::Bars ||
                          (spec.validation && spec.validation->unit != Period::Unit::Bars);
    if (calendar && t.dates.empty())
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "walk-forward windows in days, weeks, months or years need dated bars, "
                                                "and the plugin's bars have no dates: give the lengths in bars");
    // Test windows start `train` (and `validation`) after the first bar and
    // each `step` after the last, so with step = test they tile the data
    // exactly; each window's validation bars are the `validation` before its
    // test, its train bars the `train` before those (all before, anchored).
    const std::uint64_t first_split = advance(t, 0, spec.train);
    std::vector<Window> windows;
    for (std::uint64_t test_start = spec.validation ? advance(t, first_split, *spec.validation) : first_split;;
         test_start = advance(t, test_start, spec.step)) {
        Window w;
        const bool first_or_anchored = windows.empty() || spec.anchored;
        const std::uint64_t split = !spec.validation ? test_start
                                    : windows.empty()
                                        ? first_split
                                        : retreat(t, std::min(test_start, t.bars - 1), *spec.validation);
        if (spec.validation)
            w.validation = BarRange{split, test_start};
        w.train = BarRange{first_or_anchored ? 0 : retreat(t, std::min(split, t.bars - 1), spec.train), split};
        w.test = BarRange{test_start, advance(t, test_start, spec.test)};
        if (w.test.end > t.bars) {
            if (windows.empty())
                return fail(BTOPT_ERR_INVALID_ARGUMENT,
                            "walk-forward window 1 does not fit the data: its periods need more than the {} bars ({}) "
                            "there are; shorten --train{} or --test",
                            t.bars, bars_text(t, BarRange{0, t.bars}), spec.validation ? ", --validation" : "");
            break;
        }
        for (const auto &[range, name] : {std::pair{w.train, "train"}, {w.validation, "validation"}, {w.test, "test"}})
            if (!(name == std::string_view("validation") && !spec.validation) && range.end < range.first + 2)
                return fail(BTOPT_ERR_INVALID_ARGUMENT,
                            "walk-forward window {} has a {} period of {} bar(s) ({}): at least 2 are needed for one "
                            "return; lengthen --{}",
                            windows.size() + 1, name, range.end - range.first, bars_text(t, range), name);
        windows.push_back(w);
    }
    return windows;
}

} // namespace btopt::internal
