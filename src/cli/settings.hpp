// What `btopt run` was asked to do, after parsing and after the plugin
// described itself: what the summary and the report show about the run.
#pragma once

#include "params.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace btopt::cli {

// The algorithms `--algorithm` takes, as btopt_optimizer_create names them.
inline const std::vector<std::string> algorithms{"grid", "random", "genetic", "bayesian", "cmaes", "gp"};

// The flags of `btopt run`, as given.
struct RunOptions {
    std::string plugin;
    std::optional<std::string> data; // given, possibly empty (an unset shell variable): refused
    std::vector<std::string> sets, params, constraints;
    std::string algorithm = "grid";
    std::int64_t jobs = -1;
    bool force = false; // --jobs above 4 x the CPUs
    std::optional<std::int64_t> iterations, seed, population, generations, batch_q, patience, batch_size;
    std::string objective;
    bool minimize = false;
    std::string backend = "process";
    std::optional<double> timeout;
    std::optional<double> max_seconds; // --max-seconds: the run's wall-clock budget
    std::string max_memory;
    bool ignore_errors = false;
    std::string require; // --require: a condition over a trial's metrics
    std::string json, csv, report, heatmap;
    std::int64_t top = 10;
    bool quiet = false;
    std::string study, study_mode; // --study FILE, --study-mode resume|new
    bool dashboard = false;        // --dashboard: serve the study while the run writes it
    bool study_temporary = false;  // the study is the run's own, for --report, removed after
    std::optional<std::int64_t> keep; // --keep N: trials kept in memory
    std::optional<std::int64_t> pbo_blocks; // --pbo-blocks S
    std::optional<std::int64_t> robust_radius; // --robust-radius K
    std::string select; // --select best|robust; empty: the library's default
    std::string start, end;           // --start, --end: the bars the run trades
};

// The windows of `btopt walkforward`: lengths in bars or periods (2y, 6m, 30d).
struct WalkForwardOptions {
    std::string train, test, step, validation;
    bool anchored = false;
};

// The run as it was set up: the options plus what the plugin said.
struct RunSettings {
    RunOptions options;
    std::string plugin_name, plugin_version, plugin_description, plugin_path;
    std::string objective; // the metric that is the score
    std::vector<std::pair<std::string, std::string>> config; // --data and --set, in order
    std::vector<ParamSpec> params;                            // the searched space
    std::vector<std::string> constraints;                     // the plugin's and the user's
    std::string heatmap_x, heatmap_y;                          // empty y: one parameter
    bool cancelled = false;

    // What the run reads: the 'data' config (from --data or --set data=), or
    // the plugin's own series.
    std::string data_label() const
    {
        for (const auto &[key, value] : config)
            if (key == "data")
                return value;
        return "synthetic (the plugin's default)";
    }
};

} // namespace btopt::cli
