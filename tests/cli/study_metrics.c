/*
 * study_metrics STUDY: every metric of every trial of the study's last run,
 * read through the C ABI (btopt_study_open), one trial a line:
 *
 *     NUMBER NAME=VALUE NAME=VALUE ...
 *
 * VALUE printed with %.17g reads back to the same bits. The result files
 * leave out the metrics named "btopt." (docs/RESULTS.md); the tests that
 * check the statistics against the papers read them here. A C program, not
 * ctypes, so that it runs against sanitizer builds too.
 */
#include <btopt/btopt.h>

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: study_metrics STUDY\n");
        return 2;
    }
    btopt_result *result = NULL;
    const btopt_status status = btopt_study_open(&result, argv[1], 0);
    if (status != BTOPT_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], btopt_last_error());
        return 1;
    }
    const uint64_t trials = btopt_result_trial_count(result);
    const size_t metrics = btopt_result_metric_count(result);
    for (uint64_t i = 0; i < trials; ++i) {
        uint64_t number = 0;
        btopt_result_trial_info(result, i, &number, NULL, NULL);
        printf("%llu", (unsigned long long)number);
        for (size_t m = 0; m < metrics; ++m) {
            double value = 0.0;
            btopt_result_trial_metric(result, i, m, &value);
            printf(" %s=%.17g", btopt_result_metric_name(result, m), value);
        }
        printf("\n");
    }
    btopt_result_destroy(result);
    return 0;
}
