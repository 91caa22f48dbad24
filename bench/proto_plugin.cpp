// bench_sma_proto: sma_crossover with the prototype evaluation of
// proto_eval.hpp, so the sweep benchmark can show end to end what the
// proposed kit change gives. Same parameters, metrics and config keys (data,
// synthetic_bars, synthetic_seed, commission, periods_per_year) as the sample
// plugin; price is always the close. Not a sample strategy: a measurement.
#include "proto_eval.hpp"

#include <btopt/kit/cache.hpp>
#include <btopt/kit/synthetic.hpp>
#include <btopt/strategy.hpp>

#include <stdexcept>

namespace {

class SmaProto {
public:
    static btopt::strategy::Schema schema()
    {
        using namespace btopt::strategy;
        return Schema{.name = "bench_sma_proto",
                      .version = "1.0",
                      .description = "sma_crossover on the prototype evaluation of bench/proto_eval.hpp",
                      .params = {Int("fast", 10, 50, 5), Int("slow", 50, 200, 25)},
                      .constraints = {"fast < slow"},
                      .metrics = {"sharpe", "sortino", "total_return", "cagr", "max_drawdown", "trades", "exposure"},
                      .objective = "sharpe"};
    }

    explicit SmaProto(const btopt::strategy::Config &config) : bars_(load(config))
    {
        options_.commission = config.number("commission", 0.0);
        options_.periods_per_year = config.number("periods_per_year", 252.0);
        prepared_ = bench::proto::prepare(bars_.close());
    }

    void evaluate(const btopt::strategy::Point &p, std::uint64_t, std::span<double> metrics) const
    {
        thread_local std::vector<btopt::kit::Position> positions;
        positions.resize(bars_.size());
        const auto fast = p.integer(std::size_t{0}), slow = p.integer(std::size_t{1});
        if (fast < 1 || slow < 1)
            throw std::invalid_argument("windows must be at least 1");
        bench::proto::signal(prepared_, static_cast<std::size_t>(fast), static_cast<std::size_t>(slow), positions);
        const auto m = bench::proto::metrics(prepared_, positions, options_);
        const double values[] = {m.sharpe,       m.sortino, m.total_return, m.cagr,
                                 m.max_drawdown, static_cast<double>(m.trades), m.exposure};
        for (std::size_t i = 0; i < metrics.size() && i < std::size(values); ++i)
            metrics[i] = values[i];
    }

private:
    static btopt::kit::Bars load(const btopt::strategy::Config &config)
    {
        if (!config.has("data"))
            return btopt::kit::synthetic_gbm(static_cast<std::size_t>(config.number("synthetic_bars", 2520)),
                                             static_cast<std::uint64_t>(config.number("synthetic_seed", 42)));
        auto bars = btopt::kit::load_bars(config.get("data"));
        if (!bars)
            throw std::runtime_error(bars.error());
        return std::move(*bars);
    }

    btopt::kit::Bars bars_;
    btopt::kit::MetricsOptions options_;
    bench::proto::Prepared prepared_;
};

} // namespace

BTOPT_STRATEGY(SmaProto)
