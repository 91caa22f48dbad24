// btopt: the command line over libbtopt. Parses with CLI11, dispatches to a
// subcommand, and is the one place that turns errors into exit codes:
// 0 success (at least one trial succeeded), 1 run-time error, 2 usage error,
// 3 no point meets the constraints, 4 no trial succeeded, 130 cancelled.
#include "commands.hpp"
#include "dashboard/server.hpp"
#include "errors.hpp"
#include "report.hpp"
#include "study.hpp"

#include <btopt/btopt.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <exception>

namespace {

using namespace btopt::cli;

constexpr const char *footer = R"(Exit codes: 0 at least one trial succeeded, 1 run-time error (data, plugin,
a failing trial), 2 usage error, 3 no point meets the constraints, 4 no trial
succeeded, 130 cancelled with Ctrl-C (the finished trials are kept).
See docs/CLI.md for more.)";

// CLI11's own checks speak in doubles ("Value 0 not in range 0.000000 to
// 1797693..."), and its integer conversion clamps a number past int64 (so two
// seeds above 2^63 - 1 gave the same trials): these say it in the user's terms.
CLI::Validator at_least(std::int64_t least)
{
    return CLI::Validator(
        [least](const std::string &text) -> std::string {
            std::int64_t value = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (ec != std::errc() || end != text.data() + text.size())
                return fmt::format("'{}' is not a whole number from {} to {}", text, least, INT64_MAX);
            return value < least ? fmt::format("must be at least {}, not {}", least, text) : std::string();
        },
        fmt::format("INT >= {}", least));
}

CLI::Validator whole_number()
{
    return at_least(INT64_MIN);
}

const CLI::Validator non_negative_seconds(
    [](const std::string &text) -> std::string {
        double value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size() || !(value >= 0) || value == HUGE_VAL)
            return fmt::format("'{}' is not a number of seconds (0 or more)", text);
        return {};
    },
    "SECONDS");

// A size with its unit: a bare "512" would be 512 bytes, less than any process needs.
const CLI::Validator memory_size(
    [](const std::string &text) -> std::string {
        if (text.empty())
            return "give a size, e.g. 512MB or 2GB";
        if (text.find_first_not_of("0123456789") == std::string::npos)
            return fmt::format("give a unit: {}MB or {}GB ({} alone would be bytes)", text, text, text);
        return {};
    },
    "SIZE");

void add_run_flags(CLI::App &run, RunOptions &o)
{
    run.add_option("PLUGIN", o.plugin,
                   "A strategy plugin: a file, or a name looked up in BTOPT_PLUGIN_PATH and btopt's plugin folder")
        ->required();

    auto *space = "Data and parameters";
    run.add_option("--data", o.data, "CSV file of bars (the plugin's 'data' config; default: its synthetic series)")
        ->group(space)->type_name("FILE");
    run.add_option("--set", o.sets, "the plugin's config: price, commission, periods_per_year, cache_dir, ...; repeatable")
        ->group(space)->allow_extra_args(false)->type_name("KEY=VALUE");
    run.add_option("--param", o.params,
                   "NAME=LO:HI:STEP, NAME=LO:HI (continuous float), NAME=a,b,c (choices) or NAME=VALUE; "
                   "others keep the plugin's range; repeatable")
        ->group(space)->allow_extra_args(false)->type_name("NAME=RANGE");
    run.add_option("--constraint", o.constraints, "a condition every point meets, e.g. 'fast * 2 <= slow'; repeatable")
        ->group(space)->allow_extra_args(false)->type_name("EXPR");

    auto *search = "Search";
    run.add_option("--algorithm", o.algorithm, "grid, random, genetic, bayesian (TPE), cmaes or gp (Gaussian process)")
        ->group(search)->check(CLI::IsMember(btopt::cli::algorithms))->capture_default_str();
    run.add_option("--jobs", o.jobs, "workers: N, -1 every CPU, -2 all but one, ...; never more than the points")
        ->group(search)->check(whole_number())->capture_default_str();
    run.add_flag("--force", o.force, "allow --jobs above 4 workers per CPU")->group(search);
    run.add_option("--iterations", o.iterations, "points random, bayesian, cmaes and gp search evaluate (default 100; gp: at most 1000)")
        ->group(search)->check(at_least(1));
    run.add_option("--seed", o.seed, "random seed (every search but grid; default 0)")->group(search)->check(whole_number());
    run.add_option("--population", o.population, "genetic population size (default 20)")
        ->group(search)->check(at_least(1));
    run.add_option("--generations", o.generations, "genetic generations (default 10)")
        ->group(search)->check(at_least(1));
    run.add_option("--batch-q", o.batch_q, "bayesian, gp: points proposed at a time (default 1: sequential)")
        ->group(search)->check(at_least(1));
    run.add_option("--patience", o.patience, "genetic, bayesian, cmaes, gp: stop after N trials without improvement")
        ->group(search)->check(at_least(1));
    run.add_option("--pbo-blocks", o.pbo_blocks,
                   "S: blocks the probability of backtest overfitting cross-validates (even, default 16; "
                   "docs/VALIDATION.md)")
        ->group(search)->type_name("S");
    run.add_option("--select", o.select,
                   "grid: the point carried forward, best or robust (the best worst score over its grid neighbours)")
        ->group(search)->check(CLI::IsMember({"best", "robust"}));
    run.add_option("--robust-radius", o.robust_radius, "grid: neighbours within K steps on every parameter (default 1)")
        ->group(search)->type_name("K");
    run.add_option("--start", o.start, "the first bar traded: a date YYYY-MM-DD or a bar number (earlier bars "
                                       "only warm indicators up)")
        ->group(search)->type_name("DATE|BAR");
    run.add_option("--end", o.end, "the last bar traded (included): a date YYYY-MM-DD or a bar number")
        ->group(search)->type_name("DATE|BAR");
    run.add_option("--objective", o.objective, "the metric to optimise (default: the plugin's)")
        ->group(search)->type_name("METRIC");
    run.add_flag("--minimize", o.minimize, "lower scores are better")->group(search);
    run.add_option("--require", o.require,
                   "a condition over a trial's metrics, e.g. 'trades >= 30 && max_drawdown < 0.3': a trial that "
                   "breaks it is infeasible, never the best")
        ->group(search)->type_name("CONDITION");

    auto *execution = "Execution";
    run.add_option("--backend", o.backend, "inline, thread, process or mpi")
        ->group(execution)->check(CLI::IsMember({"inline", "thread", "process", "mpi"}))->capture_default_str();
    run.add_option("--batch-size", o.batch_size, "points a worker takes at once (0: automatic)")
        ->group(execution)->check(at_least(0));
    run.add_option("--max-seconds", o.max_seconds,
                   "wall-clock budget: once spent, nothing more is proposed, trials in flight end as on a cancel, "
                   "and the run ends with what it has (0: none)")
        ->group(execution)->check(non_negative_seconds);
    run.add_option("--timeout", o.timeout, "seconds one evaluation may take (process backend; 0: none)")
        ->group(execution)->check(non_negative_seconds);
    run.add_option("--max-memory", o.max_memory, "memory per worker, e.g. 512MB or 2GB (process backend)")
        ->group(execution)->check(memory_size)->type_name("SIZE");
    run.add_flag("--ignore-errors", o.ignore_errors, "record failing trials and go on (default: stop at the first)")
        ->group(execution);

    auto *output = "Output";
    run.add_option("--json", o.json, "write every trial as JSON")->group(output)->type_name("FILE");
    run.add_option("--csv", o.csv, "write every trial as CSV")->group(output)->type_name("FILE");
    run.add_option("--report", o.report, "write a self-contained HTML report")->group(output)->type_name("FILE.html");
    run.add_option("--heatmap", o.heatmap, "the report's heatmap parameters (default: the first two)")
        ->group(output)->type_name("X,Y");
    run.add_option("--top", o.top, "rows in the summary's table of best trials")
        ->group(output)->check(at_least(1))->capture_default_str();
    run.add_flag("--quiet", o.quiet, "print nothing but errors: no progress, summary or 'Wrote' line")->group(output);
    add_study_flags(run, o);
}

int dispatch(int argc, char **argv)
{
    CLI::App app{"btopt: find the best parameters of a trading strategy by running its backtest over many\n"
                 "parameter combinations in parallel (grid, random or genetic search).",
                 "btopt"};
    app.set_version_flag("--version", fmt::format("btopt {}", btopt_version()));
    app.require_subcommand(1);
    app.footer(footer);
    app.failure_message([](const CLI::App *, const CLI::Error &e) {
        return fmt::format("btopt: usage error: {}\nRun with --help for more information.\n", e.what());
    });

    RunOptions options;
    CLI::App *run = app.add_subcommand("run", "Search a strategy plugin's parameters");
    add_run_flags(*run, options);
    run->footer(footer);

    RunOptions wf_options;
    WalkForwardOptions windows;
    CLI::App *walkforward = app.add_subcommand(
        "walkforward", "Search each window's train bars, trade its best point on the test bars after (walk-forward)");
    add_run_flags(*walkforward, wf_options);
    auto *wf_group = "Walk-forward windows (bars, or periods: 30d, 4w, 6m, 2y)";
    walkforward->add_option("--train", windows.train, "each window's train length, e.g. 2y or 500")
        ->group(wf_group)->required()->type_name("LENGTH");
    walkforward->add_option("--test", windows.test, "each window's test length, right after its train bars, e.g. 6m")
        ->group(wf_group)->required()->type_name("LENGTH");
    walkforward->add_option("--step", windows.step, "how far each window moves on (default: the test length)")
        ->group(wf_group)->type_name("LENGTH");
    walkforward->add_option("--validation", windows.validation,
                            "bars between train and test: the 10 best train points are evaluated on them and the "
                            "best there is traded on the test bars")
        ->group(wf_group)->type_name("LENGTH");
    walkforward->add_flag("--anchored", windows.anchored,
                          "every train window starts at the first bar (expanding) instead of rolling")
        ->group(wf_group);
    walkforward->footer(footer);

    std::string described;
    CLI::App *describe =
        app.add_subcommand("describe", "Show a plugin's parameters, default ranges, constraints and metrics");
    describe->add_option("PLUGIN", described, "a plugin file, or a name on the plugin search path")->required();

    CLI::App *demo = app.add_subcommand(
        "demo", "Run a grid over sma_crossover's synthetic data on every CPU and write btopt-demo-report.html here");

    ExportOptions exported;
    CLI::App *export_study = add_export_command(app, exported);
    ReportOptions reported;
    CLI::App *report_study = add_report_command(app, reported);
    DashboardOptions shown;
    CLI::App *dashboard = add_dashboard_command(app, shown);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e) == 0 ? exit_ok : exit_usage;
    }
    if (*export_study)
        return export_command(exported);
    if (*dashboard)
        return dashboard_command(shown);
    if (*report_study)
        return report_command(reported);
    if (*run)
        return run_command(options);
    if (*walkforward)
        return walkforward_command(wf_options, windows);
    if (*describe)
        return describe_command(described);
    if (*demo)
        return demo_command();
    return exit_usage;
}

} // namespace

int main(int argc, char **argv)
{
    // A file past `ulimit -f` then fails its write (EFBIG) and is reported,
    // instead of the signal killing the process halfway through it.
    std::signal(SIGXFSZ, SIG_IGN);
    try {
        return dispatch(argc, argv);
    } catch (const UsageError &e) {
        fmt::print(stderr, "btopt: usage error: {}\nRun with --help for more information.\n", e.what());
        return exit_usage;
    } catch (const RunError &e) {
        fmt::print(stderr, "btopt: error: {}\n", e.what());
        return exit_failure;
    } catch (const std::exception &e) {
        fmt::print(stderr, "btopt: error: {}\n", e.what());
        return exit_failure;
    } catch (...) {
        fmt::print(stderr, "btopt: error: an unexpected failure\n");
        return exit_failure;
    }
}
