#include "summary.hpp"

#include "text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace btopt::cli {

namespace {

// A table of right-aligned columns under a header, two spaces apart.
void print_table(std::FILE *out, const std::vector<std::string> &header,
                 const std::vector<std::vector<std::string>> &rows)
{
    std::vector<std::size_t> widths(header.size());
    for (std::size_t c = 0; c < header.size(); ++c) {
        widths[c] = header[c].size();
        for (const auto &row : rows)
            widths[c] = std::max(widths[c], row[c].size());
    }
    const auto line = [&](const std::vector<std::string> &cells) {
        std::string text = " ";
        for (std::size_t c = 0; c < cells.size(); ++c)
            text += fmt::format(" {:>{}}", cells[c], widths[c] + 1);
        fmt::print(out, "{}\n", text);
    };
    line(header);
    for (const auto &row : rows)
        line(row);
}

void print_best(std::FILE *out, const RunSettings &settings, const RunData &run)
{
    if (!run.best) {
        fmt::print(out, "No trial succeeded: there is no best.\n");
        return;
    }
    const TrialRow &best = run.trials[*run.best];
    fmt::print(out, "Best: trial {}, {} = {}\n", best.number, settings.objective, number_text(best.score));
    std::size_t width = 0;
    for (const std::string &name : run.param_names)
        width = std::max(width, name.size());
    for (const std::string &name : run.metric_names)
        width = std::max(width, name.size());
    fmt::print(out, "  parameters\n");
    for (std::size_t k = 0; k < run.param_names.size(); ++k)
        fmt::print(out, "    {:<{}}  {}\n", run.param_names[k], width, value_text(best.values[k]));
    fmt::print(out, "  metrics\n");
    for (std::size_t m = 0; m < run.metric_names.size(); ++m)
        fmt::print(out, "    {:<{}}  {}\n", run.metric_names[m], width, number_text(best.metrics[m]));
}

void print_top(std::FILE *out, const RunSettings &settings, const RunData &run)
{
    const std::vector<std::size_t> order = ranked(run, settings.options.minimize);
    if (order.empty())
        return;
    const std::size_t shown = std::min(order.size(), static_cast<std::size_t>(std::max<std::int64_t>(settings.options.top, 0)));
    if (shown == 0)
        return;
    // The objective first, then the other metrics in the plugin's order.
    const std::optional<std::size_t> objective = run.metric_index(settings.objective);
    std::vector<std::string> header{"rank", "trial"};
    header.insert(header.end(), run.param_names.begin(), run.param_names.end());
    header.push_back(settings.objective);
    for (std::size_t m = 0; m < run.metric_names.size(); ++m)
        if (m != objective)
            header.push_back(run.metric_names[m]);
    std::vector<std::vector<std::string>> rows;
    for (std::size_t r = 0; r < shown; ++r) {
        const TrialRow &t = run.trials[order[r]];
        std::vector<std::string> row{fmt::format("{}", r + 1), fmt::format("{}", t.number)};
        for (const Value &v : t.values)
            row.push_back(value_text(v));
        row.push_back(number_text(t.score));
        for (std::size_t m = 0; m < run.metric_names.size(); ++m)
            if (m != objective)
                row.push_back(number_text(t.metrics[m]));
        rows.push_back(std::move(row));
    }
    fmt::print(out, "\nTop {} of {} successful trials by {} ({})\n", shown, order.size(), settings.objective,
               settings.options.minimize ? "lowest first" : "highest first");
    print_table(out, header, rows);
}

} // namespace

void print_summary(std::FILE *out, const RunSettings &settings, const RunData &run)
{
    const RunOptions &o = settings.options;
    fmt::print(out, "\n{} {} · {} search · {} backend · {} {}{}\nData: {}\n\n", settings.plugin_name,
               settings.plugin_version, o.algorithm, o.backend, o.minimize ? "minimize" : "maximize",
               settings.objective, settings.cancelled ? " · CANCELLED: partial results" : "", settings.data_label());
    print_best(out, settings, run);
    print_top(out, settings, run);
    const auto &c = run.status_counts;
    fmt::print(out, "\nTrials: {} evaluated: {} ok, {} failed, {} crashed, {} timed out, {} cancelled\n", run.evaluated,
               c[BTOPT_TRIAL_OK], c[BTOPT_TRIAL_FAILED], c[BTOPT_TRIAL_CRASHED], c[BTOPT_TRIAL_TIMEOUT],
               c[BTOPT_TRIAL_CANCELLED]);
    fmt::print(out, "Time: wall {}, evaluations {}, speedup {:.2f}x on {} worker{}, parallel efficiency {:.0f}%\n",
               duration_text(run.wall_seconds), duration_text(run.eval_seconds), run.speedup, run.workers,
               run.workers == 1 ? "" : "s", run.efficiency() * 100);
    std::fflush(out);
}

} // namespace btopt::cli
