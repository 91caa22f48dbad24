#include "summary.hpp"

#include "text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

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

// The Sharpe ratio per return as the plugin's annualised "sharpe" metric gives
// it, from the best trial's ratio of the two; 1 when there is no such metric.
double annual_factor(const RunData &run)
{
    const auto sharpe = run.metric_index("sharpe");
    if (!sharpe || !run.best || !(run.selection.sharpe != 0.0))
        return 1.0;
    const double factor = run.trials[*run.best].metrics[*sharpe] / run.selection.sharpe;
    return std::isfinite(factor) && factor > 0.0 ? factor : 1.0;
}

// Is the best real? The selection-bias statistics of docs/VALIDATION.md.
void print_selection(std::FILE *out, const RunData &run)
{
    const btopt_selection &s = run.selection;
    if (!run.best || (!s.has_sharpe && !s.has_pbo && run.selection_note.empty()))
        return;
    fmt::print(out, "  selection bias (docs/VALIDATION.md)\n");
    if (s.has_sharpe) {
        const double annual = annual_factor(run);
        fmt::print(out, "    deflated Sharpe  {:.3f}  P(true Sharpe > {}, the best {} trials without skill would show)\n",
                   s.dsr, number_text(s.expected_max_sharpe * annual), s.n_trials);
        fmt::print(out, "    probabilistic Sharpe  {:.3f}  P(true Sharpe > 0), over {} returns, skewness {}, kurtosis {}\n",
                   s.psr, s.n_returns, number_text(s.skewness), number_text(s.kurtosis));
    }
    if (s.has_pbo)
        fmt::print(out, "    overfitting probability (PBO)  {:.3f}  {} blocks, {} of {} splits, {} trials\n", s.pbo,
                   s.pbo_blocks, s.pbo_splits, s.pbo_all_splits, s.pbo_strategies);
    if (!run.selection_note.empty())
        fmt::print(out, "    not computed: {}\n", run.selection_note);
    if (s.has_sharpe && s.dsr < 0.95)
        fmt::print(out, "    WARNING: after {} trials the best's Sharpe is not significant (deflated Sharpe {:.2f} < 0.95): "
                        "it may be luck\n", s.n_trials, s.dsr);
    if (s.has_pbo && s.pbo > 0.5)
        fmt::print(out, "    WARNING: the in-sample best is more likely than not below the median out of sample "
                        "(PBO {:.2f})\n", s.pbo);
}

// The best and the most robust point side by side, and how the score varies
// along each parameter through the best.
void print_robustness(std::FILE *out, const RunSettings &settings, const RunData &run)
{
    const btopt_selection &s = run.selection;
    if (!run.best || !s.has_robust || s.robust_index >= run.trials.size())
        return;
    const TrialRow &best = run.trials[*run.best], &robust = run.trials[s.robust_index];
    const bool robust_chosen = s.chosen_index == s.robust_index && s.robust_index != *run.best;
    std::vector<std::vector<std::string>> rows{{"trial", fmt::format("{}", best.number), fmt::format("{}", robust.number)}};
    for (std::size_t k = 0; k < run.param_names.size(); ++k)
        rows.push_back({run.param_names[k], value_text(best.values[k]), value_text(robust.values[k])});
    rows.push_back({settings.objective, number_text(best.score), number_text(robust.score)});
    rows.push_back({fmt::format("worst within {} step{}", s.robust_radius, s.robust_radius == 1 ? "" : "s"),
                    number_text(s.best_neighbourhood), number_text(s.robust_score)});
    fmt::print(out, "\nRobustness: the best and the most robust point (the best worst score over its grid "
                    "neighbours){}\n",
               robust_chosen ? "; --select robust carries the robust one forward" : "");
    print_table(out, {"", "best", "most robust"}, rows);
    if (run.sensitivity.size() != run.param_names.size())
        return;
    std::vector<std::vector<std::string>> table;
    for (std::size_t k = 0; k < run.param_names.size(); ++k) {
        const auto &v = run.sensitivity[k];
        table.push_back({run.param_names[k], number_text(v.min_score), number_text(v.max_score),
                         number_text(v.max_score - v.min_score), fmt::format("{}", v.points)});
    }
    fmt::print(out, "\nSensitivity of {} along each parameter through the best (the others fixed)\n",
               settings.objective);
    print_table(out, {"parameter", "lowest", "highest", "spread", "points"}, table);
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
    print_selection(out, run);
    print_robustness(out, settings, run);
    print_top(out, settings, run);
    const auto &c = run.status_counts;
    // Reused outcomes were not evaluated by this run: said apart, never counted as evaluations.
    const std::string trials = run.reused == 0 ? fmt::format("{} evaluated", run.evaluated)
                                               : fmt::format("{} ({} reused from the study, {} evaluated)", run.evaluated,
                                                             run.reused, run.evaluated - run.reused);
    fmt::print(out, "\nTrials: {}: {} ok, {} failed, {} crashed, {} timed out, {} cancelled{}\n", trials,
               c[BTOPT_TRIAL_OK], c[BTOPT_TRIAL_FAILED], c[BTOPT_TRIAL_CRASHED], c[BTOPT_TRIAL_TIMEOUT],
               c[BTOPT_TRIAL_CANCELLED],
               settings.options.require.empty() ? std::string()
                                                : fmt::format(", {} infeasible (--require {})",
                                                              c[BTOPT_TRIAL_INFEASIBLE], settings.options.require));
    if (run.stopped_on_budget)
        fmt::print(out, "Stopped on the budget: --max-seconds {} ran out; the {} cancelled trials were not evaluated\n",
                   settings.options.max_seconds.value_or(0.0), c[BTOPT_TRIAL_CANCELLED]);
    if (run.evaluated > 0 && run.evaluated == run.reused)
        fmt::print(out, "Time: wall {}, no evaluation: every trial came from the study\n", duration_text(run.wall_seconds));
    else
        fmt::print(out, "Time: wall {}, evaluations {}, speedup {:.2f}x on {} worker{}, parallel efficiency {:.0f}%\n",
                   duration_text(run.wall_seconds), duration_text(run.eval_seconds), run.speedup, run.workers,
                   run.workers == 1 ? "" : "s", run.efficiency() * 100);
    std::fflush(out);
}

} // namespace btopt::cli
