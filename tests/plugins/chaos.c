/* A C plugin for the soak test: over a, b in 0..99 (point index 100a + b), it
 * misbehaves on the points chaos_fault() picks, and otherwise scores
 * chaos_score(). The rule lives in chaos.h, which the test includes too, so
 * that the test knows each trial's fate.
 * Config:
 *   faults=0          behave everywhere (the clean run to compare with)
 *   seed=N            another set of faulty points (default 1)
 *   per_mille=N       faulty points per thousand (default 25) */
#define _GNU_SOURCE
#include "chaos.h"

#include <btopt/plugin.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct state {
    int faults;
    uint64_t seed;
    unsigned per_mille;
} state;

static const btopt_plugin_param params[] = {
    {"a", BTOPT_PLUGIN_PARAM_INT, 0, 99, 1, 0, 0, 0, NULL, 0},
    {"b", BTOPT_PLUGIN_PARAM_INT, 0, 99, 1, 0, 0, 0, NULL, 0},
};
static const char *const metrics[] = {"score"};

static const char *config_get(const btopt_plugin_config *c, const char *key, const char *otherwise)
{
    for (size_t i = 0; i < c->count; ++i)
        if (strcmp(c->keys[i], key) == 0)
            return c->values[i];
    return otherwise;
}

static int32_t init(const btopt_plugin_config *config, void **out, char *error, size_t size)
{
    (void)error;
    (void)size;
    state *s = calloc(1, sizeof *s);
    if (!s)
        return 1;
    s->faults = atoi(config_get(config, "faults", "1"));
    s->seed = strtoull(config_get(config, "seed", "1"), NULL, 10);
    s->per_mille = (unsigned)atoi(config_get(config, "per_mille", "25"));
    *out = s;
    return BTOPT_PLUGIN_OK;
}

/* One allocation past any cap the test sets, used without a check for NULL
 * (as careless C code does): a segfault at once under the cap, never a
 * timeout however loaded the machine. */
static void hog(void)
{
    volatile char *block = malloc((size_t)1 << 30);
    block[12345] = 1;
    if (block[12345] == 1)
        free((void *)block);
}

static void misbehave(chaos_fault f)
{
    switch (f.kind) {
    case CHAOS_HANG:
        sleep(600);
        break;
    case CHAOS_HOG:
        hog();
        break;
    case CHAOS_EXIT:
        if (f.detail % 2)
            exit(f.detail);
        _exit(f.detail);
    case CHAOS_SIGNAL:
        raise(f.detail);
        break;
    default:
        break;
    }
}

static int32_t evaluate(void *st, const btopt_plugin_value *p, uint64_t seed, double *m, char *error, size_t size)
{
    (void)seed;
    (void)error;
    (void)size;
    const state *s = st;
    const int64_t index = 100 * p[0].i + p[1].i;
    if (s->faults)
        misbehave(chaos_fault_at(index, s->seed, s->per_mille));
    m[0] = chaos_score(index);
    return BTOPT_PLUGIN_OK;
}

static void finish(void *st) { free(st); }

static const btopt_plugin_descriptor descriptor = {
    .abi_version = BTOPT_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(btopt_plugin_descriptor),
    .name = "chaos",
    .version = "1.0",
    .description = "exits, raises signals, hangs or allocates without bound on random points",
    .params = params,
    .n_params = 2,
    .metrics = metrics,
    .n_metrics = 1,
    .flags = 0,
    .init = init,
    .evaluate = evaluate,
    .finish = finish,
};

BTOPT_PLUGIN_EXPORT const btopt_plugin_descriptor *btopt_plugin_entry(void) { return &descriptor; }
