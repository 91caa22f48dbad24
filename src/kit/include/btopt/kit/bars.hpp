// Price bars as columns, and the CSV reader that fills them.
//
// A Bars value is a cheap, immutable, shareable view: copies share the same
// storage, which is either vectors owned by the Bars (after parsing a CSV or
// generating synthetic data) or a read-only memory mapping of a column cache
// (see cache.hpp). Either way the columns are contiguous arrays, so strategies
// take them as std::span without copying.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <tl/expected.hpp>

namespace btopt::kit {

// The price and size columns a bar file may carry. Timestamps are separate
// (they are int64, not double) and always present.
enum class Column : std::uint8_t { Open, High, Low, Close, AdjClose, Volume, OpenInterest };
inline constexpr std::size_t kColumnCount = 7;

// Human name of a column, as used in error messages: "Open", "Adj Close", ...
[[nodiscard]] const char* column_name(Column column) noexcept;

// Which close a strategy trades on.
enum class PriceField : std::uint8_t { Close, AdjClose };

class Bars {
public:
    using DoubleColumns = std::array<std::vector<double>, kColumnCount>;
    using ColumnViews = std::array<std::span<const double>, kColumnCount>;

    // An empty set of bars (size() == 0, every column absent).
    Bars() = default;

    // Takes ownership. `columns[i]` is either empty (column absent) or has
    // exactly timestamps.size() values; Close must be present when there is
    // at least one bar. Violations are programming errors (contract check).
    static Bars from_vectors(std::vector<std::int64_t> timestamps, DoubleColumns columns);

    // Views memory owned by someone else; `keeper` keeps it alive for as long
    // as any copy of the returned Bars exists (e.g. a memory mapping).
    static Bars view(std::shared_ptr<const void> keeper, std::span<const std::int64_t> timestamps,
                     ColumnViews columns);

    [[nodiscard]] std::size_t size() const noexcept { return timestamps_.size(); }
    [[nodiscard]] bool empty() const noexcept { return timestamps_.empty(); }
    // True when the column was in the source (an absent column is an empty span).
    [[nodiscard]] bool has(Column column) const noexcept;

    // Seconds since 1970-01-01 00:00:00 UTC. Times without a zone are taken as UTC.
    [[nodiscard]] std::span<const std::int64_t> timestamps() const noexcept { return timestamps_; }
    [[nodiscard]] std::span<const double> column(Column column) const noexcept;
    [[nodiscard]] std::span<const double> open() const noexcept { return column(Column::Open); }
    [[nodiscard]] std::span<const double> high() const noexcept { return column(Column::High); }
    [[nodiscard]] std::span<const double> low() const noexcept { return column(Column::Low); }
    [[nodiscard]] std::span<const double> close() const noexcept { return column(Column::Close); }
    [[nodiscard]] std::span<const double> adj_close() const noexcept { return column(Column::AdjClose); }
    [[nodiscard]] std::span<const double> volume() const noexcept { return column(Column::Volume); }
    [[nodiscard]] std::span<const double> open_interest() const noexcept {
        return column(Column::OpenInterest);
    }

    // The close column a strategy should use. PriceField::AdjClose on a file
    // without an adjusted close gives an empty span (check has(Column::AdjClose));
    // it does not fall back to Close, so a wrong choice cannot pass unnoticed.
    [[nodiscard]] std::span<const double> closes(PriceField field) const noexcept;

private:
    std::shared_ptr<const void> keeper_;
    std::span<const std::int64_t> timestamps_;
    ColumnViews columns_{};
};

// Seconds since the epoch for a UTC civil time; the fields must be valid.
[[nodiscard]] std::int64_t utc_seconds(int year, unsigned month, unsigned day, unsigned hour = 0,
                                       unsigned minute = 0, unsigned second = 0);
// "YYYY-MM-DD HH:MM:SS" (UTC) for a timestamp, for reports and messages.
[[nodiscard]] std::string format_timestamp(std::int64_t seconds);

struct CsvOptions {
    char delimiter = ',';
};

// Reads a bar file with a header row. Accepted layout:
//  - the date is in a column named Date, Datetime or Time (any case), or in an
//    unnamed first column; it is `YYYY-MM-DD`, optionally followed by ` ` or `T`
//    and `HH:MM[:SS]` (an optional trailing `Z` is accepted; other zones are not);
//  - the time of day may instead be in its own column named Time (HH:MM[:SS]).
//    A file whose rows have one field more than the header, with a time of day
//    right after the date (backtrader's "Date,Open,..." minute files), is read
//    as having that unnamed Time column;
//  - Close is required; Open, High, Low, Adj Close (also AdjClose, Adj_Close),
//    Volume and OpenInterest (also Open Interest, Open_Interest) are optional.
//    Names match ignoring case, spaces and underscores; other columns are ignored.
// Numbers are parsed with std::from_chars and must be finite.
// CRLF line ends, a UTF-8 byte order mark and trailing blank lines are accepted.
// Every other problem is an error, never a skipped row; the message names the
// file, the line and the problem, e.g.
//   "GOOG.csv:17: field 'Close' is not a number: 'abc'"
// Errors: cannot read the file, empty file, no data rows, missing date or Close
// column, duplicate column, wrong field count, bad date, non-numeric or
// non-finite field, timestamps not strictly increasing, High below Low.
[[nodiscard]] tl::expected<Bars, std::string> load_csv(const std::filesystem::path& path,
                                                       const CsvOptions& options = {});

}  // namespace btopt::kit
