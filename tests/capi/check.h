/* The C tests' one check. CHECK counts a pass or a failure and prints a
 * failure with its place and the library's last error; a test's main ends
 * with `return CHECK_EXIT_STATUS;`. */
#ifndef BTOPT_TESTS_CAPI_CHECK_H
#define BTOPT_TESTS_CAPI_CHECK_H

#include <btopt/btopt.h>

#include <stdatomic.h>
#include <stdio.h>

/* Atomic: objectives and callbacks check on the library's threads too. */
static atomic_int g_passed, g_failed;

#define CHECK(cond)                                                                                                   \
    do {                                                                                                              \
        if (cond) {                                                                                                   \
            ++g_passed;                                                                                               \
        } else {                                                                                                      \
            ++g_failed;                                                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s (last error: \"%s\")\n", __FILE__, __LINE__, #cond,             \
                    btopt_last_error());                                                                              \
        }                                                                                                             \
    } while (0)

#define CHECK_EXIT_STATUS (g_failed == 0 ? 0 : 1)

#endif
