// The selection-bias statistics' pieces (docs/VALIDATION.md); their agreement
// with the papers' formulas is tested in tests/cli/test_validation.py.
#include "analysis/selection.hpp"
#include "core/rng.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace btopt::internal;

namespace {

// Random group returns of `strategies` strategies, with some exact copies (ties).
analysis::GroupReturns random_groups(std::size_t strategies, std::size_t groups)
{
    analysis::GroupReturns d{strategies, groups, std::vector<double>(strategies * groups),
                             std::vector<double>(strategies * groups), std::vector<double>(groups, 50.0)};
    Rng rng(7);
    for (std::size_t g = 0; g < groups; ++g)
        for (std::size_t s = 0; s < strategies; ++s) {
            const std::size_t from = s % 5 == 4 ? s - 1 : s; // every fifth copies the one before
            const double mean = (rng.unit() - 0.5) * 0.01;
            d.sum[g * strategies + s] = from == s ? mean * 50.0 : d.sum[g * strategies + from];
            d.sumsq[g * strategies + s] = from == s ? 50.0 * (1e-4 + mean * mean) : d.sumsq[g * strategies + from];
        }
    return d;
}

} // namespace

TEST_CASE("cscv: the same PBO whatever the number of threads, over several chunks and with ties")
{
    const auto d = random_groups(5000, 8); // 3 chunks of 2048
    const OverfitStats one = analysis::cscv(d, 1000, 1, 1);
    CHECK(one.combinations == 70);
    CHECK(one.all_combinations == 70);
    for (const unsigned threads : {2u, 3u, 7u}) {
        const OverfitStats many = analysis::cscv(d, 1000, 1, threads);
        CHECK(many.pbo == one.pbo);
        CHECK(many.logit_mean == one.logit_mean);
    }
}

TEST_CASE("cscv: past the budget the splits are drawn with the seed, the same each time")
{
    const auto d = random_groups(300, 16);
    const OverfitStats a = analysis::cscv(d, 40, 5, 2), b = analysis::cscv(d, 40, 5, 1);
    CHECK(a.combinations == 40);
    CHECK(a.all_combinations == 12870);
    CHECK(a.pbo == b.pbo);
    CHECK(a.logit_mean == b.logit_mean);
    CHECK(analysis::cscv(d, 40, 6, 1).logit_mean != a.logit_mean);
}

TEST_CASE("normal quantile inverts the distribution function to the last bits")
{
    for (const double p : {1e-12, 1e-6, 0.01, 0.02425, 0.3, 0.5, 0.9, 0.97575, 0.999, 1 - 1e-9})
        CHECK(analysis::normal_cdf(analysis::normal_quantile(p)) == doctest::Approx(p).epsilon(1e-13));
    CHECK(analysis::expected_max_sharpe(0.0, 100) == 0.0);
    CHECK(analysis::expected_max_sharpe(1.0, 1) == 0.0);
}
