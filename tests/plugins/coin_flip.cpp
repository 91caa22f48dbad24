// Strategies without skill, for the selection-bias statistics (docs/VALIDATION.md):
// strategy k holds, for each period of `hold` bars, long or short as a coin
// seeded by k and the period says, on a driftless GBM series. With edge=1,
// strategy 0 instead knows each period's direction in advance: a real edge,
// the same in every part of the data. With fail_mod=N, strategies k with
// k % N == N - 1 fail. Reports the sample plugins' metrics.
#include "../../plugins/backtest.hpp"

#include <cstdint>
#include <vector>

namespace {

std::uint64_t splitmix64(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

class CoinFlip {
public:
    static btopt::strategy::Schema schema()
    {
        using namespace btopt::strategy;
        return Schema{.name = "coin_flip",
                      .version = "1.0",
                      .description = "seeded coin-flip positions per period on driftless GBM (a null experiment)",
                      .params = {Int("strategy", 0, 499)},
                      .metrics = btopt::plugins::metric_names(),
                      .objective = "sharpe",
                      .lower_is_better = {"max_drawdown"},
                      .config = std::vector{ConfigInteger("bars", 2520, 2, 10'000'000, "bars of the GBM series"),
                                            ConfigInteger("seed", 1, 0, 1e15, "seed of the series"),
                                            ConfigInteger("hold", 21, 1, 1e9, "bars each coin flip holds"),
                                            ConfigInteger("edge", 0, 0, 1, "1: strategy 0 knows each period's "
                                                                           "direction in advance"),
                                            ConfigInteger("fail_mod", 0, 0, 1e9, "N > 0: strategies k with "
                                                                                 "k % N == N - 1 fail")}};
    }

    explicit CoinFlip(const btopt::strategy::Config &config)
        : prices_(closes(config)), moments_(prices_), hold_(static_cast<std::size_t>(config.number("hold", 21))),
          edge_(config.number("edge", 0) != 0), fail_mod_(static_cast<std::uint64_t>(config.number("fail_mod", 0)))
    {
    }

    void evaluate(const btopt::strategy::Point &p, std::uint64_t, std::span<double> metrics) const
    {
        const auto c = prices_.closes();
        std::vector<btopt::kit::Position> positions(c.size());
        const auto k = static_cast<std::uint64_t>(p.integer(0));
        if (fail_mod_ > 0 && k % fail_mod_ == fail_mod_ - 1)
            throw std::runtime_error("strategy " + std::to_string(k) + " fails (fail_mod)");
        for (std::size_t start = 0; start < c.size(); start += hold_) {
            const std::size_t end = std::min(start + hold_, c.size() - 1);
            const bool up = edge_ && k == 0 ? c[end] > c[start] : (splitmix64(k * 1'000'003 + start) & 1) != 0;
            for (std::size_t t = start; t < std::min(start + hold_, c.size()); ++t)
                positions[t] = up ? 1 : -1;
        }
        btopt::plugins::write_metrics(btopt::kit::compute_metrics(prices_, positions),
                                      moments_.compute(positions, 0.0), metrics);
    }

private:
    static btopt::kit::Prices closes(const btopt::strategy::Config &config)
    {
        const btopt::kit::Bars bars = btopt::kit::synthetic_gbm(static_cast<std::size_t>(config.number("bars", 2520)),
                                                                static_cast<std::uint64_t>(config.number("seed", 1)),
                                                                100.0, 0.0, 0.2);
        return btopt::kit::Prices(bars.closes(btopt::kit::PriceField::Close));
    }

    btopt::kit::Prices prices_;
    btopt::kit::ReturnMoments moments_;
    std::size_t hold_;
    bool edge_;
    std::uint64_t fail_mod_;
};

} // namespace

BTOPT_STRATEGY(CoinFlip)
