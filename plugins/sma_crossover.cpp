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
                      .params = {Window("fast", 10, 50, 5), Window("slow", 50, 200, 25)},
                      .constraints = {"fast < slow"},
                      .metrics = btopt::plugins::metric_names(),
                      .objective = "sharpe"};
    }

    // Long or flat, changing at crossovers only: few segments, metrics per segment.
    static constexpr auto segment_sides = btopt::kit::SegmentIndex::Sides::Long;

    // The window sums of every bar, once: each evaluation then compares two sums per bar.
    explicit SmaCrossover(const btopt::kit::Prices &prices) : sums_(prices.closes()) {}

    btopt::kit::SignalResult positions(const btopt::strategy::Point &p, std::span<btopt::kit::Position> out) const
    {
        return btopt::kit::sma_crossover(sums_, static_cast<std::size_t>(p.integer(0)),
                                         static_cast<std::size_t>(p.integer(1)), out);
    }

private:
    btopt::kit::WindowSums sums_;
};

} // namespace

BTOPT_STRATEGY(btopt::plugins::Sample<SmaCrossover>)
