#include "btopt/kit/bars.hpp"

#include <chrono>
#include <utility>

#include <fmt/format.h>
#include <gsl/assert>

namespace btopt::kit {

const char* column_name(Column column) noexcept {
    switch (column) {
    case Column::Open: return "Open";
    case Column::High: return "High";
    case Column::Low: return "Low";
    case Column::Close: return "Close";
    case Column::AdjClose: return "Adj Close";
    case Column::Volume: return "Volume";
    case Column::OpenInterest: return "OpenInterest";
    }
    return "?";
}

namespace {
struct OwnedColumns {
    std::vector<std::int64_t> timestamps;
    Bars::DoubleColumns columns;
};
}  // namespace

Bars Bars::from_vectors(std::vector<std::int64_t> timestamps, DoubleColumns columns) {
    const std::size_t n = timestamps.size();
    for (const auto& col : columns) Expects(col.empty() || col.size() == n);
    Expects(n == 0 || !columns[static_cast<std::size_t>(Column::Close)].empty());

    auto owned = std::make_shared<OwnedColumns>(OwnedColumns{std::move(timestamps), std::move(columns)});
    ColumnViews views{};
    for (std::size_t i = 0; i < kColumnCount; ++i) views[i] = owned->columns[i];
    // Spans taken after the move into `owned`, so they point at the final storage.
    std::span<const std::int64_t> ts = owned->timestamps;
    return view(std::move(owned), ts, views);
}

Bars Bars::view(std::shared_ptr<const void> keeper, std::span<const std::int64_t> timestamps,
                ColumnViews columns) {
    for (const auto& col : columns) Expects(col.empty() || col.size() == timestamps.size());
    Bars bars;
    bars.keeper_ = std::move(keeper);
    bars.timestamps_ = timestamps;
    bars.columns_ = columns;
    return bars;
}

bool Bars::has(Column column) const noexcept {
    return !columns_[static_cast<std::size_t>(column)].empty();
}

std::span<const double> Bars::column(Column column) const noexcept {
    return columns_[static_cast<std::size_t>(column)];
}

std::span<const double> Bars::closes(PriceField field) const noexcept {
    return column(field == PriceField::AdjClose ? Column::AdjClose : Column::Close);
}

std::int64_t utc_seconds(int year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                         unsigned second) {
    using namespace std::chrono;
    const year_month_day ymd{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}};
    Expects(ymd.ok() && hour < 24 && minute < 60 && second < 60);
    const auto days = sys_days{ymd}.time_since_epoch().count();
    return std::int64_t{days} * 86400 + std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 +
           std::int64_t{second};
}

std::string format_timestamp(std::int64_t seconds) {
    using namespace std::chrono;
    // Floor division so times before 1970 land on the right day.
    std::int64_t days = seconds / 86400;
    std::int64_t rest = seconds % 86400;
    if (rest < 0) {
        rest += 86400;
        --days;
    }
    const year_month_day ymd{sys_days{std::chrono::days{days}}};
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                       rest / 3600, rest / 60 % 60, rest % 60);
}

}  // namespace btopt::kit
