#include "study.hpp"

#include "errors.hpp"
#include "handles.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <vector>

namespace btopt::cli {
namespace {

void check_study(btopt_status status, const std::string &what)
{
    if (status != BTOPT_OK)
        throw RunError(fmt::format("{}: {}", what, btopt_last_error()));
}

} // namespace

void add_study_flags(CLI::App &run, RunOptions &o)
{
    auto *group = "Study (every trial on disk; resume and reuse)";
    run.add_option("--study", o.study,
                   "record the run and every trial in this SQLite file; run again on it to continue a stopped or "
                   "killed run, evaluating only what is missing")
        ->group(group)->type_name("FILE");
    run.add_option("--study-mode", o.study_mode,
                   "resume (default): reuse the study's outcomes, refuse another plugin, data or config; new: record a "
                   "new run and reuse nothing")
        ->group(group)->check(CLI::IsMember({"resume", "new"}));
    run.add_option("--keep", o.keep, "trials kept in memory, the best (default: all; 10000 with --study, which holds all)")
        ->group(group)->check(CLI::NonNegativeNumber)->type_name("N");
    run.add_flag("--dashboard", o.dashboard,
                 "show the run live in the browser (needs --study): prints a URL on 127.0.0.1 with an access token, "
                 "and keeps serving after the run until Ctrl-C")
        ->group(group);
}

void set_study_options(btopt_optimizer *opt, const RunOptions &o)
{
    if (!o.study_mode.empty() && o.study.empty())
        throw UsageError("--study-mode needs --study FILE");
    if (o.dashboard && o.study.empty())
        throw UsageError("--dashboard needs --study FILE: the dashboard shows the study the run writes");
    if (!o.study.empty() && btopt_optimizer_set_string(opt, "study", o.study.c_str()) != BTOPT_OK)
        throw UsageError(fmt::format("--study {}: {}", o.study, btopt_last_error()));
    if (!o.study_mode.empty() && btopt_optimizer_set_string(opt, "study_mode", o.study_mode.c_str()) != BTOPT_OK)
        throw UsageError(fmt::format("--study-mode {}: {}", o.study_mode, btopt_last_error()));
}

namespace {

// Trials the run plans: the grid's points (before constraints), the random
// search's iterations, or the genetic population times its generations.
double planned_trials(const RunSettings &s)
{
    const RunOptions &o = s.options;
    if (o.algorithm == "random")
        return static_cast<double>(o.iterations.value_or(100));
    if (o.algorithm == "genetic")
        return static_cast<double>(o.population.value_or(20)) * static_cast<double>(o.generations.value_or(10));
    double points = 1;
    for (const ParamSpec &p : s.params)
        points *= p.continuous() ? 1.0 : static_cast<double>(p.size());
    return points;
}

} // namespace

void warn_about_memory(std::FILE *out, const RunSettings &s)
{
    if (!s.options.study.empty() || (s.options.keep && *s.options.keep > 0))
        return;
    // A trial in the library's table and in this command's copy of it for the
    // summary: about 180 bytes plus 32 per parameter and 16 per metric (8 assumed).
    const double bytes = planned_trials(s) * (180.0 + 32.0 * static_cast<double>(s.params.size()) + 16.0 * 8);
    const double memory = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
    if (memory <= 0 || bytes <= memory / 4)
        return;
    fmt::print(out,
               "btopt: warning: the run plans {:.3g} trials, about {:.1f} GB in memory, more than a quarter of this "
               "machine's {:.1f} GB. --study FILE keeps every trial on disk and only the best 10,000 in memory "
               "(--keep N sets how many)\n",
               planned_trials(s), bytes / 1e9, memory / 1e9);
    std::fflush(out);
}

void print_study_summary(std::FILE *out, const RunOptions &o, const btopt_result *result)
{
    if (o.study.empty() || o.study_temporary)
        return;
    const auto provenance = nlohmann::json::parse(btopt_result_provenance(result), nullptr, false);
    const auto run = provenance.is_object() ? provenance.value("run", std::int64_t{0}) : std::int64_t{0};
    const std::uint64_t reused = btopt_result_reused_count(result);
    fmt::print(out, "Study: {}, run {}: {} trials reused, {} evaluated\n", o.study, run, reused,
               btopt_result_evaluated_count(result) - reused);
}

CLI::App *add_export_command(CLI::App &app, ExportOptions &o)
{
    CLI::App *cmd = app.add_subcommand(
        "export", "Write a study's run as JSON and CSV (also while a run is writing it), or list its runs");
    cmd->add_option("STUDY", o.study, "a study file written with btopt run --study")->required();
    cmd->add_option("--json", o.json, "write the run and every trial as JSON")->type_name("FILE");
    cmd->add_option("--csv", o.csv, "write every trial as CSV")->type_name("FILE");
    cmd->add_option("--run", o.run, "the run to write (default: the last)")->check(CLI::PositiveNumber)->type_name("N");
    cmd->add_flag("--list", o.list, "list the study's runs");
    return cmd;
}

int export_command(const ExportOptions &o)
{
    if (o.list) {
        std::size_t count = 0;
        check_study(btopt_study_runs(o.study.c_str(), nullptr, 0, &count), o.study);
        std::vector<std::int64_t> ids(count);
        check_study(btopt_study_runs(o.study.c_str(), ids.data(), ids.size(), &count), o.study);
        for (std::int64_t id : ids) {
            btopt_result *raw = nullptr;
            check_study(btopt_study_open(&raw, o.study.c_str(), id), o.study);
            const ResultHandle result(raw);
            const auto p = nlohmann::json::parse(btopt_result_provenance(raw), nullptr, false);
            // A run on some of the bars (options start/end, a walk-forward window) says which.
            const std::string bars = p.contains("bars") ? fmt::format(" on bars {}..{}", p["bars"].value("first_bar", std::uint64_t{0}),
                                                                      p["bars"].value("last_bar", std::uint64_t{0}))
                                                        : std::string();
            fmt::print("run {}: {}, started {}, {} trials ({} reused), {}{}\n", id, p.value("status", "?"),
                       p.value("started", "?"), btopt_result_trial_count(raw), btopt_result_reused_count(raw),
                       p.value("algorithm", "?"), bars);
        }
        return exit_ok;
    }
    if (o.json.empty() && o.csv.empty())
        throw UsageError("btopt export: give --json FILE, --csv FILE or --list");
    check_study(btopt_study_export(o.study.c_str(), o.run, o.json.empty() ? nullptr : o.json.c_str(),
                                   o.csv.empty() ? nullptr : o.csv.c_str()),
                o.study);
    std::vector<std::string> written;
    for (const std::string &file : {o.json, o.csv})
        if (!file.empty())
            written.push_back(file);
    fmt::print("Wrote {}\n", fmt::join(written, ", "));
    return exit_ok;
}

} // namespace btopt::cli
