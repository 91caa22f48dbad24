/* Which points the chaos plugin misbehaves on, and how: shared by the plugin
 * and the soak test (tests/capi/soak.c), which checks each trial's status
 * against it. */
#ifndef BTOPT_TEST_CHAOS_H
#define BTOPT_TEST_CHAOS_H

#include <signal.h>
#include <stdint.h>

typedef enum chaos_kind {
    CHAOS_NONE,
    CHAOS_HANG,   /* sleeps past any eval_timeout: timeout */
    CHAOS_HOG,    /* mallocs 1 GiB and uses it unchecked: crashed, past max_memory_per_worker */
    CHAOS_EXIT,   /* exit or _exit with a status 0..255 (detail): crashed */
    CHAOS_SIGNAL  /* raises a signal (detail) that kills: crashed */
} chaos_kind;

typedef struct chaos_fault {
    chaos_kind kind;
    int detail;
} chaos_fault;

static inline uint64_t chaos_mix(uint64_t x) /* splitmix64's finaliser */
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* per_mille points in a thousand misbehave: a tenth of them hang, a tenth
 * hog memory, the rest exit or raise a signal in equal parts. */
static inline chaos_fault chaos_fault_at(int64_t index, uint64_t seed, unsigned per_mille)
{
    static const int signals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGKILL, SIGTERM};
    const uint64_t h = chaos_mix((uint64_t)index ^ chaos_mix(seed));
    chaos_fault f = {CHAOS_NONE, 0};
    if (h % 1000 >= per_mille)
        return f;
    const unsigned which = (unsigned)((h / 1000) % 10);
    const uint64_t detail = h >> 32;
    if (which == 0)
        f.kind = CHAOS_HANG;
    else if (which == 1)
        f.kind = CHAOS_HOG;
    else if (which < 6) {
        f.kind = CHAOS_EXIT;
        f.detail = (int)(detail % 256);
    } else {
        f.kind = CHAOS_SIGNAL;
        f.detail = signals[detail % (sizeof signals / sizeof signals[0])];
    }
    return f;
}

static inline double chaos_score(int64_t index)
{
    const double a = (double)(index / 100), b = (double)(index % 100);
    return -((a - 37) * (a - 37) + (b - 61) * (b - 61));
}

#endif
