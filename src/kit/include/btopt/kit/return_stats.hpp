// What the host's selection-bias statistics need from each evaluation
// (docs/VALIDATION.md): the skewness and kurtosis of the returns, and per block
// of the return series its sum and sum of squares, a few numbers whatever the
// length of the series. The returns are those of metrics.hpp:
//
//   r[t] = p[t-1] * (c[t] / c[t-1] - 1) - commission * |p[t-1] - p[t-2]|,  t = 1..N-1
//
// n = N - 1 returns, return t in position i = t - 1. Block k (0-based) of B
// holds positions floor(k n / B) .. floor((k+1) n / B) - 1 (empty when n < B).
//
//   skewness = m3 / m2^(3/2),  kurtosis = m4 / m2^2  (3 for a normal law),
//   m_j = sum((r - mean)^j) / n (the population moments); both 0 when m2 = 0.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "btopt/kit/metrics.hpp"
#include "btopt/kit/prices.hpp"

namespace btopt::kit {

// Blocks every evaluation reports: the host groups them into its own S
// blocks (S must divide this).
inline constexpr std::size_t kReturnBlocks = 16;

struct ReturnStats {
    std::size_t n = 0;  // returns
    double skewness = 0.0;
    double kurtosis = 0.0;
    std::array<double, kReturnBlocks> block_sum{};
    std::array<double, kReturnBlocks> block_sumsq{};
};

// Prefix sums of the powers 1..4 of the price changes, built once in init
// (4 (N + 1) doubles), so that an evaluation costs a byte comparison per bar
// and a few operations per run of constant position. Read-only afterwards:
// any number of threads may share one.
class ReturnMoments {
public:
    explicit ReturnMoments(const Prices& prices);

    // `positions` must have as many values as the prices (contract).
    [[nodiscard]] ReturnStats compute(std::span<const Position> positions, double commission) const;
    // The same for trading bars first..end-1 only, as if they were the whole
    // series (flat before `first`): what compute gives on those prices and
    // positions alone, from the prefix sums of the whole series.
    [[nodiscard]] ReturnStats compute(std::span<const Position> positions, double commission, std::size_t first,
                                      std::size_t end) const;

private:
    std::vector<double> changes_;
    // prefix_[t][j] = sum of changes[1..t-1]^(j+1): the four side by side, one cache line per run's end.
    std::vector<std::array<double, 4>> prefix_;
};

}  // namespace btopt::kit
