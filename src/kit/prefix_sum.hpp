// The double-double running sum behind WindowSums, and the moving-average
// comparison on it, shared by every implementation of sma_crossover so that
// they all give the same positions. Private to btopt_kit.
#pragma once

namespace btopt::kit::detail {

// The sum of the values added is high + low, a double-double: high is the
// rounded sum and low gathers the exact rounding errors (Knuth's TwoSum), and
// every 64 values the pair is renormalised so that |low| stays within a few
// ulps of high. The difference of two prefix sums is then exact to well below
// one rounding of it, and the chain from one value to the next is one addition.
class PrefixSum {
public:
    void add(double x) {
        const Pair next = two_sum(high_, x);
        high_ = next.sum;
        low_ += next.error;
        if (++count_ % 64 == 0) {
            const Pair renormalised = two_sum(high_, low_);
            high_ = renormalised.sum;
            low_ = renormalised.error;
        }
    }
    [[nodiscard]] double high() const { return high_; }
    [[nodiscard]] double low() const { return low_; }

private:
    struct Pair {
        double sum, error;
    };
    // sum + error == a + b exactly, sum the rounded sum, whatever the magnitudes.
    static Pair two_sum(double a, double b) {
        const double sum = a + b;
        const double back = sum - a;
        return {sum, (a - (sum - back)) + (b - back)};
    }

    double high_ = 0.0;
    double low_ = 0.0;
    unsigned count_ = 0;
};

// SMA(fast) > SMA(slow) at bar t, from the prefix sums through t (h, l) and
// `fast` and `slow` bars earlier: sum_fast / fast > sum_slow / slow, compared as
// sum_fast * slow > sum_slow * fast so that nothing is divided. The vector
// kernels evaluate the same expression lane by lane.
[[gnu::always_inline]] inline bool fast_above_slow(double h, double l, double h_fast, double l_fast, double h_slow,
                                                   double l_slow, double fast, double slow) {
    const double sum_fast = (h - h_fast) + (l - l_fast);
    const double sum_slow = (h - h_slow) + (l - l_slow);
    return sum_fast * slow > sum_slow * fast;
}

}  // namespace btopt::kit::detail
