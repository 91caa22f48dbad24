/* A strategy plugin in plain C: what a C author writes without strategy.hpp.
 * score = offset - (x - 2)^2 - y^2, plus a bonus for mode "mul". Config:
 * offset (number), init_log (a file that gets one line per init call). */
#include <btopt/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct state {
    double offset;
} state;

static const char *const modes[] = {"add", "mul"};
static const btopt_plugin_param params[] = {
    {"x", BTOPT_PLUGIN_PARAM_INT, -5, 5, 1, 0, 0, 0, NULL, 0},
    {"y", BTOPT_PLUGIN_PARAM_FLOAT, 0, 0, 0, -1.0, 1.0, 0.5, NULL, 0},
    {"mode", BTOPT_PLUGIN_PARAM_CHOICE, 0, 0, 0, 0, 0, 0, modes, 2},
};
static const char *const constraints[] = {"x != 0"};
static const char *const metrics[] = {"x_times_y", "score"};

static const char *config_get(const btopt_plugin_config *c, const char *key)
{
    for (size_t i = 0; i < c->count; ++i)
        if (strcmp(c->keys[i], key) == 0)
            return c->values[i];
    return NULL;
}

static int32_t init(const btopt_plugin_config *config, void **out, char *error, size_t size)
{
    state *s = malloc(sizeof *s);
    if (!s) {
        snprintf(error, size, "out of memory");
        return 1;
    }
    const char *offset = config_get(config, "offset");
    s->offset = offset ? atof(offset) : 0.0;
    const char *log = config_get(config, "init_log");
    if (log) {
        FILE *f = fopen(log, "a");
        if (f) {
            fprintf(f, "%d\n", (int)getpid());
            fclose(f);
        }
    }
    *out = s;
    return BTOPT_PLUGIN_OK;
}

static int32_t evaluate(void *st, const btopt_plugin_value *p, uint64_t seed, double *m, char *error, size_t size)
{
    (void)seed;
    (void)error;
    (void)size;
    const state *s = st;
    const double x = (double)p[0].i, y = p[1].f;
    m[0] = x * y;
    m[1] = s->offset - (x - 2) * (x - 2) - y * y + (strcmp(p[2].s, "mul") == 0 ? 0.5 : 0.0);
    return BTOPT_PLUGIN_OK;
}

static void finish(void *st) { free(st); }

/* Designated initializers: fields a newer header appends stay NULL (not
 * declared), and the plugin still compiles without warnings. */
static const btopt_plugin_descriptor descriptor = {
    .abi_version = BTOPT_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(btopt_plugin_descriptor),
    .name = "c_quadratic",
    .version = "1.0",
    .description = "a quadratic bowl written in plain C",
    .params = params,
    .n_params = 3,
    .constraints = constraints,
    .n_constraints = 1,
    .metrics = metrics,
    .n_metrics = 2,
    .default_metric = 1,
    .init = init,
    .evaluate = evaluate,
    .finish = finish,
};

BTOPT_PLUGIN_EXPORT const btopt_plugin_descriptor *btopt_plugin_entry(void) { return &descriptor; }
