/*
 * btopt strategy plugins: the plugin ABI.
 *
 * A strategy plugin is a shared library exporting one C function,
 *
 *     const btopt_plugin_descriptor *btopt_plugin_entry(void);
 *
 * returning a descriptor in static storage. The host reads it, checks
 * abi_version and struct_size, and reads no field past struct_size, so the
 * descriptor can grow at the end without breaking old plugins (as LV2 and
 * GStreamer descriptors do): a struct_size that reaches `finish` is enough,
 * and a field the plugin's struct_size does not cover reads as NULL or 0.
 * Fields are only ever appended; none is removed or moved. A plugin never links against libbtopt: points
 * reach it as a plain array of values and it answers through plain arrays,
 * so it loads the same in the worker server, a forked worker or an MPI rank.
 *
 * Lifecycle: init(config) once — in the worker server before the workers are
 * forked, so the data it loads is shared copy-on-write, or in every worker
 * after the fork when flags has BTOPT_PLUGIN_INIT_PER_WORKER (a plugin whose
 * init starts threads must say so) — then evaluate(state, point) many times,
 * then finish(state). No C++ exception may leave any of the three.
 *
 * include/btopt/strategy.hpp writes all of this for a C++ strategy class.
 */
#ifndef BTOPT_PLUGIN_H
#define BTOPT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BTOPT_PLUGIN_ABI_VERSION 1u
#define BTOPT_PLUGIN_ENTRY "btopt_plugin_entry"

#if defined(_WIN32)
#define BTOPT_PLUGIN_EXPORT __declspec(dllexport)
#else
#define BTOPT_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* A parameter's kind: the same numbers as btopt_param_kind in btopt.h. */
#define BTOPT_PLUGIN_PARAM_INT 0
#define BTOPT_PLUGIN_PARAM_FLOAT 1
#define BTOPT_PLUGIN_PARAM_CHOICE 2

/* One parameter with its default range (the default space). */
typedef struct btopt_plugin_param {
    const char *name;
    int32_t kind; /* BTOPT_PLUGIN_PARAM_* */
    int64_t int_lo, int_hi, int_step;
    double float_lo, float_hi, float_step; /* step 0: continuous */
    const char *const *choices;
    size_t n_choices;
} btopt_plugin_param;

/* One coordinate of a point, in the plugin's parameter order: `i` for an
 * integer, `f` for a float, `i` (the index into choices) and `s` for a choice. */
typedef struct btopt_plugin_value {
    int64_t i;
    double f;
    const char *s;
} btopt_plugin_value;

/* Configuration as key=value strings (data path, commission, ...). Keys
 * starting with "btopt." are the host's: "btopt.min.NAME" and "btopt.max.NAME"
 * give the searched range of each numeric parameter, so init can refuse what
 * no point could use. */
typedef struct btopt_plugin_config {
    size_t count;
    const char *const *keys;
    const char *const *values;
} btopt_plugin_config;

/* Set in flags when init must run in every worker after the fork. */
#define BTOPT_PLUGIN_INIT_PER_WORKER 1u

/* A config key's type (btopt_plugin_config_key.type). */
#define BTOPT_PLUGIN_CONFIG_STRING 0  /* any text (a file name, ...) */
#define BTOPT_PLUGIN_CONFIG_NUMBER 1  /* a finite number within [lo, hi] */
#define BTOPT_PLUGIN_CONFIG_INTEGER 2 /* a whole number within [lo, hi] */
#define BTOPT_PLUGIN_CONFIG_CHOICE 3  /* one of choices */

/* One config key the plugin's init understands. The host refuses a key the
 * plugin does not declare, and a value of the wrong type or out of range,
 * naming the key, before anything runs. */
typedef struct btopt_plugin_config_key {
    const char *name;
    int32_t type;              /* BTOPT_PLUGIN_CONFIG_* */
    const char *default_value; /* as text, for `btopt describe`; NULL: none */
    double lo, hi;             /* NUMBER and INTEGER: the allowed range, inclusive (may be +-INFINITY) */
    const char *const *choices; /* CHOICE: the allowed values */
    size_t n_choices;
    const char *doc; /* one line */
} btopt_plugin_config_key;

/* The values a numeric parameter may take at all, inclusive (may be
 * +-INFINITY): a searched range must stay inside (param_domains). */
typedef struct btopt_plugin_domain {
    double lo, hi;
} btopt_plugin_domain;

/* Which way a metric is better (metric_directions). */
#define BTOPT_PLUGIN_HIGHER_IS_BETTER 0
#define BTOPT_PLUGIN_LOWER_IS_BETTER 1

/* Status codes a plugin returns: 0 ok, anything else an error whose words it
 * wrote into `error` (a buffer of error_size bytes, always NUL-terminated by the host). */
#define BTOPT_PLUGIN_OK 0

typedef struct btopt_plugin_descriptor {
    uint32_t abi_version; /* BTOPT_PLUGIN_ABI_VERSION */
    uint32_t struct_size; /* sizeof(btopt_plugin_descriptor) as the plugin was built */
    const char *name;
    const char *version;
    const char *description; /* one line */
    const btopt_plugin_param *params;
    size_t n_params;
    const char *const *constraints; /* e.g. "fast < slow" */
    size_t n_constraints;
    const char *const *metrics; /* names of what evaluate reports */
    size_t n_metrics;
    size_t default_metric; /* index into metrics: the default objective */
    uint32_t flags;        /* BTOPT_PLUGIN_INIT_PER_WORKER */
    /* Loads what evaluations need (data, caches) into *state. */
    int32_t (*init)(const btopt_plugin_config *config, void **state, char *error, size_t error_size);
    /* Scores one point: writes n_metrics values into metrics. `seed` is the
     * trial's own seed, for strategies that draw random numbers. Reloads nothing. */
    int32_t (*evaluate)(void *state, const btopt_plugin_value *point, uint64_t seed, double *metrics, char *error,
                        size_t error_size);
    void (*finish)(void *state);
    /* Optional (NULL, or past struct_size in older plugins): for reports, the
     * equity curve of one point and of buy-and-hold over the same bars. Writes
     * up to `capacity` values into each array and the number of bars into
     * *count; call with capacity 0 to learn the count. */
    int32_t (*equity_curve)(void *state, const btopt_plugin_value *point, uint64_t seed, double *equity,
                            double *buy_and_hold, size_t capacity, size_t *count, char *error, size_t error_size);
    /* Added after the first release: the host reads them only when
     * struct_size covers them. The config keys init understands; NULL: not
     * declared (every key reaches init unchecked, as for older plugins). */
    const btopt_plugin_config_key *config_keys;
    size_t n_config_keys;
    /* n_metrics values, BTOPT_PLUGIN_*_IS_BETTER: the direction an objective
     * on that metric takes unless the user chooses one. NULL: all higher. */
    const int32_t *metric_directions;
    /* n_params values, in the order of params: each parameter's domain
     * (ignored for a choice). The host refuses a searched range that leaves
     * it, naming the parameter, before anything runs. NULL: any value. */
    const btopt_plugin_domain *param_domains;
    /* Added for bar ranges (walk-forward, `start`/`end`); both set, or the
     * plugin cannot evaluate a range and the host refuses a run that asks
     * for one. The data init loaded is one series of bars, numbered from 0.
     * bars: writes the number of bars into *count and, when `dates` is not
     * NULL, up to `capacity` of their dates as days since 1970-01-01 (UTC);
     * a plugin whose bars have no dates writes *count only and returns
     * BTOPT_PLUGIN_NO_DATES, and the host then takes bar numbers only. */
    int32_t (*bars)(void *state, int64_t *dates, size_t capacity, size_t *count, char *error, size_t error_size);
    /* As evaluate, trading only bars first .. end-1 (first < end <= count):
     * bars before `first` feed indicators (warm-up) but no position is held
     * into bar `first`, and nothing after end-1 is read. The metrics are of
     * that range alone. */
    int32_t (*evaluate_range)(void *state, const btopt_plugin_value *point, uint64_t seed, uint64_t first,
                              uint64_t end, double *metrics, char *error, size_t error_size);
} btopt_plugin_descriptor;

/* What bars() returns when the plugin's bars carry no dates. */
#define BTOPT_PLUGIN_NO_DATES 2

typedef const btopt_plugin_descriptor *(*btopt_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* BTOPT_PLUGIN_H */
