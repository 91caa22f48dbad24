/* Plugins that must be refused before any evaluation, one per define:
 * BROKEN_WRONG_ABI, BROKEN_NO_SYMBOL, BROKEN_INIT_FAILS, BROKEN_INIT_CRASHES. */
#include <btopt/plugin.h>

#include <signal.h>
#include <stdio.h>

static const btopt_plugin_param params[] = {{"a", BTOPT_PLUGIN_PARAM_INT, 0, 3, 1, 0, 0, 0, NULL, 0}};
static const char *const metrics[] = {"score"};

static int32_t init(const btopt_plugin_config *config, void **state, char *error, size_t size)
{
    (void)config;
    *state = NULL;
#if defined(BROKEN_INIT_FAILS)
    snprintf(error, size, "cannot open data file 'missing.csv'");
    return 1;
#elif defined(BROKEN_INIT_CRASHES)
    (void)error;
    (void)size;
    raise(SIGSEGV);
    return 1;
#else
    (void)error;
    (void)size;
    return BTOPT_PLUGIN_OK;
#endif
}

static int32_t evaluate(void *state, const btopt_plugin_value *p, uint64_t seed, double *m, char *error, size_t size)
{
    (void)state;
    (void)seed;
    (void)error;
    (void)size;
    m[0] = (double)p[0].i;
    return BTOPT_PLUGIN_OK;
}

static void finish(void *state) { (void)state; }

#if defined(BROKEN_WRONG_ABI)
#define ABI 999u
#else
#define ABI BTOPT_PLUGIN_ABI_VERSION
#endif

static const btopt_plugin_descriptor descriptor = {
    ABI, sizeof(btopt_plugin_descriptor), "broken", "1.0", "refused before it runs", params, 1, NULL, 0, metrics, 1, 0,
    0, init, evaluate, finish, NULL, NULL, 0, NULL, NULL, NULL, NULL};

#if defined(BROKEN_NO_SYMBOL)
BTOPT_PLUGIN_EXPORT const btopt_plugin_descriptor *some_other_entry(void) { return &descriptor; }
#else
BTOPT_PLUGIN_EXPORT const btopt_plugin_descriptor *btopt_plugin_entry(void) { return &descriptor; }
#endif
