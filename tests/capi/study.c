/*
 * Studies through the C ABI, with a host objective: a run cancelled halfway
 * and resumed equals an uninterrupted run (trials, score bits, best); the
 * stored runs read back through btopt_study_open and btopt_study_runs; the
 * data_fingerprint option is part of a study's identity; keep_trials
 * defaults to 10000 with a study, which still holds every trial.
 *
 * Prints "N passed, N failed" and exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <btopt/btopt.h>

#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static btopt_status bumpy(void *user, const btopt_params *p, double *score)
{
    (void)user;
    int64_t a = 0;
    double b = 0;
    btopt_params_get_int(p, "a", &a);
    btopt_params_get_double(p, "b", &b);
    *score = sin((double)a * 0.37 + b) * exp(-b * b / 4.0) - (double)a * 1e-3;
    return BTOPT_OK;
}

static btopt_space *make_space(int64_t a_hi)
{
    btopt_space *space = NULL;
    btopt_space_create(&space);
    btopt_space_add_int(space, "a", 0, a_hi, 1);
    btopt_space_add_float(space, "b", -3.0, 3.0, 0.05);
    return space;
}

typedef struct stopper {
    btopt_optimizer *opt;
    uint64_t at;
} stopper;

static void stop_at(void *user, uint64_t done, uint64_t total, double best)
{
    (void)total;
    (void)best;
    stopper *s = user;
    if (s->at > 0 && done >= s->at)
        btopt_optimizer_cancel(s->opt);
}

/* Runs a genetic search over bumpy; study NULL for none; cancel_at 0 for never. */
static btopt_status run(const char *study, const char *fingerprint, uint64_t cancel_at, btopt_result **out)
{
    btopt_space *space = make_space(40);
    btopt_optimizer *opt = NULL;
    btopt_optimizer_create(&opt, space, "genetic");
    btopt_optimizer_set_objective(opt, bumpy, NULL);
    btopt_optimizer_set_string(opt, "backend", "thread");
    btopt_optimizer_set_int(opt, "n_jobs", 2);
    btopt_optimizer_set_int(opt, "batch_size", 1);
    btopt_optimizer_set_int(opt, "population_size", 30);
    btopt_optimizer_set_int(opt, "n_generations", 20);
    btopt_optimizer_set_int(opt, "random_seed", 3);
    if (study)
        btopt_optimizer_set_string(opt, "study", study);
    if (fingerprint)
        btopt_optimizer_set_string(opt, "data_fingerprint", fingerprint);
    stopper s = {opt, cancel_at};
    btopt_optimizer_set_progress(opt, stop_at, &s);
    const btopt_status status = btopt_optimizer_run(opt, out);
    btopt_optimizer_destroy(opt);
    btopt_space_destroy(space);
    return status;
}

static int same_trials(const btopt_result *x, const btopt_result *y)
{
    const uint64_t n = btopt_result_trial_count(x);
    if (n != btopt_result_trial_count(y))
        return 0;
    for (uint64_t i = 0; i < n; ++i) {
        const btopt_params *px = NULL, *py = NULL;
        double sx = 0, sy = 0;
        int32_t tx = 0, ty = 0;
        int64_t ax = 0, ay = 0;
        double bx = 0, by = 0;
        btopt_result_trial(x, i, &px, &sx, &tx);
        btopt_result_trial(y, i, &py, &sy, &ty);
        btopt_params_get_int(px, "a", &ax);
        btopt_params_get_int(py, "a", &ay);
        btopt_params_get_double(px, "b", &bx);
        btopt_params_get_double(py, "b", &by);
        if (tx != ty || ax != ay || memcmp(&bx, &by, sizeof bx) != 0 || memcmp(&sx, &sy, sizeof sx) != 0)
            return 0;
    }
    uint64_t bx = 0, by = 0;
    btopt_result_best_index(x, &bx);
    btopt_result_best_index(y, &by);
    return bx == by;
}

static void test_cancelled_run_resumes_to_the_uninterrupted_result(const char *dir)
{
    char study[512];
    snprintf(study, sizeof study, "%s/genetic.db", dir);
    btopt_result *reference = NULL, *partial = NULL, *resumed = NULL, *stored = NULL;
    CHECK(run(NULL, NULL, 0, &reference) == BTOPT_OK);
    CHECK(run(study, "v1", 250, &partial) == BTOPT_ERR_CANCELLED);
    CHECK(btopt_result_reused_count(partial) == 0);
    CHECK(run(study, "v1", 0, &resumed) == BTOPT_OK);
    CHECK(btopt_result_reused_count(resumed) >= 200);
    CHECK(same_trials(reference, resumed));
    CHECK(strstr(btopt_result_provenance(resumed), "\"data_fingerprint\":\"v1\"") != NULL);

    size_t count = 0;
    int64_t ids[4] = {0};
    CHECK(btopt_study_runs(study, ids, 4, &count) == BTOPT_OK);
    CHECK(count == 2 && ids[0] == 1 && ids[1] == 2);
    CHECK(btopt_study_open(&stored, study, 0) == BTOPT_OK);
    CHECK(stored && same_trials(reference, stored));
    CHECK(stored && btopt_result_reused_count(stored) == btopt_result_reused_count(resumed));
    CHECK(stored && strstr(btopt_result_provenance(stored), "\"status\":\"finished\"") != NULL);
    btopt_result_destroy(stored);
    stored = NULL;
    CHECK(btopt_study_open(&stored, study, 1) == BTOPT_OK);
    CHECK(stored && strstr(btopt_result_provenance(stored), "\"status\":\"cancelled\"") != NULL);
    btopt_result_destroy(stored);
    CHECK(btopt_study_open(&stored, study, 7) == BTOPT_ERR_NOT_FOUND);

    /* Other data: refused, naming the fingerprint; study_mode new records it anyway. */
    btopt_result *other = NULL;
    CHECK(run(study, "v2", 0, &other) == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(strstr(btopt_last_error(), "the data fingerprint changed: 'v2', the study has 'v1'") != NULL);
    btopt_result_destroy(reference);
    btopt_result_destroy(partial);
    btopt_result_destroy(resumed);
}

static void test_a_study_keeps_the_best_10000_in_memory_and_every_trial_on_disk(const char *dir)
{
    char study[512];
    snprintf(study, sizeof study, "%s/grid.db", dir);
    btopt_space *space = make_space(199); /* 200 x 121 = 24,200 points */
    btopt_optimizer *opt = NULL;
    btopt_optimizer_create(&opt, space, "grid");
    btopt_optimizer_set_objective(opt, bumpy, NULL);
    btopt_optimizer_set_string(opt, "study", study);
    btopt_result *live = NULL, *stored = NULL;
    CHECK(btopt_optimizer_run(opt, &live) == BTOPT_OK);
    CHECK(btopt_result_trial_count(live) == 10000);
    CHECK(btopt_study_open(&stored, study, 0) == BTOPT_OK);
    CHECK(stored && btopt_result_trial_count(stored) == 24200);
    CHECK(stored && memcmp(&(double){btopt_result_best_score(live)}, &(double){btopt_result_best_score(stored)},
                           sizeof(double)) == 0);
    char json[512];
    snprintf(json, sizeof json, "%s/grid.json", dir);
    CHECK(btopt_study_export(study, 0, json, NULL) == BTOPT_OK);
    CHECK(btopt_study_export(study, 0, NULL, NULL) == BTOPT_ERR_INVALID_ARGUMENT);
    btopt_result_destroy(live);
    btopt_result_destroy(stored);
    btopt_optimizer_destroy(opt);
    btopt_space_destroy(space);
}

static void test_not_a_study(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/plain.txt", dir);
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 100; ++i)
        fputs("not a database at all\n", f);
    fclose(f);
    btopt_result *r = NULL;
    CHECK(btopt_study_open(&r, path, 0) == BTOPT_ERR_IO && r == NULL);
    CHECK(strstr(btopt_last_error(), "is not a btopt study") != NULL);
    CHECK(btopt_study_open(&r, "/nonexistent/study.db", 0) == BTOPT_ERR_NOT_FOUND);
}

int main(void)
{
    char dir[] = "/tmp/btopt-capi-study-XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    test_cancelled_run_resumes_to_the_uninterrupted_result(dir);
    test_a_study_keeps_the_best_10000_in_memory_and_every_trial_on_disk(dir);
    test_not_a_study(dir);
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return CHECK_EXIT_STATUS;
}
