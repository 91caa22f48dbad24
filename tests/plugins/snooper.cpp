// A strategy whose only skill is hindsight: its parameter picks one of 4096
// seeded random long/short paths over a driftless random walk, so the best
// path of a train window is the one that happened to know that window's
// future (selection looks ahead for it). Out of sample the chosen path knows
// nothing: walk-forward must show in-sample brilliance and no out-of-sample
// gain. Bar ranges through strategy.hpp; no dates (windows in bars).
//   config bars=N (default 2520), seed=S (default 7), init_log=F (appends its pid to F at init),
//   delay_us=D (each evaluation sleeps D microseconds: kill tests need runs that last)
#include <btopt/strategy.hpp>

#include <unistd.h>

#include <cmath>
#include <fstream>
#include <string>
#include <cstdint>
#include <vector>

namespace {

std::uint64_t splitmix(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

double uniform(std::uint64_t x) { return (static_cast<double>(splitmix(x) >> 11) + 0.5) * 0x1p-53; }

class Snooper {
public:
    static btopt::strategy::Schema schema()
    {
        using namespace btopt::strategy;
        return Schema{.name = "snooper",
                      .version = "1.0",
                      .description = "picks one of 4096 random long/short paths: skill by selection only",
                      .params = {Int("path", 0, 4095)},
                      .constraints = {},
                      .metrics = {"sharpe", "total_return", "cagr"},
                      .objective = "sharpe",
                      .config = std::vector{ConfigInteger("bars", 2520, 10, 1e7, "bars of the random walk"),
                                            ConfigInteger("seed", 7, 0, 1e15, "seed of the random walk"),
                                            ConfigText("init_log", "", "a file init appends its pid to"),
                                            ConfigInteger("delay_us", 0, 0, 1e7, "microseconds each evaluation sleeps")}};
    }

    explicit Snooper(const btopt::strategy::Config &config)
    {
        const auto n = static_cast<std::size_t>(config.number("bars", 2520));
        const auto seed = static_cast<std::uint64_t>(config.number("seed", 7));
        delay_us_ = static_cast<useconds_t>(config.number("delay_us", 0));
        if (const std::string log = config.get("init_log"); !log.empty())
            std::ofstream(log, std::ios::app) << getpid() << "\n";
        changes_.resize(n);
        for (std::size_t t = 1; t < n; ++t) { // Box-Muller: a driftless walk, 1% a bar
            const double u = uniform(seed * 0x100000000ULL + 2 * t), v = uniform(seed * 0x100000000ULL + 2 * t + 1);
            changes_[t] = std::expm1(0.01 * std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v));
        }
    }

    void evaluate(const btopt::strategy::Point &p, std::uint64_t seed, std::span<double> metrics) const
    {
        evaluate_range(p, seed, 0, changes_.size(), metrics);
    }

    std::size_t bar_count() const { return changes_.size(); }
    std::vector<std::int64_t> bar_dates() const { return {}; }

    // The position decided at bar t is held over bar t + 1: returns of bars first+1 .. end-1.
    void evaluate_range(const btopt::strategy::Point &p, std::uint64_t, std::size_t first, std::size_t end,
                        std::span<double> metrics) const
    {
        if (delay_us_ > 0)
            ::usleep(delay_us_);
        const auto path = static_cast<std::uint64_t>(p.integer(0));
        double sum = 0.0, squares = 0.0, growth = 0.0;
        const auto n = static_cast<double>(end - first - 1);
        for (std::size_t t = first + 1; t < end; ++t) {
            const double position = splitmix(path * 0x1000000ULL + (t - 1)) & 1 ? 1.0 : -1.0;
            const double r = position * changes_[t];
            sum += r;
            squares += r * r;
            growth += std::log1p(r);
        }
        const double mean = sum / n, var = (squares - n * mean * mean) / (n - 1);
        metrics[0] = var > 0 ? mean / std::sqrt(var) * std::sqrt(252.0) : 0.0;
        metrics[1] = std::expm1(growth);
        metrics[2] = std::expm1(growth * 252.0 / n);
    }

private:
    std::vector<double> changes_;
    useconds_t delay_us_ = 0;
};

} // namespace

BTOPT_STRATEGY(Snooper)
