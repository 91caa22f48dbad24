// The kit's hot loops, built once per instruction set (kernels.cpp) and called
// through the table of the active one (btopt/kit/isa.hpp). Private to btopt_kit.
#pragma once

#include <cstddef>
#include <cstdint>

namespace btopt::kit::detail {

// compute_metrics works through the returns a chunk at a time, so that its
// scratch memory is a few KiB on the stack whatever N is. The equity of a chunk
// is followed in kSegments segments of kSegmentBars consecutive returns, one
// per vector lane (see metrics.cpp).
inline constexpr std::size_t kChunkBars = 512;
inline constexpr std::size_t kSegments = 16;
inline constexpr std::size_t kSegmentBars = kChunkBars / kSegments;

// One chunk of `count` returns r[t0 .. t0+count-1] (1 <= count <= kChunkBars).
// kChunkBars changes and kChunkBars + 1 positions are read: past `count` the
// changes are 0 and the positions repeat their last value, so those returns are 0.
struct ChunkIn {
    const double* changes;         // changes[i] = c[t0+i] / c[t0+i-1] - 1
    const std::int8_t* positions;  // positions[i] = p[t0+i-2] (p[-1] = 0)
    std::size_t count;
    double commission;
};

// What a chunk gives back: its returns (past `count`: their mean), their sum,
// downside sum and squared deviations about their own mean, and per segment,
// over its partial products P_i of (1 + r): the last and the lowest one, and
// the last and lowest d_i = P_i / max(1, P_0 .. P_i) (equity over peak, were
// the segment to start at its peak).
struct ChunkOut {
    double* returns = nullptr;  // caller storage for kChunkBars values, 64-byte aligned
    double sum = 0.0;
    double downside_sq = 0.0;
    double m2 = 0.0;
    double product[kSegments] = {};
    double lowest[kSegments] = {};
    double last_ratio[kSegments] = {};
    double lowest_ratio[kSegments] = {};
};

struct Kernels {
    void (*metrics_chunk)(const ChunkIn& in, ChunkOut& out);
    // out[i] = c[i+1] / c[i] - 1 for i < count.
    void (*changes)(const double* c, std::size_t count, double* out);
    // Bars with p != 0, and bars with p[t] != p[t-1] and p[t] != 0 (p[-1] = 0).
    void (*count_positions)(const std::int8_t* p, std::size_t n, std::int64_t* exposed, std::int64_t* trades);
    // sma_crossover on prefix sums (see WindowSums): out[t] for t < n.
    void (*sma_signal)(const double* high, const double* low, std::size_t n, std::size_t fast, std::size_t slow,
                       std::int8_t* out);
};

// The table of the active instruction set.
const Kernels& kernels() noexcept;

}  // namespace btopt::kit::detail
