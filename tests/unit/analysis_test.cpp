// The selection-bias statistics' pieces (docs/VALIDATION.md); their agreement
// with the papers' formulas is tested in tests/cli/test_validation.py.
#include "analysis/cscv.hpp"
#include "analysis/selection.hpp"
#include "core/rng.hpp"

#include <doctest/doctest.h>

#include <bit>
#include <cmath>

using namespace btopt::internal;

namespace {

// CSCV as the paper states it, one split and one strategy at a time, with the
// sums added up as docs/VALIDATION.md defines them (in-sample groups in
// ascending order, from 0): what analysis::cscv must equal to the last bit.
double order_key(double sum, double sumsq, double length)
{
    const double spread = sumsq * length - sum * sum;
    return length >= 2 && spread > 0.0 ? sum * std::abs(sum) / spread : 0.0;
}

OverfitStats plain_cscv(const analysis::GroupReturns &d)
{
    const std::size_t n = d.count, groups = d.groups;
    std::vector<double> total(n, 0.0), total_sq(n, 0.0);
    for (std::size_t g = 0; g < groups; ++g)
        for (std::size_t s = 0; s < n; ++s) {
            total[s] += d.sum[g * n + s];
            total_sq[s] += d.sumsq[g * n + s];
        }
    OverfitStats o;
    double logits = 0.0;
    for (std::uint64_t mask = 0; mask < (std::uint64_t{1} << groups); ++mask) { // ascending, as all splits go
        if (std::popcount(mask) != static_cast<int>(groups / 2))
            continue;
        double in_length = 0.0, out_length = 0.0;
        for (std::size_t g = 0; g < groups; ++g)
            (mask >> g & 1 ? in_length : out_length) += d.length[g];
        std::vector<double> in(n, 0.0), in_sq(n, 0.0);
        for (std::size_t g = 0; g < groups; ++g)
            if (mask >> g & 1)
                for (std::size_t s = 0; s < n; ++s) {
                    in[s] += d.sum[g * n + s];
                    in_sq[s] += d.sumsq[g * n + s];
                }
        std::size_t best = 0;
        for (std::size_t s = 1; s < n; ++s)
            if (order_key(in[s], in_sq[s], in_length) > order_key(in[best], in_sq[best], in_length))
                best = s;
        const auto out = [&](std::size_t s) { return order_key(total[s] - in[s], total_sq[s] - in_sq[s], out_length); };
        double below = 0, equal = 0;
        for (std::size_t s = 0; s < n; ++s) {
            below += out(s) < out(best);
            equal += out(s) == out(best);
        }
        const double omega = (below + (equal + 1.0) / 2.0) / (static_cast<double>(n) + 1.0);
        const double logit = std::log(omega / (1.0 - omega));
        o.pbo += logit <= 0.0;
        logits += logit;
        ++o.combinations;
    }
    o.pbo /= static_cast<double>(o.combinations);
    o.logit_mean = logits / static_cast<double>(o.combinations);
    return o;
}

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
    const auto d = random_groups(5000, 8); // many chunks
    const OverfitStats one = analysis::cscv(d, 1000, 1, 1);
    CHECK(one.combinations == 70);
    CHECK(one.all_combinations == 70);
    for (const unsigned threads : {2u, 3u, 7u}) {
        const OverfitStats many = analysis::cscv(d, 1000, 1, threads);
        CHECK(many.pbo == one.pbo);
        CHECK(many.logit_mean == one.logit_mean);
    }
}

TEST_CASE("cscv equals the plain algorithm to the last bit, in every build of its kernels")
{
    // 1000 strategies: 15 full chunks and a part; copies tie; S = 2, 4, 6, 8 (a side of one group of 1 return
    // has no Sharpe ratio: key 0 for every strategy).
    for (const std::size_t groups : {2u, 4u, 6u, 8u}) {
        auto d = random_groups(1000, groups);
        for (std::size_t s = 5; s < 1000; s += 11) // flat: no variance, key 0
            for (std::size_t g = 0; g < groups; ++g)
                d.sum[g * 1000 + s] = d.sumsq[g * 1000 + s] = 0.0;
        if (groups == 2)
            d.length = {1.0, 50.0};
        const OverfitStats want = plain_cscv(d);
        for (std::size_t k = 0; k < analysis::kernels::supported_count(); ++k) {
            const auto &kernels = analysis::kernels::supported(k);
            CAPTURE(kernels.name);
            CAPTURE(groups);
            for (const unsigned threads : {1u, 3u}) {
                const OverfitStats got = analysis::cscv(d, 1000, 1, threads, kernels);
                CHECK(got.combinations == want.combinations);
                CHECK(got.pbo == want.pbo);
                CHECK(got.logit_mean == want.logit_mean);
            }
        }
    }
}

TEST_CASE("cscv reads rows of block sums as their groups: S = 4 from 8 blocks")
{
    // Rows of metrics with the blocks' sums at columns 1..8 and their squares at 9..16 (column 0: anything).
    const std::size_t n = 300, blocks = 8, groups = 4;
    const auto fine = random_groups(n, blocks);
    std::vector<double> table(n * 17, 7.0);
    std::vector<const double *> rows;
    for (std::size_t s = 0; s < n; ++s) {
        for (std::size_t k = 0; k < blocks; ++k) {
            table[s * 17 + 1 + k] = fine.sum[k * n + s];
            table[s * 17 + 9 + k] = fine.sumsq[k * n + s];
        }
        rows.push_back(table.data() + s * 17);
    }
    std::vector<std::size_t> sum_columns, sumsq_columns;
    for (std::size_t k = 0; k < blocks; ++k) {
        sum_columns.push_back(1 + k);
        sumsq_columns.push_back(9 + k);
    }
    // 203 returns in 8 blocks: 25, 25, 26, 25, 25, 26, 25, 26 (from floor(k n / B)); groups of two.
    const analysis::BlockRows source(rows, sum_columns, sumsq_columns, 203, groups);
    CHECK(source.lengths() == std::vector<double>{50.0, 51.0, 51.0, 51.0});
    analysis::GroupReturns grouped(n, groups, std::vector<double>(n * groups), std::vector<double>(n * groups),
                                   source.lengths());
    for (std::size_t g = 0; g < groups; ++g)
        for (std::size_t s = 0; s < n; ++s) {
            grouped.sum[g * n + s] = 0.0 + fine.sum[2 * g * n + s] + fine.sum[(2 * g + 1) * n + s];
            grouped.sumsq[g * n + s] = 0.0 + fine.sumsq[2 * g * n + s] + fine.sumsq[(2 * g + 1) * n + s];
        }
    const OverfitStats want = plain_cscv(grouped), got = analysis::cscv(source, 1000, 1, 2);
    CHECK(got.strategies == n);
    CHECK(got.pbo == want.pbo);
    CHECK(got.logit_mean == want.logit_mean);
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
