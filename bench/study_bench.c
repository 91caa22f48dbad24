/*
 * Result files and studies, measured through the C ABI (bench/run.sh, "Result
 * files and studies"): a grid of N points of a trivial host objective on the
 * inline backend, then
 *   - the run without a study, and writing its JSON and CSV (µs per trial),
 *   - the same run with a study (what recording every trial costs),
 *   - a resumed run that reuses every stored outcome,
 *   - btopt_study_export of the stored run to JSON (streamed),
 * with the peak RSS after each step; or, with a third argument, one run of
 * the thread backend (2 workers, best 10,000 trials kept) with or without a
 * study: wall-clock trials a second and the process's peak RSS (run it in a
 * process of its own for the RSS of that run alone).
 *
 *   btopt-bench-study N DIR                       (N = points, e.g. 1000000; DIR = a scratch folder)
 *   btopt-bench-study N DIR thread|thread-nostudy
 */
#define _POSIX_C_SOURCE 200809L

#include <btopt/btopt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

/* CPU seconds of the whole process (every thread): on a busy machine a far
 * steadier measure than the wall clock. BTOPT_BENCH_WALL=1 measures wall time. */
static double now(void)
{
    struct timespec t;
    clock_gettime(getenv("BTOPT_BENCH_WALL") ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static long peak_rss_mb(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

static btopt_status trivial(void *user, const btopt_params *p, double *score)
{
    (void)user;
    int64_t a = 0, b = 0;
    btopt_params_get_int(p, "a", &a);
    btopt_params_get_int(p, "b", &b);
    *score = (double)((a * 7919 + b * 104729) % 1000003) / 1000003.0;
    return BTOPT_OK;
}

static double run_on(const char *backend, int64_t n, const char *study, int64_t keep, btopt_result **out)
{
    btopt_space *space = NULL;
    btopt_space_create(&space);
    btopt_space_add_int(space, "a", 0, 999, 1);
    btopt_space_add_int(space, "b", 0, n / 1000 - 1, 1);
    btopt_optimizer *opt = NULL;
    btopt_optimizer_create(&opt, space, "grid");
    btopt_optimizer_set_objective(opt, trivial, NULL);
    btopt_optimizer_set_string(opt, "backend", backend);
    if (strcmp(backend, "thread") == 0)
        btopt_optimizer_set_int(opt, "n_jobs", 2);
    if (study)
        btopt_optimizer_set_string(opt, "study", study);
    if (keep >= 0)
        btopt_optimizer_set_int(opt, "keep_trials", keep);
    const double start = now();
    if (btopt_optimizer_run(opt, out) != BTOPT_OK) {
        fprintf(stderr, "run failed: %s\n", btopt_last_error());
        exit(1);
    }
    const double seconds = now() - start;
    btopt_optimizer_destroy(opt);
    btopt_space_destroy(space);
    return seconds;
}

static double run(int64_t n, const char *study, int64_t keep, btopt_result **out)
{
    return run_on("inline", n, study, keep, out);
}

/* One thread-backend run, timed by the wall clock. */
static int thread_run(int64_t n, const char *study)
{
    setenv("BTOPT_BENCH_WALL", "1", 1);
    btopt_result *r = NULL;
    const double seconds = run_on("thread", n, study, 10000, &r);
    printf("thread backend, 2 workers, %s: %lld trials in %.3f s wall = %.0f trials/s, peak RSS %ld MB\n",
           study ? "with a study" : "no study", (long long)n, seconds, (double)n / seconds, peak_rss_mb());
    btopt_result_destroy(r);
    return 0;
}

static long file_kb(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)(st.st_size / 1024) : -1;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s POINTS DIR [thread|thread-nostudy]\n", argv[0]);
        return 2;
    }
    const int64_t n = atoll(argv[1]) / 1000 * 1000;
    char json[1024], csv[1024], study[1024], exported[1024];
    snprintf(json, sizeof json, "%s/run.json", argv[2]);
    snprintf(csv, sizeof csv, "%s/run.csv", argv[2]);
    snprintf(study, sizeof study, "%s/run.db", argv[2]);
    snprintf(exported, sizeof exported, "%s/export.json", argv[2]);
    remove(study);
    if (argc == 4)
        return thread_run(n, strcmp(argv[3], "thread") == 0 ? study : NULL);

    btopt_result *r = NULL;
    const double plain = run(n, NULL, -1, &r);
    printf("trials                       %lld\n", (long long)n);
    printf("run, no study                %.3f s  (%.3f us/trial)  peak RSS %ld MB\n", plain, plain / n * 1e6, peak_rss_mb());
    double t = now();
    btopt_result_write_json(r, json);
    const double json_s = now() - t;
    printf("write JSON                   %.3f s  (%.3f us/trial, %ld KB)  peak RSS %ld MB\n", json_s, json_s / n * 1e6,
           file_kb(json), peak_rss_mb());
    t = now();
    btopt_result_write_csv(r, csv);
    const double csv_s = now() - t;
    printf("write CSV                    %.3f s  (%.3f us/trial, %ld KB)\n", csv_s, csv_s / n * 1e6, file_kb(csv));
    btopt_result_destroy(r);

    const double studied = run(n, study, -1, &r);
    printf("run, study (keep 10000)      %.3f s  (%.3f us/trial; +%.3f us/trial)  peak RSS %ld MB, study %ld KB\n",
           studied, studied / n * 1e6, (studied - plain) / n * 1e6, peak_rss_mb(), file_kb(study));
    btopt_result_destroy(r);
    const double resumed = run(n, study, -1, &r);
    printf("rerun, every trial reused    %.3f s  (%.3f us/trial), reused %llu\n", resumed, resumed / n * 1e6,
           (unsigned long long)btopt_result_reused_count(r));
    btopt_result_destroy(r);
    t = now();
    btopt_study_export(study, 0, exported, NULL);
    const double export_s = now() - t;
    printf("export JSON from the study   %.3f s  (%.3f us/trial, %ld KB)  peak RSS %ld MB\n", export_s,
           export_s / n * 1e6, file_kb(exported), peak_rss_mb());
    return 0;
}
