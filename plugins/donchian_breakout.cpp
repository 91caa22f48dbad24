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
                      .params = {Int("window", 20, 100, 10), Int("exit_window", 5, 50, 5)},
                      .constraints = {"exit_window < window"},
                      .metrics = btopt::plugins::metric_names(),
                      .objective = "sharpe"};
    }

    explicit DonchianBreakout(const btopt::strategy::Config &config) : backtest_(config) {}

    void evaluate(const btopt::strategy::Point &p, std::uint64_t, std::span<double> metrics)
    {
        const auto window = static_cast<std::size_t>(p.integer(0));
        const auto exit_window = static_cast<std::size_t>(p.integer(1));
        thread_local std::vector<std::size_t> scratch;
        scratch.resize(btopt::kit::donchian_scratch_size(window, exit_window));
        const auto positions = backtest_.positions();
        btopt::plugins::check(
            btopt::kit::donchian_breakout(backtest_.closes(), window, exit_window, positions, scratch));
        backtest_.report(positions, metrics);
    }

private:
    btopt::plugins::Backtest backtest_;
};

} // namespace

BTOPT_STRATEGY(DonchianBreakout)
