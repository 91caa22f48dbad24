/*
 * The ask/tell API (btopt_search_*) from plain C: a host's own driver loop
 * gives the trials btopt_optimizer_run gives with the same seed, for every
 * algorithm; tells in any order give the same trials as tells in order; a
 * saved state restored into a new search goes on as the saved one would;
 * misuse is a status code and a message that names it.
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

enum { MAX_TRIALS = 256, MAX_ASK = 8 };

/* The trials of a run or a driver loop, by trial number. */
typedef struct trials {
    size_t count;
    int64_t a[MAX_TRIALS];
    double b[MAX_TRIALS];
    int32_t status[MAX_TRIALS];
    double score[MAX_TRIALS];
    uint64_t seed[MAX_TRIALS]; /* btopt_params_seed of the trial's view */
} trials;

/* Fails at a == 7, so failed trials are part of every comparison. */
static btopt_status bumpy(void *user, const btopt_params *p, double *score)
{
    (void)user;
    int64_t a = 0;
    double b = 0;
    btopt_params_get_int(p, "a", &a);
    btopt_params_get_double(p, "b", &b);
    if (a == 7)
        return btopt_fail("a = 7 breaks the backtest");
    *score = sin((double)a * 0.37 + b) * exp(-b * b / 4.0) - (double)a * 1e-3;
    return BTOPT_OK;
}

/* bumpy, noting each call's seed in `user` (a trials) in call order: with
 * one inline worker, call i is trial i. */
static btopt_status bumpy_noting_seeds(void *user, const btopt_params *p, double *score)
{
    trials *out = user;
    if (out->count < MAX_TRIALS)
        CHECK(btopt_params_seed(p, &out->seed[out->count++]) == BTOPT_OK);
    return bumpy(NULL, p, score);
}

static btopt_space *make_space(void)
{
    btopt_space *space = NULL;
    btopt_space_create(&space);
    btopt_space_add_int(space, "a", 0, 11, 1);
    btopt_space_add_float(space, "b", -3.0, 3.0, 0.5);
    return space;
}

typedef struct algorithm_case {
    const char *name;
    int64_t seed;
} algorithm_case;

static const algorithm_case cases[] = {{"grid", 0}, {"random", 3}, {"genetic", 5}, {"bayesian", 7}, {"cmaes", 11},
                                       {"gp", 13}};

/* The options both sides get: a budget small enough for a test, and the seed. */
#define SET_OPTIONS(set_int, handle, c)                                                                               \
    do {                                                                                                              \
        CHECK(set_int(handle, "random_seed", (c).seed) == BTOPT_OK);                                                  \
        if (strcmp((c).name, "genetic") == 0) {                                                                       \
            CHECK(set_int(handle, "population_size", 8) == BTOPT_OK);                                                 \
            CHECK(set_int(handle, "n_generations", 3) == BTOPT_OK);                                                   \
        } else if (strcmp((c).name, "grid") != 0) {                                                                   \
            CHECK(set_int(handle, "n_iterations", 40) == BTOPT_OK);                                                   \
        }                                                                                                             \
        if (strcmp((c).name, "bayesian") == 0 || strcmp((c).name, "gp") == 0)                                         \
            CHECK(set_int(handle, "batch_q", 3) == BTOPT_OK);                                                         \
    } while (0)

static void run_optimizer(const algorithm_case *c, trials *out)
{
    btopt_space *space = make_space();
    btopt_optimizer *opt = NULL;
    btopt_result *result = NULL;
    CHECK(btopt_optimizer_create(&opt, space, c->name) == BTOPT_OK);
    SET_OPTIONS(btopt_optimizer_set_int, opt, *c);
    CHECK(btopt_optimizer_set_int(opt, "n_jobs", 1) == BTOPT_OK);
    CHECK(btopt_optimizer_set_int(opt, "ignore_errors", 1) == BTOPT_OK);
    out->count = 0;
    CHECK(btopt_optimizer_set_objective(opt, bumpy_noting_seeds, out) == BTOPT_OK);
    CHECK(btopt_optimizer_run(opt, &result) == BTOPT_OK);
    CHECK(out->count == btopt_result_trial_count(result));
    out->count = 0;
    for (uint64_t i = 0; result && i < btopt_result_trial_count(result) && i < MAX_TRIALS; ++i) {
        const btopt_params *p = NULL;
        uint64_t number = 0;
        btopt_result_trial(result, i, &p, &out->score[i], &out->status[i]);
        btopt_result_trial_info(result, i, &number, NULL, NULL);
        CHECK(number == i);
        btopt_params_get_int(p, "a", &out->a[i]);
        btopt_params_get_double(p, "b", &out->b[i]);
        out->count = i + 1;
    }
    btopt_result_destroy(result);
    btopt_optimizer_destroy(opt);
    btopt_space_destroy(space);
}

/* A trial asked and not yet told. */
typedef struct pending {
    uint64_t number;
    int32_t status;
    double score;
} pending;

static uint64_t g_lcg = 12345;
static unsigned next_random(void)
{
    g_lcg = g_lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(g_lcg >> 33);
}

/* Evaluates a trial at once (as the host's executor would) and notes it. */
static pending evaluate(const btopt_params *p, uint64_t number, trials *out)
{
    pending t = {number, BTOPT_TRIAL_OK, 0.0};
    uint64_t seed = 0;
    CHECK(btopt_params_seed(p, &seed) == BTOPT_OK); /* the seed a run gives this trial */
    if (bumpy(NULL, p, &t.score) != BTOPT_OK)
        t.status = BTOPT_TRIAL_FAILED;
    if (number < MAX_TRIALS) {
        btopt_params_get_int(p, "a", &out->a[number]);
        btopt_params_get_double(p, "b", &out->b[number]);
        out->status[number] = t.status;
        out->seed[number] = seed;
        out->score[number] = t.status == BTOPT_TRIAL_OK ? t.score : 0.0;
        if (number + 1 > out->count)
            out->count = number + 1;
    }
    return t;
}

/* Order in which the driver tells what it holds. */
typedef enum tell_order { IN_ORDER, REVERSED, SHUFFLED } tell_order;

/* Tells one of `n` held trials (the newest, or one at random) and drops it. */
static void tell_one(btopt_search *s, pending *held, size_t *n, tell_order order)
{
    const size_t k = order == REVERSED ? *n - 1 : next_random() % *n;
    CHECK(btopt_search_tell(s, held[k].number, held[k].status, held[k].score, NULL, 0) == BTOPT_OK);
    held[k] = held[--*n];
}

/* Runs a search to its end with a host loop that asks `batch` at a time and
 * tells in `order`; SHUFFLED also keeps some trials back across asks. */
static void drive(btopt_search *s, size_t batch, tell_order order, trials *out)
{
    pending held[MAX_TRIALS];
    size_t n = 0;
    for (int guard = 0; !btopt_search_done(s) && guard < 10000; ++guard) {
        uint64_t numbers[MAX_ASK];
        const btopt_params *params[MAX_ASK];
        size_t count = 0;
        CHECK(btopt_search_ask(s, batch, numbers, params, &count) == BTOPT_OK);
        for (size_t i = 0; i < count && n < MAX_TRIALS; ++i)
            held[n++] = evaluate(params[i], numbers[i], out);
        if (count == 0 && n == 0) {
            CHECK(!"the search proposes nothing, holds nothing and is not done");
            return;
        }
        size_t tell = order == SHUFFLED && count > 0 ? next_random() % (n + 1) : n;
        if (tell == 0 && count == 0)
            tell = 1;
        if (order == IN_ORDER) {
            for (size_t i = 0; i < n; ++i)
                CHECK(btopt_search_tell(s, held[i].number, held[i].status, held[i].score, NULL, 0) == BTOPT_OK);
            n = 0;
        } else {
            while (tell-- > 0 && n > 0)
                tell_one(s, held, &n, order);
        }
    }
    CHECK(btopt_search_done(s) == 1);
}

static btopt_search *make_search(const algorithm_case *c)
{
    btopt_space *space = make_space();
    btopt_search *s = NULL;
    CHECK(btopt_search_create(&s, space, c->name) == BTOPT_OK);
    btopt_space_destroy(space); /* the search keeps its own copy */
    SET_OPTIONS(btopt_search_set_int, s, *c);
    return s;
}

static int same_trials(const trials *x, const trials *y)
{
    if (x->count != y->count)
        return 0;
    for (size_t i = 0; i < x->count; ++i)
        if (x->a[i] != y->a[i] || x->b[i] != y->b[i] || x->status[i] != y->status[i] || x->seed[i] != y->seed[i] ||
            (x->status[i] == BTOPT_TRIAL_OK && x->score[i] != y->score[i]))
            return 0;
    return 1;
}

static void test_driver_equals_run(void)
{
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        trials run, in_order, reversed, shuffled;
        memset(&in_order, 0, sizeof in_order);
        memset(&reversed, 0, sizeof reversed);
        memset(&shuffled, 0, sizeof shuffled);
        run_optimizer(&cases[k], &run);
        btopt_search *s = make_search(&cases[k]);
        drive(s, 1, IN_ORDER, &in_order);
        /* The best is the run's best, in score and point. */
        uint64_t best = 0;
        double best_score = 0;
        const btopt_params *best_params = NULL;
        CHECK(btopt_search_best(s, &best, &best_score, &best_params) == BTOPT_OK);
        CHECK(best < run.count && best_score == run.score[best] && run.status[best] == BTOPT_TRIAL_OK);
        for (size_t i = 0; i < run.count; ++i)
            CHECK(run.status[i] != BTOPT_TRIAL_OK || run.score[i] <= best_score);
        int64_t a = -1;
        CHECK(btopt_params_get_int(best_params, "a", &a) == BTOPT_OK && a == run.a[best]);
        btopt_search_destroy(s);

        s = make_search(&cases[k]);
        drive(s, 5, REVERSED, &reversed);
        btopt_search_destroy(s);
        s = make_search(&cases[k]);
        drive(s, 7, SHUFFLED, &shuffled);
        btopt_search_destroy(s);

        if (!same_trials(&run, &in_order) || !same_trials(&run, &reversed) || !same_trials(&run, &shuffled))
            fprintf(stderr, "%s: run %zu trials, in order %zu, reversed %zu, shuffled %zu\n", cases[k].name,
                    run.count, in_order.count, reversed.count, shuffled.count);
        CHECK(run.count > 10);
        CHECK(same_trials(&run, &in_order));
        CHECK(same_trials(&run, &reversed));
        CHECK(same_trials(&run, &shuffled));
    }
}

/* Saved after some tells, with trials in flight, and restored into a new
 * search: the two halves give the uninterrupted trials. */
static void test_state_restores(void)
{
    for (size_t k = 1; k < sizeof cases / sizeof cases[0]; ++k) {
        trials whole, halves;
        memset(&whole, 0, sizeof whole);
        memset(&halves, 0, sizeof halves);
        btopt_search *s = make_search(&cases[k]);
        drive(s, 3, IN_ORDER, &whole);
        btopt_search_destroy(s);

        s = make_search(&cases[k]);
        pending held[MAX_ASK];
        size_t n = 0;
        for (int round = 0; round < 6; ++round) { /* tell all but the last of each ask */
            uint64_t numbers[MAX_ASK];
            const btopt_params *params[MAX_ASK];
            size_t count = 0;
            CHECK(btopt_search_ask(s, 3, numbers, params, &count) == BTOPT_OK);
            for (size_t i = 0; i < count; ++i)
                held[n++] = evaluate(params[i], numbers[i], &halves);
            while (n > 1)
                tell_one(s, held, &n, SHUFFLED);
            if (count == 0 && n > 0)
                tell_one(s, held, &n, SHUFFLED);
        }
        const char *text = NULL;
        CHECK(btopt_search_state(s, &text) == BTOPT_OK && text && strstr(text, "btopt_search_state"));
        char *state = text ? strdup(text) : NULL;
        btopt_search_destroy(s); /* the trial still held is lost with its host, and proposed again */

        s = make_search(&cases[k]);
        CHECK(btopt_search_restore(s, state) == BTOPT_OK);
        CHECK(btopt_search_set_int(s, "random_seed", 1) == BTOPT_ERR_INVALID_ARGUMENT);
        if (n == 1) {
            uint64_t number = 0;
            const btopt_params *params = NULL;
            size_t count = 0;
            CHECK(btopt_search_ask(s, 1, &number, &params, &count) == BTOPT_OK);
            CHECK(count == 1 && number == held[0].number); /* the untold trial comes back first */
            if (count == 1)
                CHECK(btopt_search_tell(s, number, held[0].status, held[0].score, NULL, 0) == BTOPT_OK);
        }
        drive(s, 3, SHUFFLED, &halves);
        btopt_search_destroy(s);
        CHECK(same_trials(&whole, &halves));

        /* Another seed does not reproduce the saved points: refused, named. */
        algorithm_case other = cases[k];
        other.seed += 100;
        s = make_search(&other);
        CHECK(btopt_search_restore(s, state) == BTOPT_ERR_INVALID_ARGUMENT);
        CHECK(strstr(btopt_last_error(), "random_seed") != NULL);
        btopt_search_destroy(s);
        free(state);
    }
    btopt_search *s = make_search(&cases[1]);
    CHECK(btopt_search_restore(s, "{\"x\": 1}") == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(strstr(btopt_last_error(), "not a btopt search state") != NULL);
    CHECK(btopt_search_restore(s, "not json") == BTOPT_ERR_INVALID_ARGUMENT);
    btopt_search_destroy(s);
    btopt_search *grid = make_search(&cases[0]);
    const char *text = NULL;
    CHECK(btopt_search_state(grid, &text) == BTOPT_OK);
    char *state = strdup(text);
    s = make_search(&cases[1]);
    CHECK(btopt_search_restore(s, state) == BTOPT_ERR_INVALID_ARGUMENT); /* a grid's state into a random search */
    CHECK(strstr(btopt_last_error(), "'grid'") != NULL);
    free(state);
    btopt_search_destroy(s);
    btopt_search_destroy(grid);
}

static void test_misuse(void)
{
    btopt_space *space = make_space();
    btopt_search *s = NULL;
    CHECK(btopt_search_create(&s, NULL, "random") == BTOPT_ERR_INVALID_ARGUMENT && s == NULL);
    CHECK(btopt_search_create(&s, space, "annealing") == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(strstr(btopt_last_error(), "annealing") != NULL);
    CHECK(btopt_search_create(&s, space, "random") == BTOPT_OK);
    CHECK(btopt_search_set_int(s, "n_jobs", 4) == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(strstr(btopt_last_error(), "'n_jobs'") != NULL);
    CHECK(btopt_search_set_string(s, "backend", "thread") == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(btopt_search_set_string(s, "require", "score > 0") == BTOPT_ERR_INVALID_ARGUMENT); /* a run's option */
    CHECK(btopt_search_set_int(s, "no_such_option", 1) == BTOPT_ERR_NOT_FOUND);
    CHECK(btopt_search_set_int(s, "n_iterations", 0) == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(btopt_search_set_int(s, "n_iterations", 3) == BTOPT_OK);
    CHECK(btopt_search_set_string(s, "direction", "minimize") == BTOPT_OK);
    CHECK(btopt_search_best(s, NULL, NULL, NULL) == BTOPT_ERR_NOT_FOUND);
    CHECK(btopt_search_tell(s, 0, BTOPT_TRIAL_OK, 1.0, NULL, 0) == BTOPT_ERR_NOT_FOUND);
    CHECK(strstr(btopt_last_error(), "never proposed") != NULL);

    uint64_t numbers[MAX_ASK];
    const btopt_params *params[MAX_ASK];
    size_t count = 0;
    CHECK(btopt_search_ask(s, 8, numbers, params, &count) == BTOPT_OK && count == 3);
    CHECK(btopt_search_set_int(s, "random_seed", 2) == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(strstr(btopt_last_error(), "started") != NULL);
    CHECK(btopt_search_tell(s, 3, BTOPT_TRIAL_OK, 1.0, NULL, 0) == BTOPT_ERR_NOT_FOUND);
    CHECK(strstr(btopt_last_error(), "trial 3 was never proposed") != NULL);
    CHECK(btopt_search_tell(s, 1, BTOPT_TRIAL_OK, NAN, NULL, 0) == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(strstr(btopt_last_error(), "BTOPT_TRIAL_FAILED") != NULL);
    CHECK(btopt_search_tell(s, 1, 99, 1.0, NULL, 0) == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(btopt_search_tell(s, 1, BTOPT_TRIAL_OK, 1.0, NULL, 2) == BTOPT_ERR_INVALID_ARGUMENT);
    const double metrics[2] = {0.5, 30};
    CHECK(btopt_search_tell(s, 1, BTOPT_TRIAL_OK, 2.0, metrics, 2) == BTOPT_OK);
    CHECK(btopt_search_tell(s, 1, BTOPT_TRIAL_OK, 2.0, NULL, 0) == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(strstr(btopt_last_error(), "trial 1 was already told") != NULL);
    CHECK(btopt_search_best(s, NULL, NULL, NULL) == BTOPT_ERR_NOT_FOUND); /* trial 1 waits for trial 0 */
    CHECK(btopt_search_tell(s, 0, BTOPT_TRIAL_OK, 3.0, NULL, 0) == BTOPT_OK);
    CHECK(!btopt_search_done(s));
    /* infeasible (a host's own constraint on results): no result, never the best, though 0.5 would be */
    CHECK(btopt_search_tell(s, 2, BTOPT_TRIAL_INFEASIBLE, 0.5, NULL, 0) == BTOPT_OK);
    CHECK(btopt_search_done(s));
    uint64_t best = 9;
    double score = 0;
    CHECK(btopt_search_best(s, &best, &score, NULL) == BTOPT_OK && best == 1 && score == 2.0); /* minimised */
    CHECK(btopt_search_tell(s, 2, BTOPT_TRIAL_OK, 1.0, NULL, 0) == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(strstr(btopt_last_error(), "done") != NULL);
    CHECK(btopt_search_tell(s, 5, BTOPT_TRIAL_OK, 1.0, NULL, 0) == BTOPT_ERR_NOT_FOUND);
    CHECK(strstr(btopt_last_error(), "done") != NULL);
    CHECK(btopt_search_ask(s, 8, numbers, params, &count) == BTOPT_OK && count == 0);
    CHECK(btopt_search_ask(s, 8, NULL, params, &count) == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(btopt_search_ask(s, 0, NULL, NULL, &count) == BTOPT_OK && count == 0);
    const char *text = NULL;
    CHECK(btopt_search_state(s, &text) == BTOPT_OK && strstr(text, "[1,\"ok\",2.0,[0.5,30.0]]") != NULL);
    CHECK(strstr(text, "\"infeasible\"") != NULL);
    CHECK(btopt_search_restore(s, text) == BTOPT_ERR_INVALID_ARGUMENT); /* it has proposed trials already */
    btopt_search_destroy(s);
    btopt_search_destroy(NULL);
    CHECK(btopt_search_done(NULL) == 0);

    /* A grid over a continuous float is refused at create, as for an optimizer. */
    btopt_space_add_float(space, "c", 0.0, 1.0, 0.0);
    CHECK(btopt_search_create(&s, space, "grid") == BTOPT_ERR_INVALID_ARGUMENT);
    btopt_space_destroy(space);
}

int main(void)
{
    test_driver_equals_run();
    test_state_restores();
    test_misuse();
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return CHECK_EXIT_STATUS;
}
