// docs/VALIDATION.md gives the formulas and their sources; this file follows it.
#include "selection.hpp"

#include "cscv.hpp"
#include "robustness.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace btopt::internal::analysis {
namespace {

// Where the metrics the statistics read are, by name (docs/VALIDATION.md).
struct Columns {
    std::size_t returns = 0, skewness = 0, kurtosis = 0;
    std::vector<std::size_t> block_sum, block_sumsq;
};

std::optional<std::size_t> find(const std::vector<std::string> &names, const std::string &name)
{
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? std::nullopt : std::optional(static_cast<std::size_t>(it - names.begin()));
}

std::optional<Columns> columns(const std::vector<std::string> &names)
{
    const auto returns = find(names, "btopt.returns"), skewness = find(names, "skewness"),
               kurtosis = find(names, "kurtosis");
    if (!returns || !skewness || !kurtosis)
        return std::nullopt;
    Columns c{*returns, *skewness, *kurtosis, {}, {}};
    for (std::size_t k = 1;; ++k) {
        const auto sum = find(names, fmt::format("btopt.block_sum.{}", k));
        const auto sumsq = find(names, fmt::format("btopt.block_sumsq.{}", k));
        if (!sum || !sumsq)
            break;
        c.block_sum.push_back(*sum);
        c.block_sumsq.push_back(*sumsq);
    }
    if (c.block_sum.size() < 2)
        return std::nullopt;
    return c;
}

// The Sharpe ratio per return of `length` returns summing to `sum`, their squares to `sumsq`
// (the sample deviation, n - 1); 0 when it is not defined.
double sharpe(double sum, double sumsq, double length)
{
    if (length < 2)
        return 0.0;
    const double mean = sum / length;
    const double variance = (sumsq - sum * mean) / (length - 1.0);
    return variance > 0.0 ? mean / std::sqrt(variance) : 0.0;
}

// The metrics of the ok trials that reported them.
std::vector<const double *> scored_rows(const Trials &trials)
{
    std::vector<const double *> rows;
    for (std::size_t i = 0; i < trials.size(); ++i)
        if (trials.status(i) == TrialStatus::Ok && !trials.metrics(i).empty())
            rows.push_back(trials.metrics(i).data());
    return rows;
}

double trial_sharpe(const Columns &c, const double *m)
{
    double sum = 0.0, sumsq = 0.0;
    for (std::size_t k = 0; k < c.block_sum.size(); ++k) {
        sum += m[c.block_sum[k]];
        sumsq += m[c.block_sumsq[k]];
    }
    return sharpe(sum, sumsq, m[c.returns]);
}

std::optional<SharpeStats> sharpe_stats(const RunResult &result, const Columns &c,
                                        const std::vector<const double *> &rows, std::string &note)
{
    std::vector<double> ratios;
    ratios.reserve(rows.size());
    for (const double *m : rows)
        ratios.push_back(trial_sharpe(c, m));
    double mean = 0.0, m2 = 0.0; // Welford: a million ratios without cancellation
    for (std::size_t i = 0; i < ratios.size(); ++i) {
        const double delta = ratios[i] - mean;
        mean += delta / static_cast<double>(i + 1);
        m2 += delta * (ratios[i] - mean);
    }
    const auto best = result.trials.metrics(*result.best);
    SharpeStats s;
    s.trials = result.evaluated;
    s.returns = static_cast<std::uint64_t>(best[c.returns]);
    s.sharpe = trial_sharpe(c, best.data());
    s.skewness = best[c.skewness];
    s.kurtosis = best[c.kurtosis];
    s.sharpe_variance = ratios.size() >= 2 ? m2 / static_cast<double>(ratios.size() - 1) : 0.0;
    s.expected_max = expected_max_sharpe(s.sharpe_variance, static_cast<double>(s.trials));
    s.psr = probabilistic_sharpe(s.sharpe, 0.0, static_cast<double>(s.returns), s.skewness, s.kurtosis);
    s.dsr = probabilistic_sharpe(s.sharpe, s.expected_max, static_cast<double>(s.returns), s.skewness, s.kurtosis);
    if (std::isnan(s.psr) || std::isnan(s.dsr)) {
        note = "the deflated Sharpe is not defined for the best trial (fewer than 2 returns, or its skewness and "
               "kurtosis leave no variance)";
        return std::nullopt;
    }
    return s;
}

std::optional<OverfitStats> overfit_stats(const Columns &c, const std::vector<const double *> &rows,
                                          std::uint32_t blocks, std::uint64_t seed, unsigned threads,
                                          std::string &note)
{
    if (rows.size() < 2) {
        note = "the PBO needs at least 2 successful trials";
        return std::nullopt;
    }
    if (blocks < 2 || blocks % 2 != 0 || c.block_sum.size() % blocks != 0) {
        note = fmt::format("the PBO is not computed: pbo_blocks = {} must be even and divide the {} blocks the "
                           "plugin reports",
                           blocks, c.block_sum.size());
        return std::nullopt;
    }
    // A budget of strategy-splits (2.5 ns each of CPU with 90,000 trials, 5.4 ns with 1,000,000 whose table
    // comes from memory: bench/RESULTS.md) that keeps the statistics a small part of a large run;
    // past it, fewer splits drawn at random, never fewer than `least`.
    constexpr std::uint64_t budget = std::uint64_t{1} << 25, least = 32;
    const BlockRows groups(rows, c.block_sum, c.block_sumsq, static_cast<std::uint64_t>(rows.front()[c.returns]),
                           blocks);
    return cscv(groups, std::max<std::uint64_t>(least, budget / rows.size()), seed, threads);
}

} // namespace

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

// Acklam's rational approximation, then one Halley step on erfc: a relative
// error near the machine's.
double normal_quantile(double p)
{
    static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                   1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                   6.680131188771972e+01,  -1.328068155288572e+01};
    static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                   -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                   3.754408661907416e+00};
    double x;
    if (p < 0.02425) {
        const double q = std::sqrt(-2.0 * std::log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    } else if (p > 1.0 - 0.02425) {
        const double q = std::sqrt(-2.0 * std::log1p(-p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    } else {
        const double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
    }
    const double e = normal_cdf(x) - p;
    const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(x * x / 2.0);
    return x - u / (1.0 + x * u / 2.0);
}

double probabilistic_sharpe(double sr, double sr_star, double returns, double skewness, double kurtosis)
{
    const double spread = 1.0 - skewness * sr + (kurtosis - 1.0) / 4.0 * sr * sr;
    if (returns < 2 || !(spread > 0.0))
        return std::nan("");
    return normal_cdf((sr - sr_star) * std::sqrt(returns - 1.0) / std::sqrt(spread));
}

double expected_max_sharpe(double variance, double trials)
{
    if (trials < 2 || !(variance > 0.0))
        return 0.0;
    constexpr double gamma = std::numbers::egamma;
    return std::sqrt(variance) * ((1.0 - gamma) * normal_quantile(1.0 - 1.0 / trials) +
                                  gamma * normal_quantile(1.0 - 1.0 / (trials * std::numbers::e)));
}

namespace {

void add_note(std::string &notes, const std::string &note)
{
    if (!note.empty())
        notes += (notes.empty() ? "" : "; ") + note;
}

// PSR, DSR and PBO, from the block returns the plugin reports.
void bias_stats(const RunResult &result, const Options &options, SelectionStats &out)
{
    const auto c = columns(result.info.metric_names);
    if (!c) {
        add_note(out.note, "the plugin reports no block returns (docs/VALIDATION.md)");
        return;
    }
    const std::vector<const double *> rows = scored_rows(result.trials);
    std::string sharpe_note, overfit_note;
    if (auto s = sharpe_stats(result, *c, rows, sharpe_note)) {
        out.has_sharpe = true;
        out.sharpe = *s;
    }
    if (auto o = overfit_stats(*c, rows, static_cast<std::uint32_t>(options.pbo_blocks),
                               static_cast<std::uint64_t>(options.random_seed),
                               std::clamp(result.info.workers, 1u, std::max(1u, std::thread::hardware_concurrency())),
                               overfit_note)) {
        out.has_overfit = true;
        out.overfit = *o;
    }
    add_note(out.note, sharpe_note);
    add_note(out.note, overfit_note);
}

} // namespace

SelectionStats selection_stats(const RunResult &result, const Options &options)
{
    SelectionStats out;
    if (!result.best) {
        out.note = "no trial succeeded";
        return out;
    }
    out.chosen_row = *result.best;
    std::uint64_t recorded = 0;
    for (const std::uint64_t n : result.status_counts)
        recorded += n;
    if (result.trials.size() < recorded) {
        out.note = fmt::format("the run kept {} of its {} trials (keep_trials): the statistics need every one",
                               result.trials.size(), recorded);
        return out;
    }
    bias_stats(result, options, out);
    std::string robust_note;
    if (auto r = robustness(result, static_cast<std::uint32_t>(options.robust_radius), robust_note)) {
        out.has_robust = true;
        out.robust = std::move(*r);
        if (options.select == "robust")
            out.chosen_row = out.robust.robust_row;
    }
    add_note(out.note, robust_note);
    return out;
}

} // namespace btopt::internal::analysis
