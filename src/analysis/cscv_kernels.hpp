// CSCV's inner loops (cscv.cpp): over one chunk of strategies and every
// split, the in-sample best, and how many strategies rank below or level with
// a value out of sample. Built for baseline x86-64, x86-64-v3 and x86-64-v4 and
// picked at run time; every build does the same IEEE operations on each
// strategy, so all of them give the same bits (cscv_kernels.cpp says how).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace btopt::internal::analysis::kernels {

// Strategies read at a time: chunks hold a multiple of it.
inline constexpr std::size_t lanes = 16;

// A chunk of strategies by group: strategy i's sums over group g at
// sum[g * stride + i] and sumsq[g * stride + i]; `total` and `total_sq` (only
// for out_of_sample_ranks) the sums over every group. Entries from `count` up
// to the next multiple of `lanes` are read and ignored (they must be there).
// `first`: the number of the chunk's first strategy among all.
struct Chunk {
    const double *sum = nullptr, *sumsq = nullptr;
    const double *total = nullptr, *total_sq = nullptr;
    std::size_t stride = 0, count = 0, first = 0;
};

// One split: the offsets (g * stride) of its in-sample groups, ascending, and
// how many returns each side holds.
struct Split {
    const std::size_t *in = nullptr;
    std::size_t half = 0;
    double in_length = 0.0, out_length = 0.0;
};

// What one split has seen so far, lane by lane (strategy i goes to lane i %
// lanes): the highest in-sample key and the first strategy that had it
// (-inf and 0 before any), and how many keys out of sample were below and
// equal to a level.
struct LaneBests {
    alignas(64) double key[lanes];
    alignas(64) std::int64_t at[lanes] = {};
    LaneBests()
    {
        for (double &k : key)
            k = -HUGE_VAL;
    }
};
struct LaneRanks {
    alignas(64) std::int64_t below[lanes] = {};
    alignas(64) std::int64_t equal[lanes] = {};
};

// A number in the same order as the Sharpe ratio of `length` returns summing
// to `sum`, their squares to `sumsq`, among series of one length, without its
// square root: SR |SR| = S |S| (n - 1) / (n (n Q - S²)), so S |S| / (n Q - S²);
// 0 where the Sharpe ratio is not defined (fewer than 2 returns, no variance).
inline double order_key(double sum, double sumsq, double length)
{
    const double spread = sumsq * length - sum * sum; // (n - 1) n var: > 0 iff var > 0
    return length >= 2 && spread > 0.0 ? sum * std::fabs(sum) / spread : 0.0;
}

struct Table {
    const char *name;
    // Adds the chunk's strategies to bests[j], the in-sample bests of splits[j].
    void (*best_in_sample)(const Chunk &chunk, const Split *splits, std::size_t count, LaneBests *bests);
    // Adds the chunk's strategies to ranks[j]: their out-of-sample keys in
    // splits[j] against level[j].
    void (*out_of_sample_ranks)(const Chunk &chunk, const Split *splits, std::size_t count, const double *level,
                                LaneRanks *ranks);
};

// The builds this CPU runs, the best first (the baseline always last).
std::size_t supported_count();
const Table &supported(std::size_t i);

} // namespace btopt::internal::analysis::kernels
