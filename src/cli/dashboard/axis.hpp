// A parameter of a run as the page shows it, and its axis: the cells a
// heatmap or a slice puts the parameter's values in (the grid's values, or
// bins over its range). A trial's cell along each axis is found once, when
// the trial arrives (mirror.cpp), so a redraw counts instead of searching.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace btopt::cli::dashboard {

struct Param {
    std::string name, kind; // int, float, choice
    double lo = 0, hi = 0, step = 0;
    std::vector<std::string> choices;
    // Its grid values (choices: their indexes); empty for a continuous range.
    std::vector<double> grid() const;
    // A value as the user writes it: 5, 0.25, "sma".
    nlohmann::json show(double value) const;
};

// A trial's place on an axis: a cell index, or no_cell for a value off the
// grid (or none, NaN).
using CellIndex = std::uint16_t;
inline constexpr CellIndex no_cell = 0xffff;

struct Axis {
    std::vector<double> values; // grid values, or bin lower edges
    double width = 0;           // > 0: bins
    nlohmann::json labels = nlohmann::json::array();

    std::size_t size() const { return values.size(); }
    bool binned() const { return width > 0; }
    CellIndex cell_of(double v) const;
};

// A grid of at most 60 values gets one cell per value; a longer grid or a
// continuous range gets 40 bins.
Axis axis_of(const Param &param);

} // namespace btopt::cli::dashboard
