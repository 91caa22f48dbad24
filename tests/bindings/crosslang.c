/* The cross-language check, from C: sma_crossover (its default space),
 * genetic, seed 7, population 16, 5 generations, 2 process workers; one line
 * per trial, "{number} fast={fast} slow={slow} {score} {status}", the score
 * as Python's repr(float) writes it. The Rust, Go and Python examples print
 * the same and crosslang.sh compares them. */
#include <btopt/btopt.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Python's repr(float): the shortest digits that read back to x, fixed
 * notation for 1e-4 <= |x| < 1e16, else d.ddde+XX. */
static void repr_double(double x, char *out, size_t size)
{
    if (isnan(x)) {
        snprintf(out, size, "nan");
        return;
    }
    if (isinf(x)) {
        snprintf(out, size, x > 0 ? "inf" : "-inf");
        return;
    }
    char sci[64];
    for (int precision = 1; precision <= 17; ++precision) {
        snprintf(sci, sizeof sci, "%.*e", precision - 1, x);
        if (strtod(sci, NULL) == x)
            break;
    }
    const char *p = sci;
    char sign[2] = "";
    if (*p == '-') {
        strcpy(sign, "-");
        ++p;
    }
    char digits[32];
    size_t n = 0;
    for (; *p && *p != 'e'; ++p)
        if (*p != '.')
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        --n;
    digits[n] = '\0';
    const int exponent = atoi(p + 1);
    if (exponent >= -4 && exponent < 16) {
        char whole[64] = "", frac[64] = "";
        if (exponent >= 0) {
            for (int i = 0; i <= exponent; ++i)
                whole[i] = (size_t)i < n ? digits[i] : '0';
            whole[exponent + 1] = '\0';
            snprintf(frac, sizeof frac, "%s", (size_t)(exponent + 1) < n ? digits + exponent + 1 : "0");
        } else {
            strcpy(whole, "0");
            int z = 0;
            for (; z < -exponent - 1; ++z)
                frac[z] = '0';
            snprintf(frac + z, sizeof frac - (size_t)z, "%s", digits);
        }
        snprintf(out, size, "%s%s.%s", sign, whole, frac);
    } else {
        snprintf(out, size, "%s%c%s%s%se%c%02d", sign, digits[0], n > 1 ? "." : "", n > 1 ? digits + 1 : "", "",
                 exponent < 0 ? '-' : '+', abs(exponent));
    }
}

#define OK(call)                                                                                                      \
    do {                                                                                                              \
        if ((call) != BTOPT_OK) {                                                                                     \
            fprintf(stderr, "%s: %s\n", #call, btopt_last_error());                                                   \
            return 1;                                                                                                 \
        }                                                                                                             \
    } while (0)

int main(void)
{
    btopt_optimizer *opt = NULL;
    btopt_result *result = NULL;
    OK(btopt_optimizer_create(&opt, NULL, "genetic"));
    OK(btopt_optimizer_use_plugin(opt, "sma_crossover"));
    OK(btopt_optimizer_set_int(opt, "random_seed", 7));
    OK(btopt_optimizer_set_int(opt, "population_size", 16));
    OK(btopt_optimizer_set_int(opt, "n_generations", 5));
    OK(btopt_optimizer_set_int(opt, "n_jobs", 2));
    OK(btopt_optimizer_set_string(opt, "backend", "process"));
    OK(btopt_optimizer_run(opt, &result));
    for (uint64_t i = 0; i < btopt_result_trial_count(result); ++i) {
        const btopt_params *params = NULL;
        double score = 0;
        int32_t status = 0;
        uint64_t number = 0;
        int64_t fast = 0, slow = 0;
        char text[64];
        OK(btopt_result_trial(result, i, &params, &score, &status));
        OK(btopt_result_trial_info(result, i, &number, NULL, NULL));
        OK(btopt_params_get_int(params, "fast", &fast));
        OK(btopt_params_get_int(params, "slow", &slow));
        repr_double(score, text, sizeof text);
        printf("%llu fast=%lld slow=%lld %s %d\n", (unsigned long long)number, (long long)fast, (long long)slow, text,
               (int)status);
    }
    btopt_result_destroy(result);
    btopt_optimizer_destroy(opt);
    return 0;
}
