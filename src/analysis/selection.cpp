// docs/VALIDATION.md gives the formulas and their sources; this file follows it.
#include "selection.hpp"

#include "robustness.hpp"

#include "../core/rng.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
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

struct Row {
    std::size_t row;
    std::span<const double> metrics;
};

// The ok trials that reported the metrics.
std::vector<Row> scored_rows(const Trials &trials)
{
    std::vector<Row> rows;
    for (std::size_t i = 0; i < trials.size(); ++i)
        if (trials.status(i) == TrialStatus::Ok && !trials.metrics(i).empty())
            rows.push_back({i, trials.metrics(i)});
    return rows;
}

double trial_sharpe(const Columns &c, std::span<const double> m)
{
    double sum = 0.0, sumsq = 0.0;
    for (std::size_t k = 0; k < c.block_sum.size(); ++k) {
        sum += m[c.block_sum[k]];
        sumsq += m[c.block_sumsq[k]];
    }
    return sharpe(sum, sumsq, m[c.returns]);
}

std::optional<SharpeStats> sharpe_stats(const RunResult &result, const Columns &c, const std::vector<Row> &rows,
                                        std::string &note)
{
    std::vector<double> ratios;
    ratios.reserve(rows.size());
    for (const Row &r : rows)
        ratios.push_back(trial_sharpe(c, r.metrics));
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
    s.sharpe = trial_sharpe(c, best);
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

// The fine blocks grouped into `groups`, with their lengths from the number of returns.
GroupReturns group_returns(const Columns &c, const std::vector<Row> &rows, std::size_t groups)
{
    const std::size_t blocks = c.block_sum.size(), per_group = blocks / groups;
    GroupReturns g{rows.size(), groups, std::vector<double>(rows.size() * groups),
                   std::vector<double>(rows.size() * groups), std::vector<double>(groups)};
    const auto n = static_cast<std::uint64_t>(rows.front().metrics[c.returns]);
    for (std::size_t k = 0; k < blocks; ++k)
        g.length[k / per_group] += static_cast<double>((k + 1) * n / blocks - k * n / blocks);
    for (std::size_t s = 0; s < rows.size(); ++s)
        for (std::size_t k = 0; k < blocks; ++k) {
            g.sum[(k / per_group) * rows.size() + s] += rows[s].metrics[c.block_sum[k]];
            g.sumsq[(k / per_group) * rows.size() + s] += rows[s].metrics[c.block_sumsq[k]];
        }
    return g;
}

std::uint64_t choose(std::uint64_t n, std::uint64_t k)
{
    std::uint64_t c = 1;
    for (std::uint64_t i = 1; i <= k; ++i)
        c = c * (n - k + i) / i;
    return c;
}

// The in-sample group sets: every one (Gosper's hack, ascending) or `count` drawn at random.
std::vector<std::uint64_t> splits(std::size_t groups, std::uint64_t count, std::uint64_t all, std::uint64_t seed)
{
    std::vector<std::uint64_t> masks;
    const std::uint64_t half = groups / 2;
    if (count >= all) {
        for (std::uint64_t m = (std::uint64_t{1} << half) - 1; m < (std::uint64_t{1} << groups);) {
            masks.push_back(m);
            const std::uint64_t low = m & (0 - m), ripple = m + low;
            m = ripple | (((m ^ ripple) >> 2) / low);
        }
        return masks;
    }
    Rng rng(seed);
    std::vector<std::size_t> order(groups);
    for (std::uint64_t i = 0; i < count; ++i) {
        for (std::size_t g = 0; g < groups; ++g)
            order[g] = g;
        std::uint64_t m = 0;
        for (std::size_t g = 0; g < half; ++g) { // a partial Fisher-Yates shuffle
            std::swap(order[g], order[g + rng.below(groups - g)]);
            m |= std::uint64_t{1} << order[g];
        }
        masks.push_back(m);
    }
    return masks;
}

// A number in the same order as sharpe(sum, sumsq, length) among series of
// one length n, without its square root (CSCV needs only the order):
// SR |SR| = S |S| (n - 1) / (n (n Q - S²)), so S |S| / (n Q - S²). 0 where SR is 0.
double sharpe_order(double sum, double sumsq, double length)
{
    const double spread = sumsq * length - sum * sum; // (n - 1) n var: > 0 iff var > 0
    return length >= 2 && spread > 0.0 ? sum * std::abs(sum) / spread : 0.0;
}

// One split: its in-sample groups (ascending) and the lengths of both sides.
struct Split {
    std::vector<std::size_t> in;
    double in_length = 0.0, out_length = 0.0;
};

Split split_of(const GroupReturns &d, std::uint64_t mask)
{
    Split split;
    for (std::size_t g = 0; g < d.groups; ++g)
        if (mask >> g & 1) {
            split.in.push_back(g);
            split.in_length += d.length[g];
        } else {
            split.out_length += d.length[g];
        }
    return split;
}

// The in-sample sums of strategies first .. first + count - 1, added group by group.
void in_sample_sums(const GroupReturns &d, const Split &split, std::size_t first, std::size_t count, double *sum,
                    double *sumsq)
{
    std::fill_n(sum, count, 0.0);
    std::fill_n(sumsq, count, 0.0);
    for (const std::size_t g : split.in) {
        const double *from = d.sum.data() + g * d.strategies + first, *from_sq = d.sumsq.data() + g * d.strategies + first;
        for (std::size_t i = 0; i < count; ++i) {
            sum[i] += from[i];
            sumsq[i] += from_sq[i];
        }
    }
}

// The strategies go through in chunks that stay in the cache while every
// split reads them: first the in-sample best of each split, then how many
// strategies do worse or as well out of sample. Contiguous ranges of chunks
// go to `threads` threads, merged in order, so the result never depends on
// how many there were.
class Cscv {
public:
    Cscv(const GroupReturns &d, const std::vector<std::uint64_t> &masks, unsigned threads) : d_(d), threads_(threads)
    {
        for (const std::uint64_t mask : masks)
            splits_.push_back(split_of(d, mask));
        total_.assign(d.strategies, 0.0);
        total_sq_.assign(d.strategies, 0.0);
        for (std::size_t g = 0; g < d.groups; ++g)
            for (std::size_t s = 0; s < d.strategies; ++s) {
                total_[s] += d.sum[g * d.strategies + s];
                total_sq_[s] += d.sumsq[g * d.strategies + s];
            }
    }

    // λ of each split: the logit of the relative rank out of sample of the in-sample best.
    std::vector<double> logits() const
    {
        const std::size_t k = splits_.size();
        struct Best {
            std::vector<std::size_t> at;
            std::vector<double> key;
        };
        const auto bests = in_parallel<Best>([&](std::size_t first, std::size_t last) {
            Best b{std::vector<std::size_t>(k, 0), std::vector<double>(k, -HUGE_VAL)};
            each_chunk(first, last, [&](std::size_t j, std::size_t from, std::size_t count, const double *sum,
                                        const double *sumsq) {
                for (std::size_t i = 0; i < count; ++i) {
                    const double is = sharpe_order(sum[i], sumsq[i], splits_[j].in_length);
                    if (is > b.key[j]) {
                        b.key[j] = is;
                        b.at[j] = from + i;
                    }
                }
            });
            return b;
        });
        std::vector<double> x(k);
        for (std::size_t j = 0; j < k; ++j) {
            std::size_t best = 0;
            double key = -HUGE_VAL;
            for (const Best &b : bests) // in order of strategies: ties go to the first
                if (b.key[j] > key) {
                    key = b.key[j];
                    best = b.at[j];
                }
            x[j] = out_of_sample(j, best);
        }
        using Counts = std::vector<std::pair<std::uint64_t, std::uint64_t>>; // below, equal
        const auto counts = in_parallel<Counts>([&](std::size_t first, std::size_t last) {
            Counts c(k);
            each_chunk(first, last, [&](std::size_t j, std::size_t from, std::size_t count, const double *sum,
                                        const double *sumsq) {
                std::uint64_t below = 0, equal = 0;
                for (std::size_t i = 0; i < count; ++i) {
                    const double v =
                        sharpe_order(total_[from + i] - sum[i], total_sq_[from + i] - sumsq[i], splits_[j].out_length);
                    below += v < x[j];
                    equal += v == x[j];
                }
                c[j].first += below;
                c[j].second += equal;
            });
            return c;
        });
        std::vector<double> out(k);
        for (std::size_t j = 0; j < k; ++j) {
            std::uint64_t below = 0, equal = 0;
            for (const Counts &c : counts) {
                below += c[j].first;
                equal += c[j].second;
            }
            // The average rank among ties (1 = worst), as scipy's rankdata gives it.
            const double rank = static_cast<double>(below) + (static_cast<double>(equal) + 1.0) / 2.0;
            const double omega = rank / (static_cast<double>(d_.strategies) + 1.0);
            out[j] = std::log(omega / (1.0 - omega));
        }
        return out;
    }

private:
    static constexpr std::size_t chunk = 2048;

    // work(first, last) on contiguous ranges of strategies, one per thread; the results in order.
    template <class R, class Work>
    std::vector<R> in_parallel(const Work &work) const
    {
        const std::size_t chunks = (d_.strategies + chunk - 1) / chunk;
        const std::size_t parts = std::max<std::size_t>(1, std::min<std::size_t>(threads_, chunks));
        std::vector<R> results(parts);
        std::vector<std::jthread> running;
        for (std::size_t t = 0; t < parts; ++t) {
            const std::size_t first = chunks * t / parts * chunk,
                              last = std::min(d_.strategies, chunks * (t + 1) / parts * chunk);
            if (t + 1 == parts)
                results[t] = work(first, last); // this thread does the last part
            else
                running.emplace_back([&results, &work, t, first, last] { results[t] = work(first, last); });
        }
        running.clear(); // joins
        return results;
    }

    template <class Visit>
    void each_chunk(std::size_t first, std::size_t last, const Visit &visit) const
    {
        std::vector<double> sum(chunk), sumsq(chunk);
        for (std::size_t from = first; from < last; from += chunk) {
            const std::size_t count = std::min(chunk, last - from);
            for (std::size_t j = 0; j < splits_.size(); ++j) {
                in_sample_sums(d_, splits_[j], from, count, sum.data(), sumsq.data());
                visit(j, from, count, sum.data(), sumsq.data());
            }
        }
    }

    double out_of_sample(std::size_t j, std::size_t s) const
    {
        double sum = 0.0, sumsq = 0.0;
        in_sample_sums(d_, splits_[j], s, 1, &sum, &sumsq);
        return sharpe_order(total_[s] - sum, total_sq_[s] - sumsq, splits_[j].out_length);
    }

    const GroupReturns &d_;
    unsigned threads_;
    std::vector<Split> splits_;
    std::vector<double> total_, total_sq_;
};

std::optional<OverfitStats> overfit_stats(const Columns &c, const std::vector<Row> &rows, std::uint32_t blocks,
                                          std::uint64_t seed, unsigned threads, std::string &note)
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
    // A budget of strategy-splits (about 13 ns each on one thread) that keeps
    // the statistics a small part of a large run (bench/analysis_bench.cpp);
    // past it, fewer splits drawn at random, never fewer than `least`.
    constexpr std::uint64_t budget = std::uint64_t{1} << 25, least = 32;
    return cscv(group_returns(c, rows, blocks), std::max<std::uint64_t>(least, budget / rows.size()), seed, threads);
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

OverfitStats cscv(const GroupReturns &d, std::uint64_t max_splits, std::uint64_t seed, unsigned threads)
{
    OverfitStats o;
    o.blocks = static_cast<std::uint32_t>(d.groups);
    o.strategies = d.strategies;
    o.all_combinations = choose(d.groups, d.groups / 2);
    const std::vector<std::uint64_t> masks = splits(d.groups, max_splits, o.all_combinations, seed);
    o.combinations = masks.size();
    std::uint64_t overfit = 0;
    double logits = 0.0;
    for (const double logit : Cscv(d, masks, threads).logits()) {
        overfit += logit <= 0.0;
        logits += logit;
    }
    o.pbo = static_cast<double>(overfit) / static_cast<double>(masks.size());
    o.logit_mean = logits / static_cast<double>(masks.size());
    return o;
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
    const std::vector<Row> rows = scored_rows(result.trials);
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
