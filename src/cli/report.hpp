// The HTML report of a run: one self-contained file (inline CSS and SVG, no
// script, nothing fetched) with the settings and summary, a heatmap of the
// objective, the convergence of random and genetic runs, the equity curve of
// the best parameters against buy-and-hold, and the top trials.
#pragma once

#include "settings.hpp"
#include "trials.hpp"

#include <string>
#include <vector>

namespace btopt::cli {

// The best parameters' equity and buy-and-hold, or why there is none.
struct EquityCurves {
    std::vector<double> equity, buy_and_hold;
    std::string missing; // non-empty: why the chart is left out
};

// The page as text.
std::string render_report(const RunSettings &settings, const RunData &run, const EquityCurves &curves);

} // namespace btopt::cli
