// Wilder's RSI: go long below `lower`, exit to flat above `upper`, hold otherwise.
#include "backtest.hpp"

#include <btopt/kit/strategies.hpp>

namespace {

class RsiReversion {
public:
    static btopt::strategy::Schema schema()
    {
        using namespace btopt::strategy;
        return Schema{.name = "rsi_reversion",
                      .version = "1.0",
                      .description = "long when Wilder's RSI falls below lower, flat when it rises above upper",
                      .params = {Window("period", 5, 30, 5), Int("lower", 10, 40, 5).domain(0, 100),
                                 Int("upper", 60, 90, 5).domain(0, 100)},
                      .constraints = {},
                      .metrics = btopt::plugins::metric_names(),
                      .objective = "sharpe"};
    }

    // Long or flat: metrics per segment where positions change rarely.
    static constexpr auto segment_sides = btopt::kit::SegmentIndex::Sides::Long;

    explicit RsiReversion(const btopt::kit::Prices &prices) : closes_(prices.closes()) {}

    btopt::kit::SignalResult positions(const btopt::strategy::Point &p, std::span<btopt::kit::Position> out) const
    {
        return btopt::kit::rsi_reversion(closes_, static_cast<std::size_t>(p.integer(0)),
                                         static_cast<double>(p.integer(1)), static_cast<double>(p.integer(2)), out);
    }

private:
    std::span<const double> closes_;
};

} // namespace

BTOPT_STRATEGY(btopt::plugins::Sample<RsiReversion>)
