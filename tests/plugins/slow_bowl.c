/* A deterministic strategy that takes its time: each evaluation sleeps
 * delay_us microseconds (config, default 0), so a test can stop or kill a run
 * halfway; on the host named slow_host (config) it sleeps slow_delay_us
 * instead, so one machine of a cluster is slower than the others. Scores use sin/exp so that every bit of them matters when a
 * resumed run is compared with an uninterrupted one; constant=K (config)
 * shifts every score, as a rebuilt plugin with a changed constant would. */
#include <btopt/plugin.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct state {
    long delay_us;
    double constant;
} state;

static const char *const modes[] = {"calm", "wild"};
static const btopt_plugin_param params[] = {
    {"x", BTOPT_PLUGIN_PARAM_INT, 0, 29, 1, 0, 0, 0, NULL, 0},
    {"y", BTOPT_PLUGIN_PARAM_FLOAT, 0, 0, 0, -1.0, 1.0, 0.1, NULL, 0},
    {"mode", BTOPT_PLUGIN_PARAM_CHOICE, 0, 0, 0, 0, 0, 0, modes, 2},
};
static const char *const metrics[] = {"score", "ripple"};

static const char *config_get(const btopt_plugin_config *c, const char *key)
{
    for (size_t i = 0; i < c->count; ++i)
        if (strcmp(c->keys[i], key) == 0)
            return c->values[i];
    return NULL;
}

static int32_t init(const btopt_plugin_config *config, void **out, char *error, size_t size)
{
    (void)error;
    (void)size;
    state *s = malloc(sizeof *s);
    if (!s)
        return 1;
    const char *delay = config_get(config, "delay_us");
    const char *constant = config_get(config, "constant");
    const char *slow_host = config_get(config, "slow_host");
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    if (slow_host && strcmp(slow_host, host) == 0)
        delay = config_get(config, "slow_delay_us");
    s->delay_us = delay ? atol(delay) : 0;
    s->constant = constant ? atof(constant) : 0.0;
    *out = s;
    return BTOPT_PLUGIN_OK;
}

static int32_t evaluate(void *st, const btopt_plugin_value *p, uint64_t seed, double *m, char *error, size_t size)
{
    (void)seed;
    (void)error;
    (void)size;
    const state *s = st;
    if (s->delay_us > 0) {
        struct timespec pause = {s->delay_us / 1000000, (s->delay_us % 1000000) * 1000};
        nanosleep(&pause, NULL);
    }
    const double x = (double)p[0].i, y = p[1].f;
    const double wild = strcmp(p[2].s, "wild") == 0 ? 1.0 : 0.0;
    m[1] = sin(x * 0.7 + y * 3.1) * exp(-y * y) + wild * cos(x / 3.0);
    m[0] = s->constant - (x - 17.3) * (x - 17.3) / 50.0 + m[1] / 3.0;
    return BTOPT_PLUGIN_OK;
}

static void finish(void *st) { free(st); }

static const btopt_plugin_descriptor descriptor = {
    .abi_version = BTOPT_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(btopt_plugin_descriptor),
    .name = "slow_bowl",
    .version = "1.0",
    .description = "a deterministic bowl that sleeps delay_us per evaluation",
    .params = params,
    .n_params = 3,
    .metrics = metrics,
    .n_metrics = 2,
    .default_metric = 0,
    .init = init,
    .evaluate = evaluate,
    .finish = finish,
};

BTOPT_PLUGIN_EXPORT const btopt_plugin_descriptor *btopt_plugin_entry(void) { return &descriptor; }
