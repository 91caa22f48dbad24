#include "report.hpp"

#include "charts.hpp"
#include "heatmap.hpp"
#include "report_style.hpp"
#include "text.hpp"

#include <btopt/btopt.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace btopt::cli {

namespace {

constexpr std::size_t max_listed_failures = 20;

std::string esc(const std::string &text) { return html_escape(text); }

std::string kpi(const std::string &label, const std::string &value, const std::string &sub, bool accent = false)
{
    return fmt::format(R"(<div class="kpi{}"><div class="label">{}</div><div class="value">{}</div>)"
                       R"(<div class="sub">{}</div></div>)",
                       accent ? " accent" : "", esc(label), esc(value), esc(sub));
}

std::string hero(const RunSettings &s, const RunData &run)
{
    const RunOptions &o = s.options;
    std::string pills = fmt::format(R"(<span class="pill"><b>{}</b> search</span>)", esc(o.algorithm));
    pills += fmt::format(R"(<span class="pill"><b>{}</b> {}</span>)", o.minimize ? "minimize" : "maximize", esc(s.objective));
    pills += fmt::format(R"(<span class="pill"><b>{}</b> backend · {} worker{}</span>)", esc(o.backend), run.workers,
                         run.workers == 1 ? "" : "s");
    pills += fmt::format(R"(<span class="pill">data: <b>{}</b></span>)",
                         esc(s.data_label()));
    if (s.cancelled)
        pills += R"(<span class="pill warn">cancelled: partial results</span>)";
    return fmt::format(R"(<header class="hero"><p class="eyebrow">btopt optimisation report</p>)"
                       R"(<h1>{}<span class="version">{}</span></h1><p class="description">{}</p>)"
                       R"(<div class="pills">{}</div></header>)",
                       esc(s.plugin_name), esc(s.plugin_version), esc(s.plugin_description), pills);
}

std::string kpis(const RunSettings &s, const RunData &run)
{
    const auto &c = run.status_counts;
    const std::uint64_t not_ok = run.finished() - c[BTOPT_TRIAL_OK];
    std::string out = R"(<section class="kpis">)";
    out += kpi("best " + s.objective, run.best ? number_text(run.trials[*run.best].score) : "-",
               run.best ? fmt::format("trial {}", run.trials[*run.best].number) : "no trial succeeded", true);
    out += kpi("trials", fmt::format("{}", run.evaluated),
               fmt::format("{} ok · {} not ok{}", c[BTOPT_TRIAL_OK], not_ok,
                           c[BTOPT_TRIAL_CANCELLED] ? fmt::format(" · {} cancelled", c[BTOPT_TRIAL_CANCELLED]) : ""));
    out += kpi("wall time", duration_text(run.wall_seconds),
               fmt::format("{} of evaluations", duration_text(run.eval_seconds)));
    out += kpi("speedup", fmt::format("{:.2f}×", run.speedup),
               fmt::format("{:.0f}% efficiency on {} worker{}", run.efficiency() * 100, run.workers,
                           run.workers == 1 ? "" : "s"));
    const double rate = run.wall_seconds > 0 ? static_cast<double>(run.evaluated) / run.wall_seconds : 0.0;
    out += kpi("throughput", fmt::format("{:.1f}/s", rate), "evaluations per second");
    return out + "</section>";
}

std::string best_card(const RunSettings &s, const RunData &run)
{
    std::string out = R"(<section class="card"><h2>Best parameters</h2>)";
    if (!run.best)
        return out + R"(<p class="note">No trial succeeded, so there is no best.</p></section>)";
    const TrialRow &best = run.trials[*run.best];
    out += fmt::format(R"(<p class="lead">Trial {} · every metric it reported</p><div class="chips">)", best.number);
    for (std::size_t k = 0; k < run.param_names.size(); ++k)
        out += fmt::format(R"(<div class="chip"><div class="name">{}</div><div class="val">{}</div></div>)",
                           esc(run.param_names[k]), esc(value_text(best.values[k])));
    out += R"(</div><table><tbody>)";
    for (std::size_t m = 0; m < run.metric_names.size(); ++m)
        out += fmt::format(R"(<tr{}><td class="left">{}</td><td>{}</td></tr>)",
                           run.metric_names[m] == s.objective ? R"( class="best")" : "", esc(run.metric_names[m]),
                           number_text(best.metrics[m]));
    return out + "</tbody></table></section>";
}

std::string settings_card(const RunSettings &s)
{
    const RunOptions &o = s.options;
    std::vector<std::pair<std::string, std::string>> rows;
    rows.emplace_back("plugin", fmt::format("<code>{}</code>", esc(s.plugin_path)));
    for (const ParamSpec &p : s.params)
        rows.emplace_back(p.name, fmt::format("{} <span style=\"color:var(--faint)\">({})</span>", esc(p.range_text()),
                                              p.kind == BTOPT_PARAM_INT     ? "integer"
                                              : p.kind == BTOPT_PARAM_FLOAT ? "float"
                                                                            : "choice"));
    if (!s.constraints.empty()) {
        std::vector<std::string> items;
        for (const std::string &c : s.constraints)
            items.push_back(fmt::format("<code>{}</code>", esc(c)));
        rows.emplace_back("constraints", join(items, " "));
    }
    if (!s.config.empty()) {
        std::vector<std::string> items;
        for (const auto &[key, value] : s.config)
            items.push_back(fmt::format("<code>{}={}</code>", esc(key), esc(value)));
        rows.emplace_back("plugin config", join(items, " "));
    }
    std::vector<std::string> search{fmt::format("n_jobs {}", o.jobs)};
    if (o.seed)
        search.push_back(fmt::format("seed {}", *o.seed));
    if (o.iterations)
        search.push_back(fmt::format("{} iterations", *o.iterations));
    if (o.population)
        search.push_back(fmt::format("population {}", *o.population));
    if (o.generations)
        search.push_back(fmt::format("{} generations", *o.generations));
    if (o.batch_size)
        search.push_back(fmt::format("batch size {}", *o.batch_size));
    if (o.timeout)
        search.push_back(fmt::format("timeout {} s", *o.timeout));
    if (!o.max_memory.empty())
        search.push_back(fmt::format("max memory {}", esc(o.max_memory)));
    if (o.ignore_errors)
        search.push_back("ignore errors");
    rows.emplace_back("run", join(search, " · "));
    std::string out = R"(<section class="card"><h2>Settings</h2><p class="lead">What was searched, and how</p>)"
                      R"(<dl class="settings">)";
    for (const auto &[key, value] : rows)
        out += fmt::format("<dt>{}</dt><dd>{}</dd>", esc(key), value);
    return out + "</dl></section>";
}

std::string heatmap_card(const RunSettings &s, const RunData &run)
{
    std::vector<std::string> others;
    for (const ParamSpec &p : s.params)
        if (p.name != s.heatmap_x && p.name != s.heatmap_y)
            others.push_back(p.name);
    const std::string over = s.heatmap_y.empty() ? esc(s.heatmap_x) : esc(s.heatmap_x) + " × " + esc(s.heatmap_y);
    std::string lead = "One cell per value";
    lead += s.heatmap_y.empty() ? "" : " pair";
    lead += others.empty() ? "" : fmt::format("; each shows the best over {}", esc(join(others, ", ")));
    lead += ". Hover a cell for its values; the outlined cell holds the best trial.";
    return fmt::format(R"(<section class="card"><h2>{} over {}</h2><p class="lead">{}</p>{}</section>)",
                       esc(s.objective), over, lead, heatmap_svg(s, run));
}

std::string convergence_card(const RunSettings &s, const RunData &run)
{
    const std::string svg = convergence_svg(run, s.options.minimize);
    if (svg.empty())
        return {};
    return fmt::format(R"(<section class="card"><h2>Convergence</h2><p class="lead">{} of each trial in the order )"
                       R"({} search proposed them, and the best so far</p><div class="legend"><span class="best">best )"
                       R"(so far</span><span class="dots">one trial</span></div>{}</section>)",
                       esc(s.objective), esc(s.options.algorithm), svg);
}

std::string growth_text(double final_value)
{
    return fmt::format("×{:.2f} ({:+.1f}%)", final_value, (final_value - 1) * 100);
}

std::string equity_card(const EquityCurves &curves)
{
    std::string out = R"(<section class="card"><h2>Equity of the best parameters</h2>)";
    const std::string svg = curves.missing.empty() ? equity_svg(curves.equity, curves.buy_and_hold) : std::string();
    if (svg.empty())
        return out + fmt::format(R"(<p class="note">No equity chart: {}</p></section>)",
                                 esc(curves.missing.empty() ? "the plugin gave an empty series" : curves.missing));
    out += fmt::format(R"(<p class="lead">Growth of 1 invested over {} bars, against buying and holding the same bars</p>)"
                       R"(<div class="legend"><span class="strategy">best parameters <b>{}</b></span>)"
                       R"(<span class="hold">buy and hold <b>{}</b></span></div>)",
                       curves.equity.size(), growth_text(curves.equity.back()), growth_text(curves.buy_and_hold.back()));
    return out + svg + "</section>";
}

std::string top_card(const RunSettings &s, const RunData &run)
{
    const std::vector<std::size_t> order = ranked(run, s.options.minimize);
    if (order.empty())
        return {};
    const std::size_t shown = std::min<std::size_t>(order.size(), static_cast<std::size_t>(std::max<std::int64_t>(s.options.top, 1)));
    const std::optional<std::size_t> objective = run.metric_index(s.objective);
    std::string out = fmt::format(R"(<section class="card"><h2>Top {} trials</h2><p class="lead">Of {} successful, )"
                                  R"(by {} ({} first)</p><div class="scroll"><table><thead><tr><th>#</th><th>trial</th>)",
                                  shown, order.size(), esc(s.objective), s.options.minimize ? "lowest" : "highest");
    for (const std::string &name : run.param_names)
        out += fmt::format("<th>{}</th>", esc(name));
    out += fmt::format("<th>{}</th>", esc(s.objective));
    for (std::size_t m = 0; m < run.metric_names.size(); ++m)
        if (m != objective)
            out += fmt::format("<th>{}</th>", esc(run.metric_names[m]));
    out += "<th>time</th></tr></thead><tbody>";
    // The score bar spans the shown rows' range, so the differences show.
    double lo = run.trials[order[shown - 1]].score, hi = run.trials[order[0]].score;
    if (lo > hi)
        std::swap(lo, hi);
    for (std::size_t r = 0; r < shown; ++r) {
        const TrialRow &t = run.trials[order[r]];
        const double share = hi > lo ? (t.score - lo) / (hi - lo) : 1.0;
        const double w = 12 + 88 * (s.options.minimize ? 1 - share : share);
        out += fmt::format(R"(<tr{}><td>{}</td><td>{}</td>)", r == 0 ? R"( class="best")" : "", r + 1, t.number);
        for (const Value &v : t.values)
            out += fmt::format("<td>{}</td>", esc(value_text(v)));
        out += fmt::format(R"(<td class="score" style="--w:{:.0f}%">{}</td>)", w, number_text(t.score));
        for (std::size_t m = 0; m < run.metric_names.size(); ++m)
            if (m != objective)
                out += fmt::format("<td>{}</td>", number_text(t.metrics[m]));
        out += fmt::format("<td>{}</td></tr>", duration_text(t.seconds));
    }
    return out + "</tbody></table></div></section>";
}

std::string failures_card(const RunData &run)
{
    std::string rows;
    std::size_t listed = 0, total = 0;
    for (const TrialRow &t : run.trials) {
        if (t.status == BTOPT_TRIAL_OK || t.status == BTOPT_TRIAL_CANCELLED)
            continue;
        ++total;
        if (listed++ >= max_listed_failures)
            continue;
        std::vector<std::string> point;
        for (std::size_t k = 0; k < run.param_names.size(); ++k)
            point.push_back(fmt::format("{}={}", run.param_names[k], value_text(t.values[k])));
        rows += fmt::format(R"(<tr><td>{}</td><td class="left">{}</td><td class="left"><span class="status">{}</span></td>)"
                            R"(<td class="error">{}</td></tr>)",
                            t.number, esc(join(point, ", ")), btopt_trial_status_name(t.status), esc(t.error));
    }
    if (total == 0)
        return {};
    return fmt::format(R"(<section class="card"><h2>Trials that did not finish ok</h2><p class="lead">{}{}</p>)"
                       R"(<div class="scroll"><table><thead><tr><th>trial</th><th class="left">point</th>)"
                       R"(<th class="left">status</th><th class="left">why</th></tr></thead><tbody>{}</tbody></table>)"
                       R"(</div></section>)",
                       total, total > max_listed_failures ? fmt::format(" in all; the first {} are listed", max_listed_failures) : "",
                       rows);
}
// Is the best real? The selection-bias statistics (docs/VALIDATION.md).
std::string selection_card(const RunData &run)
{
    const btopt_selection &sel = run.selection;
    if (!run.best || (!sel.has_sharpe && !sel.has_pbo))
        return run.selection_note.empty()
                   ? std::string()
                   : fmt::format(R"(<section class="card"><h2>Selection bias</h2><p class="note">Not computed: {}</p>)"
                                 R"(</section>)",
                                 esc(run.selection_note));
    std::string out = R"(<section class="card" id="selection"><h2>Selection bias</h2><p class="lead">Is the best )"
                      R"(real, after this many trials? (docs/VALIDATION.md)</p><table><tbody>)";
    const auto row = [&](const std::string &name, double value, const std::string &what) {
        out += fmt::format(R"(<tr><td class="left">{}</td><td>{:.3f}</td><td class="left">{}</td></tr>)", name, value,
                           esc(what));
    };
    if (sel.has_sharpe) {
        row("deflated Sharpe", sel.dsr,
            fmt::format("P(true Sharpe above the best that {} trials without skill would show)", sel.n_trials));
        row("probabilistic Sharpe", sel.psr, fmt::format("P(true Sharpe > 0), over {} returns", sel.n_returns));
    }
    if (sel.has_pbo)
        row("overfitting probability (PBO)", sel.pbo,
            fmt::format("{} blocks, {} of {} splits", sel.pbo_blocks, sel.pbo_splits, sel.pbo_all_splits));
    out += "</tbody></table>";
    if (!run.selection_note.empty())
        out += fmt::format(R"(<p class="note">Not computed: {}</p>)", esc(run.selection_note));
    return out + "</section>";
}

} // namespace

std::string render_report(const RunSettings &settings, const RunData &run, const EquityCurves &curves)
{
    std::string page = fmt::format(R"(<!doctype html><html lang="en"><head><meta charset="utf-8">)"
                                   R"(<meta name="viewport" content="width=device-width,initial-scale=1">)"
                                   R"(<link rel="icon" href="data:,"><title>{} · btopt report</title><style>{}</style>)"
                                   R"(</head><body><main>)",
                                   esc(settings.plugin_name), report_css);
    page += hero(settings, run);
    page += kpis(settings, run);
    page += R"(<div class="columns">)" + best_card(settings, run) + settings_card(settings) + "</div>";
    if (!settings.heatmap_x.empty())
        page += heatmap_card(settings, run);
    if (settings.options.algorithm != "grid")
        page += convergence_card(settings, run);
    page += selection_card(run);
    page += equity_card(curves);
    page += top_card(settings, run);
    page += failures_card(run);
    page += fmt::format(R"(<footer>btopt {} · written by <code>btopt run</code> · one file, nothing fetched</footer>)",
                        esc(btopt_version()));
    return page + "</main></body></html>\n";
}

} // namespace btopt::cli
