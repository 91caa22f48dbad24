/*
 * The progress struct callback (issue 16, item 5): btopt_optimizer_set_progress_ex
 * is called once per recorded trial, in trial order, whatever the backend and
 * worker count (the old callback came as batches arrived: 7 to 20 times per 100
 * evaluations with n_jobs 2); its counts by status say what failed (the CLI
 * printed "failed ?" with --ignore-errors); progress_interval coalesces calls;
 * the old callback keeps working beside it.
 */
#define _POSIX_C_SOURCE 200809L

#include <btopt/btopt.h>

#include "check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { max_calls = 4096, points = 100 };

/* Every call, as the callback saw it. */
typedef struct calls {
    btopt_progress seen[max_calls];
    size_t count;
    btopt_optimizer *opt;
    int64_t cancel_at; /* cancel once this trial is reported; -1: never */
    uint64_t old_calls, old_done, old_total;
} calls;

static void on_progress(void *user, const btopt_progress *p)
{
    calls *c = (calls *)user;
    if (c->count < max_calls)
        c->seen[c->count++] = *p;
    if (c->cancel_at >= 0 && p->trial == c->cancel_at)
        btopt_optimizer_cancel(c->opt);
}

static void on_old_progress(void *user, uint64_t done, uint64_t total, double best)
{
    (void)best;
    calls *c = (calls *)user;
    ++c->old_calls;
    c->old_done = done;
    c->old_total = total;
}

static void pause_ms(long ms)
{
    const struct timespec t = {0, ms * 1000000L};
    nanosleep(&t, NULL);
}

static int64_t x_of(const btopt_params *params)
{
    int64_t x = 0;
    btopt_params_get_int(params, "x", &x);
    return x;
}

/* Uneven evaluation times, so outcomes arrive out of trial order. */
static btopt_status uneven(void *user, const btopt_params *params, double *score)
{
    (void)user;
    const int64_t x = x_of(params);
    pause_ms((long)(x % 3));
    *score = (double)x;
    return BTOPT_OK;
}

/* Fails every tenth point (x = 3, 13, ...) and, in a worker process, the
 * worker evaluating x = 55 dies. */
static btopt_status faulty(void *user, const btopt_params *params, double *score)
{
    const int in_process = user != NULL;
    const int64_t x = x_of(params);
    if (in_process && x == 55)
        _exit(3);
    if (x % 10 == 3)
        return btopt_fail("x ends in 3");
    *score = (double)(x % 7);
    return BTOPT_OK;
}

static btopt_status two_ms(void *user, const btopt_params *params, double *score)
{
    (void)user;
    pause_ms(2);
    *score = (double)x_of(params);
    return BTOPT_OK;
}

static btopt_optimizer *make(btopt_objective_fn fn, void *fn_user, const char *backend, calls *c)
{
    btopt_space *space = NULL;
    btopt_optimizer *opt = NULL;
    CHECK(btopt_space_create(&space) == BTOPT_OK);
    CHECK(btopt_space_add_int(space, "x", 0, points - 1, 1) == BTOPT_OK);
    CHECK(btopt_optimizer_create(&opt, space, "grid") == BTOPT_OK);
    btopt_space_destroy(space);
    CHECK(btopt_optimizer_set_string(opt, "backend", backend) == BTOPT_OK);
    CHECK(btopt_optimizer_set_int(opt, "n_jobs", 2) == BTOPT_OK);
    CHECK(btopt_optimizer_set_objective(opt, fn, fn_user) == BTOPT_OK);
    memset(c, 0, sizeof *c);
    c->opt = opt;
    c->cancel_at = -1;
    CHECK(btopt_optimizer_set_progress_ex(opt, on_progress, c) == BTOPT_OK);
    return opt;
}

static void check_sum(const btopt_progress *p)
{
    CHECK(p->struct_size == sizeof(btopt_progress));
    CHECK(p->done == p->ok + p->failed + p->crashed + p->timeout);
    CHECK(p->done <= p->total);
}

/* A call per recorded trial, in trial order, each counting it; beats and the
 * last call say trial -1. */
static void check_per_trial(const calls *c, uint64_t expected)
{
    int64_t next = 0;
    for (size_t i = 0; i < c->count; ++i) {
        const btopt_progress *p = &c->seen[i];
        check_sum(p);
        if (p->trial >= 0) {
            CHECK(p->trial == next);
            ++next;
        }
        CHECK(p->done + p->cancelled == (uint64_t)next);
    }
    CHECK(next == (int64_t)expected);
    CHECK(c->count >= 1 && c->seen[c->count - 1].trial == -1);
}

static void per_trial_in_order(const char *backend)
{
    static calls c;
    btopt_optimizer *opt = make(uneven, NULL, backend, &c);
    CHECK(btopt_optimizer_set_int(opt, "batch_size", 1) == BTOPT_OK);
    btopt_result *r = NULL;
    CHECK(btopt_optimizer_run(opt, &r) == BTOPT_OK);
    check_per_trial(&c, points);
    const btopt_progress *last = &c.seen[c.count - 1];
    CHECK(last->done == points && last->total == points && last->ok == points);
    CHECK(last->best_score == (double)(points - 1));
    CHECK(last->evaluations_per_second > 0.0);
    CHECK(last->elapsed_seconds > 0.0);
    printf("%s, n_jobs 2: %zu calls for %d trials\n", backend, c.count, points);
    btopt_result_destroy(r);
    btopt_optimizer_destroy(opt);
}

static void counts_by_status(void)
{
    static calls c;
    int in_process = 1;
    btopt_optimizer *opt = make(faulty, &in_process, "process", &c);
    CHECK(btopt_optimizer_set_int(opt, "ignore_errors", 1) == BTOPT_OK);
    CHECK(btopt_optimizer_set_string(opt, "start_method", "fork") == BTOPT_OK);
    btopt_result *r = NULL;
    CHECK(btopt_optimizer_run(opt, &r) == BTOPT_OK);
    check_per_trial(&c, points);
    for (size_t i = 0; i < c.count; ++i) {
        const btopt_progress *p = &c.seen[i];
        if (p->trial < 0)
            continue;
        /* trials 0..trial are recorded: failed are x = 3, 13, ... up to it */
        CHECK(p->failed == (uint64_t)((p->trial + 7) / 10));
        CHECK(p->crashed == (p->trial >= 55 ? 1u : 0u));
        CHECK(!isnan(p->best_score));
    }
    const btopt_progress *last = &c.seen[c.count - 1];
    CHECK(last->ok == 89 && last->failed == 10 && last->crashed == 1 && last->timeout == 0 && last->cancelled == 0);
    btopt_result_destroy(r);
    btopt_optimizer_destroy(opt);
}

static void coalesced(void)
{
    static calls c;
    btopt_optimizer *opt = make(two_ms, NULL, "thread", &c);
    CHECK(btopt_optimizer_set_double(opt, "progress_interval", 0.05) == BTOPT_OK);
    CHECK(btopt_optimizer_set_progress(opt, on_old_progress, &c) == BTOPT_OK);
    btopt_result *r = NULL;
    CHECK(btopt_optimizer_run(opt, &r) == BTOPT_OK);
    const btopt_progress *last = &c.seen[c.count - 1];
    CHECK(last->done == points && last->total == points);
    /* at least 0.05 s apart, except the last; so no more than the run's length allows */
    for (size_t i = 1; i + 1 < c.count; ++i)
        CHECK(c.seen[i].elapsed_seconds - c.seen[i - 1].elapsed_seconds >= 0.05);
    CHECK(c.count <= (size_t)(last->elapsed_seconds / 0.05) + 2);
    CHECK(c.count < points);
    /* a coalesced call counts every trial recorded since the last */
    for (size_t i = 1; i < c.count; ++i) {
        check_sum(&c.seen[i]);
        CHECK(c.seen[i].done >= c.seen[i - 1].done);
    }
    /* the old callback still works beside it */
    CHECK(c.old_calls >= 1 && c.old_done == points && c.old_total == points);
    printf("progress_interval 0.05: %zu calls over %.2f s\n", c.count, last->elapsed_seconds);
    btopt_result_destroy(r);
    btopt_optimizer_destroy(opt);
}

static void cancelled(void)
{
    static calls c;
    btopt_optimizer *opt = make(uneven, NULL, "thread", &c);
    c.cancel_at = 10;
    btopt_result *r = NULL;
    CHECK(btopt_optimizer_run(opt, &r) == BTOPT_ERR_CANCELLED);
    const btopt_progress *last = &c.seen[c.count - 1];
    CHECK(last->trial == -1);
    CHECK(last->done == last->total);
    CHECK(last->done >= 11 && last->done < points);
    for (size_t i = 0; i < c.count; ++i)
        check_sum(&c.seen[i]);
    btopt_result_destroy(r);
    btopt_optimizer_destroy(opt);
}

static void refusals(void)
{
    btopt_space *space = NULL;
    btopt_optimizer *opt = NULL;
    CHECK(btopt_space_create(&space) == BTOPT_OK);
    CHECK(btopt_space_add_int(space, "x", 0, 3, 1) == BTOPT_OK);
    CHECK(btopt_optimizer_create(&opt, space, "grid") == BTOPT_OK);
    btopt_space_destroy(space);
    CHECK(btopt_optimizer_set_double(opt, "progress_interval", -1.0) == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(strstr(btopt_last_error(), "progress_interval") != NULL);
    CHECK(btopt_optimizer_set_progress_ex(NULL, on_progress, NULL) == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(btopt_optimizer_set_progress_ex(opt, NULL, NULL) == BTOPT_OK);
    btopt_optimizer_destroy(opt);
}

int main(void)
{
    per_trial_in_order("thread");
    per_trial_in_order("process");
    counts_by_status();
    coalesced();
    cancelled();
    refusals();
    if (!g_failed)
        printf("progress: ok\n");
    return CHECK_EXIT_STATUS;
}
