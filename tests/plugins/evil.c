/* A C plugin that attacks the worker protocol, at one point or every point.
 * Parameters a, b in 0..9 (point index 10a + b); score = -(a - 7)^2 - (b - 3)^2.
 * Config:
 *   mode=fork_crash   forks a child that segfaults, and waits for it
 *   mode=garbage      writes 64 bytes of garbage on descriptors 3..10
 *   mode=forge        writes a well-formed outcome claiming trial 43 scored 1000
 *   mode=exit         calls exit(status)
 *   mode=fork_sleep   forks a child that sleeps 600 s (its pid goes to pid_log)
 *   mode=fork_exit    forks a child that sleeps 600 s (holding the worker's
 *                     socket), then exits with status (as mode=exit)
 *   mode=hog          mallocs and touches 1 MiB blocks without end, using each
 *                     without checking for NULL (as careless C code does)
 *   at=N | at=all     the point index it misbehaves at (default: none)
 *   status=S          the exit status for mode=exit (default 3)
 *   reach=low | all   garbage and forge go to descriptors 3..10 (low, default) or
 *                     to every socket descriptor it has (all: a deliberate attack)
 *   pid_log=F         mode=fork_sleep appends the child's pid to F
 *   init_fail=1       init refuses, with "evil refuses to start"
 *   init_sleep=S      init takes S seconds
 *   finish_hang=1     finish never returns
 *   finish_crash=1    finish segfaults
 * Its equity curve is two bars: 1, then 1 + a; buy-and-hold 1, 1.
 * Built as evil_per_worker with EVIL_PER_WORKER: the same, with init in every worker. */
#define _GNU_SOURCE
#include <btopt/plugin.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct state {
    char mode[32];
    long at; /* -1: never, -2: every point */
    int status;
    int reach_all;
    int finish_hang;
    int finish_crash;
    char pid_log[512];
} state;

static const btopt_plugin_param params[] = {
    {"a", BTOPT_PLUGIN_PARAM_INT, 0, 9, 1, 0, 0, 0, NULL, 0},
    {"b", BTOPT_PLUGIN_PARAM_INT, 0, 9, 1, 0, 0, 0, NULL, 0},
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
    if (atoi(config_get(config, "init_fail", "0")) != 0) {
        snprintf(error, size, "evil refuses to start: init_fail is set");
        return 1;
    }
    const double sleep_seconds = atof(config_get(config, "init_sleep", "0"));
    if (sleep_seconds > 0)
        usleep((useconds_t)(sleep_seconds * 1e6));
    state *s = calloc(1, sizeof *s);
    if (!s)
        return 1;
    snprintf(s->mode, sizeof s->mode, "%s", config_get(config, "mode", ""));
    const char *at = config_get(config, "at", "-1");
    s->at = strcmp(at, "all") == 0 ? -2 : atol(at);
    s->status = atoi(config_get(config, "status", "3"));
    s->reach_all = strcmp(config_get(config, "reach", "low"), "all") == 0;
    s->finish_hang = atoi(config_get(config, "finish_hang", "0"));
    s->finish_crash = atoi(config_get(config, "finish_crash", "0"));
    snprintf(s->pid_log, sizeof s->pid_log, "%s", config_get(config, "pid_log", ""));
    *out = s;
    return BTOPT_PLUGIN_OK;
}

static int is_socket(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* The descriptors an attack goes to. */
static void write_everywhere(const state *s, const void *bytes, size_t size)
{
    struct rlimit limit;
    int last = 10;
    if (s->reach_all && getrlimit(RLIMIT_NOFILE, &limit) == 0)
        last = limit.rlim_cur > 65536 ? 65535 : (int)limit.rlim_cur - 1;
    for (int fd = 3; fd <= last; ++fd)
        if (fcntl(fd, F_GETFD) >= 0 && (!s->reach_all || is_socket(fd)))
            if (write(fd, bytes, size) < 0) {
                /* not writable: fine */
            }
}

/* An outcome as btopt's wire format lays it out: number, status, score,
 * seconds, metric count, metrics, error length, error. */
static void forge(const state *s)
{
    unsigned char out[64];
    size_t n = 0;
    const uint64_t number = 43;
    const int32_t status = 0;
    const double score = 1000.0, seconds = 0.001;
    const uint32_t count = 1, error_length = 0;
#define PUT(v) (memcpy(out + n, &(v), sizeof(v)), n += sizeof(v))
    PUT(number);
    PUT(status);
    PUT(score);
    PUT(seconds);
    PUT(count);
    PUT(score);
    PUT(error_length);
#undef PUT
    write_everywhere(s, out, n);
}

static void misbehave(const state *s)
{
    if (strcmp(s->mode, "fork_crash") == 0) {
        const pid_t child = fork();
        if (child == 0)
            *(volatile int *)0 = 1;
        if (child > 0)
            waitpid(child, NULL, 0);
    } else if (strcmp(s->mode, "garbage") == 0) {
        unsigned char garbage[64];
        for (size_t i = 0; i < sizeof garbage; ++i)
            garbage[i] = (unsigned char)(0xA5 ^ (i * 37));
        write_everywhere(s, garbage, sizeof garbage);
    } else if (strcmp(s->mode, "forge") == 0) {
        forge(s);
    } else if (strcmp(s->mode, "exit") == 0) {
        exit(s->status);
    } else if (strcmp(s->mode, "hog") == 0) {
        for (;;) {
            char *block = malloc(1 << 20);
            memset(block, 1, 1 << 20);
            if (block[12345] != 1) /* keeps the block from being optimised away */
                break;
        }
    } else if (strcmp(s->mode, "fork_exit") == 0) {
        if (fork() == 0) {
            sleep(600);
            _exit(0);
        }
        exit(s->status);
    } else if (strcmp(s->mode, "fork_sleep") == 0) {
        const pid_t child = fork();
        if (child == 0) {
            sleep(600);
            _exit(0);
        }
        FILE *f = s->pid_log[0] ? fopen(s->pid_log, "a") : NULL;
        if (f) {
            fprintf(f, "%d\n", (int)child);
            fclose(f);
        }
    }
}

static int32_t evaluate(void *st, const btopt_plugin_value *p, uint64_t seed, double *m, char *error, size_t size)
{
    (void)seed;
    (void)error;
    (void)size;
    const state *s = st;
    const long a = (long)p[0].i, b = (long)p[1].i;
    if (s->at == -2 || s->at == 10 * a + b)
        misbehave(s);
    m[0] = -(double)((a - 7) * (a - 7) + (b - 3) * (b - 3));
    return BTOPT_PLUGIN_OK;
}

static void finish(void *st)
{
    const state *s = st;
    while (s->finish_hang)
        pause();
    if (s->finish_crash)
        *(volatile int *)0 = 1;
    free(st);
}

static int32_t equity_curve(void *st, const btopt_plugin_value *p, uint64_t seed, double *equity, double *hold,
                            size_t capacity, size_t *count, char *error, size_t size)
{
    (void)st;
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

#ifdef EVIL_PER_WORKER
#define EVIL_NAME "evil_per_worker"
#define EVIL_FLAGS BTOPT_PLUGIN_INIT_PER_WORKER
#else
#define EVIL_NAME "evil"
#define EVIL_FLAGS 0
#endif

static const btopt_plugin_descriptor descriptor = {
    .abi_version = BTOPT_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(btopt_plugin_descriptor),
    .name = EVIL_NAME,
    .version = "1.0",
    .description = "attacks the worker protocol where its config says",
    .params = params,
    .n_params = 2,
    .metrics = metrics,
    .n_metrics = 1,
    .flags = EVIL_FLAGS,
    .init = init,
    .evaluate = evaluate,
    .finish = finish,
    .equity_curve = equity_curve,
};

BTOPT_PLUGIN_EXPORT const btopt_plugin_descriptor *btopt_plugin_entry(void) { return &descriptor; }
