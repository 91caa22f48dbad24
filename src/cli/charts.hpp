// The report's line charts as inline SVG: nothing is fetched when the page
// opens. Colours come from CSS classes (the page's stylesheet), so one chart
// suits a light and a dark page.
#pragma once

#include "trials.hpp"

#include <string>
#include <vector>

namespace btopt::cli {

// Each trial's score in trial order and the best so far ("" without an ok trial).
std::string convergence_svg(const RunData &run, bool minimize);

// The strategy's equity and buy-and-hold, both starting at 1, over the bars.
std::string equity_svg(const std::vector<double> &equity, const std::vector<double> &hold);

} // namespace btopt::cli
