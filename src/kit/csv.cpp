// CSV bar reader: one pass over the file held in memory, columns filled in place.
#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "btopt/kit/bars.hpp"
#include "regular_file.hpp"

namespace btopt::kit {
namespace {

using Index = std::optional<std::size_t>;

// Where each meaningful field sits in a data row.
struct Layout {
    std::size_t field_count = 0;
    std::size_t date = 0;
    Index time;  // a separate time-of-day column
    std::array<Index, kColumnCount> columns{};
};

// Builds "file:line: problem" (line 0 means the file as a whole).
struct Where {
    std::string file;
    [[nodiscard]] std::string at(std::size_t line, std::string_view problem) const {
        if (line == 0) return fmt::format("{}: {}", file, problem);
        return fmt::format("{}:{}: {}", file, line, problem);
    }
};

tl::expected<std::string, std::string> read_whole_file(const std::filesystem::path& path) {
    const auto opened = detail::open_regular(path);
    if (!opened) return tl::make_unexpected(opened.error());
    const int fd = *opened;
    std::string text;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) text.reserve(static_cast<std::size_t>(st.st_size));
    std::array<char, 1 << 16> chunk{};
    for (;;) {
        const ssize_t got = ::read(fd, chunk.data(), chunk.size());
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            const int err = errno;
            ::close(fd);
            return tl::make_unexpected(fmt::format("{}: cannot read: {}", path.string(), std::strerror(err)));
        }
        if (got == 0) break;
        text.append(chunk.data(), static_cast<std::size_t>(got));
    }
    ::close(fd);
    return text;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

void split(std::string_view line, char delimiter, std::vector<std::string_view>& out) {
    out.clear();
    for (;;) {
        const auto cut = line.find(delimiter);
        out.push_back(trim(line.substr(0, cut)));
        if (cut == std::string_view::npos) return;
        line.remove_prefix(cut + 1);
    }
}

// Lower case without spaces, underscores or quotes: "Adj_Close" -> "adjclose".
std::string header_key(std::string_view name) {
    std::string key;
    for (const char ch : name) {
        if (ch == ' ' || ch == '_' || ch == '"') continue;
        key.push_back(ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch);
    }
    return key;
}

std::optional<Column> column_for_key(std::string_view key) {
    static constexpr std::array<std::pair<std::string_view, Column>, kColumnCount> kKeys{{
        {"open", Column::Open}, {"high", Column::High}, {"low", Column::Low}, {"close", Column::Close},
        {"adjclose", Column::AdjClose}, {"volume", Column::Volume}, {"openinterest", Column::OpenInterest}}};
    for (const auto& [name, column] : kKeys)
        if (key == name) return column;
    return std::nullopt;
}

tl::expected<Layout, std::string> parse_header(const std::vector<std::string_view>& names) {
    Layout layout;
    layout.field_count = names.size();
    Index date;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string key = header_key(names[i]);
        Index* slot = nullptr;
        if (key == "date" || key == "datetime") slot = &date;
        else if (key == "time") slot = &layout.time;
        else if (const auto column = column_for_key(key)) slot = &layout.columns[static_cast<std::size_t>(*column)];
        if (slot == nullptr) continue;  // a column we do not use
        if (*slot) return tl::make_unexpected(fmt::format("duplicate column '{}'", names[i]));
        *slot = i;
    }
    if (!date && layout.time) std::swap(date, layout.time);  // a lone Time column holds the full timestamp
    if (!date && header_key(names.front()).empty()) date = 0;  // pandas' unnamed index column
    if (!date)
        return tl::make_unexpected(
            "no date column: expected one named Date, Datetime or Time, or an unnamed first column");
    if (!layout.columns[static_cast<std::size_t>(Column::Close)]) return tl::make_unexpected("missing column 'Close'");
    layout.date = *date;
    return layout;
}

// Reads `count` decimal digits at s[pos...].
std::optional<unsigned> digits(std::string_view s, std::size_t pos, std::size_t count) {
    if (pos + count > s.size()) return std::nullopt;
    unsigned value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
        value = value * 10 + static_cast<unsigned>(s[i] - '0');
    }
    return value;
}

// "HH:MM" or "HH:MM:SS" -> seconds into the day.
std::optional<std::int64_t> parse_time_of_day(std::string_view s) {
    if (s.size() != 5 && s.size() != 8) return std::nullopt;
    const auto h = digits(s, 0, 2), m = digits(s, 3, 2);
    const auto sec = s.size() == 8 ? digits(s, 6, 2) : std::optional<unsigned>{0};
    if (!h || !m || !sec || s[2] != ':' || (s.size() == 8 && s[5] != ':')) return std::nullopt;
    if (*h > 23 || *m > 59 || *sec > 59) return std::nullopt;
    return std::int64_t{*h} * 3600 + std::int64_t{*m} * 60 + std::int64_t{*sec};
}

// "YYYY-MM-DD", then (when allowed) optionally " HH:MM[:SS]" or "THH:MM[:SS]", optional "Z".
std::optional<std::int64_t> parse_datetime(std::string_view s, bool allow_time) {
    const auto y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
    if (!y || !mo || !d || s[4] != '-' || s[7] != '-') return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{static_cast<int>(*y)}, std::chrono::month{*mo},
                                          std::chrono::day{*d}};
    if (!ymd.ok()) return std::nullopt;
    const std::int64_t midnight = utc_seconds(static_cast<int>(*y), *mo, *d);
    std::string_view rest = s.substr(10);
    if (rest.empty()) return midnight;
    if (!allow_time || (rest.front() != ' ' && rest.front() != 'T')) return std::nullopt;
    rest.remove_prefix(1);
    if (!rest.empty() && rest.back() == 'Z') rest.remove_suffix(1);
    const auto tod = parse_time_of_day(rest);
    if (!tod) return std::nullopt;
    return midnight + *tod;
}

// Strict: the whole field must be one finite number.
tl::expected<double, std::string> parse_number(std::string_view field, Column column) {
    if (field.empty()) return tl::make_unexpected(fmt::format("field '{}' is empty", column_name(column)));
    double value = 0.0;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (ec != std::errc{} || end != field.data() + field.size())
        return tl::make_unexpected(fmt::format("field '{}' is not a number: '{}'", column_name(column), field));
    if (!std::isfinite(value))
        return tl::make_unexpected(fmt::format("field '{}' is not a finite number: '{}'", column_name(column), field));
    return value;
}

// Prices no market quotes: zero or below, or so large that returns overflow.
constexpr double kMaxPrice = 1e15;
// How far a close may lie outside [Low, High] before it is a data error, as a
// fraction of the bound: rounding in the source may move it a little.
constexpr double kCloseTolerance = 1e-3;

bool is_price(Column c) {
    return c == Column::Open || c == Column::High || c == Column::Low || c == Column::Close || c == Column::AdjClose;
}

// A row a backtest cannot trade: a price out of range or a close outside its bar.
tl::expected<void, std::string> check_prices(const Layout& layout, const std::array<double, kColumnCount>& row,
                                             const std::vector<std::string_view>& fields) {
    for (std::size_t c = 0; c < kColumnCount; ++c) {
        const auto column = static_cast<Column>(c);
        if (!layout.columns[c] || !is_price(column)) continue;
        if (row[c] <= 0.0 || row[c] > kMaxPrice)
            return tl::make_unexpected(fmt::format("field '{}' is not a price (above 0 and at most {:g}): '{}'",
                                                   column_name(column), kMaxPrice, fields[*layout.columns[c]]));
    }
    const auto at = [&](Column c) { return layout.columns[static_cast<std::size_t>(c)]; };
    if (!at(Column::High) || !at(Column::Low)) return {};
    const double close = row[static_cast<std::size_t>(Column::Close)];
    const double high = row[static_cast<std::size_t>(Column::High)], low = row[static_cast<std::size_t>(Column::Low)];
    if (high < low) return tl::make_unexpected(fmt::format("High {} is below Low {}", fields[*at(Column::High)],
                                                           fields[*at(Column::Low)]));
    if (close > high * (1 + kCloseTolerance) || close < low * (1 - kCloseTolerance))
        return tl::make_unexpected(fmt::format("Close {} is outside the bar's Low {} to High {}",
                                               fields[*at(Column::Close)], fields[*at(Column::Low)],
                                               fields[*at(Column::High)]));
    return {};
}

// backtrader minute files name 7 columns but carry 8 fields: an unnamed time after the date.
void adopt_implicit_time(Layout& layout, const std::vector<std::string_view>& first_row) {
    const std::size_t after_date = layout.date + 1;
    if (layout.time || first_row.size() != layout.field_count + 1) return;
    if (!parse_time_of_day(first_row[after_date])) return;
    for (auto& index : layout.columns)
        if (index && *index >= after_date) ++*index;
    layout.time = after_date;
    ++layout.field_count;
}

// Parses one data row and appends it to the columns; returns the problem on failure.
class RowSink {
public:
    RowSink(const Layout& layout, std::size_t expected_rows) {
        timestamps_.reserve(expected_rows);
        for (std::size_t c = 0; c < kColumnCount; ++c)
            if (layout.columns[c]) columns_[c].reserve(expected_rows);
    }

    tl::expected<void, std::string> add(const Layout& layout, const std::vector<std::string_view>& fields) {
        if (fields.size() != layout.field_count)
            return tl::make_unexpected(
                fmt::format("expected {} fields, found {}", layout.field_count, fields.size()));
        auto ts = parse_datetime(fields[layout.date], !layout.time);
        if (!ts)
            return tl::make_unexpected(fmt::format("field 'Date' is not a date (expected YYYY-MM-DD{}): '{}'",
                                                   layout.time ? "" : "[ HH:MM[:SS]]", fields[layout.date]));
        if (layout.time) {
            const auto tod = parse_time_of_day(fields[*layout.time]);
            if (!tod)
                return tl::make_unexpected(fmt::format(
                    "field 'Time' is not a time of day (expected HH:MM[:SS]): '{}'", fields[*layout.time]));
            *ts += *tod;
        }
        if (!timestamps_.empty() && *ts <= timestamps_.back())
            return tl::make_unexpected(fmt::format("timestamp {} is not after the previous row's {}",
                                                   format_timestamp(*ts), format_timestamp(timestamps_.back())));
        std::array<double, kColumnCount> row{};
        for (std::size_t c = 0; c < kColumnCount; ++c) {
            if (!layout.columns[c]) continue;
            auto value = parse_number(fields[*layout.columns[c]], static_cast<Column>(c));
            if (!value) return tl::make_unexpected(std::move(value.error()));
            row[c] = *value;
        }
        if (auto prices = check_prices(layout, row, fields); !prices) return prices;
        timestamps_.push_back(*ts);
        for (std::size_t c = 0; c < kColumnCount; ++c)
            if (layout.columns[c]) columns_[c].push_back(row[c]);
        return {};
    }

    [[nodiscard]] std::size_t size() const noexcept { return timestamps_.size(); }
    Bars finish() && { return Bars::from_vectors(std::move(timestamps_), std::move(columns_)); }

private:
    std::vector<std::int64_t> timestamps_;
    Bars::DoubleColumns columns_;
};

// Splits text into lines (without "\n" or "\r"), counting line numbers from 1.
class Lines {
public:
    explicit Lines(std::string_view text) : rest_(text) {}
    bool next(std::string_view& line) {
        if (rest_.empty()) return false;
        const auto cut = rest_.find('\n');
        line = rest_.substr(0, cut);
        rest_ = cut == std::string_view::npos ? std::string_view{} : rest_.substr(cut + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        ++number_;
        return true;
    }
    [[nodiscard]] std::size_t number() const noexcept { return number_; }

private:
    std::string_view rest_;
    std::size_t number_ = 0;
};

tl::expected<Bars, std::string> parse_text(std::string_view text, const Where& where, char delimiter) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte order mark
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return tl::make_unexpected(where.at(0, "file is empty"));
    Lines lines(text);
    std::string_view line;
    std::vector<std::string_view> fields;
    lines.next(line);
    split(line, delimiter, fields);
    auto layout = parse_header(fields);
    if (!layout) return tl::make_unexpected(where.at(1, layout.error()));

    RowSink sink(*layout, static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')));
    std::size_t first_blank = 0;  // blank lines are fine only at the end of the file
    while (lines.next(line)) {
        if (trim(line).empty()) {
            if (first_blank == 0) first_blank = lines.number();
            continue;
        }
        if (first_blank != 0) return tl::make_unexpected(where.at(first_blank, "empty line"));
        split(line, delimiter, fields);
        if (sink.size() == 0) adopt_implicit_time(*layout, fields);
        if (auto added = sink.add(*layout, fields); !added)
            return tl::make_unexpected(where.at(lines.number(), added.error()));
    }
    if (sink.size() == 0) return tl::make_unexpected(where.at(0, "no data rows after the header"));
    return std::move(sink).finish();
}

}  // namespace

tl::expected<Bars, std::string> load_csv(const std::filesystem::path& path, const CsvOptions& options) {
    return read_whole_file(path).and_then(
        [&](const std::string& text) { return parse_text(text, Where{path.string()}, options.delimiter); });
}

}  // namespace btopt::kit
