// The Python original's "Complete Example", in C++: a moving-average
// crossover scored on a synthetic price series, searched sequentially and in
// parallel, with the promise checked that both give the same answer.
#include <btopt/btopt.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

namespace {

// A deterministic price path (a noisy sine trend), so the example needs no data.
std::vector<double> make_prices(std::size_t n)
{
    std::vector<double> prices(n);
    double price = 100.0;
    std::uint64_t state = 42;
    for (std::size_t t = 0; t < n; ++t) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        const double noise = static_cast<double>(state >> 11) * 0x1.0p-53 - 0.5;
        price *= 1.0 + 0.002 * std::sin(static_cast<double>(t) / 60.0) + 0.01 * noise;
        prices[t] = price;
    }
    return prices;
}

// Sharpe ratio (daily, annualised) of holding the asset while the short SMA is above the long one.
double crossover_sharpe(const std::vector<double> &c, std::int64_t fast, std::int64_t slow)
{
    double sum = 0, sum_sq = 0, fast_sum = 0, slow_sum = 0;
    std::size_t n = 0;
    int position = 0;
    for (std::size_t t = 1; t < c.size(); ++t) {
        const double r = position * (c[t] / c[t - 1] - 1.0);
        sum += r;
        sum_sq += r * r;
        ++n;
        fast_sum += c[t] - (t >= static_cast<std::size_t>(fast) ? c[t - static_cast<std::size_t>(fast)] : 0.0);
        slow_sum += c[t] - (t >= static_cast<std::size_t>(slow) ? c[t - static_cast<std::size_t>(slow)] : 0.0);
        position = t + 1 >= static_cast<std::size_t>(slow) &&
                   fast_sum / static_cast<double>(fast) > slow_sum / static_cast<double>(slow);
    }
    const double mean = sum / static_cast<double>(n);
    const double var = (sum_sq - static_cast<double>(n) * mean * mean) / static_cast<double>(n - 1);
    return var > 0 ? mean / std::sqrt(var) * std::sqrt(252.0) : 0.0;
}

double seconds_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

int main()
{
    const std::vector<double> prices = make_prices(20'000);
    const auto backtest = [&](const btopt::Params &p) {
        return crossover_sharpe(prices, p.get_int("ma_short"), p.get_int("ma_long"));
    };
    btopt::ParameterSpace space{btopt::DiscreteParameter("ma_short", 10, 50, 5),
                                btopt::DiscreteParameter("ma_long", 50, 200, 25)};
    std::printf("Total combinations: %llu\n", static_cast<unsigned long long>(space.cardinality()));

    auto start = std::chrono::steady_clock::now();
    const auto sequential = btopt::Optimizer(backtest, space, "grid").optimize();
    const double sequential_time = seconds_since(start);
    std::printf("Sequential: %.3f s, best Sharpe %.3f\n", sequential_time, sequential.best_score);

    start = std::chrono::steady_clock::now();
    const auto parallel = btopt::ParallelOptimizer(backtest, space, "grid", {.n_jobs = -1}).optimize();
    const double parallel_time = seconds_since(start);
    std::printf("Parallel:   %.3f s, best Sharpe %.3f, speedup %.2fx (sum of evaluation time / wall time %.2fx)\n",
                parallel_time, parallel.best_score, sequential_time / parallel_time, parallel.speedup);
    std::printf("Best params: ma_short=%lld ma_long=%lld\n",
                static_cast<long long>(std::get<std::int64_t>(parallel.best_params.at("ma_short"))),
                static_cast<long long>(std::get<std::int64_t>(parallel.best_params.at("ma_long"))));
    const bool same = sequential.best_params == parallel.best_params && sequential.best_score == parallel.best_score;
    std::printf("Sequential and parallel results identical: %s\n", same ? "yes" : "NO");
    return same ? 0 : 1;
}
