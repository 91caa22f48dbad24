// Long when the return over `lookback` bars is above threshold_x100 / 100, else flat.
#include "backtest.hpp"

#include <btopt/kit/strategies.hpp>

namespace {

class Momentum {
public:
    static btopt::strategy::Schema schema()
    {
        using namespace btopt::strategy;
        return Schema{.name = "momentum",
                      .version = "1.0",
                      .description = "long when the return over lookback bars beats threshold_x100 percent, else flat",
                      .params = {Int("lookback", 10, 100, 10), Int("threshold_x100", 1, 10)},
                      .constraints = {},
                      .metrics = btopt::plugins::metric_names(),
                      .objective = "sharpe"};
    }

    explicit Momentum(const btopt::strategy::Config &config) : backtest_(config) {}

    void evaluate(const btopt::strategy::Point &p, std::uint64_t, std::span<double> metrics)
    {
        const auto positions = backtest_.positions();
        btopt::plugins::check(btopt::kit::momentum(backtest_.closes(), static_cast<std::size_t>(p.integer(0)),
                                                   static_cast<double>(p.integer(1)), positions));
        backtest_.report(positions, metrics);
    }

private:
    btopt::plugins::Backtest backtest_;
};

} // namespace

BTOPT_STRATEGY(Momentum)
