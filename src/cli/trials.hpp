// A run's result copied out of the C ABI into plain values, for the summary
// and the report, with the ranking both use.
#pragma once

#include <btopt/btopt.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace btopt::cli {

using Value = std::variant<std::int64_t, double, std::string>;

struct TrialRow {
    std::uint64_t number = 0;
    std::vector<Value> values; // in the order of RunData::param_names
    double score = 0.0;        // NaN unless ok
    std::int32_t status = BTOPT_TRIAL_OK;
    std::string error;
    double seconds = 0.0;
    std::vector<double> metrics; // in the order of RunData::metric_names
};

struct RunData {
    std::vector<std::string> param_names;
    std::vector<std::string> metric_names; // without the "btopt." ones, which are for the statistics only
    std::vector<TrialRow> trials;
    std::optional<std::size_t> best; // index into trials
    std::uint64_t evaluated = 0; // reused ones too
    std::uint64_t reused = 0;    // outcomes a study supplied instead of an evaluation
    bool stopped_on_budget = false; // --max-seconds ended the run
    std::array<std::uint64_t, BTOPT_TRIAL_INFEASIBLE + 1> status_counts{}; // by btopt_trial_status
    double wall_seconds = 0.0, eval_seconds = 0.0, speedup = 0.0;
    std::uint32_t workers = 1;
    btopt_selection selection{}; // docs/VALIDATION.md
    std::string selection_note;
    struct Sensitivity {
        double min_score, max_score;
        std::uint64_t points;
    };
    std::vector<Sensitivity> sensitivity; // by parameter, with selection.has_robust

    double efficiency() const { return workers > 0 ? speedup / workers : 0.0; }
    // Trials that ran to an end of their own: ok, failed, crashed, timed out or infeasible.
    std::uint64_t finished() const
    {
        return status_counts[BTOPT_TRIAL_OK] + status_counts[BTOPT_TRIAL_FAILED] + status_counts[BTOPT_TRIAL_CRASHED] +
               status_counts[BTOPT_TRIAL_TIMEOUT] + status_counts[BTOPT_TRIAL_INFEASIBLE];
    }
    std::optional<std::size_t> metric_index(const std::string &name) const;
};

RunData collect(const btopt_result *result);

// Indices of the ok trials, best first (ties: the lower trial number).
std::vector<std::size_t> ranked(const RunData &run, bool minimize);

std::string value_text(const Value &value);
// Numeric value of a parameter (a choice's text has none: NaN).
double value_number(const Value &value);

} // namespace btopt::cli
