// The report's heatmap of the objective over two parameters, as inline SVG.
#pragma once

#include "settings.hpp"
#include "trials.hpp"

#include <string>

namespace btopt::cli {

// The objective over settings.heatmap_x (columns) and heatmap_y (rows): one
// element of class "cell" per grid point of the two parameters, inside
// <svg id="heatmap">, each with a <title> of its values. With more
// parameters a cell holds the best score over the others. A continuous
// parameter, or one of more than 60 values, is cut into 24 equal bins.
// Brighter is better (viridis); colours of empty and failed cells, like the
// rest of the chart's look, come from the page's stylesheet.
std::string heatmap_svg(const RunSettings &settings, const RunData &run);

} // namespace btopt::cli
