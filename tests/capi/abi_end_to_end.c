/*
 * Drives the whole C ABI end to end from plain C11, the way a foreign host
 * (Python ctypes, Go cgo, Rust) sees it: a host objective over a small
 * strategy space, every algorithm at one and at two workers, registered
 * objectives, progress, cancellation, objective failures, NaN scores, keep
 * trials, directions and the JSON/CSV writers.
 *
 * Prints "N passed, N failed" and exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <btopt/btopt.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- A tiny counting check ---------------------------------------------- */

static int g_passed;
static int g_failed;

static void check_impl(int ok, const char *what, const char *file, int line)
{
    if (ok) {
        ++g_passed;
    } else {
        ++g_failed;
        fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, what);
    }
}

#define CHECK(cond) check_impl((cond) ? 1 : 0, #cond, __FILE__, __LINE__)

/* Checks a status and, when it is not the expected one, says what the library said. */
static int check_status_impl(btopt_status got, btopt_status want, const char *what, const char *file, int line)
{
    if (got == want) {
        ++g_passed;
        return 1;
    }
    ++g_failed;
    fprintf(stderr, "%s:%d: %s returned %s, expected %s (last error: \"%s\")\n", file, line, what,
            btopt_status_name(got), btopt_status_name(want), btopt_last_error());
    return 0;
}

#define CHECK_STATUS(expr, want) check_status_impl((expr), (want), #expr, __FILE__, __LINE__)
#define CHECK_OK(expr) CHECK_STATUS((expr), BTOPT_OK)

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* ---- The strategy space: fast 10..50 step 5, slow 50..200 step 25, fast < slow */

enum { FAST_LO = 10, FAST_HI = 50, FAST_STEP = 5, SLOW_LO = 50, SLOW_HI = 200, SLOW_STEP = 25 };
/* 9 x 7 = 63 points; only fast=50, slow=50 breaks the constraint. */
enum { GRID_POINTS = 62 };

static btopt_space *make_space(void)
{
    btopt_space *space = NULL;
    if (!CHECK_OK(btopt_space_create(&space)))
        return NULL;
    CHECK_OK(btopt_space_add_int(space, "fast", FAST_LO, FAST_HI, FAST_STEP));
    CHECK_OK(btopt_space_add_int(space, "slow", SLOW_LO, SLOW_HI, SLOW_STEP));
    CHECK_OK(btopt_space_add_constraint(space, "fast < slow"));
    CHECK(btopt_space_param_count(space) == 2);
    uint64_t card = 0;
    CHECK_OK(btopt_space_cardinality(space, &card));
    CHECK(card == 63);
    return space;
}

/* A deterministic score with a unique best at fast=30, slow=125. */
static double natural_score(int64_t fast, int64_t slow)
{
    double f = (double)(fast - 30);
    double s = (double)(slow - 125);
    return -f * f - s * s / 25.0 + (double)slow * 0.001;
}

/* What objectives share: how they misbehave, and what they saw. */
typedef struct objective_ctx {
    int fail_fast, fail_slow;       /* btopt_fail at this point (0: never) */
    int nan_fast, nan_slow;         /* NaN score at this point (0: never) */
    int inf_fast, inf_slow;         /* +inf score at this point (0: never) */
    long sleep_ns;                  /* per evaluation */
    atomic_int calls;
    atomic_int constraint_broken;   /* a point with fast >= slow reached us */
    atomic_int bad_params;          /* a getter failed */
} objective_ctx;

static void ctx_init(objective_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    atomic_init(&ctx->calls, 0);
    atomic_init(&ctx->constraint_broken, 0);
    atomic_init(&ctx->bad_params, 0);
}

static btopt_status strategy_objective(void *user, const btopt_params *params, double *score)
{
    objective_ctx *ctx = (objective_ctx *)user;
    atomic_fetch_add(&ctx->calls, 1);
    int64_t fast = 0, slow = 0;
    if (btopt_params_get_int(params, "fast", &fast) != BTOPT_OK ||
        btopt_params_get_int(params, "slow", &slow) != BTOPT_OK || btopt_params_count(params) != 2) {
        atomic_fetch_add(&ctx->bad_params, 1);
        return btopt_fail("objective could not read its parameters");
    }
    if (fast >= slow)
        atomic_fetch_add(&ctx->constraint_broken, 1);
    if (ctx->sleep_ns > 0) {
        struct timespec ts = {0, ctx->sleep_ns};
        nanosleep(&ts, NULL);
    }
    if (ctx->fail_fast != 0 && fast == ctx->fail_fast && slow == ctx->fail_slow)
        return btopt_fail("boom: the strategy blew up");
    if (ctx->nan_fast != 0 && fast == ctx->nan_fast && slow == ctx->nan_slow) {
        *score = NAN;
        return BTOPT_OK;
    }
    if (ctx->inf_fast != 0 && fast == ctx->inf_fast && slow == ctx->inf_slow) {
        *score = INFINITY;
        return BTOPT_OK;
    }
    *score = natural_score(fast, slow);
    return BTOPT_OK;
}

/* ---- Progress ----------------------------------------------------------- */

typedef struct progress_ctx {
    pthread_t run_thread;
    btopt_optimizer *opt;   /* cancel this one ... */
    uint64_t cancel_at;     /* ... once done reaches this (0: never) */
    int calls;
    int wrong_thread;
    int non_monotonic;
    int total_changed;
    int done_past_total;
    int best_went_down;     /* best so far must never get worse (maximize) */
    int concurrent;
    atomic_int inside;
    uint64_t last_done, last_total;
    double last_best;
} progress_ctx;

static void progress_init(progress_ctx *p)
{
    memset(p, 0, sizeof *p);
    atomic_init(&p->inside, 0);
    p->run_thread = pthread_self();
    p->last_best = NAN;
}

static void on_progress(void *user, uint64_t done, uint64_t total, double best_score)
{
    progress_ctx *p = (progress_ctx *)user;
    if (atomic_fetch_add(&p->inside, 1) != 0)
        p->concurrent = 1;
    if (!pthread_equal(pthread_self(), p->run_thread))
        p->wrong_thread = 1;
    if (p->calls > 0) {
        if (done < p->last_done)
            p->non_monotonic = 1;
        if (total != p->last_total)
            p->total_changed = 1;
        if (!isnan(p->last_best) && (isnan(best_score) || best_score < p->last_best))
            p->best_went_down = 1;
    }
    if (done > total)
        p->done_past_total = 1;
    ++p->calls;
    p->last_done = done;
    p->last_total = total;
    p->last_best = best_score;
    if (p->opt != NULL && p->cancel_at != 0 && done >= p->cancel_at)
        btopt_optimizer_cancel(p->opt);
    atomic_fetch_sub(&p->inside, 1);
}

/* expected_total 0: the algorithm may revise its total as it goes (genetic
 * search drops repeated individuals); otherwise it is fixed from the start. */
static void check_progress_complete(const progress_ctx *p, uint64_t expected_total)
{
    CHECK(p->calls > 0);
    CHECK(!p->wrong_thread);
    CHECK(!p->concurrent);
    CHECK(!p->non_monotonic);
    CHECK(!p->done_past_total);
    if (expected_total != 0)
        CHECK(!p->total_changed);
    CHECK(!p->best_went_down);
    CHECK(p->last_done == p->last_total);
    if (expected_total != 0)
        CHECK(p->last_total == expected_total);
}

/* ---- Helpers over results ------------------------------------------------ */

static int point_of(const btopt_params *params, int64_t *fast, int64_t *slow)
{
    return params != NULL && btopt_params_get_int(params, "fast", fast) == BTOPT_OK &&
           btopt_params_get_int(params, "slow", slow) == BTOPT_OK;
}

/* Every trial is a point of the space that keeps the constraint; OK trials
 * carry the objective's score, other trials NaN. */
static void check_trials_sane(const btopt_result *res)
{
    uint64_t n = btopt_result_trial_count(res);
    uint64_t prev_number = 0;
    for (uint64_t i = 0; i < n; ++i) {
        const btopt_params *params = NULL;
        double score = 0;
        int32_t status = -1;
        if (!CHECK_OK(btopt_result_trial(res, i, &params, &score, &status)))
            return;
        int64_t fast = 0, slow = 0;
        CHECK(point_of(params, &fast, &slow));
        CHECK(fast >= FAST_LO && fast <= FAST_HI && (fast - FAST_LO) % FAST_STEP == 0);
        CHECK(slow >= SLOW_LO && slow <= SLOW_HI && (slow - SLOW_LO) % SLOW_STEP == 0);
        CHECK(fast < slow);
        CHECK(btopt_params_count(params) == 2);
        CHECK(btopt_params_name(params, 0) != NULL && strcmp(btopt_params_name(params, 0), "fast") == 0);
        CHECK(btopt_params_name(params, 1) != NULL && strcmp(btopt_params_name(params, 1), "slow") == 0);
        CHECK(btopt_params_name(params, 2) == NULL);
        CHECK(btopt_params_kind(params, 0) == BTOPT_PARAM_INT);
        CHECK(btopt_params_kind(params, 1) == BTOPT_PARAM_INT);
        CHECK(btopt_params_kind(params, 2) == -1);
        if (status == BTOPT_TRIAL_OK)
            CHECK(isfinite(score));
        else
            CHECK(isnan(score));
        uint64_t number = 0;
        const char *error = NULL;
        double seconds = -1;
        CHECK_OK(btopt_result_trial_info(res, i, &number, &error, &seconds));
        CHECK(error != NULL);
        if (error != NULL && status == BTOPT_TRIAL_OK)
            CHECK(error[0] == '\0');
        CHECK(seconds >= 0.0);
        if (i > 0)
            CHECK(number > prev_number); /* kept trials are in trial order */
        prev_number = number;
    }
}

/* The best is the highest-scoring OK trial (lowest number on ties). */
static void check_best_consistent(const btopt_result *res, int maximize)
{
    uint64_t n = btopt_result_trial_count(res);
    uint64_t best_i = UINT64_MAX;
    double best = NAN;
    for (uint64_t i = 0; i < n; ++i) {
        double score = 0;
        int32_t status = -1;
        if (btopt_result_trial(res, i, NULL, &score, &status) != BTOPT_OK || status != BTOPT_TRIAL_OK)
            continue;
        if (best_i == UINT64_MAX || (maximize ? score > best : score < best)) {
            best = score;
            best_i = i;
        }
    }
    if (best_i == UINT64_MAX) {
        CHECK(isnan(btopt_result_best_score(res)));
        CHECK(btopt_result_best_params(res) == NULL);
        uint64_t idx = 0;
        CHECK_STATUS(btopt_result_best_index(res, &idx), BTOPT_ERR_NOT_FOUND);
        return;
    }
    CHECK(btopt_result_best_score(res) == best);
    uint64_t idx = UINT64_MAX;
    CHECK_OK(btopt_result_best_index(res, &idx));
    CHECK(idx == best_i);
    const btopt_params *bp = btopt_result_best_params(res);
    const btopt_params *tp = NULL;
    CHECK_OK(btopt_result_trial(res, best_i, &tp, NULL, NULL));
    int64_t bf = 0, bs = 0, tf = -1, ts = -1;
    CHECK(point_of(bp, &bf, &bs));
    CHECK(point_of(tp, &tf, &ts));
    CHECK(bf == tf && bs == ts);
}

/* Two runs of the same search saw the same trials, in the same order. */
static void check_same_trials(const btopt_result *a, const btopt_result *b)
{
    uint64_t n = btopt_result_trial_count(a);
    CHECK(n == btopt_result_trial_count(b));
    CHECK(btopt_result_evaluated_count(a) == btopt_result_evaluated_count(b));
    int mismatches = 0;
    for (uint64_t i = 0; i < n && i < btopt_result_trial_count(b); ++i) {
        const btopt_params *pa = NULL, *pb = NULL;
        double sa = 0, sb = 0;
        int32_t ta = -1, tb = -2;
        uint64_t na = 0, nb = 1;
        btopt_result_trial(a, i, &pa, &sa, &ta);
        btopt_result_trial(b, i, &pb, &sb, &tb);
        btopt_result_trial_info(a, i, &na, NULL, NULL);
        btopt_result_trial_info(b, i, &nb, NULL, NULL);
        int64_t fa = -1, la = -1, fb = -2, lb = -2;
        point_of(pa, &fa, &la);
        point_of(pb, &fb, &lb);
        if (fa != fb || la != lb || !same_double(sa, sb) || ta != tb || na != nb) {
            if (mismatches++ < 5)
                fprintf(stderr, "  trial %llu differs: (%lld,%lld) %g %s #%llu vs (%lld,%lld) %g %s #%llu\n",
                        (unsigned long long)i, (long long)fa, (long long)la, sa, btopt_trial_status_name(ta),
                        (unsigned long long)na, (long long)fb, (long long)lb, sb, btopt_trial_status_name(tb),
                        (unsigned long long)nb);
        }
    }
    CHECK(mismatches == 0);
    CHECK(same_double(btopt_result_best_score(a), btopt_result_best_score(b)));
    int64_t fa = -1, la = -1, fb = -2, lb = -2;
    const btopt_params *ba = btopt_result_best_params(a);
    const btopt_params *bb = btopt_result_best_params(b);
    CHECK((ba == NULL) == (bb == NULL));
    if (ba != NULL && bb != NULL) {
        CHECK(point_of(ba, &fa, &la) && point_of(bb, &fb, &lb));
        CHECK(fa == fb && la == lb);
    }
    for (int32_t s = BTOPT_TRIAL_OK; s <= BTOPT_TRIAL_INFEASIBLE; ++s)
        CHECK(btopt_result_status_count(a, s) == btopt_result_status_count(b, s));
}

static long file_size(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    return (long)st.st_size;
}

static long count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    long lines = 0;
    int c, last = '\n';
    while ((c = fgetc(f)) != EOF) {
        if (c == '\n')
            ++lines;
        last = c;
    }
    if (last != '\n')
        ++lines;
    fclose(f);
    return lines;
}

static int first_non_space(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return EOF;
    int c;
    while ((c = fgetc(f)) != EOF && (c == ' ' || c == '\n' || c == '\r' || c == '\t'))
        ;
    fclose(f);
    return c;
}

static char g_tmpdir[] = "/tmp/btopt-capi-e2e-XXXXXX";

static void check_writers(const btopt_result *res, const char *tag)
{
    char json[512], csv[512];
    snprintf(json, sizeof json, "%s/%s.json", g_tmpdir, tag);
    snprintf(csv, sizeof csv, "%s/%s.csv", g_tmpdir, tag);
    CHECK_OK(btopt_result_write_json(res, json));
    CHECK_OK(btopt_result_write_csv(res, csv));
    CHECK(file_size(json) > 0);
    CHECK(file_size(csv) > 0);
    CHECK(first_non_space(json) == '{');
    /* A header line, then at least one line per kept trial. */
    CHECK(count_lines(csv) >= (long)btopt_result_trial_count(res) + 1);
    remove(json);
    remove(csv);
}

/* ---- One configured search ---------------------------------------------- */

typedef struct run_spec {
    const char *algorithm;
    int64_t n_jobs;          /* != 1: backend "thread", or g_backend when set */
    int use_registered;      /* use_objective("e2e.strategy") instead of set_objective */
    int64_t ignore_errors;   /* -1: leave the default */
    int64_t keep_trials;     /* -1: leave the default */
    int64_t batch_size;      /* -1: leave the default */
    const char *direction;   /* NULL: leave the default */
    progress_ctx *progress;  /* NULL: none */
} run_spec;

/* The backend for runs with n_jobs != 1 ("thread" unless a scenario says otherwise). */
static const char *g_backend = "thread";

static void configure_algorithm(btopt_optimizer *opt, const char *algorithm)
{
    CHECK_OK(btopt_optimizer_set_int(opt, "random_seed", 12345));
    if (strcmp(algorithm, "random") == 0) {
        CHECK_OK(btopt_optimizer_set_int(opt, "n_iterations", 40));
    } else if (strcmp(algorithm, "genetic") == 0) {
        CHECK_OK(btopt_optimizer_set_int(opt, "population_size", 12));
        CHECK_OK(btopt_optimizer_set_int(opt, "n_generations", 5));
        CHECK_OK(btopt_optimizer_set_int(opt, "tournament_size", 3));
        CHECK_OK(btopt_optimizer_set_int(opt, "elite_count", 2));
        CHECK_OK(btopt_optimizer_set_double(opt, "crossover_rate", 0.7));
        CHECK_OK(btopt_optimizer_set_double(opt, "mutation_rate", 0.3));
    }
}

/* Creates the space and the optimizer, destroys the space before the run and
 * the optimizer right after it: the result must outlive both. */
static btopt_status run_search(const run_spec *spec, objective_ctx *ctx, btopt_result **out)
{
    *out = NULL;
    btopt_space *space = make_space();
    if (space == NULL)
        return BTOPT_ERR_INTERNAL;
    btopt_optimizer *opt = NULL;
    btopt_status st = btopt_optimizer_create(&opt, space, spec->algorithm);
    btopt_space_destroy(space);
    if (!CHECK_OK(st))
        return st;
    configure_algorithm(opt, spec->algorithm);
    CHECK_OK(btopt_optimizer_set_int(opt, "n_jobs", spec->n_jobs));
    if (spec->n_jobs != 1)
        CHECK_OK(btopt_optimizer_set_string(opt, "backend", g_backend));
    if (spec->ignore_errors >= 0)
        CHECK_OK(btopt_optimizer_set_int(opt, "ignore_errors", spec->ignore_errors));
    if (spec->keep_trials >= 0)
        CHECK_OK(btopt_optimizer_set_int(opt, "keep_trials", spec->keep_trials));
    if (spec->batch_size >= 0)
        CHECK_OK(btopt_optimizer_set_int(opt, "batch_size", spec->batch_size));
    if (spec->direction != NULL)
        CHECK_OK(btopt_optimizer_set_string(opt, "direction", spec->direction));
    if (spec->use_registered) {
        CHECK_OK(btopt_register_objective("e2e.strategy", strategy_objective, ctx));
        CHECK_OK(btopt_optimizer_use_objective(opt, "e2e.strategy"));
    } else {
        CHECK_OK(btopt_optimizer_set_objective(opt, strategy_objective, ctx));
    }
    if (spec->progress != NULL) {
        spec->progress->opt = opt;
        CHECK_OK(btopt_optimizer_set_progress(opt, on_progress, spec->progress));
    }
    st = btopt_optimizer_run(opt, out);
    btopt_optimizer_destroy(opt);
    if (spec->progress != NULL)
        spec->progress->opt = NULL;
    return st;
}

/* ---- The scenarios ------------------------------------------------------- */

static void test_library(void)
{
    CHECK(btopt_abi_version() == BTOPT_ABI_VERSION);
    CHECK(btopt_version() != NULL && strcmp(btopt_version(), BTOPT_VERSION_STRING) == 0);
    CHECK(strcmp(btopt_status_name(BTOPT_OK), "BTOPT_OK") == 0);
    CHECK(strcmp(btopt_status_name(BTOPT_ERR_NOT_FOUND), "BTOPT_ERR_NOT_FOUND") == 0);
    CHECK(strcmp(btopt_status_name(BTOPT_ERR_INTERNAL), "BTOPT_ERR_INTERNAL") == 0);
    CHECK(strcmp(btopt_status_name((btopt_status)99), "unknown status") == 0);
    CHECK(strcmp(btopt_trial_status_name(BTOPT_TRIAL_OK), "ok") == 0);
    CHECK(strcmp(btopt_trial_status_name(BTOPT_TRIAL_FAILED), "failed") == 0);
    CHECK(strcmp(btopt_trial_status_name(BTOPT_TRIAL_CRASHED), "crashed") == 0);
    CHECK(strcmp(btopt_trial_status_name(BTOPT_TRIAL_TIMEOUT), "timeout") == 0);
    CHECK(strcmp(btopt_trial_status_name(BTOPT_TRIAL_CANCELLED), "cancelled") == 0);
    CHECK(BTOPT_TRIAL_INFEASIBLE == 5); /* appended: the values before it never change */
    CHECK(strcmp(btopt_trial_status_name(BTOPT_TRIAL_INFEASIBLE), "infeasible") == 0);
    CHECK(strcmp(btopt_trial_status_name(42), "unknown") == 0);
    CHECK(btopt_fail("why") == BTOPT_ERR_OBJECTIVE);
    CHECK(strcmp(btopt_last_error(), "why") == 0);
}

/* Grid proposes the product space in declaration order, the last parameter
 * varying fastest, skipping points that break the constraint. */
static void check_grid_order(const btopt_result *res)
{
    CHECK(btopt_result_trial_count(res) == GRID_POINTS);
    uint64_t i = 0;
    int wrong = 0;
    for (int fast = FAST_LO; fast <= FAST_HI; fast += FAST_STEP) {
        for (int slow = SLOW_LO; slow <= SLOW_HI; slow += SLOW_STEP) {
            if (!(fast < slow))
                continue;
            const btopt_params *params = NULL;
            int64_t f = -1, s = -1;
            if (btopt_result_trial(res, i, &params, NULL, NULL) != BTOPT_OK || !point_of(params, &f, &s) ||
                f != fast || s != slow)
                ++wrong;
            ++i;
        }
    }
    CHECK(wrong == 0);
}

static void test_algorithm(const char *algorithm)
{
    printf("-- %s: n_jobs 1 vs n_jobs 2 (thread)\n", algorithm);
    objective_ctx ctx1, ctx2;
    ctx_init(&ctx1);
    ctx_init(&ctx2);
    progress_ctx prog1, prog2;
    progress_init(&prog1);
    progress_init(&prog2);

    run_spec one = {algorithm, 1, 0, -1, -1, -1, NULL, &prog1};
    run_spec two = {algorithm, 2, 1, -1, -1, -1, NULL, &prog2};
    btopt_result *r1 = NULL, *r2 = NULL;
    CHECK_OK(run_search(&one, &ctx1, &r1));
    CHECK_OK(run_search(&two, &ctx2, &r2));
    CHECK(r1 != NULL && r2 != NULL);
    if (r1 == NULL || r2 == NULL) {
        btopt_result_destroy(r1);
        btopt_result_destroy(r2);
        return;
    }

    CHECK(atomic_load(&ctx1.constraint_broken) == 0 && atomic_load(&ctx2.constraint_broken) == 0);
    CHECK(atomic_load(&ctx1.bad_params) == 0 && atomic_load(&ctx2.bad_params) == 0);
    CHECK(btopt_result_trial_count(r1) > 0);
    CHECK(btopt_result_status_count(r1, BTOPT_TRIAL_OK) == btopt_result_trial_count(r1));
    int genetic = strcmp(algorithm, "genetic") == 0;
    if (!genetic) {
        /* Genetic search may score a repeated individual without calling
         * the objective again; grid and random call it once per trial. */
        CHECK((uint64_t)atomic_load(&ctx1.calls) == btopt_result_evaluated_count(r1));
        CHECK((uint64_t)atomic_load(&ctx2.calls) == btopt_result_evaluated_count(r2));
        CHECK(btopt_result_evaluated_count(r1) == btopt_result_trial_count(r1));
    } else {
        CHECK((uint64_t)atomic_load(&ctx1.calls) <= btopt_result_evaluated_count(r1));
        CHECK(atomic_load(&ctx1.calls) > 0);
    }
    CHECK(btopt_result_workers(r1) == 1);
    CHECK(btopt_result_workers(r2) == 2);
    CHECK(btopt_result_wall_seconds(r1) >= 0.0 && btopt_result_eval_seconds(r1) >= 0.0);
    CHECK(btopt_result_speedup(r2) >= 0.0 || isnan(btopt_result_speedup(r2)));
    CHECK(btopt_result_metric_count(r1) == 0); /* a host objective has no metrics */

    check_trials_sane(r1);
    check_trials_sane(r2);
    check_best_consistent(r1, 1);
    check_best_consistent(r2, 1);
    check_same_trials(r1, r2);
    check_progress_complete(&prog1, genetic ? 0 : btopt_result_trial_count(r1));
    check_progress_complete(&prog2, genetic ? 0 : btopt_result_trial_count(r2));
    CHECK(prog1.last_best == btopt_result_best_score(r1));

    if (strcmp(algorithm, "grid") == 0) {
        check_grid_order(r1);
        /* Grid sees every point, so it must find the true best. */
        CHECK(btopt_result_best_score(r1) == natural_score(30, 125));
    } else if (strcmp(algorithm, "random") == 0) {
        CHECK(btopt_result_trial_count(r1) == 40);
    }

    check_writers(r1, algorithm);

    /* The same search again, same seed: the same trials. */
    objective_ctx ctx3;
    ctx_init(&ctx3);
    btopt_result *r3 = NULL;
    run_spec again = {algorithm, 2, 0, -1, -1, -1, NULL, NULL};
    CHECK_OK(run_search(&again, &ctx3, &r3));
    if (r3 != NULL)
        check_same_trials(r1, r3);
    btopt_result_destroy(r3);

    btopt_result_destroy(r1);
    btopt_result_destroy(r2);
}

/* The "process" backend (workers forked from this host, which is still
 * single-threaded here) finds the same trials as the inline one, and carries
 * scores, failures and their texts back. The objective's counters live in the
 * workers, so they are not checked. */
static void test_process_backend(const char *algorithm)
{
    printf("-- %s: n_jobs 1 vs n_jobs 2 (process)\n", algorithm);
    objective_ctx ctx1, ctx2;
    ctx_init(&ctx1);
    ctx_init(&ctx2);
    ctx1.fail_fast = ctx2.fail_fast = 15;
    ctx1.fail_slow = ctx2.fail_slow = 75;
    progress_ctx prog;
    progress_init(&prog);
    run_spec one = {algorithm, 1, 0, 1, -1, -1, NULL, NULL};
    run_spec two = {algorithm, 2, 0, 1, -1, -1, NULL, &prog};
    btopt_result *r1 = NULL, *r2 = NULL;
    g_backend = "process";
    CHECK_OK(run_search(&one, &ctx1, &r1));
    CHECK_OK(run_search(&two, &ctx2, &r2));
    g_backend = "thread";
    if (r1 != NULL && r2 != NULL) {
        CHECK(btopt_result_workers(r2) == 2);
        check_trials_sane(r2);
        check_best_consistent(r2, 1);
        check_same_trials(r1, r2);
        check_progress_complete(&prog, strcmp(algorithm, "genetic") == 0 ? 0 : btopt_result_trial_count(r2));
        CHECK(btopt_result_metric_count(r2) == 0);
        uint64_t n = btopt_result_trial_count(r2);
        for (uint64_t i = 0; i < n; ++i) {
            const btopt_params *params = NULL;
            int32_t status = -1;
            int64_t fast = 0, slow = 0;
            btopt_result_trial(r2, i, &params, NULL, &status);
            if (point_of(params, &fast, &slow) && fast == 15 && slow == 75) {
                const char *error = NULL;
                CHECK(status == BTOPT_TRIAL_FAILED);
                CHECK_OK(btopt_result_trial_info(r2, i, NULL, &error, NULL));
                CHECK(error != NULL && strstr(error, "boom: the strategy blew up") != NULL);
            }
        }
        if (strcmp(algorithm, "grid") == 0) {
            check_grid_order(r2);
            CHECK(btopt_result_status_count(r2, BTOPT_TRIAL_FAILED) == 1);
        }
    }
    btopt_result_destroy(r1);
    btopt_result_destroy(r2);
}

/* An optimizer runs again and each run starts afresh. */
static void test_rerun(void)
{
    printf("-- rerun the same optimizer\n");
    objective_ctx ctx;
    ctx_init(&ctx);
    btopt_space *space = make_space();
    btopt_optimizer *opt = NULL;
    CHECK_OK(btopt_optimizer_create(&opt, space, "random"));
    btopt_space_destroy(space);
    CHECK_OK(btopt_optimizer_set_int(opt, "n_iterations", 15));
    CHECK_OK(btopt_optimizer_set_int(opt, "random_seed", 3));
    CHECK_OK(btopt_optimizer_set_int(opt, "n_jobs", 2));
    CHECK_OK(btopt_optimizer_set_objective(opt, strategy_objective, &ctx));
    btopt_result *a = NULL, *b = NULL;
    CHECK_OK(btopt_optimizer_run(opt, &a));
    CHECK_OK(btopt_optimizer_run(opt, &b));
    btopt_optimizer_destroy(opt);
    if (a != NULL && b != NULL) {
        CHECK(btopt_result_trial_count(a) == 15);
        check_same_trials(a, b);
    }
    btopt_result_destroy(a);
    btopt_result_destroy(b);
}

static void test_cancel_inline(void)
{
    printf("-- cancel from the progress callback (inline)\n");
    objective_ctx ctx;
    ctx_init(&ctx);
    progress_ctx prog;
    progress_init(&prog);
    prog.cancel_at = 5;
    run_spec spec = {"grid", 1, 0, -1, -1, 1, NULL, &prog};
    btopt_result *res = NULL;
    CHECK_STATUS(run_search(&spec, &ctx, &res), BTOPT_ERR_CANCELLED);
    CHECK(res != NULL);
    CHECK(!prog.wrong_thread && !prog.non_monotonic);
    if (res == NULL)
        return;
    uint64_t ok = btopt_result_status_count(res, BTOPT_TRIAL_OK);
    uint64_t cancelled = btopt_result_status_count(res, BTOPT_TRIAL_CANCELLED);
    CHECK(ok >= 5);
    CHECK(ok < GRID_POINTS); /* the run really stopped */
    CHECK(ok + cancelled == btopt_result_trial_count(res));
    CHECK((uint64_t)atomic_load(&ctx.calls) < GRID_POINTS);
    check_trials_sane(res);
    check_best_consistent(res, 1);
    check_writers(res, "cancel-inline");
    btopt_result_destroy(res);
}

static void test_cancel_threads(void)
{
    printf("-- cancel from the progress callback (thread, n_jobs 2)\n");
    objective_ctx ctx;
    ctx_init(&ctx);
    ctx.sleep_ns = 5 * 1000 * 1000; /* 5 ms: the run lasts ~150 ms, cancel comes early */
    progress_ctx prog;
    progress_init(&prog);
    prog.cancel_at = 4;
    run_spec spec = {"grid", 2, 0, -1, -1, 1, NULL, &prog};
    btopt_result *res = NULL;
    CHECK_STATUS(run_search(&spec, &ctx, &res), BTOPT_ERR_CANCELLED);
    CHECK(res != NULL);
    CHECK(!prog.wrong_thread && !prog.non_monotonic && !prog.concurrent);
    if (res == NULL)
        return;
    uint64_t n = btopt_result_trial_count(res);
    uint64_t ok = btopt_result_status_count(res, BTOPT_TRIAL_OK);
    uint64_t cancelled = btopt_result_status_count(res, BTOPT_TRIAL_CANCELLED);
    CHECK(ok >= 4);
    CHECK(ok < GRID_POINTS);
    CHECK(ok + cancelled == n);
    for (uint64_t i = 0; i < n; ++i) {
        double score = 0;
        int32_t status = -1;
        CHECK_OK(btopt_result_trial(res, i, NULL, &score, &status));
        CHECK(status == BTOPT_TRIAL_OK || status == BTOPT_TRIAL_CANCELLED);
        if (status == BTOPT_TRIAL_CANCELLED)
            CHECK(isnan(score));
    }
    check_trials_sane(res);
    check_best_consistent(res, 1);
    btopt_result_destroy(res);
}

/* A float and a choice parameter, read through get_double/get_string. */
typedef struct mixed_ctx {
    atomic_int bad;
    atomic_int calls;
    int continuous;
} mixed_ctx;

static btopt_status mixed_objective(void *user, const btopt_params *params, double *score)
{
    mixed_ctx *ctx = (mixed_ctx *)user;
    atomic_fetch_add(&ctx->calls, 1);
    double fast = 0, threshold = 0;
    const char *mode = NULL;
    int64_t as_int = 0;
    if (btopt_params_get_double(params, "fast", &fast) != BTOPT_OK ||
        btopt_params_get_double(params, "threshold", &threshold) != BTOPT_OK ||
        btopt_params_get_string(params, "mode", &mode) != BTOPT_OK || mode == NULL ||
        btopt_params_get_int(params, "fast", &as_int) != BTOPT_OK || (double)as_int != fast) {
        atomic_fetch_add(&ctx->bad, 1);
        return btopt_fail("mixed objective could not read its parameters");
    }
    int on_step = ctx->continuous || threshold == 0.5 || threshold == 0.75 || threshold == 1.0 ||
                  threshold == 1.25 || threshold == 1.5;
    int known_mode = strcmp(mode, "long") == 0 || strcmp(mode, "short") == 0 || strcmp(mode, "both") == 0;
    if (!on_step || threshold < 0.5 || threshold > 1.5 || !known_mode)
        atomic_fetch_add(&ctx->bad, 1);
    *score = fast * threshold + (strcmp(mode, "short") == 0 ? 1.0 : 0.0);
    return BTOPT_OK;
}

static btopt_space *make_mixed_space(double threshold_step)
{
    btopt_space *space = NULL;
    CHECK_OK(btopt_space_create(&space));
    static const char *const modes[] = {"long", "short", "both"};
    CHECK_OK(btopt_space_add_int(space, "fast", 10, 50, 10));
    CHECK_OK(btopt_space_add_float(space, "threshold", 0.5, 1.5, threshold_step));
    CHECK_OK(btopt_space_add_choice(space, "mode", modes, 3));
    CHECK_OK(btopt_space_add_constraint(space, "fast * threshold >= 7"));
    return space;
}

static void test_mixed_grid(void)
{
    printf("-- float and choice parameters (grid)\n");
    btopt_space *space = make_mixed_space(0.25);
    uint64_t card = 0;
    CHECK_OK(btopt_space_cardinality(space, &card));
    CHECK(card == 5 * 5 * 3);
    btopt_optimizer *opt = NULL;
    CHECK_OK(btopt_optimizer_create(&opt, space, "grid"));
    btopt_space_destroy(space);
    mixed_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    atomic_init(&ctx.bad, 0);
    atomic_init(&ctx.calls, 0);
    CHECK_OK(btopt_optimizer_set_int(opt, "n_jobs", 2));
    CHECK_OK(btopt_optimizer_set_objective(opt, mixed_objective, &ctx));
    btopt_result *res = NULL;
    CHECK_OK(btopt_optimizer_run(opt, &res));
    btopt_optimizer_destroy(opt);
    CHECK(atomic_load(&ctx.bad) == 0);
    if (res == NULL)
        return;
    /* fast * threshold >= 7 drops only fast=10, threshold=0.5 (three modes). */
    CHECK(btopt_result_trial_count(res) == 75 - 3);
    /* First trial: the first of everything, the choice varying fastest. */
    const btopt_params *p0 = NULL, *p1 = NULL;
    CHECK_OK(btopt_result_trial(res, 0, &p0, NULL, NULL));
    CHECK_OK(btopt_result_trial(res, 1, &p1, NULL, NULL));
    double f = 0, t = 0;
    const char *m0 = NULL, *m1 = NULL;
    CHECK_OK(btopt_params_get_double(p0, "fast", &f));
    CHECK_OK(btopt_params_get_double(p0, "threshold", &t));
    CHECK_OK(btopt_params_get_string(p0, "mode", &m0));
    CHECK_OK(btopt_params_get_string(p1, "mode", &m1));
    CHECK(f == 10.0 && t == 0.75);
    CHECK(m0 != NULL && strcmp(m0, "long") == 0);
    CHECK(m1 != NULL && strcmp(m1, "short") == 0);
    /* Best: fast 50, threshold 1.5, "short" = 76. */
    CHECK(btopt_result_best_score(res) == 76.0);
    const btopt_params *best = btopt_result_best_params(res);
    const char *bm = NULL;
    CHECK_OK(btopt_params_get_double(best, "threshold", &t));
    CHECK_OK(btopt_params_get_string(best, "mode", &bm));
    CHECK(t == 1.5 && bm != NULL && strcmp(bm, "short") == 0);
    CHECK(btopt_params_count(best) == 3);
    CHECK(btopt_params_name(best, 2) != NULL && strcmp(btopt_params_name(best, 2), "mode") == 0);
    CHECK(btopt_params_kind(best, 0) == BTOPT_PARAM_INT);
    CHECK(btopt_params_kind(best, 1) == BTOPT_PARAM_FLOAT);
    CHECK(btopt_params_kind(best, 2) == BTOPT_PARAM_CHOICE);
    CHECK(btopt_params_kind(best, 3) == -1);
    check_writers(res, "mixed");
    btopt_result_destroy(res);
}

static void test_mixed_continuous(const char *algorithm)
{
    printf("-- continuous float and choice (%s)\n", algorithm);
    btopt_result *res[2] = {NULL, NULL};
    for (int k = 0; k < 2; ++k) {
        btopt_space *space = make_mixed_space(0.0);
        uint64_t card = 0;
        CHECK_OK(btopt_space_cardinality(space, &card));
        CHECK(card == UINT64_MAX);
        btopt_optimizer *opt = NULL;
        CHECK_OK(btopt_optimizer_create(&opt, space, algorithm));
        btopt_space_destroy(space);
        mixed_ctx ctx;
        memset(&ctx, 0, sizeof ctx);
        atomic_init(&ctx.bad, 0);
        atomic_init(&ctx.calls, 0);
        ctx.continuous = 1;
        configure_algorithm(opt, algorithm);
        CHECK_OK(btopt_optimizer_set_int(opt, "n_jobs", k == 0 ? 1 : 2));
        CHECK_OK(btopt_optimizer_set_objective(opt, mixed_objective, &ctx));
        CHECK_OK(btopt_optimizer_run(opt, &res[k]));
        btopt_optimizer_destroy(opt);
        CHECK(atomic_load(&ctx.bad) == 0);
        CHECK(res[k] != NULL && btopt_result_trial_count(res[k]) > 0);
    }
    if (res[0] != NULL && res[1] != NULL) {
        uint64_t n = btopt_result_trial_count(res[0]);
        CHECK(n == btopt_result_trial_count(res[1]));
        int wrong = 0;
        for (uint64_t i = 0; i < n && i < btopt_result_trial_count(res[1]); ++i) {
            const btopt_params *a = NULL, *b = NULL;
            double sa = 0, sb = 1, ta = 0, tb = 1;
            const char *ma = NULL, *mb = NULL;
            btopt_result_trial(res[0], i, &a, &sa, NULL);
            btopt_result_trial(res[1], i, &b, &sb, NULL);
            if (btopt_params_get_double(a, "threshold", &ta) != BTOPT_OK ||
                btopt_params_get_double(b, "threshold", &tb) != BTOPT_OK ||
                btopt_params_get_string(a, "mode", &ma) != BTOPT_OK ||
                btopt_params_get_string(b, "mode", &mb) != BTOPT_OK || ta != tb || strcmp(ma, mb) != 0 ||
                !same_double(sa, sb))
                ++wrong;
        }
        CHECK(wrong == 0);
    }
    btopt_result_destroy(res[0]);
    btopt_result_destroy(res[1]);
}

static void test_fail_stops_run(int64_t n_jobs)
{
    printf("-- btopt_fail with ignore_errors 0 (n_jobs %lld)\n", (long long)n_jobs);
    objective_ctx ctx;
    ctx_init(&ctx);
    ctx.fail_fast = 15;
    ctx.fail_slow = 50;
    run_spec spec = {"grid", n_jobs, 0, 0, -1, -1, NULL, NULL};
    btopt_result *res = NULL;
    CHECK_STATUS(run_search(&spec, &ctx, &res), BTOPT_ERR_OBJECTIVE);
    const char *msg = btopt_last_error();
    CHECK(strstr(msg, "fast=15") != NULL);
    CHECK(strstr(msg, "slow=50") != NULL);
    if (strstr(msg, "fast=15") == NULL || strstr(msg, "slow=50") == NULL)
        fprintf(stderr, "  the message was: \"%s\"\n", msg);
    CHECK(res != NULL);
    if (res == NULL)
        return;
    uint64_t n = btopt_result_trial_count(res);
    int found = 0;
    for (uint64_t i = 0; i < n; ++i) {
        const btopt_params *params = NULL;
        int32_t status = -1;
        int64_t fast = 0, slow = 0;
        CHECK_OK(btopt_result_trial(res, i, &params, NULL, &status));
        CHECK(status == BTOPT_TRIAL_OK || status == BTOPT_TRIAL_FAILED || status == BTOPT_TRIAL_CANCELLED);
        if (point_of(params, &fast, &slow) && fast == 15 && slow == 50) {
            found = 1;
            CHECK(status == BTOPT_TRIAL_FAILED);
            const char *error = NULL;
            CHECK_OK(btopt_result_trial_info(res, i, NULL, &error, NULL));
            CHECK(error != NULL && strstr(error, "boom") != NULL);
        }
    }
    CHECK(found);
    CHECK(btopt_result_status_count(res, BTOPT_TRIAL_FAILED) == 1);
    if (n_jobs == 1) /* inline: nothing after the failure runs */
        CHECK(btopt_result_status_count(res, BTOPT_TRIAL_OK) < GRID_POINTS - 1);
    check_trials_sane(res);
    check_best_consistent(res, 1);
    btopt_result_destroy(res);
}

static void test_fail_ignored(void)
{
    printf("-- btopt_fail with ignore_errors 1\n");
    btopt_result *res[2] = {NULL, NULL};
    for (int k = 0; k < 2; ++k) {
        objective_ctx ctx;
        ctx_init(&ctx);
        ctx.fail_fast = 15;
        ctx.fail_slow = 50;
        run_spec spec = {"grid", k == 0 ? 1 : 2, k, 1, -1, -1, NULL, NULL};
        CHECK_OK(run_search(&spec, &ctx, &res[k]));
        CHECK(res[k] != NULL);
        if (res[k] == NULL)
            continue;
        CHECK(btopt_result_trial_count(res[k]) == GRID_POINTS);
        CHECK(btopt_result_status_count(res[k], BTOPT_TRIAL_FAILED) == 1);
        CHECK(btopt_result_status_count(res[k], BTOPT_TRIAL_OK) == GRID_POINTS - 1);
        /* fast=15, slow=50 is grid point 7, after the seven points of fast=10. */
        const btopt_params *params = NULL;
        double score = 0;
        int32_t status = -1;
        int64_t fast = 0, slow = 0;
        CHECK_OK(btopt_result_trial(res[k], 7, &params, &score, &status));
        CHECK(point_of(params, &fast, &slow) && fast == 15 && slow == 50);
        CHECK(status == BTOPT_TRIAL_FAILED);
        CHECK(isnan(score));
        const char *error = NULL;
        CHECK_OK(btopt_result_trial_info(res[k], 7, NULL, &error, NULL));
        CHECK(error != NULL && strstr(error, "boom: the strategy blew up") != NULL);
        check_best_consistent(res[k], 1);
        check_trials_sane(res[k]);
    }
    if (res[0] != NULL && res[1] != NULL)
        check_same_trials(res[0], res[1]);
    if (res[0] != NULL)
        check_writers(res[0], "fail-ignored");
    btopt_result_destroy(res[0]);
    btopt_result_destroy(res[1]);
}

/* NaN and infinite scores fail the trial and are never the best, even where
 * they would otherwise win. */
static void test_nan_score(void)
{
    printf("-- NaN and infinite scores\n");
    btopt_result *res[2] = {NULL, NULL};
    for (int k = 0; k < 2; ++k) {
        objective_ctx ctx;
        ctx_init(&ctx);
        ctx.nan_fast = 30; /* the true best */
        ctx.nan_slow = 125;
        ctx.inf_fast = 30;
        ctx.inf_slow = 100;
        run_spec spec = {"grid", k == 0 ? 1 : 2, 0, 1, -1, -1, NULL, NULL};
        CHECK_OK(run_search(&spec, &ctx, &res[k]));
        CHECK(res[k] != NULL);
        if (res[k] == NULL)
            continue;
        CHECK(btopt_result_status_count(res[k], BTOPT_TRIAL_FAILED) == 2);
        double best = btopt_result_best_score(res[k]);
        CHECK(isfinite(best));
        CHECK(best < natural_score(30, 125));
        int64_t fast = 0, slow = 0;
        CHECK(point_of(btopt_result_best_params(res[k]), &fast, &slow));
        CHECK(!(fast == 30 && slow == 125) && !(fast == 30 && slow == 100));
        uint64_t n = btopt_result_trial_count(res[k]);
        for (uint64_t i = 0; i < n; ++i) {
            const btopt_params *params = NULL;
            int32_t status = -1;
            double score = 0;
            btopt_result_trial(res[k], i, &params, &score, &status);
            if (point_of(params, &fast, &slow) && fast == 30 && (slow == 125 || slow == 100)) {
                CHECK(status == BTOPT_TRIAL_FAILED);
                CHECK(isnan(score));
            }
        }
        check_best_consistent(res[k], 1);
    }
    if (res[0] != NULL && res[1] != NULL)
        check_same_trials(res[0], res[1]);
    btopt_result_destroy(res[0]);
    btopt_result_destroy(res[1]);

    /* NaN everywhere fails with ignore_errors 0: the first point is named. */
    objective_ctx ctx;
    ctx_init(&ctx);
    ctx.nan_fast = 10;
    ctx.nan_slow = 50;
    run_spec spec = {"grid", 1, 0, 0, -1, -1, NULL, NULL};
    btopt_result *r = NULL;
    CHECK_STATUS(run_search(&spec, &ctx, &r), BTOPT_ERR_OBJECTIVE);
    CHECK(strstr(btopt_last_error(), "fast=10") != NULL);
    CHECK(r != NULL);
    if (r != NULL) {
        CHECK(isnan(btopt_result_best_score(r)));
        CHECK(btopt_result_best_params(r) == NULL);
        uint64_t idx = 0;
        CHECK_STATUS(btopt_result_best_index(r, &idx), BTOPT_ERR_NOT_FOUND);
    }
    btopt_result_destroy(r);
}

static void test_keep_trials_and_direction(void)
{
    printf("-- keep_trials and direction\n");
    objective_ctx ctx;
    ctx_init(&ctx);
    btopt_result *all = NULL, *kept = NULL, *minimized = NULL;
    run_spec all_spec = {"grid", 2, 0, -1, -1, -1, NULL, NULL};
    run_spec kept_spec = {"grid", 2, 0, -1, 5, -1, NULL, NULL};
    run_spec min_spec = {"grid", 1, 0, -1, -1, -1, "minimize", NULL};
    CHECK_OK(run_search(&all_spec, &ctx, &all));
    CHECK_OK(run_search(&kept_spec, &ctx, &kept));
    CHECK_OK(run_search(&min_spec, &ctx, &minimized));
    if (all == NULL || kept == NULL || minimized == NULL) {
        btopt_result_destroy(all);
        btopt_result_destroy(kept);
        btopt_result_destroy(minimized);
        return;
    }
    CHECK(btopt_result_trial_count(kept) == 5);
    CHECK(btopt_result_evaluated_count(kept) == GRID_POINTS);
    CHECK(btopt_result_status_count(kept, BTOPT_TRIAL_OK) == GRID_POINTS);
    CHECK(btopt_result_best_score(kept) == btopt_result_best_score(all));
    check_trials_sane(kept);
    check_best_consistent(kept, 1);
    /* The kept five are the five best of the full run. */
    double fifth = INFINITY;
    for (uint64_t i = 0; i < 5; ++i) {
        double s = 0;
        btopt_result_trial(kept, i, NULL, &s, NULL);
        if (s < fifth)
            fifth = s;
    }
    uint64_t better = 0;
    for (uint64_t i = 0; i < btopt_result_trial_count(all); ++i) {
        double s = 0;
        btopt_result_trial(all, i, NULL, &s, NULL);
        if (s > fifth)
            ++better;
    }
    CHECK(better <= 4);
    check_writers(kept, "kept");

    /* Minimizing finds the lowest score of the full grid. */
    double lowest = INFINITY;
    for (uint64_t i = 0; i < btopt_result_trial_count(all); ++i) {
        double s = 0;
        btopt_result_trial(all, i, NULL, &s, NULL);
        if (s < lowest)
            lowest = s;
    }
    CHECK(btopt_result_best_score(minimized) == lowest);
    check_best_consistent(minimized, 0);
    btopt_result_destroy(all);
    btopt_result_destroy(kept);
    btopt_result_destroy(minimized);
}

static void test_register_replaces(void)
{
    printf("-- registering a name again replaces it\n");
    objective_ctx first, second;
    ctx_init(&first);
    ctx_init(&second);
    CHECK_OK(btopt_register_objective("e2e.replaced", strategy_objective, &first));
    CHECK_OK(btopt_register_objective("e2e.replaced", strategy_objective, &second));
    btopt_space *space = make_space();
    btopt_optimizer *opt = NULL;
    CHECK_OK(btopt_optimizer_create(&opt, space, "grid"));
    btopt_space_destroy(space);
    CHECK_OK(btopt_optimizer_set_int(opt, "n_jobs", 1));
    CHECK_OK(btopt_optimizer_use_objective(opt, "e2e.replaced"));
    btopt_result *res = NULL;
    CHECK_OK(btopt_optimizer_run(opt, &res));
    btopt_optimizer_destroy(opt);
    CHECK(atomic_load(&first.calls) == 0);
    CHECK(atomic_load(&second.calls) == GRID_POINTS);
    btopt_result_destroy(res);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0); /* keep section lines in order with failures on stderr */
    if (mkdtemp(g_tmpdir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    test_library();
    /* First, while this host has never run a thread of its own. */
    test_process_backend("grid");
    test_process_backend("random");
    test_process_backend("genetic");
    test_algorithm("grid");
    test_algorithm("random");
    test_algorithm("genetic");
    test_rerun();
    test_cancel_inline();
    test_cancel_threads();
    test_mixed_grid();
    test_mixed_continuous("random");
    test_mixed_continuous("genetic");
    test_fail_stops_run(1);
    test_fail_stops_run(2);
    test_fail_ignored();
    test_nan_score();
    test_keep_trials_and_direction();
    test_register_replaces();
    rmdir(g_tmpdir);

    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
