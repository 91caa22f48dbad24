// The Probability of Backtest Overfitting by combinatorially symmetric
// cross-validation (docs/VALIDATION.md), over per-strategy per-group sums of
// returns that a GroupSource hands out a chunk of strategies at a time, so
// that a million strategies are never copied whole.
#pragma once

#include "../core/selection.hpp"

#include "cscv_kernels.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace btopt::internal::analysis {

class GroupSource {
public:
    virtual ~GroupSource() = default;
    virtual std::size_t strategies() const = 0;
    // The groups' lengths in returns (the same for every strategy); S = their count.
    virtual const std::vector<double> &lengths() const = 0;
    // For strategies first .. first + count - 1: strategy first + i's sum of
    // returns over group g at sum[g * stride + i], of their squares at sumsq[g * stride + i].
    virtual void fill(std::size_t first, std::size_t count, std::size_t stride, double *sum, double *sumsq) const = 0;
};

// Per strategy per group, already grouped: strategy s of group g at g * strategies + s.
struct GroupReturns final : GroupSource {
    GroupReturns(std::size_t strategy_count, std::size_t group_count, std::vector<double> sums,
                 std::vector<double> sums_of_squares, std::vector<double> lengths_in_returns)
        : count(strategy_count), groups(group_count), sum(std::move(sums)), sumsq(std::move(sums_of_squares)),
          length(std::move(lengths_in_returns))
    {
    }
    std::size_t strategies() const override { return count; }
    const std::vector<double> &lengths() const override { return length; }
    void fill(std::size_t first, std::size_t n, std::size_t stride, double *to_sum, double *to_sumsq) const override;

    std::size_t count = 0, groups = 0;
    std::vector<double> sum, sumsq;
    std::vector<double> length;
};

// Blocks of returns read from rows of metrics (the trial table's), put
// together into `groups` groups of consecutive blocks: a group's sums are its
// blocks' added in order from 0. Block k of `returns` returns holds those from
// floor(k n / B) to floor((k + 1) n / B) - 1 (docs/VALIDATION.md).
class BlockRows final : public GroupSource {
public:
    BlockRows(std::span<const double *const> rows, std::vector<std::size_t> sum_columns,
              std::vector<std::size_t> sumsq_columns, std::uint64_t returns, std::size_t groups);
    std::size_t strategies() const override { return rows_.size(); }
    const std::vector<double> &lengths() const override { return lengths_; }
    void fill(std::size_t first, std::size_t count, std::size_t stride, double *sum, double *sumsq) const override;

private:
    std::span<const double *const> rows_;
    std::vector<std::size_t> sum_columns_, sumsq_columns_;
    std::size_t per_group_;
    std::vector<double> lengths_;
};

// CSCV over the groups (S, even); the performance of a strategy on a set of
// groups is the Sharpe ratio of their returns put together. At most
// `max_splits` splits, drawn with `seed` when C(S, S/2) is more; on `threads`
// threads (the run's workers), with the same result for any number and for
// any build of the kernels.
OverfitStats cscv(const GroupSource &data, std::uint64_t max_splits, std::uint64_t seed, unsigned threads,
                  const kernels::Table &kernels = kernels::supported(0));

} // namespace btopt::internal::analysis
