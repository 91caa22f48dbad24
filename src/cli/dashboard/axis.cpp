#include "dashboard/axis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace btopt::cli::dashboard {
namespace {

constexpr std::size_t most_axis_cells = 60; // more values than this are binned
constexpr std::size_t binned_cells = 40;    // below no_cell

} // namespace

std::vector<double> Param::grid() const
{
    std::vector<double> values;
    if (kind == "choice") {
        for (std::size_t i = 0; i < choices.size(); ++i)
            values.push_back(static_cast<double>(i));
    } else if (step > 0) {
        const auto n = static_cast<std::size_t>(std::floor((hi - lo) / step + 1e-9)) + 1;
        for (std::size_t i = 0; i < n; ++i)
            values.push_back(lo + static_cast<double>(i) * step);
    }
    return values;
}

nlohmann::json Param::show(double value) const
{
    if (std::isnan(value))
        return nullptr;
    if (kind == "choice")
        return value >= 0 && value < static_cast<double>(choices.size())
                   ? nlohmann::json(choices[static_cast<std::size_t>(value)])
                   : nlohmann::json(nullptr);
    if (kind == "int")
        return static_cast<std::int64_t>(value);
    return value;
}

CellIndex Axis::cell_of(double v) const
{
    if (std::isnan(v) || values.empty())
        return no_cell;
    if (binned()) {
        const auto i = static_cast<std::ptrdiff_t>(std::floor((v - values.front()) / width));
        return static_cast<CellIndex>(std::clamp<std::ptrdiff_t>(i, 0, static_cast<std::ptrdiff_t>(values.size()) - 1));
    }
    const double tolerance = 1e-9 * std::max(1.0, std::abs(v));
    const auto it = std::lower_bound(values.begin(), values.end(), v - tolerance);
    if (it == values.end() || std::abs(*it - v) > tolerance)
        return no_cell;
    return static_cast<CellIndex>(it - values.begin());
}

Axis axis_of(const Param &param)
{
    Axis axis{param.grid()};
    if (axis.values.empty() || axis.values.size() > most_axis_cells) {
        axis.values.clear();
        axis.width = (param.hi - param.lo) / static_cast<double>(binned_cells);
        for (std::size_t i = 0; i < binned_cells; ++i)
            axis.values.push_back(param.lo + static_cast<double>(i) * axis.width);
        for (double lo : axis.values)
            axis.labels.push_back(param.kind == "int"
                                      ? fmt::format("{:.0f}–{:.0f}", std::ceil(lo), std::ceil(lo + axis.width) - 1)
                                      : fmt::format("{:.4g}–{:.4g}", lo, lo + axis.width));
    } else {
        // 10 significant digits: -0.4 for the grid's -0.3999999999999999 (lo + 4 × step).
        for (double v : axis.values)
            axis.labels.push_back(param.kind == "choice" ? param.show(v).get<std::string>() : fmt::format("{:.10g}", v));
    }
    return axis;
}

} // namespace btopt::cli::dashboard
