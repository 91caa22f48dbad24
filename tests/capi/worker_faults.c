/*
 * Host objectives that misbehave in ways a run must survive, through the C
 * ABI from plain C11: a worker that exits with its own status, and an
 * objective that runs its own optimizer again. Each case runs in a child
 * process under alarm(), so a hang or a crash fails that case instead of the
 * whole suite, and nothing it starts can outlive it.
 *
 * Prints "N passed, N failed" and exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <btopt/btopt.h>

#include "check.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* x in 0..9: ten points. */
static btopt_optimizer *make_optimizer(const char *backend, int64_t jobs)
{
    btopt_space *space = NULL;
    btopt_optimizer *opt = NULL;
    if (btopt_space_create(&space) != BTOPT_OK || btopt_space_add_int(space, "x", 0, 9, 1) != BTOPT_OK ||
        btopt_optimizer_create(&opt, space, "grid") != BTOPT_OK)
        abort();
    btopt_space_destroy(space);
    CHECK(btopt_optimizer_set_string(opt, "backend", backend) == BTOPT_OK);
    CHECK(btopt_optimizer_set_int(opt, "n_jobs", jobs) == BTOPT_OK);
    return opt;
}

static int64_t x_of(const btopt_params *params)
{
    int64_t x = -1;
    btopt_params_get_int(params, "x", &x);
    return x;
}

/* ---- Item: a worker that exits with a status of its own ------------------ */

static int use_exit; /* 1: exit(3), 0: _exit(3) */

static btopt_status exits_at_4(void *user, const btopt_params *params, double *score)
{
    (void)user;
    if (x_of(params) == 4) {
        if (use_exit)
            exit(3);
        _exit(3);
    }
    *score = (double)x_of(params);
    return BTOPT_OK;
}

static void worker_exit_status_is_a_crash(int ignore_errors)
{
    btopt_optimizer *opt = make_optimizer("process", 2);
    CHECK(btopt_optimizer_set_string(opt, "start_method", "fork") == BTOPT_OK);
    CHECK(btopt_optimizer_set_int(opt, "ignore_errors", ignore_errors) == BTOPT_OK);
    CHECK(btopt_optimizer_set_objective(opt, exits_at_4, NULL) == BTOPT_OK);
    btopt_result *result = NULL;
    const btopt_status status = btopt_optimizer_run(opt, &result);
    if (ignore_errors) {
        CHECK(status == BTOPT_OK);
    } else {
        CHECK(status == BTOPT_ERR_OBJECTIVE);
        CHECK(strstr(btopt_last_error(), "x=4") != NULL);
        CHECK(strstr(btopt_last_error(), "exited with status 3") != NULL);
    }
    CHECK(result != NULL);
    if (result && ignore_errors) {
        CHECK(btopt_result_trial_count(result) == 10);
        for (uint64_t i = 0; i < btopt_result_trial_count(result); ++i) {
            const btopt_params *params = NULL;
            int32_t trial_status = -1;
            const char *error = NULL;
            btopt_result_trial(result, i, &params, NULL, &trial_status);
            btopt_result_trial_info(result, i, NULL, &error, NULL);
            if (x_of(params) == 4) {
                CHECK(trial_status == BTOPT_TRIAL_CRASHED);
                CHECK(strstr(error, "exited with status 3") != NULL);
            } else {
                CHECK(trial_status == BTOPT_TRIAL_OK);
            }
        }
        CHECK(btopt_result_best_score(result) == 9.0);
    }
    btopt_result_destroy(result);
    btopt_optimizer_destroy(opt);
}

static void exit_3_with_ignore_errors(void)
{
    use_exit = 1;
    worker_exit_status_is_a_crash(1);
}
static void underscore_exit_3_with_ignore_errors(void)
{
    use_exit = 0;
    worker_exit_status_is_a_crash(1);
}
static void exit_3_stops_the_run(void)
{
    use_exit = 1;
    worker_exit_status_is_a_crash(0);
}

/* ---- Item: an objective that runs its own optimizer ---------------------- */

/* How deep the nesting went in this thread (copied into forked workers,
 * which are forked from the thread that runs), so that today's fork bomb
 * stops at a few levels. Per thread: the thread backend evaluates on several
 * threads at once, each with its own nesting. */
static _Thread_local int depth;

/* The score is the status the nested run returned, so the parent can read it
 * even from a forked worker; the nested run's message must say why. */
static btopt_status runs_itself(void *user, const btopt_params *params, double *score)
{
    (void)params;
    if (depth >= 2) {
        *score = -1.0;
        return BTOPT_OK;
    }
    ++depth;
    btopt_result *nested = NULL;
    const btopt_status status = btopt_optimizer_run((btopt_optimizer *)user, &nested);
    --depth;
    btopt_result_destroy(nested);
    const int told = strstr(btopt_last_error(), "the optimizer is already running") != NULL;
    *score = (double)status * (told ? 1.0 : 1000.0);
    return BTOPT_OK;
}

static void nested_run_refused(const char *backend)
{
    btopt_optimizer *opt = make_optimizer(backend, strcmp(backend, "inline") == 0 ? 1 : 2);
    if (strcmp(backend, "process") == 0)
        CHECK(btopt_optimizer_set_string(opt, "start_method", "fork") == BTOPT_OK);
    CHECK(btopt_optimizer_set_objective(opt, runs_itself, opt) == BTOPT_OK);
    btopt_result *result = NULL;
    CHECK(btopt_optimizer_run(opt, &result) == BTOPT_OK);
    CHECK(result != NULL);
    for (uint64_t i = 0; result && i < btopt_result_trial_count(result); ++i) {
        double score = 0;
        btopt_result_trial(result, i, NULL, &score, NULL);
        CHECK(score == (double)BTOPT_ERR_INVALID_ARGUMENT);
    }
    btopt_result_destroy(result);
    /* The guard is lifted when the run ends: the optimizer runs again. */
    depth = 2;
    CHECK(btopt_optimizer_run(opt, &result) == BTOPT_OK);
    btopt_result_destroy(result);
    depth = 0;
    btopt_optimizer_destroy(opt);
}

static void nested_run_inline(void) { nested_run_refused("inline"); }
static void nested_run_thread(void) { nested_run_refused("thread"); }
static void nested_run_process(void) { nested_run_refused("process"); }

/* ---- The harness --------------------------------------------------------- */

struct test_case {
    const char *name;
    void (*run)(void);
};

/* Runs a case in a child in its own process group (killed whole after), so a
 * hang, a crash or a runaway of processes fails only that case. */
static int run_case(const struct test_case *c)
{
    fflush(NULL);
    const pid_t child = fork();
    if (child == 0) {
        setpgid(0, 0);
        alarm(60);
        c->run();
        fflush(NULL);
        _exit(g_failed == 0 ? 0 : 1);
    }
    setpgid(child, child);
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
    }
    kill(-child, SIGKILL);
    const int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok) {
        if (WIFSIGNALED(status))
            fprintf(stderr, "%s: died of signal %d%s\n", c->name, WTERMSIG(status),
                    WTERMSIG(status) == SIGALRM ? " (it hung)" : "");
        else
            fprintf(stderr, "%s: failed\n", c->name);
    }
    return ok;
}

int main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        {"exit_3_with_ignore_errors", exit_3_with_ignore_errors},
        {"underscore_exit_3_with_ignore_errors", underscore_exit_3_with_ignore_errors},
        {"exit_3_stops_the_run", exit_3_stops_the_run},
        {"nested_run_inline", nested_run_inline},
        {"nested_run_thread", nested_run_thread},
        {"nested_run_process", nested_run_process},
    };
    int passed = 0, failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        if (argc > 1 && strstr(cases[i].name, argv[1]) == NULL)
            continue;
        if (run_case(&cases[i]))
            ++passed;
        else
            ++failed;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
