#include "btopt/kit/strategies.hpp"

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <utility>

#include <fmt/format.h>

#include "kernels.hpp"
#include "prefix_sum.hpp"

namespace btopt::kit {
namespace {

SignalResult check(std::size_t bars, std::span<const Position> positions,
                   std::initializer_list<std::pair<const char*, std::size_t>> windows) {
    if (positions.size() != bars)
        return tl::make_unexpected(fmt::format("positions hold {} values for {} closes", positions.size(), bars));
    for (const auto& [name, value] : windows)
        if (value < 1) return tl::make_unexpected(fmt::format("{} must be at least 1, got {}", name, value));
    return {};
}

// Sliding-window extreme over indices, as a ring buffer in caller storage.
// `Better(a, b)` says a value a makes an older value b useless (b can never be
// the extreme while a is in the window).
template <class Better>
class MonotonicQueue {
public:
    explicit MonotonicQueue(std::span<std::size_t> ring) : ring_(ring) {}

    void push(std::span<const double> c, std::size_t index) {
        while (size_ > 0 && Better{}(c[index], c[at(size_ - 1)])) --size_;
        ring_[(head_ + size_) % ring_.size()] = index;
        ++size_;
    }
    // Drops indices before `first` (they left the window).
    void evict_before(std::size_t first) {
        while (size_ > 0 && ring_[head_] < first) {
            head_ = (head_ + 1) % ring_.size();
            --size_;
        }
    }
    [[nodiscard]] double extreme(std::span<const double> c) const { return c[ring_[head_]]; }

private:
    [[nodiscard]] std::size_t at(std::size_t i) const { return ring_[(head_ + i) % ring_.size()]; }
    std::span<std::size_t> ring_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

using MaxQueue = MonotonicQueue<std::greater_equal<double>>;
using MinQueue = MonotonicQueue<std::less_equal<double>>;

double rsi_from(double avg_gain, double avg_loss) {
    return avg_loss == 0.0 ? 100.0 : 100.0 - 100.0 / (1.0 + avg_gain / avg_loss);
}

Position rsi_step(double rsi, double lower, double upper, Position held) {
    if (rsi < lower) return 1;
    if (rsi > upper) return 0;
    return held;
}

}  // namespace

SignalResult sma_crossover(std::span<const double> closes, std::size_t fast, std::size_t slow,
                           std::span<Position> positions) {
    if (auto ok = check(closes.size(), positions, {{"fast", fast}, {"slow", slow}}); !ok) return ok;
    const std::size_t first = std::max(fast, slow) - 1;
    const double f = static_cast<double>(fast), s = static_cast<double>(slow);
    // The prefix sums WindowSums would hold at t + 1, t + 1 - fast and t + 1 - slow.
    detail::PrefixSum now, behind_fast, behind_slow;
    for (std::size_t t = 0; t < closes.size(); ++t) {
        now.add(closes[t]);
        if (t >= fast) behind_fast.add(closes[t - fast]);
        if (t >= slow) behind_slow.add(closes[t - slow]);
        const bool long_signal = t >= first && detail::fast_above_slow(now.high(), now.low(), behind_fast.high(),
                                                                       behind_fast.low(), behind_slow.high(),
                                                                       behind_slow.low(), f, s);
        positions[t] = long_signal ? 1 : 0;
    }
    return {};
}

SignalResult sma_crossover(const WindowSums& sums, std::size_t fast, std::size_t slow,
                           std::span<Position> positions) {
    if (auto ok = check(sums.size(), positions, {{"fast", fast}, {"slow", slow}}); !ok) return ok;
    if (!positions.empty())
        detail::kernels().sma_signal(sums.high().data(), sums.low().data(), sums.size(), fast, slow,
                                     positions.data());
    return {};
}

SignalResult momentum(std::span<const double> closes, std::size_t lookback, double threshold_x100,
                      std::span<Position> positions) {
    if (auto ok = check(closes.size(), positions, {{"lookback", lookback}}); !ok) return ok;
    const double threshold = threshold_x100 / 100.0;
    for (std::size_t t = 0; t < closes.size(); ++t)
        positions[t] = t >= lookback && closes[t] / closes[t - lookback] - 1.0 > threshold ? 1 : 0;
    return {};
}

SignalResult rsi_reversion(std::span<const double> closes, std::size_t period, double lower, double upper,
                           std::span<Position> positions) {
    if (auto ok = check(closes.size(), positions, {{"period", period}}); !ok) return ok;
    const double p = static_cast<double>(period);
    double avg_gain = 0.0, avg_loss = 0.0;
    Position held = 0;
    for (std::size_t t = 0; t < closes.size(); ++t) {
        if (t >= 1) {
            const double change = closes[t] - closes[t - 1];
            const double gain = std::max(change, 0.0), loss = std::max(-change, 0.0);
            if (t <= period) {  // seed: simple mean of the first `period` changes
                avg_gain += gain;
                avg_loss += loss;
                if (t == period) {
                    avg_gain /= p;
                    avg_loss /= p;
                }
            } else {
                avg_gain = (avg_gain * (p - 1.0) + gain) / p;
                avg_loss = (avg_loss * (p - 1.0) + loss) / p;
            }
        }
        if (t >= period) held = rsi_step(rsi_from(avg_gain, avg_loss), lower, upper, held);
        positions[t] = held;
    }
    return {};
}

std::size_t donchian_scratch_size(std::size_t window, std::size_t exit_window) noexcept {
    return 2 * window + 2 * exit_window;
}

SignalResult donchian_breakout(std::span<const double> closes, std::size_t window, std::size_t exit_window,
                               std::span<Position> positions, std::span<std::size_t> scratch) {
    if (auto ok = check(closes.size(), positions, {{"window", window}, {"exit_window", exit_window}}); !ok) return ok;
    if (scratch.size() < donchian_scratch_size(window, exit_window))
        return tl::make_unexpected(fmt::format("scratch holds {} values, needs {}", scratch.size(),
                                               donchian_scratch_size(window, exit_window)));
    // A queue never holds more indices than its window has bars.
    MaxQueue hi_w(scratch.subspan(0, window));
    MinQueue lo_w(scratch.subspan(window, window));
    MaxQueue hi_e(scratch.subspan(2 * window, exit_window));
    MinQueue lo_e(scratch.subspan(2 * window + exit_window, exit_window));
    Position held = 0;
    for (std::size_t t = 0; t < closes.size(); ++t) {
        if (t >= 1) {  // the windows end at bar t-1
            hi_w.evict_before(t > window ? t - window : 0);
            lo_w.evict_before(t > window ? t - window : 0);
            hi_e.evict_before(t > exit_window ? t - exit_window : 0);
            lo_e.evict_before(t > exit_window ? t - exit_window : 0);
            hi_w.push(closes, t - 1);
            lo_w.push(closes, t - 1);
            hi_e.push(closes, t - 1);
            lo_e.push(closes, t - 1);
        }
        if (t >= window) {
            const double c = closes[t];
            if (c > hi_w.extreme(closes)) held = 1;
            else if (c < lo_w.extreme(closes)) held = -1;
            else if (held == 1 && c < lo_e.extreme(closes)) held = 0;
            else if (held == -1 && c > hi_e.extreme(closes)) held = 0;
        }
        positions[t] = held;
    }
    return {};
}

}  // namespace btopt::kit
