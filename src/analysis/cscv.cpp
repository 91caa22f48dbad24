// CSCV (docs/VALIDATION.md). The strategies go through in chunks small enough
// to stay in the cache while every split reads them: a first pass finds each
// split's in-sample best, a second counts the strategies that do worse or as
// well out of sample. A chunk is filled from the GroupSource once per pass.
// Contiguous ranges of chunks go to the threads and are merged in order of
// strategies, so the result never depends on how many threads there were.
#include "cscv.hpp"

#include "../core/rng.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

namespace btopt::internal::analysis {

void GroupReturns::fill(std::size_t first, std::size_t n, std::size_t stride, double *to_sum, double *to_sumsq) const
{
    for (std::size_t g = 0; g < groups; ++g) {
        std::copy_n(sum.data() + g * count + first, n, to_sum + g * stride);
        std::copy_n(sumsq.data() + g * count + first, n, to_sumsq + g * stride);
    }
}

BlockRows::BlockRows(std::span<const double *const> rows, std::vector<std::size_t> sum_columns,
                     std::vector<std::size_t> sumsq_columns, std::uint64_t returns, std::size_t groups)
    : rows_(rows), sum_columns_(std::move(sum_columns)), sumsq_columns_(std::move(sumsq_columns)),
      per_group_(sum_columns_.size() / groups), lengths_(groups)
{
    const std::size_t blocks = sum_columns_.size();
    for (std::size_t k = 0; k < blocks; ++k)
        lengths_[k / per_group_] += static_cast<double>((k + 1) * returns / blocks - k * returns / blocks);
}

void BlockRows::fill(std::size_t first, std::size_t count, std::size_t stride, double *sum, double *sumsq) const
{
    constexpr std::size_t ahead = 16; // rows: their lines come from memory while these are read
    for (std::size_t i = 0; i < count; ++i) {
        if (first + i + ahead < rows_.size())
            for (std::size_t k = 0; k < sum_columns_.size(); k += 8) {
                __builtin_prefetch(rows_[first + i + ahead] + sum_columns_[k]);
                __builtin_prefetch(rows_[first + i + ahead] + sumsq_columns_[k]);
            }
        const double *m = rows_[first + i];
        for (std::size_t g = 0, k = 0; g < lengths_.size(); ++g) {
            double s = 0.0, q = 0.0;
            for (const std::size_t end = k + per_group_; k < end; ++k) {
                s += m[sum_columns_[k]];
                q += m[sumsq_columns_[k]];
            }
            sum[g * stride + i] = s;
            sumsq[g * stride + i] = q;
        }
    }
}

namespace {

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

// Strategies per chunk: a multiple of the kernels' lanes; S = 16 groups of
// them (sums and squares) take 16 KB, which stay in the first-level cache
// while every split reads them.
constexpr std::size_t chunk = 64;
static_assert(chunk % kernels::lanes == 0);

// One split: its in-sample groups in ascending order, as offsets into a chunk.
struct SplitPlan {
    std::vector<std::size_t> in;
    double in_length = 0.0, out_length = 0.0;
};

SplitPlan plan(const std::vector<double> &lengths, std::uint64_t mask)
{
    SplitPlan p;
    for (std::size_t g = 0; g < lengths.size(); ++g)
        if (mask >> g & 1) {
            p.in.push_back(g * chunk);
            p.in_length += lengths[g];
        } else {
            p.out_length += lengths[g];
        }
    return p;
}

// A thread's chunk of strategies.
class ChunkBuffer {
public:
    explicit ChunkBuffer(std::size_t groups)
        : groups_(groups), sum_(groups * chunk), sumsq_(groups * chunk), total_(chunk), total_sq_(chunk)
    {
    }

    // Strategies first .. first + count - 1, with their sums over every group when `totals`.
    kernels::Chunk fill(const GroupSource &source, std::size_t first, std::size_t count, bool totals)
    {
        source.fill(first, count, chunk, sum_.data(), sumsq_.data());
        if (totals) {
            std::fill_n(total_.data(), count, 0.0);
            std::fill_n(total_sq_.data(), count, 0.0);
            for (std::size_t g = 0; g < groups_; ++g)
                for (std::size_t i = 0; i < count; ++i) {
                    total_[i] += sum_[g * chunk + i];
                    total_sq_[i] += sumsq_[g * chunk + i];
                }
        }
        return {sum_.data(), sumsq_.data(), total_.data(), total_sq_.data(), chunk, count, first};
    }

private:
    std::size_t groups_;
    // Zeroed once: the kernels read whole lanes past a last chunk's count.
    std::vector<double> sum_, sumsq_, total_, total_sq_;
};

class Cscv {
public:
    Cscv(const GroupSource &source, const std::vector<std::uint64_t> &masks, unsigned threads,
         const kernels::Table &kernels)
        : source_(source), kernels_(kernels), threads_(threads)
    {
        for (const std::uint64_t mask : masks)
            plans_.push_back(plan(source.lengths(), mask));
        for (const SplitPlan &p : plans_)
            splits_.push_back({p.in.data(), p.in.size(), p.in_length, p.out_length});
    }

    // λ of each split: the logit of the relative rank out of sample of the in-sample best.
    std::vector<double> logits() const
    {
        const std::size_t k = plans_.size();
        std::vector<double> x(k);
        const std::vector<std::size_t> best = in_sample_bests();
        for (std::size_t j = 0; j < k; ++j)
            x[j] = out_of_sample(j, best[j]);
        using Counts = std::vector<kernels::LaneRanks>;
        const auto counts = in_parallel<Counts>([&](std::size_t first, std::size_t last) {
            Counts c(k);
            ChunkBuffer buffer(source_.lengths().size());
            for (std::size_t from = first; from < last; from += chunk)
                kernels_.out_of_sample_ranks(buffer.fill(source_, from, std::min(chunk, last - from), true),
                                             splits_.data(), k, x.data(), c.data());
            return c;
        });
        std::vector<double> out(k);
        for (std::size_t j = 0; j < k; ++j) {
            std::uint64_t below = 0, equal = 0;
            for (const Counts &c : counts)
                for (std::size_t lane = 0; lane < kernels::lanes; ++lane) {
                    below += static_cast<std::uint64_t>(c[j].below[lane]);
                    equal += static_cast<std::uint64_t>(c[j].equal[lane]);
                }
            // The average rank among ties (1 = worst), as scipy's rankdata gives it.
            const double rank = static_cast<double>(below) + (static_cast<double>(equal) + 1.0) / 2.0;
            const double omega = rank / (static_cast<double>(source_.strategies()) + 1.0);
            out[j] = std::log(omega / (1.0 - omega));
        }
        return out;
    }

private:
    // Each split's in-sample best strategy: the first with the highest key.
    std::vector<std::size_t> in_sample_bests() const
    {
        const std::size_t k = plans_.size();
        using Bests = std::vector<kernels::LaneBests>;
        const auto bests = in_parallel<Bests>([&](std::size_t first, std::size_t last) {
            Bests b(k);
            ChunkBuffer buffer(source_.lengths().size());
            for (std::size_t from = first; from < last; from += chunk)
                kernels_.best_in_sample(buffer.fill(source_, from, std::min(chunk, last - from), false),
                                        splits_.data(), k, b.data());
            return b;
        });
        // Each lane holds its first strategy with its highest key, and keys
        // are finite: the highest over all lanes, with the lowest strategy
        // among equals, is the first with the highest key.
        std::vector<std::size_t> best(k, 0);
        for (std::size_t j = 0; j < k; ++j) {
            double key = -HUGE_VAL;
            for (const Bests &b : bests)
                for (std::size_t lane = 0; lane < kernels::lanes; ++lane) {
                    const double lane_key = b[j].key[lane];
                    const auto lane_at = static_cast<std::size_t>(b[j].at[lane]);
                    if (lane_key > key || (lane_key == key && lane_key > -HUGE_VAL && lane_at < best[j])) {
                        key = lane_key;
                        best[j] = lane_at;
                    }
                }
        }
        return best;
    }

    // The out-of-sample key of strategy s in split j, added up as the kernels do.
    double out_of_sample(std::size_t j, std::size_t s) const
    {
        const std::size_t groups = source_.lengths().size();
        std::vector<double> sum(groups), sumsq(groups);
        source_.fill(s, 1, 1, sum.data(), sumsq.data());
        double total = 0.0, total_sq = 0.0, in = 0.0, in_sq = 0.0;
        for (std::size_t g = 0; g < groups; ++g) {
            total += sum[g];
            total_sq += sumsq[g];
        }
        for (const std::size_t offset : plans_[j].in) {
            in += sum[offset / chunk];
            in_sq += sumsq[offset / chunk];
        }
        return kernels::order_key(total - in, total_sq - in_sq, plans_[j].out_length);
    }

    // work(first, last) on contiguous ranges of whole chunks, one per thread; the results in order.
    template <class R, class Work>
    std::vector<R> in_parallel(const Work &work) const
    {
        const std::size_t strategies = source_.strategies(), chunks = (strategies + chunk - 1) / chunk;
        const std::size_t parts = std::max<std::size_t>(1, std::min<std::size_t>(threads_, chunks));
        std::vector<R> results(parts);
        std::vector<std::jthread> running;
        for (std::size_t t = 0; t < parts; ++t) {
            const std::size_t first = chunks * t / parts * chunk,
                              last = std::min(strategies, chunks * (t + 1) / parts * chunk);
            if (t + 1 == parts)
                results[t] = work(first, last); // this thread does the last part
            else
                running.emplace_back([&results, &work, t, first, last] { results[t] = work(first, last); });
        }
        running.clear(); // joins
        return results;
    }

    const GroupSource &source_;
    const kernels::Table &kernels_;
    unsigned threads_;
    std::vector<SplitPlan> plans_;
    std::vector<kernels::Split> splits_; // views of plans_
};

} // namespace

OverfitStats cscv(const GroupSource &data, std::uint64_t max_splits, std::uint64_t seed, unsigned threads,
                  const kernels::Table &kernels)
{
    const std::size_t groups = data.lengths().size();
    OverfitStats o;
    o.blocks = static_cast<std::uint32_t>(groups);
    o.strategies = data.strategies();
    o.all_combinations = choose(groups, groups / 2);
    const std::vector<std::uint64_t> masks = splits(groups, max_splits, o.all_combinations, seed);
    o.combinations = masks.size();
    std::uint64_t overfit = 0;
    double logits = 0.0;
    for (const double logit : Cscv(data, masks, threads, kernels).logits()) {
        overfit += logit <= 0.0;
        logits += logit;
    }
    o.pbo = static_cast<double>(overfit) / static_cast<double>(masks.size());
    o.logit_mean = logits / static_cast<double>(masks.size());
    return o;
}

} // namespace btopt::internal::analysis
