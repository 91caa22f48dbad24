/*
 * The soak test (issue 16): 10,000 trials of the chaos plugin
 * (tests/plugins/chaos.c), which on random points exits with a random status,
 * raises a random signal, sleeps past eval_timeout or allocates past
 * max_memory_per_worker, on the process backend with ignore_errors. The run
 * must finish; every trial must have the status its fault calls for (chaos.h),
 * with words that say why; the other trials' scores must equal a clean run's;
 * and no process the run started may be left.
 *
 * Cheap on purpose: 2 workers, eval_timeout 0.5 s (short, yet long enough
 * that a loaded machine does not time out a plain point), 2.5% of the points
 * faulty, of which 20 hang (20 x 0.5 s over two workers).
 *
 * usage: capi_soak PLUGIN_DIR
 */
#define _GNU_SOURCE

#include "chaos.h"

#include <btopt/btopt.h>

#include "check.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char g_plugin[4200];

enum { points = 10000 };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static btopt_result *run(const char *faults)
{
    btopt_optimizer *opt = NULL;
    CHECK(btopt_optimizer_create(&opt, NULL, "grid") == BTOPT_OK);
    CHECK(btopt_optimizer_use_plugin(opt, g_plugin) == BTOPT_OK);
    CHECK(btopt_optimizer_set_plugin_config(opt, "faults", faults) == BTOPT_OK);
    CHECK(btopt_optimizer_set_int(opt, "n_jobs", 2) == BTOPT_OK);
    CHECK(btopt_optimizer_set_string(opt, "backend", "process") == BTOPT_OK);
    CHECK(btopt_optimizer_set_int(opt, "ignore_errors", 1) == BTOPT_OK);
    CHECK(btopt_optimizer_set_double(opt, "eval_timeout", 0.5) == BTOPT_OK);
    CHECK(btopt_optimizer_set_string(opt, "max_memory_per_worker", "64MB") == BTOPT_OK);
    btopt_result *r = NULL;
    CHECK(btopt_optimizer_run(opt, &r) == BTOPT_OK);
    btopt_optimizer_destroy(opt);
    return r;
}

/* Processes whose environment holds `tag` (the run's btopt-worker and its
 * workers inherit this process's environment). */
static int processes_tagged(const char *tag)
{
    int count = 0;
    DIR *proc = opendir("/proc");
    if (!proc)
        return -1;
    const struct dirent *e;
    char path[300], buffer[65536];
    while ((e = readdir(proc)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9' || atoi(e->d_name) == getpid())
            continue;
        snprintf(path, sizeof path, "/proc/%s/environ", e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        const size_t n = fread(buffer, 1, sizeof buffer, f);
        fclose(f);
        for (size_t i = 0; i < n; i += strlen(buffer + i) + 1)
            if (strcmp(buffer + i, tag) == 0) {
                ++count;
                break;
            }
    }
    closedir(proc);
    return count;
}

/* The words a trial's error must hold for its fault. */
static void expected_words(chaos_fault f, char *out, size_t size)
{
    if (f.kind == CHAOS_EXIT)
        snprintf(out, size, "exited with status %d", f.detail);
    else if (f.kind == CHAOS_SIGNAL)
        snprintf(out, size, "killed by signal %d ", f.detail);
    else if (f.kind == CHAOS_HOG)
        snprintf(out, size, "max_memory_per_worker");
    else
        snprintf(out, size, "eval_timeout");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PLUGIN_DIR\n", argv[0]);
        return 2;
    }
    snprintf(g_plugin, sizeof g_plugin, "%s/chaos.so", argv[1]);
    char tag[64];
    snprintf(tag, sizeof tag, "BTOPT_SOAK_TAG=%d", (int)getpid());
    putenv(tag);
    alarm(280);

    btopt_result *clean = run("0");
    double start = now();
    btopt_result *chaos = run("1");
    const double took = now() - start;
    if (!clean || !chaos)
        return 1;
    CHECK(btopt_result_trial_count(clean) == points);
    CHECK(btopt_result_trial_count(chaos) == points);

    unsigned kinds[5] = {0}, wrong = 0;
    for (uint64_t i = 0; i < btopt_result_trial_count(chaos) && wrong < 20; ++i) {
        uint64_t number = 0;
        double score = 0.0, clean_score = 0.0;
        int32_t status = -1;
        const char *error = NULL;
        const btopt_params *point = NULL;
        int64_t a = 0, b = 0;
        CHECK(btopt_result_trial(chaos, i, &point, &score, &status) == BTOPT_OK);
        CHECK(btopt_result_trial_info(chaos, i, &number, &error, NULL) == BTOPT_OK);
        CHECK(btopt_params_get_int(point, "a", &a) == BTOPT_OK && btopt_params_get_int(point, "b", &b) == BTOPT_OK);
        CHECK(btopt_result_trial(clean, i, NULL, &clean_score, NULL) == BTOPT_OK);
        const chaos_fault f = chaos_fault_at(100 * a + b, 1, 25);
        ++kinds[f.kind];
        char words[64];
        expected_words(f, words, sizeof words);
        const int32_t want = f.kind == CHAOS_NONE ? BTOPT_TRIAL_OK
                             : f.kind == CHAOS_HANG ? BTOPT_TRIAL_TIMEOUT
                                                    : BTOPT_TRIAL_CRASHED;
        const int right = status == want &&
                          (f.kind == CHAOS_NONE ? score == clean_score && score == chaos_score(100 * a + b)
                                                : strstr(error, words) != NULL);
        if (!right) {
            fprintf(stderr, "trial %llu (a=%lld, b=%lld, fault %d/%d): status %d, want %d; score %g, clean %g; \"%s\"\n",
                    (unsigned long long)number, (long long)a, (long long)b, (int)f.kind, f.detail, (int)status,
                    (int)want, score, clean_score, error);
            ++wrong;
        }
    }
    CHECK(wrong == 0);
    printf("soak: %d trials in %.1f s: %u ok, %u hangs, %u hogs, %u exits, %u signals\n", points, took,
           kinds[CHAOS_NONE], kinds[CHAOS_HANG], kinds[CHAOS_HOG], kinds[CHAOS_EXIT], kinds[CHAOS_SIGNAL]);
    CHECK(kinds[CHAOS_HANG] > 0 && kinds[CHAOS_HOG] > 0 && kinds[CHAOS_EXIT] > 0 && kinds[CHAOS_SIGNAL] > 0);
    btopt_result_destroy(clean);
    btopt_result_destroy(chaos);

    /* Nothing the runs started is left (a killed group is gone at once). */
    start = now();
    int left = processes_tagged(tag);
    while (left > 0 && now() - start < 5.0) {
        usleep(50000);
        left = processes_tagged(tag);
    }
    CHECK(left == 0);
    if (!g_failed)
        printf("soak: ok\n");
    return CHECK_EXIT_STATUS;
}
