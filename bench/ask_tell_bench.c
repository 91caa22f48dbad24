/*
 * What a search costs per trial through the ask/tell API (btopt_search_*):
 * the time spent in btopt_search_ask and btopt_search_tell, with an objective
 * that costs nothing, for each algorithm at 100, 1,000 and 10,000 trials.
 * Median of `repeats` runs (argv[1], default 3), in CPU microseconds per trial;
 * sizes above argv[2] (default 10000) are left out (bayesian at 10,000
 * trials takes minutes).
 *
 *   build/bench/btopt-bench-ask-tell [repeats] [max_trials]
 */
#define _POSIX_C_SOURCE 200809L

#include <btopt/btopt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* CPU time of this process: ask and tell run on this thread only, and CPU
 * time does not count the time other processes of a busy machine take. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Seconds for one search of `trials` trials, asked 16 at a time; -1 on error. */
static double one_run(const char *algorithm, int64_t trials, int64_t seed)
{
    btopt_space *space = NULL;
    btopt_space_create(&space);
    btopt_space_add_int(space, "a", 0, 1000, 1);
    btopt_space_add_float(space, "x", -5.0, 5.0, 0.0);
    btopt_space_add_float(space, "y", -5.0, 5.0, 0.0);
    btopt_search *s = NULL;
    if (btopt_search_create(&s, space, algorithm) != BTOPT_OK) {
        fprintf(stderr, "%s: %s\n", algorithm, btopt_last_error());
        btopt_space_destroy(space);
        return -1;
    }
    btopt_search_set_int(s, "random_seed", seed);
    if (strcmp(algorithm, "genetic") == 0) {
        btopt_search_set_int(s, "population_size", 50);
        btopt_search_set_int(s, "n_generations", trials / 50 - 1);
    } else {
        btopt_search_set_int(s, "n_iterations", trials);
    }
    uint64_t numbers[16];
    const btopt_params *params[16];
    const double start = now();
    while (!btopt_search_done(s)) {
        size_t count = 0;
        if (btopt_search_ask(s, 16, numbers, params, &count) != BTOPT_OK || count == 0) {
            fprintf(stderr, "%s: %s\n", algorithm, count == 0 ? "nothing to ask, nothing in flight" : btopt_last_error());
            break;
        }
        for (size_t i = 0; i < count; ++i) {
            int64_t a = 0;
            double x = 0, y = 0;
            btopt_params_get_int(params[i], "a", &a);
            btopt_params_get_double(params[i], "x", &x);
            btopt_params_get_double(params[i], "y", &y);
            btopt_search_tell(s, numbers[i], BTOPT_TRIAL_OK, -(x * x + y * y) - (double)(a - 300) * 1e-4, NULL, 0);
        }
    }
    const double seconds = now() - start;
    btopt_search_destroy(s);
    btopt_space_destroy(space);
    return seconds;
}

int main(int argc, char **argv)
{
    const int repeats = argc > 1 ? atoi(argv[1]) : 3;
    const long long max_trials = argc > 2 ? atoll(argv[2]) : 10000;
    if (repeats < 1 || repeats > 99) {
        fprintf(stderr, "repeats: 1 to 99\n");
        return 2;
    }
    const char *algorithms[] = {"random", "genetic", "bayesian", "cmaes"};
    const int64_t sizes[] = {100, 1000, 10000};
    printf("%-10s %8s %14s\n", "algorithm", "trials", "us/trial");
    for (size_t k = 0; k < sizeof algorithms / sizeof *algorithms; ++k)
        for (size_t n = 0; n < sizeof sizes / sizeof *sizes && sizes[n] <= max_trials; ++n) {
            double runs[99];
            for (int r = 0; r < repeats; ++r)
                runs[r] = one_run(algorithms[k], sizes[n], r + 1);
            qsort(runs, (size_t)repeats, sizeof *runs, by_value);
            printf("%-10s %8lld %14.2f\n", algorithms[k], (long long)sizes[n], runs[repeats / 2] / (double)sizes[n] * 1e6);
            fflush(stdout);
        }
    return 0;
}
