// The report's charts as inline SVG: nothing is fetched when the page opens.
// Colours come from CSS classes (the page's stylesheet), so one chart suits
// a light and a dark page.
#pragma once

#include "settings.hpp"
#include "trials.hpp"

#include <string>
#include <vector>

namespace btopt::cli {

// The objective over settings.heatmap_x (columns) and heatmap_y (rows): one
// element of class "cell" per grid point of the two parameters, inside
// <svg id="heatmap">, each with a <title> of its values. With more
// parameters a cell holds the best score over the others. A continuous
// parameter, or one of more than 60 values, is cut into equal bins.
std::string heatmap_svg(const RunSettings &settings, const RunData &run);

// Each trial's score in trial order and the best so far.
std::string convergence_svg(const RunData &run, bool minimize);

// The strategy's equity and buy-and-hold, both starting at 1, over the bars.
std::string equity_svg(const std::vector<double> &equity, const std::vector<double> &hold);

} // namespace btopt::cli
