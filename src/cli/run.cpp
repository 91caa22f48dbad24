// `btopt run` and `btopt demo`: a configured optimizer runs with progress on
// stderr and Ctrl-C as a clean stop; then the summary on stdout and the
// requested files, partial ones too when the run was cancelled.
#include "commands.hpp"
#include "errors.hpp"
#include "progress.hpp"
#include "report.hpp"
#include "setup.hpp"
#include "study.hpp"
#include "summary.hpp"
#include "text.hpp"
#include "trials.hpp"

#include <btopt/btopt.h>

#include <fmt/format.h>

#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <fstream>

namespace btopt::cli {

namespace {

// The optimizer a Ctrl-C, SIGTERM or SIGHUP cancels, and the signal that did.
// btopt_optimizer_cancel is async-signal-safe.
std::atomic<btopt_optimizer *> cancellable{nullptr};
std::atomic<int> stopped_by{0};
static_assert(std::atomic<btopt_optimizer *>::is_always_lock_free);

extern "C" void on_interrupt(int signal)
{
    stopped_by.store(signal);
    if (btopt_optimizer *opt = cancellable.load())
        btopt_optimizer_cancel(opt);
    static constexpr char message[] = "\nbtopt: stopping; finished trials are kept (Ctrl-C again quits at once)\n";
    [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, message, sizeof message - 1);
}

// While it lives, the first SIGINT, SIGTERM (timeout, SLURM, docker stop) or
// SIGHUP cancels the run; the handler then resets itself (SA_RESETHAND), so a
// second one ends the process as usual.
class InterruptGuard {
public:
    explicit InterruptGuard(btopt_optimizer *opt)
    {
        cancellable.store(opt);
        struct sigaction action {};
        action.sa_handler = on_interrupt;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND;
        for (std::size_t i = 0; i < stopping.size(); ++i)
            sigaction(stopping[i], &action, &previous_[i]);
    }
    ~InterruptGuard()
    {
        for (std::size_t i = 0; i < stopping.size(); ++i)
            sigaction(stopping[i], &previous_[i], nullptr);
        cancellable.store(nullptr);
    }
    InterruptGuard(const InterruptGuard &) = delete;
    InterruptGuard &operator=(const InterruptGuard &) = delete;

private:
    static constexpr std::array stopping{SIGINT, SIGTERM, SIGHUP};
    std::array<struct sigaction, stopping.size()> previous_{};
};

EquityCurves equity_of_best(const btopt_optimizer *opt, const btopt_result *result, bool cancelled)
{
    EquityCurves curves;
    const btopt_params *best = btopt_result_best_params(result);
    if (!best) {
        curves.missing = "no trial succeeded";
        return curves;
    }
    if (cancelled) {
        curves.missing = "left out because the run was cancelled";
        return curves;
    }
    btopt_series *raw = nullptr;
    const btopt_status status = btopt_optimizer_equity_curve(&raw, opt, best);
    if (status != BTOPT_OK) {
        curves.missing = status == BTOPT_ERR_UNSUPPORTED ? "this plugin does not report equity curves"
                                                         : std::string("the plugin could not compute it: ") + btopt_last_error();
        return curves;
    }
    const SeriesHandle series(raw);
    const std::size_t n = btopt_series_length(raw);
    curves.equity.assign(btopt_series_equity(raw), btopt_series_equity(raw) + n);
    curves.buy_and_hold.assign(btopt_series_buy_and_hold(raw), btopt_series_buy_and_hold(raw) + n);
    return curves;
}

// Writes what was asked for; the first failure is a run-time error.
void write_files(const RunSettings &s, const RunData &run, const btopt_optimizer *opt, const btopt_result *result)
{
    const RunOptions &o = s.options;
    std::vector<std::string> written;
    if (!o.json.empty()) {
        if (btopt_result_write_json(result, o.json.c_str()) != BTOPT_OK)
            throw RunError(fmt::format("--json {}: {}", o.json, btopt_last_error()));
        written.push_back(o.json);
    }
    if (!o.csv.empty()) {
        if (btopt_result_write_csv(result, o.csv.c_str()) != BTOPT_OK)
            throw RunError(fmt::format("--csv {}: {}", o.csv, btopt_last_error()));
        written.push_back(o.csv);
    }
    if (!o.report.empty()) {
        const std::string page = render_report(s, run, equity_of_best(opt, result, s.cancelled));
        std::ofstream file(o.report, std::ios::trunc | std::ios::binary);
        file << page;
        if (!file.flush())
            throw RunError(fmt::format("--report {}: cannot write the file", o.report));
        written.push_back(o.report);
    }
    if (!written.empty())
        fmt::print("Wrote {}\n", join(written, ", "));
}

} // namespace

int run_command(const RunOptions &options)
{
    PreparedRun prepared = prepare_run(options);
    RunSettings &s = prepared.settings;
    btopt_optimizer *opt = prepared.optimizer.get();

    warn_about_memory(stderr, s);
    Progress progress(Progress::mode_for(options.quiet), !options.ignore_errors);
    btopt_optimizer_set_progress(opt, &Progress::report, &progress);
    btopt_result *raw = nullptr;
    btopt_status status = BTOPT_OK;
    {
        const InterruptGuard guard(opt);
        status = btopt_optimizer_run(opt, &raw);
    }
    const ResultHandle result(raw);
    const std::string error = status == BTOPT_OK ? "" : btopt_last_error();
    progress.finish(status == BTOPT_ERR_CANCELLED ? "cancelled" : status == BTOPT_OK ? "" : "stopped");

    if (!result) // nothing ran: the plugin refused its config, data, ...
        throw RunError(error);
    if (btopt_result_rank(result.get()) != 0)
        return exit_ok; // under mpirun only rank 0 holds the trials: it alone reports and writes files
    s.cancelled = status == BTOPT_ERR_CANCELLED;
    const RunData run = collect(result.get());
    if (status == BTOPT_ERR_OBJECTIVE)
        fmt::print(stderr, "btopt: error: {}\n(--ignore-errors records failing trials and goes on)\n", error);
    else
        print_summary(stdout, s, run);
    print_study_summary(stdout, s.options, result.get());
    write_files(s, run, opt, result.get());
    if (status == BTOPT_OK)
        return exit_ok;
    if (s.cancelled) {
        fmt::print(stderr, "btopt: cancelled after {} finished trials\n",
                   run.finished());
        return stopped_by.load() != 0 ? 128 + stopped_by.load() : exit_cancelled; // as shells report it
    }
    if (status != BTOPT_ERR_OBJECTIVE)
        fmt::print(stderr, "btopt: error: {}\n", error);
    return exit_failure;
}

int demo_command()
{
    RunOptions options;
    options.plugin = "sma_crossover";
    options.report = "btopt-demo-report.html";
    // A sweep big enough to watch: 2,308 points on 100,000 bars.
    options.sets = {"synthetic_bars=100000"};
    options.params = {"fast=5:100:2", "slow=50:300:5"};
    fmt::print("btopt demo: a grid search over sma_crossover (fast 5..100 step 2, slow 50..300 step 5, fast < slow)\n"
               "on its synthetic series (100,000 bars of a geometric Brownian motion, seed 42), with worker\n"
               "processes on every CPU.\n");
    std::fflush(stdout);
    const int code = run_command(options);
    if (code == exit_ok)
        fmt::print("Open {} in a browser to see the report.\n", options.report);
    return code;
}

} // namespace btopt::cli
