// Long when SMA(fast) > SMA(slow) at the close, else flat.
#include "backtest.hpp"

#include <btopt/kit/strategies.hpp>

namespace {

class SmaCrossover {
public:
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

    explicit SmaCrossover(const btopt::strategy::Config &config) : backtest_(config) {}

    void evaluate(const btopt::strategy::Point &p, std::uint64_t, std::span<double> metrics)
    {
        const auto positions = backtest_.positions();
        btopt::plugins::check(btopt::kit::sma_crossover(backtest_.closes(), static_cast<std::size_t>(p.integer(0)),
                                                        static_cast<std::size_t>(p.integer(1)), positions));
        backtest_.report(positions, metrics);
    }

private:
    btopt::plugins::Backtest backtest_;
};

} // namespace

BTOPT_STRATEGY(SmaCrossover)
