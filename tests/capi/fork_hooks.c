/*
 * Hosts that fork (issue 16, item 7): btopt_optimizer_set_fork_hooks runs the
 * host's hooks around every fork of the host, and btopt_params_seed hands an
 * objective its trial's seed, the same for any backend and n_jobs.
 *   - before and after_parent run in the host, on the thread that called
 *     btopt_optimizer_run, once per fork, in that order;
 *   - after_child runs in every worker before its first evaluation (the
 *     objective sees the flag it sets);
 *   - the seeds a forked run's objective sees equal an inline run's, and
 *     differ between trials;
 *   - a result's params have no seed (NOT_FOUND); NULLs are refused.
 */
#define _POSIX_C_SOURCE 200809L

#include <btopt/btopt.h>

#include "check.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

enum { TRIALS = 40 };

struct hooks {
    pthread_t runner;
    int before, after_parent, out_of_order, wrong_thread;
};

static int g_child_hook_ran; /* set in a worker by after_child */

static void before(void *user)
{
    struct hooks *h = user;
    if (!pthread_equal(pthread_self(), h->runner))
        h->wrong_thread++;
    if (h->before != h->after_parent)
        h->out_of_order++;
    h->before++;
}

static void after_parent(void *user)
{
    struct hooks *h = user;
    if (!pthread_equal(pthread_self(), h->runner))
        h->wrong_thread++;
    h->after_parent++;
    if (h->before != h->after_parent)
        h->out_of_order++;
}

static void after_child(void *user)
{
    (void)user;
    g_child_hook_ran = 1;
}

/* The score is the trial's seed (low bits), or -1 in a worker whose
 * after_child hook did not run. */
static btopt_status seeded(void *user, const btopt_params *params, double *score)
{
    const int forked = *(const int *)user;
    uint64_t seed = 0;
    if (btopt_params_seed(params, &seed) != BTOPT_OK)
        return btopt_fail("no seed");
    *score = forked && !g_child_hook_ran ? -1.0 : (double)(seed & 0xFFFFFFFFu);
    return BTOPT_OK;
}

static btopt_result *run(const char *backend, int n_jobs, struct hooks *h, int *forked)
{
    btopt_space *space = NULL;
    CHECK(btopt_space_create(&space) == BTOPT_OK);
    CHECK(btopt_space_add_int(space, "x", 1, TRIALS, 1) == BTOPT_OK);
    btopt_optimizer *opt = NULL;
    CHECK(btopt_optimizer_create(&opt, space, "grid") == BTOPT_OK);
    CHECK(btopt_optimizer_set_objective(opt, seeded, forked) == BTOPT_OK);
    CHECK(btopt_optimizer_set_string(opt, "backend", backend) == BTOPT_OK);
    CHECK(btopt_optimizer_set_int(opt, "n_jobs", n_jobs) == BTOPT_OK);
    CHECK(btopt_optimizer_set_int(opt, "random_seed", 7) == BTOPT_OK);
    if (h != NULL) {
        CHECK(btopt_optimizer_set_string(opt, "start_method", "fork") == BTOPT_OK);
        h->runner = pthread_self();
        CHECK(btopt_optimizer_set_fork_hooks(opt, before, after_parent, after_child, h) == BTOPT_OK);
    }
    btopt_result *result = NULL;
    CHECK(btopt_optimizer_run(opt, &result) == BTOPT_OK);
    btopt_optimizer_destroy(opt);
    btopt_space_destroy(space);
    return result;
}

int main(void)
{
    int inline_run = 0, forked_run = 1;
    btopt_result *plain = run("inline", 1, NULL, &inline_run);
    struct hooks h;
    memset(&h, 0, sizeof h);
    btopt_result *forked = run("process", 2, &h, &forked_run);
    if (plain == NULL || forked == NULL)
        return 1;

    CHECK(h.before >= 2); /* one fork per worker at least */
    CHECK(h.before == h.after_parent);
    CHECK(h.out_of_order == 0);
    CHECK(h.wrong_thread == 0);
    CHECK(g_child_hook_ran == 0); /* only the workers ran after_child */

    CHECK(btopt_result_trial_count(plain) == TRIALS && btopt_result_trial_count(forked) == TRIALS);
    int distinct = 1;
    for (uint64_t i = 0; i < TRIALS; ++i) {
        double a = 0, b = 0;
        CHECK(btopt_result_trial(plain, i, NULL, &a, NULL) == BTOPT_OK);
        CHECK(btopt_result_trial(forked, i, NULL, &b, NULL) == BTOPT_OK);
        CHECK(b >= 0.0); /* the worker's after_child ran before it evaluated */
        CHECK(a == b);   /* the seed depends on the trial, not on who evaluated it */
        for (uint64_t j = 0; j < i; ++j) {
            double c = 0;
            btopt_result_trial(plain, j, NULL, &c, NULL);
            if (c == a)
                distinct = 0;
        }
    }
    CHECK(distinct);

    const btopt_params *kept = NULL;
    CHECK(btopt_result_trial(plain, 0, &kept, NULL, NULL) == BTOPT_OK);
    uint64_t seed = 0;
    CHECK(btopt_params_seed(kept, &seed) == BTOPT_ERR_NOT_FOUND);
    CHECK(strstr(btopt_last_error(), "seed") != NULL);
    CHECK(btopt_params_seed(NULL, &seed) == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(btopt_params_seed(kept, NULL) == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(btopt_optimizer_set_fork_hooks(NULL, NULL, NULL, NULL, NULL) == BTOPT_ERR_INVALID_ARGUMENT);

    btopt_result_destroy(plain);
    btopt_result_destroy(forked);
    if (g_failed)
        return 1;
    printf("fork hooks: %d forks, seeds equal to the inline run's\n", h.before);
    return 0;
}
