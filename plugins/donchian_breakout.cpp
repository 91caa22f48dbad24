// Long/short channel breakout: enter on a close beyond the `window` channel,
// exit on a close beyond the `exit_window` channel the other way.
#include "backtest.hpp"

#include <btopt/kit/strategies.hpp>

namespace {

class DonchianBreakout {
public:
    static btopt::strategy::Schema schema()
    {
        using namespace btopt::strategy;
        return Schema{.name = "donchian_breakout",
                      .version = "1.0",
                      .description = "long/short on closes beyond the window channel, out on the exit channel",
                      .params = {Window("window", 20, 100, 10), Window("exit_window", 5, 50, 5)},
                      .constraints = {"exit_window < window"},
                      .metrics = btopt::plugins::metric_names(),
                      .objective = "sharpe"};
    }

    // Long, flat or short: metrics per segment where positions change rarely.
    static constexpr auto segment_sides = btopt::kit::SegmentIndex::Sides::LongShort;

    explicit DonchianBreakout(const btopt::kit::Prices &prices) : closes_(prices.closes()) {}

    btopt::kit::SignalResult positions(const btopt::strategy::Point &p, std::span<btopt::kit::Position> out) const
    {
        const auto window = static_cast<std::size_t>(p.integer(0));
        const auto exit_window = static_cast<std::size_t>(p.integer(1));
        thread_local std::vector<std::size_t> scratch; // grows once, then no allocation per evaluation
        scratch.resize(btopt::kit::donchian_scratch_size(window, exit_window));
        return btopt::kit::donchian_breakout(closes_, window, exit_window, out, scratch);
    }

private:
    std::span<const double> closes_;
};

} // namespace

BTOPT_STRATEGY(btopt::plugins::Sample<DonchianBreakout>)
