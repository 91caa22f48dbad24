// The dashboard's JSON answers about one run of a study, computed on the
// server: summaries, the aggregated heatmap, pages of the table. The page
// never receives every trial, so a study of a million trials stays quick.
#pragma once

#include "dashboard/mirror.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace btopt::cli::dashboard {

// A request the user can fix (a filter that does not parse, an unknown
// parameter): its message is shown in the page.
struct BadQuery : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Counts, rate, ETA, the best trial so far. `now`: seconds since the epoch.
nlohmann::json summary(const Run &run, double now);
// Trials with a number above `since`, at most `limit`, oldest first.
nlohmann::json trials_since(const Run &run, std::int64_t since, std::size_t limit);
// The best score after each trial that improved it, and up to 2,000 scores.
nlohmann::json convergence(const Run &run);
// One cell per pair of values of x and y (grid values; binned when
// continuous or over 60 values): the best trial's value of `metric` ("score"
// or a metric) and the cell's state (ok, failed, cancelled, none).
nlohmann::json heatmap(const Run &run, const std::string &x, const std::string &y, const std::string &metric);
// Per parameter, per value (or bin, as the heatmap's axes): the best trial's
// value of `metric` and how many trials ended ok or not.
nlohmann::json slices(const Run &run, const std::string &metric);
// The best `limit` successful trials (at most 2,000) by the objective, for
// parallel coordinates: their parameters and score.
nlohmann::json best_trials(const Run &run, std::size_t limit);
struct TableQuery {
    std::string filter, sort = "number";
    bool descending = false;
    std::size_t offset = 0, limit = 50;
};
// The trials that meet the filter (e.g. "max_drawdown < 0.2 && trades >= 30",
// parsed by muparser: nothing the user types runs as code), sorted, one page.
nlohmann::json table(const Run &run, const TableQuery &q);
// Trial `number`, or a BadQuery when the run has no such trial (yet).
nlohmann::json trial_detail(const Run &run, std::int64_t number);
// The run's provenance and the command that reproduces it.
nlohmann::json provenance(const Run &run);

// A trial as the page shows it: parameters and metrics by name.
nlohmann::json trial_json(const Run &run, std::size_t i);

} // namespace btopt::cli::dashboard
