/*
 * Plugins that misbehave around the worker protocol, through the C ABI from
 * plain C11, with the evil test plugin (tests/plugins/evil.c):
 *   - a worker dies while a child it forked still holds its socket: the death
 *     is seen at once (a pidfd per worker), not at eval_timeout;
 *   - a plugin's finish crashes: the run says so, and keeps its trials;
 *   - an equity curve's config and point travel to btopt-worker on a socket:
 *     a secret config value never shows on any process's command line.
 * The whole program runs under alarm(), so a hang fails it.
 *
 * usage: capi_plugin_faults PLUGIN_DIR
 */
#define _POSIX_C_SOURCE 200809L

#include <btopt/btopt.h>

#include "check.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char g_plugin_dir[4096];

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static btopt_optimizer *evil(const char *name, const char *const *config)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.so", g_plugin_dir, name);
    btopt_optimizer *opt = NULL;
    CHECK(btopt_optimizer_create(&opt, NULL, "grid") == BTOPT_OK);
    CHECK(btopt_optimizer_use_plugin(opt, path) == BTOPT_OK);
    for (; config[0] != NULL; config += 2)
        CHECK(btopt_optimizer_set_plugin_config(opt, config[0], config[1]) == BTOPT_OK);
    CHECK(btopt_optimizer_set_int(opt, "n_jobs", 2) == BTOPT_OK);
    return opt;
}

static double evil_score(int64_t index)
{
    const double a = (double)(index / 10), b = (double)(index % 10);
    return -((a - 7) * (a - 7) + (b - 3) * (b - 3));
}

/* Every trial ok with its own score, except `culprit` (-1: none), crashed
 * with `error` in its message. */
static void check_only_culprit(const btopt_result *r, int64_t culprit, const char *error)
{
    CHECK(btopt_result_trial_count(r) == 100);
    for (uint64_t i = 0; i < btopt_result_trial_count(r); ++i) {
        double score = 0.0;
        int32_t status = -1;
        uint64_t number = 0;
        const char *message = NULL;
        CHECK(btopt_result_trial(r, i, NULL, &score, &status) == BTOPT_OK);
        CHECK(btopt_result_trial_info(r, i, &number, &message, NULL) == BTOPT_OK);
        if ((int64_t)number == culprit) {
            CHECK(status == BTOPT_TRIAL_CRASHED);
            CHECK(strstr(message, error) != NULL);
        } else {
            CHECK(status == BTOPT_TRIAL_OK);
            CHECK(score == evil_score((int64_t)number));
        }
    }
}

/* The worker exits at point 42 while the child it forked sleeps with the
 * worker's socket open, so the socket never reads EOF. Before the pidfd the
 * death was seen only at eval_timeout (10 s here; never without one). */
static void death_seen_while_a_child_holds_the_socket(const char *name)
{
    const char *const config[] = {"mode", "fork_exit", "at", "42", "status", "3", NULL};
    btopt_optimizer *opt = evil(name, config);
    CHECK(btopt_optimizer_set_int(opt, "ignore_errors", 1) == BTOPT_OK);
    CHECK(btopt_optimizer_set_double(opt, "eval_timeout", 10.0) == BTOPT_OK);
    btopt_result *r = NULL;
    const double start = now();
    CHECK(btopt_optimizer_run(opt, &r) == BTOPT_OK);
    const double took = now() - start;
    printf("%s: a worker dying with its socket held by a child: run took %.2f s (eval_timeout 10 s)\n", name, took);
    CHECK(took < 5.0);
    if (r)
        check_only_culprit(r, 42, "exited with status 3");
    btopt_result_destroy(r);
    btopt_optimizer_destroy(opt);
}

/* ---- A plugin's finish that crashes ----------------------------------------
 * Before: btopt-worker died of it after the last trial, and nobody heard. */
static void finish_crash_is_reported(const char *name)
{
    const char *const config[] = {"finish_crash", "1", NULL};
    btopt_optimizer *opt = evil(name, config);
    btopt_result *r = NULL;
    CHECK(btopt_optimizer_run(opt, &r) == BTOPT_OK);
    if (r) {
        check_only_culprit(r, -1, "");
        const char *warnings = btopt_result_warnings(r);
        printf("%s, finish crashes: warnings \"%s\"\n", name, warnings);
#ifndef BTOPT_SANITIZED /* a sanitizer runtime turns the segfault into an exit status */
        CHECK(strstr(warnings, "signal 11") != NULL);
#endif
        CHECK(strstr(warnings, "finish") != NULL);
    }
    btopt_result_destroy(r);
    /* and a finish that does not crash leaves none */
    const char *const quiet[] = {NULL};
    btopt_optimizer_destroy(opt);
    opt = evil(name, quiet);
    CHECK(btopt_optimizer_run(opt, &r) == BTOPT_OK);
    if (r)
        CHECK(strcmp(btopt_result_warnings(r), "") == 0);
    btopt_result_destroy(r);
    btopt_optimizer_destroy(opt);
}

/* ---- The equity curve's setup is not on a command line ------------------ */

typedef struct scan {
    const char *secret;
    atomic_int stop;
    int secret_seen;     /* processes whose command line held the secret */
    int equity_seen;     /* scans that found a `btopt-worker equity` running */
} scan;

/* Whether any other process's command line holds `needle`, or both `a` and `b`. */
static int command_lines_hold(const char *needle, const char *a, const char *b)
{
    DIR *proc = opendir("/proc");
    if (!proc)
        return 0;
    int found = 0;
    const struct dirent *e;
    char path[300], line[65536];
    while (!found && (e = readdir(proc)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9' || atoi(e->d_name) == getpid())
            continue;
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        const size_t n = fread(line, 1, sizeof line - 1, f);
        fclose(f);
        for (size_t i = 0; i < n; ++i)
            if (line[i] == '\0')
                line[i] = ' ';
        line[n] = '\0';
        found = needle ? strstr(line, needle) != NULL : strstr(line, a) != NULL && strstr(line, b) != NULL;
    }
    closedir(proc);
    return found;
}

static void *scanner(void *user)
{
    scan *s = (scan *)user;
    while (!atomic_load(&s->stop)) {
        s->secret_seen += command_lines_hold(s->secret, NULL, NULL);
        s->equity_seen += command_lines_hold(NULL, "btopt-worker", " equity");
    }
    return NULL;
}

static void equity_setup_not_on_a_command_line(void)
{
    char secret[64];
    snprintf(secret, sizeof secret, "SECRET-TOKEN-%d", (int)getpid());
    const char *const config[] = {"api_key", secret, "init_sleep", "0.5", NULL};
    btopt_optimizer *opt = evil("evil", config);
    btopt_result *r = NULL;
    CHECK(btopt_optimizer_run(opt, &r) == BTOPT_OK);
    const btopt_params *best = r ? btopt_result_best_params(r) : NULL;
    CHECK(best != NULL);
    if (!best) {
        btopt_result_destroy(r);
        btopt_optimizer_destroy(opt);
        return;
    }
    scan s = {.secret = secret, .secret_seen = 0, .equity_seen = 0};
    atomic_init(&s.stop, 0);
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, scanner, &s) == 0);
    btopt_series *curve = NULL;
    CHECK(btopt_optimizer_equity_curve(&curve, opt, best) == BTOPT_OK);
    atomic_store(&s.stop, 1);
    pthread_join(thread, NULL);
    CHECK(curve != NULL && btopt_series_length(curve) == 2);
    if (curve)
        CHECK(btopt_series_equity(curve)[1] == 1.0 + 7.0); /* the best point has a = 7 */
    printf("equity curve: btopt-worker equity seen running in %d scans, the secret on a command line %d times\n",
           s.equity_seen, s.secret_seen);
    CHECK(s.equity_seen > 0); /* the scans did overlap its life (init sleeps 0.5 s) */
    CHECK(s.secret_seen == 0);
    btopt_series_destroy(curve);
    btopt_result_destroy(r);
    btopt_optimizer_destroy(opt);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PLUGIN_DIR\n", argv[0]);
        return 2;
    }
    snprintf(g_plugin_dir, sizeof g_plugin_dir, "%s", argv[1]);
    alarm(100);
    death_seen_while_a_child_holds_the_socket("evil");
    death_seen_while_a_child_holds_the_socket("evil_per_worker");
    equity_setup_not_on_a_command_line();
    finish_crash_is_reported("evil");
    finish_crash_is_reported("evil_per_worker");
    if (!g_failed)
        printf("plugin_faults: ok\n");
    return CHECK_EXIT_STATUS;
}
