/*
 * btopt — parallel parameter optimisation for trading strategies.
 *
 * The C ABI. Stable and FFI-friendly: opaque handles with create/destroy
 * pairs (destroy accepts NULL), fixed-width integers, a status code from every
 * fallible call and, for the last failure on the calling thread, a message in
 * plain words (btopt_last_error). Options are set by name through typed
 * setters, so new options never change the ABI. See docs/ABI.md for the
 * stability policy.
 *
 * Conventions
 *  - Output parameters come first (`T **out`); what comes back through them
 *    the caller owns and releases with that type's destroy function.
 *  - Callbacks take a `void *user` payload, handed back untouched.
 *  - The status code is the only success signal; btopt_last_error() only
 *    describes a failure. It keeps its text until the next failure on the
 *    same thread: successful calls and destroys do not clear it.
 *  - Strings passed in are copied; strings handed out are owned by the handle
 *    they came from and live as long as it does.
 */
#ifndef BTOPT_H
#define BTOPT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define BTOPT_API
#else
#define BTOPT_API __attribute__((visibility("default")))
#endif

/* Bumped only when the ABI breaks on purpose; it is also the SONAME's number. */
#define BTOPT_ABI_VERSION 1u
/* The version, from here alone: CMake and the package files read it or are
 * checked against it. BTOPT_VERSION_NUMBER is MAJOR * 1000000 + MINOR * 1000
 * + PATCH, for comparisons in the preprocessor. */
#define BTOPT_VERSION_MAJOR 0
#define BTOPT_VERSION_MINOR 1
#define BTOPT_VERSION_PATCH 0
#define BTOPT_VERSION_STRING "0.1.0"
#define BTOPT_VERSION_NUMBER (BTOPT_VERSION_MAJOR * 1000000 + BTOPT_VERSION_MINOR * 1000 + BTOPT_VERSION_PATCH)

typedef struct btopt_space btopt_space;         /* a parameter space */
typedef struct btopt_params btopt_params;       /* read-only view of one point */
typedef struct btopt_optimizer btopt_optimizer; /* one configured run */
typedef struct btopt_result btopt_result;       /* what a run found */
typedef struct btopt_plugin_info btopt_plugin_info; /* what a strategy plugin says about itself */
typedef struct btopt_series btopt_series;           /* an equity curve and buy-and-hold, for reports */

/* Never renumbered; new codes are only ever added at the end. */
typedef enum btopt_status {
    BTOPT_OK = 0,
    BTOPT_ERR_INVALID_ARGUMENT = 1, /* a bad handle, name, range or option value */
    BTOPT_ERR_UNSUPPORTED = 2,      /* valid request this build or combination cannot do */
    BTOPT_ERR_NOT_FOUND = 3,        /* no such parameter, option, objective or trial */
    BTOPT_ERR_PLUGIN = 4,           /* a strategy plugin could not be loaded or initialised */
    BTOPT_ERR_OBJECTIVE = 5,        /* an evaluation failed and ignore_errors is off */
    BTOPT_ERR_CANCELLED = 6,        /* the run was cancelled */
    BTOPT_ERR_IO = 7,               /* a file could not be written or read */
    BTOPT_ERR_INTERNAL = 8          /* a bug in btopt: please report it */
} btopt_status;

/* How one trial ended. */
typedef enum btopt_trial_status {
    BTOPT_TRIAL_OK = 0,
    BTOPT_TRIAL_FAILED = 1,   /* the objective reported an error or a NaN/infinite score */
    BTOPT_TRIAL_CRASHED = 2,  /* the worker evaluating it died */
    BTOPT_TRIAL_TIMEOUT = 3,  /* the evaluation ran past eval_timeout */
    BTOPT_TRIAL_CANCELLED = 4, /* the run stopped before the evaluation finished */
    BTOPT_TRIAL_INFEASIBLE = 5 /* it ended ok but its metrics break the option `require`: its score and
                                  metrics are kept, it is never the best, the search hears no result */
} btopt_trial_status;

/* The kind of a parameter. */
typedef enum btopt_param_kind {
    BTOPT_PARAM_INT = 0,
    BTOPT_PARAM_FLOAT = 1,
    BTOPT_PARAM_CHOICE = 2
} btopt_param_kind;

/* The type of an option: which setter and getter it takes. */
typedef enum btopt_option_type {
    BTOPT_OPTION_INT = 0,
    BTOPT_OPTION_DOUBLE = 1,
    BTOPT_OPTION_STRING = 2
} btopt_option_type;

/* One entry of the option catalogue (btopt_option_info). The caller sets
 * struct_size to sizeof(btopt_option_desc); the library fills only the fields
 * that fit in it, so the struct can grow. Strings have static storage. */
typedef struct btopt_option_desc {
    size_t struct_size;
    const char *name;          /* "n_jobs" */
    btopt_option_type type;
    const char *default_value; /* as text: "-1", "0.8", "maximize"; "" for automatic */
    const char *applies_to;    /* "every run", "genetic", "process backend", ... */
    const char *cli_flag;      /* the btopt command's flag ("--jobs"), "" where it has none */
    const char *doc;           /* one line */
} btopt_option_desc;

/* ---- Library ----------------------------------------------------------- */

/* == BTOPT_ABI_VERSION of the header the library was built from. */
BTOPT_API uint32_t btopt_abi_version(void);
/* The library's version, e.g. "0.1.0". Static storage. */
BTOPT_API const char *btopt_version(void);
/* This thread's last failure, in words ("" when there was none). Valid until
 * the next failing call on this thread. */
BTOPT_API const char *btopt_last_error(void);
/* The name of a status code ("BTOPT_ERR_NOT_FOUND"), or "unknown status".
 * Static storage. */
BTOPT_API const char *btopt_status_name(btopt_status status);
/* The name of a trial status ("ok", "failed", "crashed", "timeout",
 * "cancelled"), or "unknown". Static storage. */
BTOPT_API const char *btopt_trial_status_name(int32_t trial_status);
/* For objectives: sets this thread's last error to `message` and returns
 * BTOPT_ERR_OBJECTIVE, so an objective can `return btopt_fail("why");` and
 * the trial records the reason. */
BTOPT_API btopt_status btopt_fail(const char *message);
/* Like btopt_fail, and the trial is recorded with `trial_status`:
 * BTOPT_TRIAL_FAILED, BTOPT_TRIAL_CRASHED or BTOPT_TRIAL_TIMEOUT. For hosts
 * that evaluate in processes of their own (Python's start_method 'spawn')
 * and saw one die or run past their own timeout: the trial then reads as the
 * process backend would record it. Another status: BTOPT_ERR_INVALID_ARGUMENT
 * (and the trial is failed with that message). */
BTOPT_API btopt_status btopt_fail_trial(int32_t trial_status, const char *message);

/* ---- Parameter spaces --------------------------------------------------- */

/* Parameters are kept in declaration order; that order is the grid's order
 * (the last parameter varies fastest). Ranges include both ends:
 * add_int("fast", 10, 50, 5) is 10, 15, ..., 50; when hi is off the step the
 * range stops at the last step below it. Errors: INVALID_ARGUMENT for a NULL
 * handle or name, an empty or duplicate name, lo > hi, step <= 0 (ints), an
 * int range of 2^64 values (more than a parameter can index), step < 0 or
 * non-finite bounds (floats), no choices or a duplicate choice. A float with
 * lo == hi is one value. */
BTOPT_API btopt_status btopt_space_create(btopt_space **out);
BTOPT_API void btopt_space_destroy(btopt_space *space);
BTOPT_API btopt_status btopt_space_add_int(btopt_space *space, const char *name, int64_t lo, int64_t hi,
                                           int64_t step);
/* step 0: continuous (random and genetic search only; a grid refuses it). */
BTOPT_API btopt_status btopt_space_add_float(btopt_space *space, const char *name, double lo, double hi,
                                             double step);
BTOPT_API btopt_status btopt_space_add_choice(btopt_space *space, const char *name, const char *const *choices,
                                              size_t n);
/* A condition every evaluated point satisfies, over the numeric parameters
 * declared so far: arithmetic, comparisons, && and ||, e.g.
 * "fast * 2 <= slow && threshold_x100 > 1". Points that break it never reach
 * the objective. INVALID_ARGUMENT, with the position, when it does not parse
 * or names an unknown or categorical parameter. */
BTOPT_API btopt_status btopt_space_add_constraint(btopt_space *space, const char *expression);
/* Size of the product space, before constraints; UINT64_MAX when infinite
 * (a continuous parameter) or too large to count. */
BTOPT_API btopt_status btopt_space_cardinality(const btopt_space *space, uint64_t *out);
BTOPT_API size_t btopt_space_param_count(const btopt_space *space);
/* Reading a space back (bindings, `btopt describe`). Out-of-range indices
 * give NULL, -1 or 0; the range getters give INVALID_ARGUMENT for a
 * parameter of another kind. Strings live as long as the space. */
BTOPT_API const char *btopt_space_param_name(const btopt_space *space, size_t i);
BTOPT_API int32_t btopt_space_param_kind(const btopt_space *space, size_t i); /* btopt_param_kind */
BTOPT_API btopt_status btopt_space_param_int_range(const btopt_space *space, size_t i, int64_t *lo, int64_t *hi,
                                                   int64_t *step);
BTOPT_API btopt_status btopt_space_param_float_range(const btopt_space *space, size_t i, double *lo, double *hi,
                                                     double *step);
BTOPT_API size_t btopt_space_param_choice_count(const btopt_space *space, size_t i);
BTOPT_API const char *btopt_space_param_choice(const btopt_space *space, size_t i, size_t j);
BTOPT_API size_t btopt_space_constraint_count(const btopt_space *space);
BTOPT_API const char *btopt_space_constraint(const btopt_space *space, size_t i);

/* ---- One point ---------------------------------------------------------- */

/* A params view handed to an objective is valid during that call only; one
 * from a result lives as long as the result. */
BTOPT_API size_t btopt_params_count(const btopt_params *params);
/* NULL when i is out of range. */
BTOPT_API const char *btopt_params_name(const btopt_params *params, size_t i);
/* The btopt_param_kind of the i-th parameter, or -1 when i is out of range. */
BTOPT_API int32_t btopt_params_kind(const btopt_params *params, size_t i);
/* NOT_FOUND for an unknown name; INVALID_ARGUMENT when the parameter is of
 * another kind (a float or a choice asked for as an int, ...). */
BTOPT_API btopt_status btopt_params_get_int(const btopt_params *params, const char *name, int64_t *out);
/* Integers convert to double. */
BTOPT_API btopt_status btopt_params_get_double(const btopt_params *params, const char *name, double *out);
/* Choices only; the string lives as long as the view. */
BTOPT_API btopt_status btopt_params_get_string(const btopt_params *params, const char *name, const char **out);

/* ---- Objectives and progress ------------------------------------------- */

/* Scores one point into *score. Return BTOPT_OK, or an error (btopt_fail)
 * to mark the trial failed. A NaN or infinite score also fails the trial.
 * With the "thread" backend it is called from several threads at once and
 * must be thread-safe. */
typedef btopt_status (*btopt_objective_fn)(void *user, const btopt_params *params, double *score);
/* Called from the thread that called btopt_optimizer_run, never
 * concurrently, after evaluations finish and at least every quarter second
 * while a run waits. done counts finished evaluations (never cancelled
 * trials) and never decreases; total is the run's planned number of
 * evaluations (an upper bound for a search that may stop early; the last
 * call has done == total when the run completes, and also when it is
 * cancelled or stopped by a failed trial: total then becomes the number that
 * finished). best_score is NaN until a trial succeeds. It may call
 * btopt_optimizer_cancel. */
typedef void (*btopt_progress_fn)(void *user, uint64_t done, uint64_t total, double best_score);

/* What btopt_optimizer_set_progress_ex's callback receives. The library
 * fills it; struct_size is the size it filled (fields are only added at the
 * end, so a host reads a field only when struct_size reaches past it). The
 * counts are of recorded trials, which are recorded in trial order:
 * done = ok + failed + crashed + timeout (reused trials included). */
typedef struct btopt_progress {
    size_t struct_size;
    uint64_t done;      /* trials recorded that finished (not cancelled) */
    uint64_t total;     /* as btopt_progress_fn's total: the planned number; once the run
                           stops (cancelled, a failed trial), the number that finished */
    uint64_t ok;        /* recorded trials by status (btopt_trial_status) */
    uint64_t failed;
    uint64_t crashed;
    uint64_t timeout;
    uint64_t cancelled;
    uint64_t reused;    /* of done: outcomes a study supplied, not evaluated by this run */
    double best_score;  /* NaN until a trial succeeds */
    double evaluations_per_second; /* evaluated trials (done - reused) per second of the run so far */
    double elapsed_seconds;        /* since the run started */
    int64_t trial;      /* the last trial recorded, when this call is the first to report it; else -1
                           (a beat while the run waits, or a last call with nothing new) */
    /* Added later (read it only when struct_size covers it): */
    uint64_t infeasible; /* recorded trials that ended ok but break the option require */
} btopt_progress;
/* Called from the thread that called btopt_optimizer_run, never
 * concurrently: once per recorded trial, in trial order (trial = its
 * number), at least every quarter second while a run waits with nothing to
 * record (trial = -1), and once more at the end (done == total; trial = -1
 * unless that call is the first to report a trial).
 * With the option progress_interval > 0 the calls are at least that many
 * seconds apart (coalesced: each reports every trial recorded since the
 * last), except the last, which always comes. The struct lives only during
 * the call. It may call btopt_optimizer_cancel. */
typedef void (*btopt_progress_ex_fn)(void *user, const btopt_progress *progress);

/* Registers a process-wide objective under a (non-empty) name, for
 * btopt_optimizer_use_objective. Registering a name again replaces it. */
BTOPT_API btopt_status btopt_register_objective(const char *name, btopt_objective_fn fn, void *user);
/* Forgets a registered objective, so its payload can be freed. Optimizers
 * that already use it keep it. NOT_FOUND when no objective has that name. */
BTOPT_API btopt_status btopt_unregister_objective(const char *name);

/* ---- Optimizers ---------------------------------------------------------- */

/* algorithm: "grid", "random", "genetic", "bayesian" (a tree-structured
 * Parzen estimator; batch_q sets how many points it proposes before their
 * results are known, and its trials depend on batch_q and random_seed only,
 * never on n_jobs or the backend), "cmaes" (CMA-ES over the int and float
 * parameters, a generation per batch; a space of choices only is
 * INVALID_ARGUMENT) or "gp" (a Gaussian process with expected improvement,
 * batched as bayesian; n_iterations above 1000 is INVALID_ARGUMENT);
 * docs/SEARCH.md. The space is copied; it may be
 * destroyed right after. It may be NULL when a plugin will be used: the
 * plugin's parameters are then the space. INVALID_ARGUMENT for an unknown
 * algorithm, an empty space, or a space the algorithm cannot search (a grid
 * over a continuous float). */
BTOPT_API btopt_status btopt_optimizer_create(btopt_optimizer **out, const btopt_space *space,
                                              const char *algorithm);
BTOPT_API void btopt_optimizer_destroy(btopt_optimizer *opt);

/* Options, by name: name (type, default; where it applies): what it does.
 *   n_jobs (int, default -1; every run): workers: N, -1 every CPU this
 *       process may use, -2 all but one, ...
 *   backend (string, default ""; every run): inline, thread, process or
 *       mpi; empty: process with a plugin, else inline for one worker and
 *       thread for more
 *   random_seed (int, default 0; random, genetic, bayesian, cmaes, gp):
 *       the run's seed; each trial's seed derives from it
 *   n_iterations (int, default 100; random, bayesian, cmaes, gp): points
 *       random, bayesian, cmaes and gp search evaluate (gp: at most 1000)
 *   population_size (int, default 20; genetic): individuals per
 *       generation
 *   n_generations (int, default 10; genetic): generations after the first
 *   tournament_size (int, default 3; genetic): individuals drawn for each
 *       tournament selection
 *   elite_count (int, default 1; genetic): best individuals carried into
 *       the next generation unchanged
 *   crossover_rate (double, default 0.8; genetic): probability that two
 *       parents are crossed
 *   mutation_rate (double, default 0.2; genetic): probability that a gene
 *       is mutated
 *   batch_q (int, default 1; bayesian, gp): points proposed at a time,
 *       the pending ones assumed worst (constant liar); 1: sequential;
 *       the trials depend on it, never on n_jobs
 *   patience (int, default 0; genetic, bayesian, cmaes, gp): stop after
 *       that many trials in a row without a better score; 0: never
 *   batch_size (int, default 0; thread, process and mpi backends): points
 *       per task a worker takes; 0: automatic
 *   keep_trials (int, default -1; every run): keep only the best that
 *       many trials in memory; 0: all; unset (-1): all, or the best 10000
 *       with a study
 *   progress_interval (double, default 0; every run): seconds between
 *       calls of the progress_ex callback, which then reports every trial
 *       recorded since its last call; 0: a call per recorded trial
 *   pbo_blocks (int, default 16; runs with a plugin that reports block
 *       returns): S: blocks of the return series the probability of
 *       backtest overfitting cross-validates (even, dividing the plugin's
 *       blocks)
 *   select (string, default best; grid): the point a run carries forward
 *       (walk-forward): best (the best score) or robust (the best
 *       neighbourhood score, docs/VALIDATION.md)
 *   robust_radius (int, default 1; grid): k: a trial's neighbourhood
 *       score is the worst score within k grid steps on every parameter
 *   require (string, default ""; every run): a condition over a trial's
 *       metrics and score, e.g. 'trades >= 30 && max_drawdown < 0.3'; a
 *       trial that breaks it is infeasible, never the best; checked when
 *       the run starts
 *   max_seconds (double, default 0; every run): wall-clock budget from
 *       the first trial: once spent, nothing more is proposed, trials in
 *       flight end as on a cancel (queued ones are not evaluated), and
 *       the run ends ok with what it has; 0: none
 *   ignore_errors (int, default 0; every run): 1: record failing trials
 *       and go on; 0: stop at the first
 *   direction (string, default maximize; every run): maximize or minimize
 *       the score
 *   start_method (string, default ""; process backend): server
 *       (btopt-worker loads the plugin once) or fork (workers forked from
 *       the host); empty: server with a plugin, fork without
 *   eval_timeout (double, default 0; process and mpi backends): seconds
 *       one evaluation may take; a worker past it is killed and its trial
 *       marked timeout; 0: none
 *   init_timeout (double, default 0; process and mpi backends): seconds a
 *       plugin's init may take (once in btopt-worker, or in each worker);
 *       past it the run fails; 0: none
 *   max_memory_per_worker (string, default 0; process and mpi backends):
 *       address space per worker: 2GB, 512MB, 512MiB or bytes; read back
 *       as bytes; 0: none
 *   threads_per_worker (int, default 1; process and mpi backends):
 *       OMP/OpenBLAS/MKL threads in each worker process; 0 leaves the
 *       environment alone
 *   study (string, default ""; every run): a study file (SQLite) every
 *       trial is written to as it finishes; a run on it reuses matching
 *       outcomes
 *   study_mode (string, default resume; runs with a study): resume: reuse
 *       the outcomes a matching study holds; new: evaluate every point
 *       again
 *   start (string, default ""; runs with a plugin): the first bar the run
 *       trades: a date (YYYY-MM-DD) or a bar number; earlier bars only
 *       warm indicators up
 *   end (string, default ""; runs with a plugin): the last bar the run
 *       trades (included): a date (YYYY-MM-DD) or a bar number; later
 *       bars are not read
 *   data_fingerprint (string, default ""; runs with a study): what a host
 *       objective's data is (e.g. a hash), recorded in the study's
 *       provenance and compared on resume
 * This list is the catalogue (btopt_option_info) written out; a test keeps
 * them equal. More on some of them: start and end need a plugin with bar
 * ranges (plugin.h: bars and evaluate_range; every sample plugin has them):
 * another objective is refused (UNSUPPORTED) before anything starts, and a
 * bar outside the data is INVALID_ARGUMENT naming the option and the data's
 * first and last date; batch_size 0 lets threads take about 2 ms
 * of work at a time and processes a share of the queue up to 64, and a worker
 * process still holds ~1 ms of short tasks so it never waits for a round
 * trip. backend "thread" runs a host objective on several threads at once (it
 * must be thread-safe); "process" gives crash isolation, timeouts and memory
 * limits; "mpi" runs the same program on every rank (mpirun): rank 0 searches
 * and owns the trials, every other rank evaluates with its own pool of n_jobs
 * worker processes (docs/CLUSTER.md). start_method "fork" is only for hosts
 * that are single-threaded when they call run. An evaluation past
 * max_memory_per_worker fails its trial and the worker is replaced. A run
 * never starts more workers than it has points to evaluate, and one asking
 * for more than RLIMIT_NPROC or pid_max allows is refused with
 * INVALID_ARGUMENT. A study (created when absent) records the run's
 * provenance and every trial as it finishes; a run on a study whose last run
 * had the same plugin bytes, data content, config, objective and direction
 * reuses the stored outcome of every point it holds instead of evaluating it,
 * so a stopped or killed run continues where it was; another setup is refused
 * (INVALID_ARGUMENT naming what differs), unless study_mode is "new" (record
 * a new run, reuse nothing). Plugins' data files are hashed for the
 * provenance; data_fingerprint names a host objective's data. See
 * docs/STUDIES.md.
 * NOT_FOUND for an unknown option, INVALID_ARGUMENT for a value out of range
 * or an option of another type. */
BTOPT_API btopt_status btopt_optimizer_set_int(btopt_optimizer *opt, const char *option, int64_t value);
BTOPT_API btopt_status btopt_optimizer_set_double(btopt_optimizer *opt, const char *option, double value);
BTOPT_API btopt_status btopt_optimizer_set_string(btopt_optimizer *opt, const char *option, const char *value);

/* Reads an option back: the value set, or its default. NOT_FOUND for an
 * unknown option, INVALID_ARGUMENT for an option of another type.
 * max_memory_per_worker reads back as bytes in decimal text. get_string's
 * text is valid until the next get_string on the same optimizer. */
BTOPT_API btopt_status btopt_optimizer_get_int(const btopt_optimizer *opt, const char *option, int64_t *value);
BTOPT_API btopt_status btopt_optimizer_get_double(const btopt_optimizer *opt, const char *option, double *value);
BTOPT_API btopt_status btopt_optimizer_get_string(const btopt_optimizer *opt, const char *option, const char **value);

/* The option catalogue: every option an optimizer takes, in the order of the
 * documentation. btopt_option_info fills `desc` for index 0 .. count - 1;
 * INVALID_ARGUMENT for an index past the end, a NULL desc or a struct_size
 * smaller than the fields up to `type`. */
BTOPT_API size_t btopt_option_count(void);
BTOPT_API btopt_status btopt_option_info(size_t index, btopt_option_desc *desc);

BTOPT_API btopt_status btopt_optimizer_set_objective(btopt_optimizer *opt, btopt_objective_fn fn, void *user);
/* NOT_FOUND when no objective was registered under that name. */
BTOPT_API btopt_status btopt_optimizer_use_objective(btopt_optimizer *opt, const char *registered_name);
BTOPT_API btopt_status btopt_optimizer_set_progress(btopt_optimizer *opt, btopt_progress_fn fn, void *user);
/* The richer progress callback (btopt_progress_ex_fn); NULL removes it. It
 * and btopt_optimizer_set_progress's callback are independent: a run calls
 * each one set. */
BTOPT_API btopt_status btopt_optimizer_set_progress_ex(btopt_optimizer *opt, btopt_progress_ex_fn fn, void *user);

/* Uses a strategy plugin as the objective: a path (anything with '/'), or a
 * bare name looked up as NAME, libNAME.so or NAME.so in BTOPT_PLUGIN_PATH and
 * then in the folder where btopt's build puts plugins (never in the current
 * folder: use ./NAME for a file there). Its parameters, with their default
 * ranges and constraints, become the space; parameters of the optimizer's own
 * space replace the plugin's ranges of the same name, and its constraints are
 * added. PLUGIN when it cannot be found, loaded or checked; INVALID_ARGUMENT
 * when the space names a parameter the plugin does not have. Setting a host
 * objective afterwards replaces the plugin. */
BTOPT_API btopt_status btopt_optimizer_use_plugin(btopt_optimizer *opt, const char *path_or_name);
/* A key=value the plugin's init receives (data path, commission, ...). With
 * a plugin that declares its config keys (btopt_plugin_info_config_declared),
 * INVALID_ARGUMENT naming the key for a key it does not declare (listing
 * those it does) or a value of the wrong type or out of range; keys set
 * before btopt_optimizer_use_plugin are checked there. */
BTOPT_API btopt_status btopt_optimizer_set_plugin_config(btopt_optimizer *opt, const char *key, const char *value);
/* Which of the plugin's metrics is the score (default: the plugin's own
 * choice). INVALID_ARGUMENT, listing the metrics, for an unknown one. */
BTOPT_API btopt_status btopt_optimizer_set_objective_metric(btopt_optimizer *opt, const char *metric);

/* Runs the search. On BTOPT_OK *out is the result. On BTOPT_ERR_OBJECTIVE
 * (a trial failed and ignore_errors is off; the message names the point) and
 * BTOPT_ERR_CANCELLED, *out holds the partial result: every trial started so
 * far, the unfinished ones marked cancelled. On any other error *out is NULL.
 * An optimizer can run again; each run starts afresh, but not while it runs:
 * INVALID_ARGUMENT ("the optimizer is already running") for a second run of
 * the same optimizer from another thread or from its own objective (also in
 * a forked worker). A worker process that dies, whatever its exit status or
 * signal, costs only its trial (crashed: "exited with status 3", "was killed
 * by signal 11 (...)"); a worker that breaks the protocol (an outcome for a
 * trial it was not running, or malformed) counts as crashed too. Each worker
 * process leads its own process group, killed whole when the worker retires,
 * so processes an objective forks end with the run. */
BTOPT_API btopt_status btopt_optimizer_run(btopt_optimizer *opt, btopt_result **out);
/* Asks a running btopt_optimizer_run to stop; called while no run is going,
 * it stops the next run at once. Safe from another thread, from the progress
 * callback and from a signal handler. */
BTOPT_API void btopt_optimizer_cancel(btopt_optimizer *opt);

/* ---- Walk-forward ------------------------------------------------------- */

/* Walk-forward (docs/VALIDATION.md): the optimizer's plugin, initialised
 * once, is searched (the optimizer's algorithm and options) on each window's
 * train bars, and the best point of each is traded on the test bars right
 * after. Lengths are bars ("500") or calendar periods ("30d", "4w", "6m",
 * "2y"). Grows at the end; set struct_size to sizeof(btopt_walkforward_spec). */
typedef struct btopt_walkforward_spec {
    uint32_t struct_size;
    const char *train; /* each window's train length */
    const char *test;  /* each window's test length */
    const char *step;  /* how far each window moves on; NULL or "": the test length */
    int32_t anchored;  /* 1: every train window starts at the first bar (expanding) */
    /* NULL or "": none. Else bars between train and test: the 10 best train
     * points are evaluated on them and the best there goes to the test. */
    const char *validation;
} btopt_walkforward_spec;
typedef struct btopt_walkforward btopt_walkforward; /* what a walk-forward found */

/* Runs a walk-forward. With the option `study`, each window's search,
 * validation and test is a run of the study on its own bars, so it resumes
 * and reuses like any run (docs/STUDIES.md). UNSUPPORTED without a plugin,
 * with a plugin that has no bar ranges (plugin.h: bars, evaluate_range) or
 * with the mpi backend (not yet); INVALID_ARGUMENT for a length that is not one, options
 * start/end (the windows choose the bars), or windows that do not fit the
 * data (naming the window). Cancelled (btopt_optimizer_cancel) or stopped by
 * a failed trial, it returns that status with *out holding the windows done
 * before; on any other error *out is NULL. */
BTOPT_API btopt_status btopt_optimizer_walkforward(btopt_optimizer *opt, const btopt_walkforward_spec *spec,
                                                   btopt_walkforward **out);
BTOPT_API void btopt_walkforward_destroy(btopt_walkforward *wf);
/* The whole outcome as JSON, valid while wf lives: each window's train and
 * test bars (and dates), chosen params, in-sample and out-of-sample metrics;
 * the stitched out-of-sample returns, walk-forward efficiency and parameter
 * stability; the study and its counts (n_evaluated, n_reused)
 * (docs/VALIDATION.md names every key). */
BTOPT_API const char *btopt_walkforward_json(const btopt_walkforward *wf);
BTOPT_API size_t btopt_walkforward_window_count(const btopt_walkforward *wf);

/* ---- Plugins ------------------------------------------------------------ */

/* Describes a plugin without loading it into this process (btopt-worker
 * reads it). PLUGIN when it cannot be found, loaded or checked. */
BTOPT_API btopt_status btopt_plugin_describe(btopt_plugin_info **out, const char *path_or_name);
BTOPT_API void btopt_plugin_info_destroy(btopt_plugin_info *info);
BTOPT_API const char *btopt_plugin_info_name(const btopt_plugin_info *info);
BTOPT_API const char *btopt_plugin_info_version(const btopt_plugin_info *info);
BTOPT_API const char *btopt_plugin_info_description(const btopt_plugin_info *info);
/* The file it was loaded from. */
BTOPT_API const char *btopt_plugin_info_path(const btopt_plugin_info *info);
BTOPT_API size_t btopt_plugin_info_metric_count(const btopt_plugin_info *info);
BTOPT_API const char *btopt_plugin_info_metric(const btopt_plugin_info *info, size_t i);
/* Index of the metric that is the default objective. */
BTOPT_API size_t btopt_plugin_info_default_metric(const btopt_plugin_info *info);
/* Its parameters with their default ranges and its constraints; owned by the info. */
BTOPT_API const btopt_space *btopt_plugin_info_space(const btopt_plugin_info *info);
/* 1 when a lower value of metric i is better (max_drawdown, say): an
 * objective on it is minimised unless the option "direction" is set. */
BTOPT_API int btopt_plugin_info_metric_lower_is_better(const btopt_plugin_info *info, size_t i);
/* 1 when the plugin declares its config keys: btopt_optimizer_set_plugin_config
 * then refuses (INVALID_ARGUMENT, naming the key) an unknown key and a value of
 * the wrong type or out of range. 0 for older plugins: every key reaches init. */
BTOPT_API int btopt_plugin_info_config_declared(const btopt_plugin_info *info);
BTOPT_API size_t btopt_plugin_info_config_count(const btopt_plugin_info *info);
/* Config key i: its name, type ("text", "number", "integer" or "choice"),
 * default ("" when none), what is allowed ("0 to 1", "at least 1",
 * "close, adj_close"; "" for any text) and a one-line doc. Strings are owned
 * by the info; any output may be NULL. NOT_FOUND when i is out of range. */
BTOPT_API btopt_status btopt_plugin_info_config_key(const btopt_plugin_info *info, size_t i, const char **name,
                                                    const char **type, const char **default_value,
                                                    const char **allowed, const char **doc);

/* The equity curve of one point under the optimizer's plugin and config,
 * with buy-and-hold over the same bars (both start at 1), for reports. The
 * point is a params view with the optimizer's parameters (a result's best,
 * say). The plugin runs its init and equity_curve in btopt-worker, not here.
 * UNSUPPORTED when the plugin does not offer equity curves; INVALID_ARGUMENT
 * without a plugin or for a point of another space. */
BTOPT_API btopt_status btopt_optimizer_equity_curve(btopt_series **out, const btopt_optimizer *opt,
                                                    const btopt_params *point);
BTOPT_API void btopt_series_destroy(btopt_series *series);
BTOPT_API size_t btopt_series_length(const btopt_series *series);
/* Arrays of btopt_series_length values, owned by the series. */
BTOPT_API const double *btopt_series_equity(const btopt_series *series);
BTOPT_API const double *btopt_series_buy_and_hold(const btopt_series *series);
/* The date of each bar as days since 1970-01-01 (UTC), btopt_series_length
 * of them, owned by the series; NULL when the plugin's bars carry no dates
 * (or it cannot list its bars: plugin.h, bars). */
BTOPT_API const int64_t *btopt_series_dates(const btopt_series *series);

/* ---- Results ------------------------------------------------------------- */

/* A result owns everything it hands out and stays valid after its optimizer
 * and space are destroyed. Trials are numbered from 0 in the order the
 * algorithm proposed them; ties for the best go to the lowest number. */
BTOPT_API void btopt_result_destroy(btopt_result *result);
/* NaN when no trial succeeded. */
BTOPT_API double btopt_result_best_score(const btopt_result *result);
/* NULL when no trial succeeded. */
BTOPT_API const btopt_params *btopt_result_best_params(const btopt_result *result);
/* Index (for btopt_result_trial) of the best trial; NOT_FOUND when none succeeded. */
BTOPT_API btopt_status btopt_result_best_index(const btopt_result *result, uint64_t *out);
/* Trials kept (all of them unless keep_trials was set), in trial order. */
BTOPT_API uint64_t btopt_result_trial_count(const btopt_result *result);
/* The i-th kept trial: its point, score (NaN unless ok or infeasible) and btopt_trial_status.
 * Any output may be NULL. NOT_FOUND when i is out of range. */
BTOPT_API btopt_status btopt_result_trial(const btopt_result *result, uint64_t i, const btopt_params **params,
                                          double *score, int32_t *trial_status);
/* The trial's number (its position in proposal order), error text ("" when
 * ok) and evaluation seconds. Any output may be NULL. */
BTOPT_API btopt_status btopt_result_trial_info(const btopt_result *result, uint64_t i, uint64_t *number,
                                               const char **error, double *seconds);
/* The metrics each trial carries (a plugin's; none for a host objective). */
BTOPT_API size_t btopt_result_metric_count(const btopt_result *result);
BTOPT_API const char *btopt_result_metric_name(const btopt_result *result, size_t m);
/* Metric m of the i-th kept trial (NaN when the trial did not report it). */
BTOPT_API btopt_status btopt_result_trial_metric(const btopt_result *result, uint64_t i, size_t m, double *out);
/* Trials evaluated in the run, kept or not (cancelled ones never were), and
 * how many trials ended with a given btopt_trial_status. */
BTOPT_API uint64_t btopt_result_evaluated_count(const btopt_result *result);
BTOPT_API uint64_t btopt_result_status_count(const btopt_result *result, int32_t trial_status);
BTOPT_API double btopt_result_wall_seconds(const btopt_result *result);
/* Sum of the evaluations' own seconds. */
BTOPT_API double btopt_result_eval_seconds(const btopt_result *result);
/* What the run's evaluations would have taken one after another on one
 * core, divided by the run's wall time: how many cores' worth of evaluation
 * the run kept busy, as measured, not as hoped. The evaluations cost their
 * CPU time (their thread's with the inline and thread backends, their worker
 * process's with the process and MPI backends); when they kept the CPU busy
 * for less than a tenth of their wall time, over the whole run (they mostly
 * wait: sleep, I/O), they cost their wall time instead. So a GIL-bound
 * Python objective on two threads reports about 1, not 2, and so does a lock
 * that serialises the evaluations. A run read back from a study (which
 * stores wall times) uses eval_seconds. */
BTOPT_API double btopt_result_speedup(const btopt_result *result);
/* speedup / workers: 1 when every worker was busy with evaluation work all
 * the time. */
BTOPT_API double btopt_result_efficiency(const btopt_result *result);
/* 1 when the speedup's basis is the evaluations' CPU time, 0 when it is
 * their wall time (they mostly waited, or a run read back from a study). */
BTOPT_API double btopt_result_speedup_cpu_share(const btopt_result *result);
/* The MPI rank this result is from (0 without MPI). With backend "mpi" only
 * rank 0's result holds trials; the other ranks' results are empty. */
BTOPT_API int32_t btopt_result_rank(const btopt_result *result);
/* Number of workers the run used (n_jobs resolved). */
BTOPT_API uint32_t btopt_result_workers(const btopt_result *result);
/* Writes the run and every kept trial; IO on a file that cannot be written. */
BTOPT_API btopt_status btopt_result_write_json(const btopt_result *result, const char *path);
BTOPT_API btopt_status btopt_result_write_csv(const btopt_result *result, const char *path);
/* Trials whose outcome a study supplied instead of an evaluation (0 without a study). */
BTOPT_API uint64_t btopt_result_reused_count(const btopt_result *result);
/* What produced the run, as a JSON object (btopt version, plugin and its
 * XXH3-128, data hashes, config, space, options, command line, host, times),
 * valid while the result lives; "" for a run without a study. */
BTOPT_API const char *btopt_result_provenance(const btopt_result *result);

/* Selection-bias statistics over the run's trials (docs/VALIDATION.md),
 * computed when the run ended from the metrics a plugin reports for them
 * (the sample plugins do): the Probabilistic and Deflated Sharpe Ratio of the
 * best trial, and the Probability of Backtest Overfitting by combinatorially
 * symmetric cross-validation. The caller sets struct_size to
 * sizeof(btopt_selection); the library fills only the fields that fit, so the
 * struct can grow. A statistic the run could not give has its has_ flag 0;
 * btopt_result_selection_note says why. */
typedef struct btopt_selection {
    size_t struct_size;
    int32_t has_sharpe;         /* 1: the fields down to kurtosis hold values */
    double psr;                 /* P(the best trial's true Sharpe > 0) */
    double dsr;                 /* P(its true Sharpe > expected_max_sharpe): the deflated Sharpe */
    double sharpe;              /* the best trial's Sharpe ratio per return (not annualised) */
    double expected_max_sharpe; /* SR0: the best Sharpe expected of n_trials trials without skill */
    double sharpe_variance;     /* of the successful trials' Sharpe ratios per return */
    uint64_t n_trials;          /* N: every evaluated trial, failed ones too */
    uint64_t n_returns;         /* T: the best trial's returns */
    double skewness;            /* of the best trial's returns */
    double kurtosis;            /* of the best trial's returns (3 for a normal law) */
    int32_t has_pbo;            /* 1: the fields below hold values */
    double pbo;                 /* share of splits whose in-sample best ranks below the median out of sample */
    double pbo_logit_mean;      /* mean of the splits' logits */
    uint32_t pbo_blocks;        /* S (option pbo_blocks) */
    uint64_t pbo_strategies;    /* trials compared (the successful ones) */
    uint64_t pbo_splits;        /* splits evaluated */
    uint64_t pbo_all_splits;    /* C(S, S/2); more than pbo_splits when the splits were sampled */
    /* Robustness of the optimum (grid runs): each trial's neighbourhood score
     * is the worst score of the successful trials within robust_radius grid
     * steps of it on every parameter (itself included). */
    int32_t has_robust;         /* 1: the fields below hold values */
    uint32_t robust_radius;     /* k (option robust_radius) */
    uint64_t robust_index;      /* the trial (index for btopt_result_trial) whose neighbourhood score is best */
    double robust_score;        /* its neighbourhood score */
    double best_neighbourhood;  /* the best trial's neighbourhood score */
    uint64_t chosen_index;      /* the point option `select` picks: the best trial, or robust_index */
} btopt_selection;
/* INVALID_ARGUMENT for a NULL out or a struct_size smaller than up to has_sharpe. */
BTOPT_API btopt_status btopt_result_selection(const btopt_result *result, btopt_selection *out);
/* The sensitivity of the score to parameter k (grid runs, has_robust): over
 * the successful trials that differ from the best trial in parameter k only,
 * the lowest and highest score and how many there are (the best included).
 * NOT_FOUND when the run has no such table or k is past the last parameter. */
BTOPT_API btopt_status btopt_result_sensitivity(const btopt_result *result, size_t k, double *min_score,
                                                double *max_score, uint64_t *points);
/* Why a selection statistic is missing, in words; "" when none is. Valid while the result lives. */
BTOPT_API const char *btopt_result_selection_note(const btopt_result *result);
/* What went wrong without costing a trial, a line each; "" when nothing did
 * (and for NULL): a plugin's finish that crashed or did not return within a
 * grace period, after every trial was recorded ("plugin '...': btopt-worker
 * was killed by signal 11 (...) while running the plugin's finish"). The run
 * itself returns BTOPT_OK with all its trials. Valid while the result lives. */
BTOPT_API const char *btopt_result_warnings(const btopt_result *result);
/* 1 when the option max_seconds ended the run: the budget ran out before
 * every trial of the search was evaluated. The run returned BTOPT_OK with the
 * trials an unbudgeted run begins with (the same points and scores); those
 * not evaluated by then are cancelled, their error saying so (queued ones
 * never start; the process and MPI backends stop running ones as on a
 * cancel, keeping what finishes within a moment). 0 otherwise, for NULL, and
 * for a run read from a study. */
BTOPT_API int btopt_result_stopped_on_budget(const btopt_result *result);

/* ---- Studies ------------------------------------------------------------- */
/* A stored run of a study as a result (run 0: the last one), with every trial
 * it recorded, so every btopt_result_* function works on it. It may be read
 * while a run writes the study: it is one consistent moment of it.
 * NOT_FOUND for a missing file or run; IO for a file that is not a study;
 * UNSUPPORTED for a study of a newer btopt. */
BTOPT_API btopt_status btopt_study_open(btopt_result **out, const char *path, int64_t run);
/* The ids of the study's runs, oldest first: up to `capacity` go to `ids`
 * (which may be NULL when capacity is 0), and *count says how many there are. */
BTOPT_API btopt_status btopt_study_runs(const char *path, int64_t *ids, size_t capacity, size_t *count);
/* Writes a stored run (0: the last) as btopt_result_write_json and _csv do,
 * streaming its trials from the study, so memory stays flat however many it
 * holds. Either path may be NULL (not both). */
BTOPT_API btopt_status btopt_study_export(const char *path, int64_t run, const char *json_path, const char *csv_path);

/* ---- Ask and tell ------------------------------------------------------ */
/* A search without a run, for hosts that evaluate points with their own
 * executor or scheduler (Optuna's ask-and-tell interface is the model):
 * btopt_search_ask proposes numbered trials, the host evaluates them where and
 * when it likes, and btopt_search_tell hands each outcome back, in any order.
 * The search hears the outcomes in trial order (an outcome waits for those of
 * the earlier trials), as in a run, so its trials depend on the algorithm,
 * the options and the seed only, never on the order the tells come in: they
 * are the trials btopt_optimizer_run evaluates with the same options. One
 * thread at a time per search. */
typedef struct btopt_search btopt_search;

/* algorithm and space as for btopt_optimizer_create (the space may not be
 * NULL here); the same errors. */
BTOPT_API btopt_status btopt_search_create(btopt_search **out, const btopt_space *space, const char *algorithm);
BTOPT_API void btopt_search_destroy(btopt_search *search);
/* Options by name from the one catalogue, as btopt_optimizer_set_*, but only
 * those a search reads: random_seed, n_iterations, population_size,
 * n_generations, tournament_size, elite_count, crossover_rate, mutation_rate,
 * batch_q, patience and direction (which way btopt_search_tell's score is
 * better). NOT_FOUND for an unknown option; INVALID_ARGUMENT for an option of
 * runs (n_jobs, backend, study, ...), a bad value, or any option once the
 * search has proposed a trial. */
BTOPT_API btopt_status btopt_search_set_int(btopt_search *search, const char *option, int64_t value);
BTOPT_API btopt_status btopt_search_set_double(btopt_search *search, const char *option, double value);
BTOPT_API btopt_status btopt_search_set_string(btopt_search *search, const char *option, const char *value);
/* Proposes up to `max` trials: their numbers (0, 1, 2, ... in proposal order)
 * go to numbers[0 .. *count) and views of their points to params[0 .. *count)
 * (both arrays hold `max`). A view lives until its trial is told or the
 * search is destroyed. *count 0 while btopt_search_done is 0 means: the
 * search waits for the outcomes of trials in flight; tell them, ask again.
 * After btopt_search_restore, the trials the saved search proposed but was
 * never told come first, with their numbers. */
BTOPT_API btopt_status btopt_search_ask(btopt_search *search, size_t max, uint64_t *numbers,
                                        const btopt_params **params, size_t *count);
/* The outcome of trial `number` (a btopt_trial_status): BTOPT_TRIAL_OK with
 * its score; BTOPT_TRIAL_INFEASIBLE with its score (a host judges its own
 * constraints on results and tells it, as a run with `require` does: genetic,
 * bayesian, cmaes and gp rank it below every ok trial, by its score among the
 * infeasible ones; a non-finite score counts as failed); or
 * failed/crashed/timeout/cancelled (score ignored; no result). metrics (NULL when metric_count is 0) are kept
 * with the trial in the state. NOT_FOUND for a number never proposed;
 * INVALID_ARGUMENT for a trial already told, an unknown status, or a
 * non-finite score with BTOPT_TRIAL_OK. */
BTOPT_API btopt_status btopt_search_tell(btopt_search *search, uint64_t number, int32_t status, double score,
                                         const double *metrics, size_t metric_count);
/* 1 when the search will propose no more trials and every trial it proposed
 * was told; 0 otherwise and for NULL. */
BTOPT_API int btopt_search_done(const btopt_search *search);
/* The best ok trial the search has heard (in trial order; a tie keeps the
 * earlier trial): its number, score and point, each out may be NULL. The
 * view lives as long as the search. NOT_FOUND while there is none. */
BTOPT_API btopt_status btopt_search_best(const btopt_search *search, uint64_t *number, double *score,
                                         const btopt_params **params);
/* The search's state as JSON text: the algorithm, the parameter names, every
 * point proposed and every outcome told. Owned by the search, valid until
 * the next btopt_search_state call on it or its destroy. */
BTOPT_API btopt_status btopt_search_state(btopt_search *search, const char **state);
/* Replays a state into a search created with the same space, algorithm and
 * options that has proposed nothing yet: it proposes the saved points again
 * (checking each) and hears the saved outcomes, so it goes on as the saved
 * search would have. INVALID_ARGUMENT for text that is not a state, a state
 * of another algorithm or space, or one the options do not reproduce. */
BTOPT_API btopt_status btopt_search_restore(btopt_search *search, const char *state);

/* ---- Hosts that fork ------------------------------------------------------ */

/* Called around every fork of the host process (the process backend with
 * start_method "fork" forks it at the start of a run and again whenever a
 * worker is replaced), on the thread that called btopt_optimizer_run:
 * `before` right before fork(), `after_parent` in the host right after it
 * (also when the fork failed), `after_child` first thing in the new worker,
 * before it evaluates anything. For language runtimes with fork handlers of
 * their own, which a fork made in C skips: Python's binding calls
 * PyOS_BeforeFork, PyOS_AfterFork_Parent and PyOS_AfterFork_Child here. Any
 * hook may be NULL; setting all three NULL removes them. No hook runs for a
 * plugin: its workers are forked by btopt-worker, never from the host. */
typedef void (*btopt_fork_hook_fn)(void *user);
BTOPT_API btopt_status btopt_optimizer_set_fork_hooks(btopt_optimizer *opt, btopt_fork_hook_fn before,
                                                      btopt_fork_hook_fn after_parent,
                                                      btopt_fork_hook_fn after_child, void *user);

/* The trial's own seed, for an objective that draws random numbers: it
 * depends only on the run's random_seed and the trial's number, so an
 * objective that seeds its generator with it gives the same trials for any
 * backend, n_jobs and batch size (a worker's global generator, inherited
 * from the host at a fork, does not). For the params view an objective is
 * handed and a view btopt_search_ask or btopt_search_best gives (the seed a
 * run would give that trial); NOT_FOUND for a result's params. */
BTOPT_API btopt_status btopt_params_seed(const btopt_params *params, uint64_t *out);

/* For an objective that hands its point to a process of its own and waits
 * (the Python binding's spawned workers): the CPU seconds the evaluation
 * used there. Called during the objective call, from its thread; the
 * speedup then counts them as that thread's CPU time (btopt_result_speedup),
 * so waiting for the other process is not taken for work. INVALID_ARGUMENT
 * for a negative or non-finite value. */
BTOPT_API btopt_status btopt_report_cpu_seconds(double seconds);

/* ---- Hosts with a cluster of their own (Ray, Dask) ------------------------ */
/* For a host that evaluates a run's points on its own cluster through ask and
 * tell, with the optimizer it configured as for btopt_optimizer_run: the
 * search that run would make (its space, algorithm, the options a search
 * reads, and its direction, a plugin metric's own unless one was set), so the
 * trials are that run's; destroy it with btopt_search_destroy. */
BTOPT_API btopt_status btopt_optimizer_search(const btopt_optimizer *opt, btopt_search **out);
/* A copy of the space the optimizer's run searches (a plugin's, narrowed by
 * the user's), for reading points; destroy it with btopt_space_destroy. */
BTOPT_API btopt_status btopt_optimizer_space(const btopt_optimizer *opt, btopt_space **out);

/* An evaluator loads the optimizer's strategy plugin into this process and
 * runs its init once, with the plugin config and the space's bounds a run
 * gives it; it then evaluates the points it is handed, as the run would, until
 * destroyed (which runs the plugin's finish). One thread at a time per
 * evaluator. INVALID_ARGUMENT for an optimizer without a plugin; PLUGIN when
 * the plugin cannot be loaded or its init fails. */
typedef struct btopt_evaluator btopt_evaluator;
BTOPT_API btopt_status btopt_evaluator_create(btopt_evaluator **out, const btopt_optimizer *opt);
BTOPT_API void btopt_evaluator_destroy(btopt_evaluator *evaluator);
/* How many metrics the plugin reports (0 for NULL). */
BTOPT_API size_t btopt_evaluator_metric_count(const btopt_evaluator *evaluator);
/* Evaluates one point of btopt_optimizer_space's space: values[k] is
 * parameter k's value (a choice's index), seed the trial's (btopt_params_seed).
 * *status is the trial's btopt_trial_status, *score its score (the objective
 * metric), metrics[0 .. min(capacity, count)) its metrics, *error why it did
 * not end ok ("" when ok; valid until the next evaluation). A failing plugin is
 * a status, not an error; INVALID_ARGUMENT for values that are not a point. */
BTOPT_API btopt_status btopt_evaluator_evaluate(btopt_evaluator *evaluator, const double *values, size_t value_count,
                                                uint64_t seed, int32_t *status, double *score, double *metrics,
                                                size_t metric_capacity, const char **error);

#ifdef __cplusplus
}
#endif

#endif /* BTOPT_H */
