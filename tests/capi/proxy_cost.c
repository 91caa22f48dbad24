/*
 * An objective that hands its point to another process and waits (a proxy,
 * as the Python binding's spawned workers are) reports the CPU time the
 * evaluation used there with btopt_report_cpu_seconds, and the speedup
 * counts that, not the waiting (issue 16, items 3 and 8):
 *   - without a report, evaluations that only wait (2 ms of sleep) on two
 *     threads cost their wall time: speedup about 2, cpu share 0;
 *   - the same evaluations reporting 0.5 ms of CPU each cost what they
 *     report: speedup about 0.5 (well under 1), cpu share about 1;
 *   - a negative or NaN report is refused.
 */
#define _POSIX_C_SOURCE 200809L

#include <btopt/btopt.h>

#include "check.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

static btopt_status proxy(void *user, const btopt_params *params, double *score)
{
    const int reports = *(const int *)user;
    (void)params;
    const struct timespec two_ms = {0, 2000000};
    nanosleep(&two_ms, NULL); /* waiting for the other process */
    if (reports && btopt_report_cpu_seconds(0.0005) != BTOPT_OK)
        return btopt_fail("the report was refused");
    *score = 1.0;
    return BTOPT_OK;
}

static btopt_result *run(int reports)
{
    btopt_space *space = NULL;
    CHECK(btopt_space_create(&space) == BTOPT_OK);
    CHECK(btopt_space_add_int(space, "x", 1, 200, 1) == BTOPT_OK);
    btopt_optimizer *opt = NULL;
    CHECK(btopt_optimizer_create(&opt, space, "grid") == BTOPT_OK);
    CHECK(btopt_optimizer_set_objective(opt, proxy, &reports) == BTOPT_OK);
    CHECK(btopt_optimizer_set_string(opt, "backend", "thread") == BTOPT_OK);
    CHECK(btopt_optimizer_set_int(opt, "n_jobs", 2) == BTOPT_OK);
    btopt_result *result = NULL;
    CHECK(btopt_optimizer_run(opt, &result) == BTOPT_OK);
    btopt_optimizer_destroy(opt);
    btopt_space_destroy(space);
    return result;
}

int main(void)
{
    btopt_result *waiting = run(0);
    btopt_result *reported = run(1);
    if (waiting == NULL || reported == NULL)
        return 1;
    printf("waiting: speedup %.2f cpu share %.2f; reporting 0.5 ms of 2: speedup %.2f cpu share %.2f\n",
           btopt_result_speedup(waiting), btopt_result_speedup_cpu_share(waiting), btopt_result_speedup(reported),
           btopt_result_speedup_cpu_share(reported));
    CHECK(btopt_result_speedup(waiting) > 1.5);
    CHECK(btopt_result_speedup_cpu_share(waiting) < 0.1);
    CHECK(btopt_result_speedup(reported) < 0.8);
    CHECK(btopt_result_speedup_cpu_share(reported) > 0.9);
    CHECK(btopt_report_cpu_seconds(-1.0) == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(btopt_report_cpu_seconds(NAN) == BTOPT_ERR_INVALID_ARGUMENT);
    btopt_result_destroy(waiting);
    btopt_result_destroy(reported);
    return CHECK_EXIT_STATUS;
}
