// Closes prepared once per data set, so that evaluating a parameter grid on
// them divides nothing and runs no rolling sums: a strategy plugin builds these
// in its init and every evaluation reads them (they are never written again,
// so any number of threads may share one).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace btopt::kit {

// A copy of the closes and their per-bar changes,
//   changes[t] = closes[t] / closes[t-1] - 1  for t >= 1,  changes[0] = 0,
// which is what compute_metrics(const Prices&, ...) needs. O(N) to build; 2 N
// doubles. Owning a copy lets the caller free the rest of the bars.
// (No default constructor, so that compute_metrics({}, {}) still means bare closes.)
class Prices {
public:
    explicit Prices(std::span<const double> closes);

    [[nodiscard]] std::size_t size() const noexcept { return closes_.size(); }
    [[nodiscard]] std::span<const double> closes() const noexcept { return closes_; }
    [[nodiscard]] std::span<const double> changes() const noexcept { return changes_; }

private:
    std::vector<double> closes_;
    std::vector<double> changes_;
};

// Prefix sums of the closes in double-double arithmetic (a rounded sum plus
// its rounding errors), so that the sum of any window is a few subtractions,
// wrong by about 2^-100 of the running total per bar of the window: far below
// one rounding of the window's sum, however long the series (unless its prices
// fall by some ten orders of magnitude). What sma_crossover(const WindowSums&,
// ...) needs. O(N) to build; 2 (N + 1) doubles.
class WindowSums {
public:
    explicit WindowSums(std::span<const double> closes);

    // The number of bars.
    [[nodiscard]] std::size_t size() const noexcept { return high_.empty() ? 0 : high_.size() - 1; }
    // The sum of closes[0..t-1] is high()[t] + low()[t], t = 0..size().
    [[nodiscard]] std::span<const double> high() const noexcept { return high_; }
    [[nodiscard]] std::span<const double> low() const noexcept { return low_; }

private:
    std::vector<double> high_;
    std::vector<double> low_;
};

}  // namespace btopt::kit
