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
                      .params = {Window("lookback", 10, 100, 10), Int("threshold_x100", 1, 10)},
                      .constraints = {},
                      .metrics = btopt::plugins::metric_names(),
                      .objective = "sharpe"};
    }

    // Long or flat: metrics per segment where positions change rarely.
    static constexpr auto segment_sides = btopt::kit::SegmentIndex::Sides::Long;

    explicit Momentum(const btopt::kit::Prices &prices) : closes_(prices.closes()) {}

    btopt::kit::SignalResult positions(const btopt::strategy::Point &p, std::span<btopt::kit::Position> out) const
    {
        return btopt::kit::momentum(closes_, static_cast<std::size_t>(p.integer(0)),
                                    static_cast<double>(p.integer(1)), out);
    }

private:
    std::span<const double> closes_;
};

} // namespace

BTOPT_STRATEGY(btopt::plugins::Sample<Momentum>)
