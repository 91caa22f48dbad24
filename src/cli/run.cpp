// `btopt run` and `btopt demo`: a configured optimizer runs with progress on
// stderr and Ctrl-C as a clean stop; then the summary on stdout and the
// requested files, partial ones too when the run was cancelled.
#include "commands.hpp"
#include "dashboard/server.hpp"
#include "errors.hpp"
#include "outputs.hpp"
#include "progress.hpp"
#include "report.hpp"
#include "setup.hpp"
#include "study.hpp"
#include "summary.hpp"
#include "text.hpp"
#include "trials.hpp"

#include <btopt/btopt.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <ranges>
#include <string_view>

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

// The summary goes to stdout unless an output file does ("-").
std::FILE *summary_stream(const RunOptions &options) { return stdout_taken(options) ? stderr : stdout; }

// The run of the study this result recorded.
std::int64_t study_run_of(const btopt_result *result)
{
    const auto provenance = nlohmann::json::parse(btopt_result_provenance(result), nullptr, false);
    return provenance.is_object() ? provenance.value("run", std::int64_t{0}) : 0;
}

// Writes one output file at `path`; the first failure is a run-time error.
void write_output(const Output &output, const std::string &path, const RunSettings &s, const btopt_result *result)
{
    if (output.flag == "--json") {
        if (btopt_result_write_json(result, path.c_str()) != BTOPT_OK)
            throw RunError(fmt::format("--json {}: {}", output.path, btopt_last_error()));
    } else if (output.flag == "--csv") {
        if (btopt_result_write_csv(result, path.c_str()) != BTOPT_OK)
            throw RunError(fmt::format("--csv {}: {}", output.path, btopt_last_error()));
    } else {
        const dashboard::ReportExtras extras{selection_json(result), s.heatmap_x, s.heatmap_y};
        write_report(s.options.study, study_run_of(result), path, "--report", extras);
    }
}

// Writes what was asked for (the paths were checked before the run).
void write_files(const RunSettings &s, const btopt_result *result)
{
    std::vector<std::string> written;
    for (const Output &output : requested_outputs(s.options)) {
        deliver(output, [&](const std::string &path) { write_output(output, path, s, result); });
        written.push_back(output.path == "-" ? "stdout" : output.path);
    }
    if (!written.empty() && !s.options.quiet)
        fmt::print(summary_stream(s.options), "Wrote {}\n", join(written, ", "));
}

// Exit 4: the run went through, but there is no best to act on.
int no_trial_succeeded(const RunData &run)
{
    const auto &c = run.status_counts;
    fmt::print(stderr,
               "btopt: error: no trial succeeded: {} evaluated, {} failed, {} crashed, {} timed out, {} infeasible\n",
               run.evaluated, c[BTOPT_TRIAL_FAILED], c[BTOPT_TRIAL_CRASHED], c[BTOPT_TRIAL_TIMEOUT],
               c[BTOPT_TRIAL_INFEASIBLE]);
    return exit_none_ok;
}

// The run, its summary and files: the exit code.
int run_prepared(PreparedRun &prepared, const RunOptions &options)
{
    RunSettings &s = prepared.settings;
    btopt_optimizer *opt = prepared.optimizer.get();

    warn_about_memory(stderr, s);
    Progress progress(Progress::mode_for(options.quiet));
    btopt_optimizer_set_progress_ex(opt, &Progress::report, &progress);
    btopt_result *raw = nullptr;
    btopt_status status = BTOPT_OK;
    {
        const InterruptGuard guard(opt);
        status = btopt_optimizer_run(opt, &raw);
    }
    const ResultHandle result(raw);
    const std::string error = status == BTOPT_OK ? "" : btopt_last_error();
    progress.finish(status == BTOPT_ERR_CANCELLED ? "cancelled" : status == BTOPT_OK ? "" : "stopped");
    if (result) // a plugin's finish that crashed: the trials stand, but it must not go unsaid
        for (const auto line : std::views::split(std::string_view(btopt_result_warnings(result.get())), '\n'))
            if (!line.empty())
                fmt::print(stderr, "btopt: warning: {}\n", std::string_view(line.begin(), line.end()));

    if (!result && status == BTOPT_ERR_CANCELLED) { // Ctrl-C while the plugin initialised: no trial to keep
        fmt::print(stderr, "btopt: {}; no trial ran\n", error);
        return stopped_by.load() != 0 ? 128 + stopped_by.load() : exit_cancelled;
    }
    if (!result) // nothing ran: the plugin refused its config, data, ...
        throw RunError(error);
    if (btopt_result_rank(result.get()) != 0)
        return exit_ok; // under mpirun only rank 0 holds the trials: it alone reports and writes files
    s.cancelled = status == BTOPT_ERR_CANCELLED;
    const RunData run = collect(result.get());
    if (status == BTOPT_OK && run.evaluated == 0 && btopt_result_trial_count(result.get()) == 0) {
        fmt::print(stderr, "btopt: error: no point of the space meets the constraints ({}); nothing was run\n",
                   join(s.constraints, ", "));
        return exit_empty_space;
    }
    // The summary of what finished comes first, also when a failing trial stopped the run.
    if (!s.options.quiet) { // --quiet: errors only
        print_summary(summary_stream(s.options), s, run);
        print_study_summary(summary_stream(s.options), s.options, result.get());
    }
    if (status == BTOPT_ERR_OBJECTIVE)
        fmt::print(stderr, "btopt: error: {}\n(--ignore-errors records failing trials and goes on)\n", error);
    write_files(s, result.get());
    if (status == BTOPT_OK)
        return run.status_counts[BTOPT_TRIAL_OK] > 0 ? exit_ok : no_trial_succeeded(run);
    if (s.cancelled) {
        fmt::print(stderr, "btopt: cancelled after {} finished trials\n",
                   run.finished());
        return stopped_by.load() != 0 ? 128 + stopped_by.load() : exit_cancelled; // as shells report it
    }
    if (status != BTOPT_ERR_OBJECTIVE)
        fmt::print(stderr, "btopt: error: {}\n", error);
    return exit_failure;
}

} // namespace

// A report is drawn from a study: without --study the run records one in a
// temporary file, removed when the command ends.
class TemporaryStudy {
public:
    explicit TemporaryStudy(RunOptions &o)
    {
        if (o.report.empty() || !o.study.empty())
            return;
        std::string path = (std::filesystem::temp_directory_path() / "btopt-report-XXXXXX").string();
        const int fd = ::mkstemp(path.data());
        if (fd < 0)
            throw RunError(fmt::format("--report: cannot make a temporary study: {}", std::strerror(errno)));
        ::close(fd);
        std::remove(path.c_str()); // the study is created by the run, in this name
        path_ = o.study = path;
        o.study_temporary = true;
        if (!o.keep)
            o.keep = 0; // all in memory, as without a study: the report changes nothing else

    }
    ~TemporaryStudy()
    {
        for (const char *suffix : {"", "-wal", "-shm", "-journal"})
            if (!path_.empty())
                std::remove((path_ + suffix).c_str());
    }
    TemporaryStudy(const TemporaryStudy &) = delete;
    TemporaryStudy &operator=(const TemporaryStudy &) = delete;

private:
    std::string path_;
};

int run_command(const RunOptions &given)
{
    RunOptions options = given;
    const TemporaryStudy temporary(options);
    PreparedRun prepared = prepare_run(options);
    // It reads the study from its own connection and threads, and serves on
    // after the run (whatever its end) until Ctrl-C.
    std::optional<Dashboard> dashboard;
    if (options.dashboard)
        dashboard.emplace(DashboardOptions{.study = options.study});
    const int code = run_prepared(prepared, options);
    if (dashboard) {
        fmt::print(stderr, "btopt: the run ended; the dashboard serves on at {} until Ctrl-C\n", dashboard->url());
        std::fflush(stderr);
        dashboard->serve_until_signal();
    }
    return code;
}

int demo_command()
{
    RunOptions options;
    options.plugin = "sma_crossover";
    options.report = "btopt-demo-report.html";
    // Ten years of daily bars (the plugin's synthetic series: 2,520 bars at
    // 252 a year), and a grid fine enough for a heatmap: 2,308 points.
    options.params = {"fast=5:100:2", "slow=50:300:5"};
    if (::access(".", W_OK | X_OK) != 0)
        throw RunError(fmt::format("btopt demo writes {} in the current folder, and it cannot write here ({}): run it "
                                   "in a folder you can write to",
                                   options.report, std::strerror(errno)));
    fmt::print("btopt demo: a grid search over sma_crossover (fast 5..100 step 2, slow 50..300 step 5, fast < slow)\n"
               "on its synthetic series (ten years of daily bars: 2,520 bars of a geometric Brownian motion,\n"
               "seed 42), with worker processes on every CPU.\n");
    std::fflush(stdout);
    const int code = run_command(options);
    if (code == exit_ok)
        fmt::print("Open {} in a browser to see the report.\n", options.report);
    return code;
}

} // namespace btopt::cli

namespace btopt::cli {
namespace {

// The flags `btopt walkforward` shares with `btopt run` but has no use for yet.
void refuse_run_only_flags(const RunOptions &o)
{
    for (const auto &[flag, given] : {std::pair{"--csv", !o.csv.empty()}, {"--report", !o.report.empty()},
                                      {"--heatmap", !o.heatmap.empty()}})
        if (given)
            throw UsageError(fmt::format("{} is written by `btopt run`; `btopt walkforward` writes --json FILE", flag));
}

std::string number(const nlohmann::json &j, const char *format = "{:.3f}")
{
    return j.is_number() ? fmt::format(fmt::runtime(format), j.get<double>()) : std::string("-");
}

std::string percent(const nlohmann::json &j)
{
    return j.is_number() ? fmt::format("{:.2f}%", 100.0 * j.get<double>()) : std::string("-");
}

std::string period_of(const nlohmann::json &range)
{
    if (range.contains("start"))
        return fmt::format("{} .. {}", range["start"].get<std::string>(), range["end"].get<std::string>());
    return fmt::format("bars {} .. {}", range["first_bar"].get<std::uint64_t>(), range["last_bar"].get<std::uint64_t>());
}

void print_walk_forward(std::FILE *out, const nlohmann::json &wf)
{
    const std::string objective = wf["objective"];
    fmt::print(out, "Walk-forward of {}: {} windows ({} train, {}{} test, step {}{}), {} search, objective {}\n\n",
               wf["plugin"].get<std::string>(), wf["windows"].size(), wf["train"].get<std::string>(),
               wf["validation"].is_string() ? wf["validation"].get<std::string>() + " validation, " : "",
               wf["test"].get<std::string>(), wf["step"].get<std::string>(), wf["anchored"].get<bool>() ? ", anchored" : "",
               wf["algorithm"].get<std::string>(), objective);
    fmt::print(out, "{:>3}  {:<24}  {:<24}  {:>10}  {:>10}  {}\n", "#", "train", "test", "IS " + objective,
               "OOS " + objective, "chosen");
    for (const auto &w : wf["windows"]) {
        std::string params;
        for (const auto &[name, value] : w["params"].items())
            params += fmt::format("{}{}={}", params.empty() ? "" : " ", name,
                                  value.is_string() ? value.get<std::string>() : value.dump());
        fmt::print(out, "{:>3}  {:<24}  {:<24}  {:>10}  {:>10}  {}\n", w["window"].get<int>(), period_of(w["train"]),
                   period_of(w["test"]), number(w["in_sample_score"]), number(w["out_of_sample_score"]), params);
    }
    const auto &oos = wf["out_of_sample"];
    if (oos.contains("total_return"))
        fmt::print(out, "\nOut of sample, stitched: total return {}, annualised {}\n", percent(oos["total_return"]),
                   percent(oos["cagr"]));
    const auto &e = wf["walk_forward_efficiency"];
    fmt::print(out, "Walk-forward efficiency: {} (out-of-sample {} {} / in-sample {})\n", number(e["efficiency"], "{:.2f}"),
               e["metric"].get<std::string>(), number(e["out_of_sample"]), number(e["in_sample"]));
    if (wf["study"].is_string())
        fmt::print(out, "Study: {}: {} trials reused, {} evaluated\n", wf["study"].get<std::string>(),
                   wf["n_reused"].get<std::uint64_t>(), wf["n_evaluated"].get<std::uint64_t>());
    fmt::print(out, "Parameter stability across windows:\n");
    for (const auto &[name, p] : wf["parameter_stability"].items())
        fmt::print(out, "  {}: {} distinct, changed {} times{}\n", name, p["distinct"].get<int>(), p["changes"].get<int>(),
                   p.contains("mean") ? fmt::format(", mean {} stdev {}", number(p["mean"], "{:.4g}"),
                                                    number(p["stdev"], "{:.4g}"))
                                      : "");
}

// One progress line per window: each window is a search of its own, whose
// counts and rate start from zero (one Progress across them would divide a
// window's count by the whole walk-forward's time).
class WindowProgress {
public:
    explicit WindowProgress(bool quiet) : quiet_(quiet) {}
    // A window's run starts its clock afresh: that is how a new window shows.
    static void report(void *user, const btopt_progress *p) noexcept
    {
        auto &self = *static_cast<WindowProgress *>(user);
        if (!self.current_ || p->elapsed_seconds < self.last_elapsed_) {
            if (self.current_)
                self.current_->finish();
            self.current_.emplace(Progress::mode_for(self.quiet_));
        }
        self.last_elapsed_ = p->elapsed_seconds;
        Progress::report(&*self.current_, p);
    }
    void finish(std::string_view note)
    {
        if (current_)
            current_->finish(note);
    }

private:
    bool quiet_;
    std::optional<Progress> current_;
    double last_elapsed_ = 0.0;
};

} // namespace

int walkforward_command(const RunOptions &options, const WalkForwardOptions &wf_options)
{
    refuse_run_only_flags(options);
    PreparedRun prepared = prepare_run(options);
    btopt_optimizer *opt = prepared.optimizer.get();
    WindowProgress progress(options.quiet);
    btopt_optimizer_set_progress_ex(opt, &WindowProgress::report, &progress);
    const btopt_walkforward_spec spec{sizeof(btopt_walkforward_spec), wf_options.train.c_str(), wf_options.test.c_str(),
                                      wf_options.step.c_str(), wf_options.anchored ? 1 : 0,
                                      wf_options.validation.c_str()};
    btopt_walkforward *raw = nullptr;
    btopt_status status = BTOPT_OK;
    {
        const InterruptGuard guard(opt);
        status = btopt_optimizer_walkforward(opt, &spec, &raw);
    }
    const std::unique_ptr<btopt_walkforward, decltype(&btopt_walkforward_destroy)> wf(raw, &btopt_walkforward_destroy);
    const std::string error = status == BTOPT_OK ? "" : btopt_last_error();
    progress.finish(status == BTOPT_ERR_CANCELLED ? "cancelled" : status == BTOPT_OK ? "" : "stopped");
    if (!wf)
        throw RunError(error);
    const auto json = nlohmann::json::parse(btopt_walkforward_json(wf.get()));
    if (!options.quiet)
        print_walk_forward(summary_stream(options), json);
    for (const Output &output : requested_outputs(options))
        deliver(output, [&](const std::string &path) {
            std::ofstream file(path, std::ios::trunc | std::ios::binary);
            file << json.dump(2) << '\n';
            if (!file.flush())
                throw RunError(fmt::format("--json {}: cannot write the file: {}", output.path, std::strerror(errno)));
        });
    if (status == BTOPT_OK)
        return exit_ok;
    fmt::print(stderr, "btopt: error: {}\n", error);
    return status == BTOPT_ERR_CANCELLED ? exit_cancelled : exit_failure;
}

} // namespace btopt::cli
