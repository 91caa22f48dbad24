// How much of a large grid run the selection-bias statistics and the
// neighbourhood scores cost (issue 19: under 5 % for 1,000,000 trials).
//
//   btopt-bench-analysis [SIDE] [JOBS]
//
// Runs sma_crossover on its synthetic series over a SIDE x SIDE grid
// (fast = 2..SIDE+1, slow = SIDE+2..2 SIDE+1; default 1000: 1,000,000 trials)
// with JOBS workers (default 2), then computes the statistics again on the
// finished result, timing them, and prints both times and their ratio. (The
// run's own wall time already includes one computation of them.) The PBO and
// its mean logit are printed to the last digit, so two builds can be checked
// for the same result.
#include <btopt/btopt.h>

#include "../src/analysis/selection.hpp"
#include "../src/capi/handles.hpp"

#include <sys/resource.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

double process_cpu_seconds()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

void check(btopt_status status, const char *what)
{
    if (status != BTOPT_OK) {
        std::fprintf(stderr, "%s: %s\n", what, btopt_last_error());
        std::exit(1);
    }
}

} // namespace

int main(int argc, char **argv)
{
    const long side = argc > 1 ? std::atol(argv[1]) : 1000;
    const long jobs = argc > 2 ? std::atol(argv[2]) : 2;
    btopt_space *space = nullptr;
    check(btopt_space_create(&space), "space");
    check(btopt_space_add_int(space, "fast", 2, side + 1, 1), "fast");
    check(btopt_space_add_int(space, "slow", side + 2, 2 * side + 1, 1), "slow");
    btopt_optimizer *opt = nullptr;
    check(btopt_optimizer_create(&opt, space, "grid"), "optimizer");
    check(btopt_optimizer_use_plugin(opt, "sma_crossover"), "plugin");
    check(btopt_optimizer_set_plugin_config(opt, "synthetic_bars", std::to_string(2 * side + 520).c_str()), "bars");
    check(btopt_optimizer_set_int(opt, "n_jobs", jobs), "n_jobs");
    btopt_result *result = nullptr;
    check(btopt_optimizer_run(opt, &result), "run");
    const double run_seconds = btopt_result_wall_seconds(result);
    btopt::internal::Options options; // the defaults: pbo_blocks 16, robust_radius 1
    const double cpu_start = process_cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    const auto stats = btopt::internal::analysis::selection_stats(result->run, options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = process_cpu_seconds() - cpu_start;
    // Without the PBO (pbo_blocks 6 does not divide the plugin's 16 blocks): the rest's share.
    options.pbo_blocks = 6;
    const double rest_start = process_cpu_seconds();
    (void)btopt::internal::analysis::selection_stats(result->run, options);
    const double rest = process_cpu_seconds() - rest_start;
    std::printf("without the PBO: CPU %.3f s\n", rest);
    // On a loaded machine the wall time of the statistics counts other processes' time too: the CPU time (of
    // all its threads, the PBO's one per worker) does not.
    std::printf("trials %llu, run wall %.3f s (evaluations %.3f s on %ld workers), statistics wall %.3f s "
                "(%.2f %% of the run's wall), CPU %.3f s (%.2f %%), of which the PBO %.3f s; dsr %.4f, pbo %.17g, "
                "logit mean %.17g from %llu of %llu splits, robust %s; %s\n",
                static_cast<unsigned long long>(btopt_result_evaluated_count(result)), run_seconds,
                btopt_result_eval_seconds(result), jobs, seconds, 100.0 * seconds / run_seconds, cpu,
                100.0 * cpu / run_seconds, cpu - rest, stats.sharpe.dsr, stats.overfit.pbo, stats.overfit.logit_mean,
                static_cast<unsigned long long>(stats.overfit.combinations),
                static_cast<unsigned long long>(stats.overfit.all_combinations), stats.has_robust ? "yes" : "no",
                stats.note.c_str());
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("peak RSS %.0f MB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
    btopt_result_destroy(result);
    btopt_optimizer_destroy(opt);
    btopt_space_destroy(space);
    return 0;
}
