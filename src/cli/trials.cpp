#include "trials.hpp"

#include "text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace btopt::cli {

std::optional<std::size_t> RunData::metric_index(const std::string &name) const
{
    const auto found = std::find(metric_names.begin(), metric_names.end(), name);
    if (found == metric_names.end())
        return std::nullopt;
    return static_cast<std::size_t>(found - metric_names.begin());
}

namespace {

Value read_value(const btopt_params *params, std::size_t k)
{
    const char *name = btopt_params_name(params, k);
    switch (btopt_params_kind(params, k)) {
    case BTOPT_PARAM_INT: {
        std::int64_t i = 0;
        btopt_params_get_int(params, name, &i);
        return i;
    }
    case BTOPT_PARAM_FLOAT: {
        double d = 0.0;
        btopt_params_get_double(params, name, &d);
        return d;
    }
    default: {
        const char *text = "";
        btopt_params_get_string(params, name, &text);
        return std::string(text ? text : "");
    }
    }
}

} // namespace

RunData collect(const btopt_result *result)
{
    RunData run;
    std::vector<std::size_t> shown; // the result's index of each of run.metric_names
    for (std::size_t m = 0; m < btopt_result_metric_count(result); ++m)
        if (const std::string name = btopt_result_metric_name(result, m); !name.starts_with("btopt.")) {
            run.metric_names.push_back(name);
            shown.push_back(m);
        }
    const std::uint64_t count = btopt_result_trial_count(result);
    run.trials.reserve(static_cast<std::size_t>(count));
    for (std::uint64_t i = 0; i < count; ++i) {
        TrialRow row;
        const btopt_params *params = nullptr;
        const char *error = nullptr;
        btopt_result_trial(result, i, &params, &row.score, &row.status);
        btopt_result_trial_info(result, i, &row.number, &error, &row.seconds);
        row.error = error ? error : "";
        if (run.param_names.empty())
            for (std::size_t k = 0; k < btopt_params_count(params); ++k)
                run.param_names.emplace_back(btopt_params_name(params, k));
        for (std::size_t k = 0; k < btopt_params_count(params); ++k)
            row.values.push_back(read_value(params, k));
        row.metrics.resize(run.metric_names.size(), std::numeric_limits<double>::quiet_NaN());
        for (std::size_t m = 0; m < run.metric_names.size(); ++m)
            btopt_result_trial_metric(result, i, shown[m], &row.metrics[m]);
        run.trials.push_back(std::move(row));
    }
    if (std::uint64_t best = 0; btopt_result_best_index(result, &best) == BTOPT_OK)
        run.best = static_cast<std::size_t>(best);
    run.evaluated = btopt_result_evaluated_count(result);
    run.reused = btopt_result_reused_count(result);
    run.stopped_on_budget = btopt_result_stopped_on_budget(result) != 0;
    for (std::size_t s = 0; s < run.status_counts.size(); ++s)
        run.status_counts[s] = btopt_result_status_count(result, static_cast<std::int32_t>(s));
    run.wall_seconds = btopt_result_wall_seconds(result);
    run.eval_seconds = btopt_result_eval_seconds(result);
    run.speedup = btopt_result_speedup(result);
    run.workers = btopt_result_workers(result);
    run.selection.struct_size = sizeof run.selection;
    if (btopt_result_selection(result, &run.selection) != BTOPT_OK)
        run.selection = btopt_selection{};
    run.selection_note = btopt_result_selection_note(result);
    for (std::size_t k = 0; run.selection.has_robust && k < run.param_names.size(); ++k) {
        RunData::Sensitivity s{};
        if (btopt_result_sensitivity(result, k, &s.min_score, &s.max_score, &s.points) == BTOPT_OK)
            run.sensitivity.push_back(s);
    }
    return run;
}

std::vector<std::size_t> ranked(const RunData &run, bool minimize)
{
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < run.trials.size(); ++i)
        if (run.trials[i].status == BTOPT_TRIAL_OK)
            order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const double x = run.trials[a].score, y = run.trials[b].score;
        return minimize ? x < y : x > y;
    });
    return order;
}

std::string value_text(const Value &value)
{
    if (const auto *i = std::get_if<std::int64_t>(&value))
        return fmt::format("{}", *i);
    if (const auto *d = std::get_if<double>(&value))
        return fmt::format("{:.6g}", *d); // for people; the results files keep every digit
    return std::get<std::string>(value);
}

double value_number(const Value &value)
{
    if (const auto *i = std::get_if<std::int64_t>(&value))
        return static_cast<double>(*i);
    if (const auto *d = std::get_if<double>(&value))
        return *d;
    return std::numeric_limits<double>::quiet_NaN();
}

} // namespace btopt::cli
