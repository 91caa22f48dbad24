// The HTML report: the dashboard's page, frozen. One self-contained file
// (page, script, style and ECharts inlined) holding the API's answers for one
// run of a study and its trials, so it opens from file:// with no network and
// draws with the same code as the live dashboard (dashboard.js reads the
// embedded answers instead of asking the server).
#pragma once

#include "dashboard/mirror.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace btopt::cli::dashboard {

// What the report carries beyond the study: the selection-bias statistics.
// (It computes the best trial's equity curve itself, as the dashboard does.)
struct ReportExtras {
    nlohmann::json selection; // null: none
    std::string heatmap_x, heatmap_y; // the heatmap shown first (empty: the first two parameters)
};

// The page for `run` of the study at `study_path`.
std::string frozen_page(const Run &run, const std::string &study_path, const ReportExtras &extras);

} // namespace btopt::cli::dashboard
