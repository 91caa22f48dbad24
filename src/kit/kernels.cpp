// The kit's hot loops (kernels.hpp), built three times: for baseline x86-64,
// x86-64-v3 and x86-64-v4. The metrics kernel is written on eight logical
// lanes (simd.hpp) held in 128-, 256- or 512-bit vectors; the other loops are
// plain loops GCC vectorises (none of them sums doubles, so their order of
// operations is fixed). With -ffp-contract=off every build gives the same bits.
// The builds are picked at run time through a table rather than with
// target_clones: an ifunc resolver runs before ThreadSanitizer is set up and
// crashes the sanitizer builds, and a table lets the tests run every build.
#include "kernels.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string_view>

#include "btopt/kit/isa.hpp"
#include "prefix_sum.hpp"

#pragma GCC diagnostic ignored "-Wpsabi"  // see simd.hpp
#include "simd.hpp"

namespace btopt::kit::detail {
namespace impl {
namespace {

using simd::Pack;

// held[i] = positions[i] for i <= kChunkBars, as doubles.
KIT_INLINE void widen(const std::int8_t* __restrict positions, double* __restrict held) {
    for (std::size_t i = 0; i < kChunkBars; ++i) held[i] = positions[i];
    held[kChunkBars] = positions[kChunkBars];
}

// r[t] = p[t-1] * change[t] - commission * |p[t-1] - p[t-2]| for 8 returns from i.
template <int W, bool Costs>
KIT_INLINE Pack<W> returns_at(const double* changes, const double* held, std::size_t i, const Pack<W>& commission) {
    const Pack<W> now = simd::load<W>(held + i + 1);
    Pack<W> r = now * simd::load<W>(changes + i);
    if constexpr (Costs) r = r - commission * simd::absolute(now - simd::load<W>(held + i));
    return r;
}

// The chunk's returns into out.returns, with their sum and downside sum.
template <int W, bool Costs>
KIT_INLINE void returns_pass(const ChunkIn& in, const double* held, ChunkOut& out) {
    const Pack<W> commission = simd::splat<W>(in.commission), zero = simd::splat<W>(0.0);
    const double* changes = in.changes;
    double* returns = out.returns;  // in locals: stores through it cannot change them
    Pack<W> sum[4] = {zero, zero, zero, zero}, down[4] = {zero, zero, zero, zero};
    for (std::size_t i = 0; i < kChunkBars; i += 32) {
        KIT_UNROLL for (std::size_t u = 0; u < 4; ++u) {  // four accumulators: no chain of dependent adds
            const Pack<W> r = returns_at<W, Costs>(changes, held, i + 8 * u, commission);
            simd::store(returns + i + 8 * u, r);
            const Pack<W> loss = simd::lower(r, zero);
            sum[u] += r;
            down[u] += loss * loss;
        }
    }
    out.sum = simd::total(sum);
    out.downside_sq = simd::total(down);
}

// Per segment (one lane each; 16 segments in two packs), over its bars i:
// the partial products P_i of (1 + r), their lowest value, and d_i = P_i /
// max(1, P_0 .. P_i) kept as d = min(d * (1 + r), 1) from d = 1 (equity over
// peak when the segment starts at its peak; metrics.cpp chains the segments),
// with its lowest and last value. The returns are stored by bar, so each 8 x 8
// block is transposed to put a segment's bars in one lane.
template <int W>
struct Lanes {
    Pack<W> product, lowest, ratio, lowest_ratio;
};

template <int W>
KIT_INLINE void step(Lanes<W>& l, const Pack<W>& growth, const Pack<W>& one) {
    l.product *= growth;
    l.lowest = simd::lower(l.lowest, l.product);
    l.ratio = simd::lower(l.ratio * growth, one);
    l.lowest_ratio = simd::lower(l.lowest_ratio, l.ratio);
}

template <int W>
KIT_INLINE void equity_pass(ChunkOut& out) {
    static_assert(kSegments == 16 && kSegmentBars % 8 == 0, "two packs of segments, whole 8 x 8 blocks");
    const Pack<W> one = simd::splat<W>(1.0), inf = simd::splat<W>(std::numeric_limits<double>::infinity());
    Lanes<W> lanes[2] = {{one, inf, one, one}, {one, inf, one, one}};
    const double* returns = out.returns;
    for (std::size_t block = 0; block < kSegmentBars; block += 8) {
        Pack<W> steps[2][8];
        KIT_UNROLL for (std::size_t g = 0; g < 2; ++g) {
            KIT_UNROLL for (std::size_t lane = 0; lane < 8; ++lane)
                steps[g][lane] = simd::load<W>(returns + (8 * g + lane) * kSegmentBars + block);
            simd::transpose(steps[g]);
        }
        KIT_UNROLL for (std::size_t i = 0; i < 8; ++i)
            KIT_UNROLL for (std::size_t g = 0; g < 2; ++g) step(lanes[g], one + steps[g][i], one);
    }
    KIT_UNROLL for (std::size_t g = 0; g < 2; ++g) {
        simd::store(out.product + 8 * g, lanes[g].product);
        simd::store(out.lowest + 8 * g, lanes[g].lowest);
        simd::store(out.last_ratio + 8 * g, lanes[g].ratio);
        simd::store(out.lowest_ratio + 8 * g, lanes[g].lowest_ratio);
    }
}

// Sum of (r - mean)^2 over the chunk.
template <int W>
KIT_INLINE double squared_deviations(const double* r, double mean) {
    const Pack<W> m = simd::splat<W>(mean), zero = simd::splat<W>(0.0);
    Pack<W> acc[4] = {zero, zero, zero, zero};
    for (std::size_t i = 0; i < kChunkBars; i += 32) {
        KIT_UNROLL for (std::size_t u = 0; u < 4; ++u) {
            const Pack<W> d = simd::load<W>(r + i + 8 * u) - m;
            acc[u] += d * d;
        }
    }
    return simd::total(acc);
}

template <int W>
KIT_INLINE void metrics_chunk(const ChunkIn& in, ChunkOut& out) {
    alignas(64) double held[kChunkBars + 8];
    widen(in.positions, held);
    if (in.commission != 0.0) returns_pass<W, true>(in, held, out);
    else returns_pass<W, false>(in, held, out);  // the same values: r - 0 * |..| == r
    equity_pass<W>(out);
    // Two-pass variance about the chunk's mean; padding set to the mean adds nothing.
    const double mean = out.sum / static_cast<double>(in.count);
    std::fill(out.returns + in.count, out.returns + kChunkBars, mean);
    out.m2 = squared_deviations<W>(out.returns, mean);
}

KIT_INLINE void changes(const double* __restrict c, std::size_t count, double* __restrict out) {
    for (std::size_t i = 0; i < count; ++i) out[i] = c[i + 1] / c[i] - 1.0;
}

// Hits counted down in byte lanes (so -127 at most), as a positive number.
template <class Block>
KIT_INLINE std::int64_t add_up(const Block& counts) {
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < sizeof(Block); ++i) sum -= counts[i];
    return sum;
}

template <int W>
KIT_INLINE void count_positions(const std::int8_t* p, std::size_t n, std::int64_t* exposed, std::int64_t* trades) {
    using Block = typename simd::NativeBytes<W>::type;
    constexpr std::size_t Bytes = sizeof(Block);
    *exposed = *trades = n > 0 && p[0] != 0;
    std::size_t t = 1;
    while (t + Bytes <= n) {
        Block held{}, entered{};
        for (int block = 0; block < 127 && t + Bytes <= n; ++block, t += Bytes) {
            Block now, before;
            std::memcpy(&now, p + t, sizeof now);
            std::memcpy(&before, p + t - 1, sizeof before);
            const Block is_held = now != Block{};
            held += is_held;
            entered += is_held & (now != before);
        }
        *exposed += add_up(held);
        *trades += add_up(entered);
    }
    for (; t < n; ++t) {
        *exposed += p[t] != 0;
        *trades += p[t] != 0 && p[t] != p[t - 1];
    }
}

KIT_INLINE void sma_signal(const double* __restrict high, const double* __restrict low, std::size_t n,
                           std::size_t fast, std::size_t slow, std::int8_t* __restrict out) {
    const std::size_t first = std::min(n, std::max(fast, slow) - 1);
    std::fill(out, out + first, std::int8_t{0});
    const double f = static_cast<double>(fast), s = static_cast<double>(slow);
    for (std::size_t t = first; t < n; ++t) {  // the sums through bar t end at index t + 1
        const std::size_t a = t + 1;
        out[t] = fast_above_slow(high[a], low[a], high[a - fast], low[a - fast], high[a - slow], low[a - slow], f, s);
    }
}

}  // namespace
}  // namespace impl

// One table per instruction set: thin wrappers the implementations are inlined into.
#define BTOPT_KIT_KERNELS(name, target, width)                                                                    \
    namespace name {                                                                                              \
    target void metrics_chunk(const ChunkIn& in, ChunkOut& out) { impl::metrics_chunk<width>(in, out); }          \
    target void changes(const double* c, std::size_t count, double* out) { impl::changes(c, count, out); }       \
    target void count_positions(const std::int8_t* p, std::size_t n, std::int64_t* exposed, std::int64_t* trades) \
    {                                                                                                             \
        impl::count_positions<width>(p, n, exposed, trades);                                                      \
    }                                                                                                             \
    target void sma_signal(const double* high, const double* low, std::size_t n, std::size_t fast,                \
                           std::size_t slow, std::int8_t* out)                                                    \
    {                                                                                                             \
        impl::sma_signal(high, low, n, fast, slow, out);                                                          \
    }                                                                                                             \
    constexpr Kernels table{&metrics_chunk, &changes, &count_positions, &sma_signal};                             \
    }

BTOPT_KIT_KERNELS(baseline, , 2)
#if defined(__x86_64__)
BTOPT_KIT_KERNELS(v3, __attribute__((target("arch=x86-64-v3"))), 4)
BTOPT_KIT_KERNELS(v4, __attribute__((target("arch=x86-64-v4"))), 8)
#endif

namespace {

const Kernels& table_of(Isa isa) noexcept {
#if defined(__x86_64__)
    if (isa == Isa::X86_64_V4) return v4::table;
    if (isa == Isa::X86_64_V3) return v3::table;
#endif
    (void)isa;
    return baseline::table;
}

// The best variant the CPU runs, unless BTOPT_KIT_ISA names another it runs
// (for measuring a plugin, whose copy of the kit use_isa cannot reach).
Isa initial_isa() noexcept {
    constexpr Isa best_first[] = {Isa::X86_64_V4, Isa::X86_64_V3, Isa::Baseline};
    if (const char* wanted = std::getenv("BTOPT_KIT_ISA"); wanted != nullptr)
        for (const Isa isa : best_first)
            if (std::string_view(wanted) == isa_name(isa) && isa_supported(isa)) return isa;
    for (const Isa isa : best_first)
        if (isa_supported(isa)) return isa;
    return Isa::Baseline;
}

std::atomic<Isa>& active() noexcept {
    static std::atomic<Isa> isa{initial_isa()};
    return isa;
}

}  // namespace

const Kernels& kernels() noexcept { return table_of(active().load(std::memory_order_relaxed)); }

}  // namespace btopt::kit::detail

namespace btopt::kit {

const char* isa_name(Isa isa) noexcept {
    switch (isa) {
        case Isa::X86_64_V3: return "x86-64-v3";
        case Isa::X86_64_V4: return "x86-64-v4";
        case Isa::Baseline: break;
    }
    return "baseline";
}

bool isa_supported(Isa isa) noexcept {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (isa == Isa::X86_64_V4) return __builtin_cpu_supports("x86-64-v4");
    if (isa == Isa::X86_64_V3) return __builtin_cpu_supports("x86-64-v3");
#endif
    return isa == Isa::Baseline;
}

Isa active_isa() noexcept { return detail::active().load(std::memory_order_relaxed); }

bool use_isa(Isa isa) noexcept {
    if (!isa_supported(isa)) return false;
    detail::active().store(isa, std::memory_order_relaxed);
    return true;
}

}  // namespace btopt::kit
