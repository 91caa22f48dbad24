// Long when SMA(fast) > SMA(slow) at the close, else flat.
#include "backtest.hpp"

#include <btopt/kit/strategies.hpp>

namespace {

struct SmaCrossover {
    static btopt::strategy::Schema schema()
    {
        using namespace btopt::strategy;
        return Schema{.name = "sma_crossover",
                      .version = "1.0",
                      .description = "long when the fast simple moving average is above the slow one, else flat",
                      .params = {Int("fast", 10, 50, 5), Int("slow", 50, 200, 25)},
                      .constraints = {"fast < slow"},
                      .metrics = btopt::plugins::metric_names(),
                      .objective = "sharpe"};
    }

    static btopt::kit::SignalResult positions(std::span<const double> c, const btopt::strategy::Point &p,
                                              std::span<btopt::kit::Position> out)
    {
        return btopt::kit::sma_crossover(c, static_cast<std::size_t>(p.integer(0)), static_cast<std::size_t>(p.integer(1)),
                                         out);
    }
};

} // namespace

BTOPT_STRATEGY(btopt::plugins::Sample<SmaCrossover>)
