/*
 * The smallest real use of an installed btopt from C: a grid over two ints
 * with a constraint. Prints where libbtopt was loaded from, so the driver can
 * check it is the installed copy. Built both through find_package(btopt) and
 * through pkg-config.
 */
#define _POSIX_C_SOURCE 200809L

#include <btopt/btopt.h>

#include <stdio.h>
#include <string.h>

#ifdef BTOPT_CONSUMER_WITH_CPP
unsigned btopt_consumer_cpp_check(void);
#endif

static btopt_status objective(void *user, const btopt_params *params, double *score)
{
    (void)user;
    int64_t fast = 0, slow = 0;
    if (btopt_params_get_int(params, "fast", &fast) != BTOPT_OK ||
        btopt_params_get_int(params, "slow", &slow) != BTOPT_OK)
        return btopt_fail("missing parameter");
    *score = (double)(slow - fast);
    return BTOPT_OK;
}

/* The file libbtopt was mapped from, per /proc/self/maps. */
static void print_loaded_library(void)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[4096];
    if (maps == NULL)
        return;
    while (fgets(line, sizeof line, maps) != NULL) {
        char *path = strchr(line, '/');
        if (path != NULL && strstr(path, "libbtopt.so") != NULL) {
            path[strcspn(path, "\n")] = '\0';
            printf("libbtopt loaded from: %s\n", path);
            break;
        }
    }
    fclose(maps);
}

/* Where a plugin asked for by name is found: the driver checks that an
 * installed libbtopt looks next to itself (lib/btopt/plugins), never in the
 * build tree it was built in. */
static void print_plugin_location(const char *name)
{
    btopt_plugin_info *info = NULL;
    if (btopt_plugin_describe(&info, name) != BTOPT_OK) {
        printf("plugin %s: not found\n", name);
        return;
    }
    printf("plugin %s found at: %s\n", name, btopt_plugin_info_path(info));
    btopt_plugin_info_destroy(info);
}

#define FAIL(what)                                                                                           \
    do {                                                                                                     \
        fprintf(stderr, "btopt consumer: %s failed: %s\n", what, btopt_last_error());                      \
        return 1;                                                                                            \
    } while (0)

int main(void)
{
    if (btopt_abi_version() != BTOPT_ABI_VERSION)
        FAIL("abi version check");
    if (strcmp(btopt_version(), BTOPT_VERSION_STRING) != 0)
        FAIL("version check");
#ifdef BTOPT_CONSUMER_WITH_CPP
    if (btopt_consumer_cpp_check() != BTOPT_ABI_VERSION)
        FAIL("C++ header check");
#endif

    btopt_space *space = NULL;
    if (btopt_space_create(&space) != BTOPT_OK)
        FAIL("space_create");
    if (btopt_space_add_int(space, "fast", 10, 30, 10) != BTOPT_OK ||
        btopt_space_add_int(space, "slow", 20, 40, 10) != BTOPT_OK ||
        btopt_space_add_constraint(space, "fast < slow") != BTOPT_OK)
        FAIL("space setup");

    btopt_optimizer *opt = NULL;
    if (btopt_optimizer_create(&opt, space, "grid") != BTOPT_OK)
        FAIL("optimizer_create");
    btopt_space_destroy(space);
    if (btopt_optimizer_set_int(opt, "n_jobs", 2) != BTOPT_OK ||
        btopt_optimizer_set_objective(opt, objective, NULL) != BTOPT_OK)
        FAIL("optimizer setup");

    btopt_result *result = NULL;
    if (btopt_optimizer_run(opt, &result) != BTOPT_OK)
        FAIL("run");
    btopt_optimizer_destroy(opt);

    /* (10,20) (10,30) (10,40) (20,30) (20,40) (30,40); best slow - fast = 30. */
    int64_t fast = 0, slow = 0;
    const btopt_params *best = btopt_result_best_params(result);
    if (btopt_result_trial_count(result) != 6 || btopt_result_best_score(result) != 30.0 || best == NULL ||
        btopt_params_get_int(best, "fast", &fast) != BTOPT_OK ||
        btopt_params_get_int(best, "slow", &slow) != BTOPT_OK || fast != 10 || slow != 40) {
        fprintf(stderr, "btopt consumer: unexpected result: %llu trials, best %g\n",
                (unsigned long long)btopt_result_trial_count(result), btopt_result_best_score(result));
        btopt_result_destroy(result);
        return 1;
    }
    btopt_result_destroy(result);

    print_loaded_library();
    print_plugin_location("sma_crossover");
    printf("btopt consumer: ok (btopt %s, 6 trials, best 30 at fast=10 slow=40)\n", btopt_version());
    return 0;
}
