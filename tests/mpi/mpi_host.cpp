// A host program started on every rank by mpirun, as users run btopt on a
// cluster. Each case runs the MPI backend on all ranks; rank 0 then checks
// what it got (against the inline backend where that is the promise) and
// prints "N passed, N failed". Other ranks check that their result is empty.
#include <btopt/btopt.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

using namespace btopt;

namespace {

int passed = 0, failed = 0;

void check(bool ok, const std::string &what)
{
    (ok ? passed : failed)++;
    if (!ok)
        std::printf("FAILED: %s\n", what.c_str());
}

Options mpi_options(std::int64_t jobs_per_rank = 1)
{
    return Options{.n_jobs = jobs_per_rank, .n_iterations = 40, .random_seed = 3, .population_size = 12,
                   .n_generations = 5, .backend = "mpi"};
}

bool same_trials(const OptimizationResult &a, const OptimizationResult &b)
{
    if (a.trials.size() != b.trials.size())
        return false;
    for (std::size_t i = 0; i < a.trials.size(); ++i) {
        const TrialRecord &x = a.trials[i], &y = b.trials[i];
        if (x.number != y.number || x.params != y.params || x.status != y.status || x.metrics != y.metrics ||
            (x.status == BTOPT_TRIAL_OK && x.score != y.score))
            return false;
    }
    return true;
}

int rank_of(const OptimizationResult *r)
{
    const char *env = std::getenv("OMPI_COMM_WORLD_RANK");
    (void)r;
    return env ? std::atoi(env) : 0;
}

// Runs on every rank; returns the result on rank 0 only.
std::optional<OptimizationResult> run_everywhere(const Plugin &plugin, const std::string &algorithm, Options o)
{
    auto result = ParallelOptimizer(plugin, nullptr, algorithm, std::move(o)).optimize();
    if (rank_of(&result) != 0) {
        check(result.trials.empty(), "the result on a rank other than 0 is empty");
        return std::nullopt;
    }
    return result;
}

void identical(const std::string &plugin_path)
{
    // The adaptive searches too: bayesian and gp in batches of 4, so ranks
    // evaluate at once while the trials stay those of the inline run.
    for (const std::string algorithm : {"grid", "random", "genetic", "bayesian", "cmaes", "gp"}) {
        Options options = mpi_options();
        options.batch_q = 4;
        auto r = run_everywhere(Plugin{plugin_path}, algorithm, options);
        if (!r)
            continue;
        Options inline_options = options;
        inline_options.backend = "inline";
        const auto reference = ParallelOptimizer(Plugin{plugin_path}, nullptr, algorithm, inline_options).optimize();
        check(!r->trials.empty() && same_trials(*r, reference), algorithm + ": MPI trials equal the inline ones");
        check(r->best_params == reference.best_params, algorithm + ": same best parameters");
    }
}

void init_once(const std::string &plugin_path, const std::string &log)
{
    auto r = run_everywhere(Plugin{plugin_path, {{"init_log", log}}}, "grid", mpi_options(2));
    if (!r)
        return;
    std::ifstream in(log);
    int lines = 0;
    for (std::string line; std::getline(in, line);)
        ++lines;
    const char *size = std::getenv("OMPI_COMM_WORLD_SIZE");
    check(size && lines == std::atoi(size) - 1, "init ran once on each evaluating rank: " + std::to_string(lines));
    check(r->trials.size() == 100, "every point evaluated");
}

void crash(const std::string &plugin_path)
{
    Options o = mpi_options(2);
    o.ignore_errors = true;
    auto r = run_everywhere(Plugin{plugin_path, {{"crash_mod", "3"}}}, "grid", o);
    if (!r)
        return;
    int crashed = 0, ok = 0;
    for (const TrialRecord &t : r->trials)
        (t.status == BTOPT_TRIAL_CRASHED ? crashed : ok) += t.status == BTOPT_TRIAL_CRASHED || t.status == BTOPT_TRIAL_OK;
    check(crashed == 34 && ok == 66, "a crash costs one point: " + std::to_string(crashed) + " crashed");
}

void refused(const std::string &plugin_path)
{
    try {
        run_everywhere(Plugin{plugin_path, {{"fail_init_rank", "2"}}}, "grid", mpi_options());
        check(rank_of(nullptr) != 0, "rank 0 should have been refused");
    } catch (const Error &e) {
        const std::string what = e.what();
        check(e.status() == BTOPT_ERR_PLUGIN, "a rank that cannot initialise fails the run with PLUGIN");
        check(what.find("rank 2 on ") != std::string::npos && what.find("cannot read the data") != std::string::npos,
              "the message names the rank and host: " + what);
    }
}

void cancel(const std::string &plugin_path)
{
    ParallelOptimizer *self = nullptr;
    Options o = mpi_options();
    o.batch_size = 1;
    o.callback = [&](std::uint64_t done, std::uint64_t, double) {
        if (done >= 10)
            self->cancel();
    };
    ParallelOptimizer opt(Plugin{plugin_path, {{"hang_at", "9"}}}, nullptr, "grid", o);
    self = &opt;
    try {
        const auto r = opt.optimize();
        check(rank_of(&r) != 0 && r.trials.empty(), "only rank 0 sees the cancellation");
    } catch (const Error &e) {
        check(e.status() == BTOPT_ERR_CANCELLED, "cancel on rank 0 stops every rank");
        check(e.partial() && e.partial()->trials.size() >= 10, "the finished trials are kept");
    }
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: mpi_host CASE PLUGIN [LOG]\n");
        return 2;
    }
    const std::string which = argv[1], plugin = argv[2];
    try {
        if (which == "identical")
            identical(plugin);
        else if (which == "init-once")
            init_once(plugin, argc > 3 ? argv[3] : "/tmp/btopt-mpi-init.log");
        else if (which == "crash")
            crash(plugin);
        else if (which == "refused")
            refused(plugin);
        else if (which == "cancel")
            cancel(plugin);
    } catch (const Error &e) {
        check(false, std::string("unexpected error: ") + e.what());
    }
    if (rank_of(nullptr) == 0)
        std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
