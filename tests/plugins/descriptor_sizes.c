/* One plugin, three descriptor sizes, one per define, to prove the host reads
 * a descriptor only as far as its struct_size reaches:
 *   DESCRIPTOR_SHORT  the smallest the host accepts (up to `finish`); the
 *                     equity_curve pointer lies past struct_size and must not be used
 *   DESCRIPTOR_FIRST  the layout of the first release (up to `equity_curve`)
 *   DESCRIPTOR_LONG   today's descriptor plus fields a later header may add;
 *                     declares its config keys, a metric where lower is better
 *                     and the domain of a (1 to 10)
 * Metrics: score = a (higher is better), loss = a (lower is better in LONG). */
#include <btopt/plugin.h>

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

static const btopt_plugin_param params[] = {{"a", BTOPT_PLUGIN_PARAM_INT, 1, 4, 1, 0, 0, 0, NULL, 0}};
static const char *const metrics[] = {"score", "loss"};

static int32_t init(const btopt_plugin_config *config, void **state, char *error, size_t size)
{
    (void)config;
    (void)error;
    (void)size;
    *state = NULL;
    return BTOPT_PLUGIN_OK;
}

static int32_t evaluate(void *state, const btopt_plugin_value *p, uint64_t seed, double *m, char *error, size_t size)
{
    (void)state;
    (void)seed;
    (void)error;
    (void)size;
    m[0] = m[1] = (double)p[0].i;
    return BTOPT_PLUGIN_OK;
}

static void finish(void *state) { (void)state; }

static int32_t equity_curve(void *state, const btopt_plugin_value *p, uint64_t seed, double *equity, double *hold,
                            size_t capacity, size_t *count, char *error, size_t size)
{
    (void)state;
    (void)seed;
    (void)error;
    (void)size;
    *count = 2;
    for (size_t t = 0; t < capacity && t < 2; ++t) {
        equity[t] = 1.0 + (double)t * (double)p[0].i;
        hold[t] = 1.0;
    }
    return BTOPT_PLUGIN_OK;
}

#define FIRST_FIELDS                                                                                                  \
    BTOPT_PLUGIN_ABI_VERSION, 0, "descriptor_sizes", "1.0", "a descriptor of another size", params, 1, NULL, 0,       \
        metrics, 2, 0, 0, init, evaluate, finish, equity_curve

#if defined(DESCRIPTOR_SHORT) || defined(DESCRIPTOR_FIRST)
/* The descriptor as the first release declared it: it ends at equity_curve. */
typedef struct first_descriptor {
    uint32_t abi_version, struct_size;
    const char *name, *version, *description;
    const btopt_plugin_param *params;
    size_t n_params;
    const char *const *constraints;
    size_t n_constraints;
    const char *const *metrics;
    size_t n_metrics, default_metric;
    uint32_t flags;
    int32_t (*init)(const btopt_plugin_config *, void **, char *, size_t);
    int32_t (*evaluate)(void *, const btopt_plugin_value *, uint64_t, double *, char *, size_t);
    void (*finish)(void *);
    int32_t (*equity_curve)(void *, const btopt_plugin_value *, uint64_t, double *, double *, size_t, size_t *, char *,
                            size_t);
} first_descriptor;

static first_descriptor descriptor = {FIRST_FIELDS};

BTOPT_PLUGIN_EXPORT const btopt_plugin_descriptor *btopt_plugin_entry(void)
{
#if defined(DESCRIPTOR_SHORT)
    descriptor.struct_size = (uint32_t)(offsetof(first_descriptor, finish) + sizeof descriptor.finish);
#else
    descriptor.struct_size = (uint32_t)sizeof descriptor;
#endif
    return (const btopt_plugin_descriptor *)(const void *)&descriptor;
}

#elif defined(DESCRIPTOR_LONG)
static const char *const modes[] = {"fast", "slow"};
static const btopt_plugin_config_key keys[] = {
    {"scale", BTOPT_PLUGIN_CONFIG_NUMBER, "1", 0.0, 10.0, NULL, 0, "a factor"},
    {"count", BTOPT_PLUGIN_CONFIG_INTEGER, "3", 1.0, HUGE_VAL, NULL, 0, "a count"},
    {"mode", BTOPT_PLUGIN_CONFIG_CHOICE, "fast", 0.0, 0.0, modes, 2, "how"},
    {"label", BTOPT_PLUGIN_CONFIG_STRING, "", 0.0, 0.0, NULL, 0, "any text"},
};
static const int32_t directions[] = {BTOPT_PLUGIN_HIGHER_IS_BETTER, BTOPT_PLUGIN_LOWER_IS_BETTER};
static const btopt_plugin_domain domains[] = {{1.0, 10.0}};

/* Today's descriptor followed by fields this host does not know. */
typedef struct long_descriptor {
    btopt_plugin_descriptor known;
    void *later[8];
} long_descriptor;

static long_descriptor descriptor;

BTOPT_PLUGIN_EXPORT const btopt_plugin_descriptor *btopt_plugin_entry(void)
{
    const btopt_plugin_descriptor known = {FIRST_FIELDS, keys, 4, directions, domains, NULL, NULL};
    descriptor.known = known;
    descriptor.known.struct_size = (uint32_t)sizeof descriptor;
    for (size_t i = 0; i < 8; ++i)
        descriptor.later[i] = (void *)&descriptor; /* garbage to an old host */
    return &descriptor.known;
}
#else
#error "define DESCRIPTOR_SHORT, DESCRIPTOR_FIRST or DESCRIPTOR_LONG"
#endif
