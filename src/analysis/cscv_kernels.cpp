// The kernels of cscv_kernels.hpp on GCC's vector extensions: U vectors of W
// doubles, 16 strategies a step, with W = 2, 4 or 8 by build. A strategy's
// numbers go through the same IEEE operations in every build, in the same
// order as order_key() (built with -ffp-contract=off: no fused multiply-add
// changes a rounding), so every build gives the same bits. The builds are
// picked through a table rather than target_clones, as in src/kit/kernels.cpp:
// an ifunc resolver runs before ThreadSanitizer is set up, and a table lets
// the tests run every build.
#include "cscv_kernels.hpp"

#include <array>
#include <cmath>
#include <cstring>
#include <limits>

// No vector crosses a call (every function taking one is inlined into one
// build), so GCC's notes on how vectors are passed without AVX do not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace btopt::internal::analysis::kernels {
namespace impl {
namespace {

#define CSCV_INLINE [[gnu::always_inline]] inline
#define CSCV_EACH(U) _Pragma("GCC unroll 16") for (int u = 0; u < (U); ++u)

template <int W>
struct Native;
template <>
struct Native<2> {
    using V = double __attribute__((vector_size(16)));
    using M = std::int64_t __attribute__((vector_size(16)));
};
template <>
struct Native<4> {
    using V = double __attribute__((vector_size(32)));
    using M = std::int64_t __attribute__((vector_size(32)));
};
template <>
struct Native<8> {
    using V = double __attribute__((vector_size(64)));
    using M = std::int64_t __attribute__((vector_size(64)));
};
template <int W>
using V = typename Native<W>::V;
template <int W>
using M = typename Native<W>::M; // lanes of all ones (true) or zeros (false)

template <int W>
CSCV_INLINE V<W> load(const double *from)
{
    V<W> v;
    std::memcpy(&v, from, sizeof v);
    return v;
}

// (Whole-vector operations only: GCC turns a vector whose lanes are written
// one by one into scalars, and every operation on it with it.)
template <int W>
CSCV_INLINE V<W> splat(double x)
{
    return x - V<W>{}; // x - 0 is x, also for -0
}

template <int W>
CSCV_INLINE M<W> splat_mask(std::int64_t x)
{
    return x + M<W>{};
}

// order_key() of W strategies; `defined` is all ones where the side has at least 2 returns.
template <int W>
CSCV_INLINE V<W> order_key(V<W> sum, V<W> sumsq, V<W> length, M<W> defined)
{
    const V<W> spread = sumsq * length - sum * sum;
    const V<W> magnitude = (V<W>)((M<W>)sum & splat_mask<W>(std::numeric_limits<std::int64_t>::max())); // fabs
    const V<W> key = sum * magnitude / spread; // inf or NaN only where it is not used
    return ((spread > V<W>{}) & defined) ? key : V<W>{};
}

// The in-sample sums of U * W strategies from `i`: the in-sample groups added
// in ascending order, as the definition does (only the first addition, of
// 0.0, is left out: it changes nothing but the sign of a zero sum, which
// compares equal to the other zero, so no rank and no key changes).
template <int W, int U>
CSCV_INLINE void in_sample(const Chunk &c, const Split &p, std::size_t i, V<W> (&sum)[U], V<W> (&sumsq)[U])
{
    const double *s = c.sum + p.in[0] + i, *q = c.sumsq + p.in[0] + i;
    CSCV_EACH(U)
    {
        sum[u] = load<W>(s + u * W);
        sumsq[u] = load<W>(q + u * W);
    }
    for (std::size_t k = 1; k < p.half; ++k) {
        s = c.sum + p.in[k] + i;
        q = c.sumsq + p.in[k] + i;
        CSCV_EACH(U)
        {
            sum[u] += load<W>(s + u * W);
            sumsq[u] += load<W>(q + u * W);
        }
    }
}

template <int W, int U>
CSCV_INLINE void first_indices(const Chunk &c, M<W> (&index)[U])
{
    static constexpr std::int64_t lane_numbers[lanes] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    CSCV_EACH(U)
    {
        std::memcpy(&index[u], lane_numbers + u * W, sizeof index[u]);
        index[u] += static_cast<std::int64_t>(c.first);
    }
}

template <int W, int U>
CSCV_INLINE void best_in_sample(const Chunk &c, const Split &p, LaneBests &lanes_best)
{
    static_assert(W * U == lanes);
    const V<W> length = splat<W>(p.in_length);
    const M<W> defined = splat_mask<W>(p.in_length >= 2 ? -1 : 0),
               end = splat_mask<W>(static_cast<std::int64_t>(c.first + c.count)), step = splat_mask<W>(lanes);
    const V<W> none = splat<W>(-HUGE_VAL);
    V<W> best[U], sum[U], sumsq[U];
    M<W> at[U], index[U];
    first_indices<W, U>(c, index);
    CSCV_EACH(U)
    {
        best[u] = load<W>(lanes_best.key + u * W);
        std::memcpy(&at[u], lanes_best.at + u * W, sizeof at[u]);
    }
    for (std::size_t i = 0; i < c.count; i += lanes) {
        in_sample<W, U>(c, p, i, sum, sumsq);
        CSCV_EACH(U)
        {
            // (Not `(key > best) & valid`: GCC 12 turns that into scalars for 512-bit vectors.)
            const V<W> key = index[u] < end ? order_key<W>(sum[u], sumsq[u], length, defined) : none;
            const M<W> higher = key > best[u]; // strictly: a lane keeps its first
            best[u] = higher ? key : best[u];
            at[u] = higher ? index[u] : at[u];
            index[u] += step;
        }
    }
    CSCV_EACH(U)
    {
        std::memcpy(lanes_best.key + u * W, &best[u], sizeof best[u]);
        std::memcpy(lanes_best.at + u * W, &at[u], sizeof at[u]);
    }
}

template <int W, int U>
CSCV_INLINE void out_of_sample_ranks(const Chunk &c, const Split &p, double x, LaneRanks &ranks)
{
    static_assert(W * U == lanes);
    const V<W> length = splat<W>(p.out_length), level = splat<W>(x);
    const M<W> defined = splat_mask<W>(p.out_length >= 2 ? -1 : 0),
               end = splat_mask<W>(static_cast<std::int64_t>(c.first + c.count)), step = splat_mask<W>(lanes);
    V<W> sum[U], sumsq[U];
    M<W> below[U], equal[U], index[U];
    first_indices<W, U>(c, index);
    CSCV_EACH(U)
    {
        std::memcpy(&below[u], ranks.below + u * W, sizeof below[u]);
        std::memcpy(&equal[u], ranks.equal + u * W, sizeof equal[u]);
    }
    for (std::size_t i = 0; i < c.count; i += lanes) {
        in_sample<W, U>(c, p, i, sum, sumsq);
        CSCV_EACH(U)
        {
            const V<W> key = order_key<W>(load<W>(c.total + i + u * W) - sum[u],
                                          load<W>(c.total_sq + i + u * W) - sumsq[u], length, defined);
            const M<W> valid = index[u] < end;
            below[u] -= (key < level) & valid; // true is -1
            equal[u] -= (key == level) & valid;
            index[u] += step;
        }
    }
    CSCV_EACH(U)
    {
        std::memcpy(ranks.below + u * W, &below[u], sizeof below[u]);
        std::memcpy(ranks.equal + u * W, &equal[u], sizeof equal[u]);
    }
}

} // namespace
} // namespace impl

// One table per instruction set: thin wrappers the implementations are inlined into.
#define BTOPT_CSCV_KERNELS(build, target, width)                                                                     \
    namespace build {                                                                                                \
    target void best_in_sample(const Chunk &c, const Split *splits, std::size_t count, LaneBests *bests)             \
    {                                                                                                                \
        for (std::size_t j = 0; j < count; ++j)                                                                      \
            impl::best_in_sample<width, lanes / (width)>(c, splits[j], bests[j]);                                    \
    }                                                                                                                \
    target void out_of_sample_ranks(const Chunk &c, const Split *splits, std::size_t count, const double *level,     \
                                    LaneRanks *ranks)                                                                \
    {                                                                                                                \
        for (std::size_t j = 0; j < count; ++j)                                                                      \
            impl::out_of_sample_ranks<width, lanes / (width)>(c, splits[j], level[j], ranks[j]);                     \
    }                                                                                                                \
    constexpr Table table{#build, &best_in_sample, &out_of_sample_ranks};                                            \
    }

BTOPT_CSCV_KERNELS(baseline, , 2)
#if defined(__x86_64__)
BTOPT_CSCV_KERNELS(v3, __attribute__((target("arch=x86-64-v3"))), 4)
BTOPT_CSCV_KERNELS(v4, __attribute__((target("arch=x86-64-v4"))), 8)
#endif

namespace {

struct Supported {
    std::array<const Table *, 3> tables{};
    std::size_t count = 0;
};

Supported find_supported()
{
    Supported s;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4"))
        s.tables[s.count++] = &v4::table;
    if (__builtin_cpu_supports("x86-64-v3"))
        s.tables[s.count++] = &v3::table;
#endif
    s.tables[s.count++] = &baseline::table;
    return s;
}

const Supported &supported_tables()
{
    static const Supported s = find_supported();
    return s;
}

} // namespace

std::size_t supported_count() { return supported_tables().count; }

const Table &supported(std::size_t i) { return *supported_tables().tables.at(i); }

} // namespace btopt::internal::analysis::kernels
