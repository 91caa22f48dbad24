// What the sample strategies share: their config (data, commission, ...), the
// closes loaded and prepared once in init, and the metrics every one of them
// reports. A strategy only turns closes into positions; see docs/METRICS.md.
#pragma once

#include <btopt/kit/bars.hpp>
#include <btopt/kit/cache.hpp>
#include <btopt/kit/metrics.hpp>
#include <btopt/kit/prices.hpp>
#include <btopt/kit/return_stats.hpp>
#include <btopt/kit/segments.hpp>
#include <btopt/kit/synthetic.hpp>
#include <btopt/strategy.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace btopt::plugins {

// After the seven metrics of docs/METRICS.md, what the host's selection-bias
// statistics read (docs/VALIDATION.md): skewness and kurtosis of the returns,
// and, under names starting "btopt." that summaries do not show, the number of
// returns and each block's sum and sum of squares.
inline std::vector<std::string> metric_names()
{
    std::vector<std::string> names{"sharpe", "sortino", "total_return", "cagr", "max_drawdown", "trades", "exposure",
                                   "skewness", "kurtosis", "btopt.returns"};
    for (const char *what : {"btopt.block_sum.", "btopt.block_sumsq."})
        for (std::size_t k = 1; k <= btopt::kit::kReturnBlocks; ++k)
            names.push_back(what + std::to_string(k));
    return names;
}

// The values of metric_names(), in its order, into `out` (as many as fit).
inline void write_metrics(const btopt::kit::Metrics &m, const btopt::kit::ReturnStats &r, std::span<double> out)
{
    constexpr std::size_t blocks = btopt::kit::kReturnBlocks;
    std::array<double, 10 + 2 * blocks> values{m.sharpe,     m.sortino,  m.total_return, m.cagr, m.max_drawdown,
                                               static_cast<double>(m.trades), m.exposure, r.skewness, r.kurtosis,
                                               static_cast<double>(r.n)};
    std::copy(r.block_sum.begin(), r.block_sum.end(), values.begin() + 10);
    std::copy(r.block_sumsq.begin(), r.block_sumsq.end(), values.begin() + 10 + blocks);
    std::copy_n(values.begin(), std::min(out.size(), values.size()), out.begin());
}

// The config keys every sample strategy understands; the host refuses any
// other key and any value outside these ranges before init runs.
inline std::vector<btopt::strategy::ConfigKey> config_keys()
{
    using namespace btopt::strategy;
    return {ConfigText("data", "", "CSV file of daily bars (Date,Open,High,Low,Close[,Adj Close],Volume); "
                                   "without it, a synthetic series"),
            ConfigChoice("price", {"close", "adj_close"}, "which closes the strategy trades on"),
            ConfigNumber("commission", 0.0, 0.0, 1.0, "cost per unit of position change, as a fraction of the price"),
            ConfigNumber("periods_per_year", 252.0, 1.0, HUGE_VAL, "bars per year, to annualise sharpe, sortino, cagr"),
            ConfigChoice("cache", {"on", "off"}, "keep a binary cache of the CSV, keyed by its content"),
            ConfigText("cache_dir", "", "where the cache goes (default $XDG_CACHE_HOME/btopt or ~/.cache/btopt)"),
            ConfigInteger("synthetic_bars", 2520, 2, 10'000'000, "bars of the synthetic series (without data)"),
            ConfigInteger("synthetic_seed", 42, 0, 9007199254740992.0, "seed of the synthetic series (without data)")};
}

// Config keys: see config_keys().
class Backtest {
public:
    explicit Backtest(const btopt::strategy::Config &config) : Backtest(config, load(config)) {}

    Backtest(const btopt::strategy::Config &config, const btopt::kit::Bars &bars)
        : prices_(pick_closes(bars, config.get("price", "close"), source_of(config))), moments_(prices_),
          dates_(days_of(bars))
    {
        options_.commission = config.number("commission", 0.0);
        options_.periods_per_year = config.number("periods_per_year", 252.0);
        if (options_.commission < 0)
            throw std::invalid_argument("config 'commission' must be at least 0");
        if (options_.periods_per_year <= 0)
            throw std::invalid_argument("config 'periods_per_year' must be more than 0");
    }

    const btopt::kit::Prices &prices() const { return prices_; }
    // Each bar's date, as days since 1970-01-01 (UTC).
    const std::vector<std::int64_t> &dates() const { return dates_; }

    // Metrics per segment of constant position from now on, for strategies
    // whose positions change rarely (each evaluation still falls back to the
    // per-bar path when they do not). Called once, in init.
    void index_segments(btopt::kit::SegmentIndex::Sides sides) { segments_.emplace(prices_, sides); }

    // The positions buffer of this thread, sized to the data: no allocation
    // per evaluation (and safe when the thread backend shares one state).
    std::span<btopt::kit::Position> positions() const
    {
        thread_local std::vector<btopt::kit::Position> buffer;
        buffer.resize(prices_.size());
        return buffer;
    }

    // Equity of the positions and of buy-and-hold, both starting at 1.
    void equity(std::span<const btopt::kit::Position> positions, std::vector<double> &equity,
                std::vector<double> &hold) const
    {
        const auto closes = prices_.closes();
        equity.resize(closes.size());
        btopt::kit::equity_curve(closes, positions, options_.commission, equity);
        hold.resize(closes.size());
        for (std::size_t t = 0; t < closes.size(); ++t)
            hold[t] = closes[t] / closes[0];
    }

    void report(std::span<const btopt::kit::Position> positions, std::span<double> metrics) const
    {
        write_metrics(segments_ ? btopt::kit::compute_metrics(prices_, *segments_, positions, options_)
                                : btopt::kit::compute_metrics(prices_, positions, options_),
                      moments_.compute(positions, options_.commission), metrics);
    }

    // The metrics of trading bars first..end-1 only: positions decided
    // before `first` (the warm-up) are not held into the range.
    void report(std::span<const btopt::kit::Position> positions, std::size_t first, std::size_t end,
                std::span<double> metrics) const
    {
        const std::size_t n = end - first;
        write_metrics(btopt::kit::compute_metrics(prices_.closes().subspan(first, n), positions.subspan(first, n),
                                                  options_),
                      moments_.compute(positions, options_.commission, first, end), metrics);
    }

private:
    static std::string source_of(const btopt::strategy::Config &config)
    {
        return config.has("data") ? config.get("data") + ": " : "the synthetic series: ";
    }

    // Only the chosen closes and the dates are kept: the bars, with their
    // other columns, are freed or unmapped once init is done.
    static std::vector<std::int64_t> days_of(const btopt::kit::Bars &bars)
    {
        constexpr std::int64_t seconds_per_day = 86400;
        std::vector<std::int64_t> days;
        days.reserve(bars.size());
        for (const std::int64_t t : bars.timestamps())
            days.push_back(t >= 0 ? t / seconds_per_day : -((-t + seconds_per_day - 1) / seconds_per_day));
        return days;
    }

    static btopt::kit::Bars load(const btopt::strategy::Config &config)
    {
        if (!config.has("data"))
            return btopt::kit::synthetic_gbm(static_cast<std::size_t>(config.number("synthetic_bars", 2520)),
                                             static_cast<std::uint64_t>(config.number("synthetic_seed", 42)));
        btopt::kit::LoadOptions options;
        options.use_cache = config.get("cache", "on") != "off";
        options.cache_dir = config.get("cache_dir");
        auto bars = btopt::kit::load_bars(config.get("data"), options);
        if (!bars)
            throw std::runtime_error(bars.error());
        return std::move(*bars);
    }

    // `source` names the data in messages ("GOOG.csv: ").
    static std::span<const double> pick_closes(const btopt::kit::Bars &bars, const std::string &price,
                                               const std::string &source)
    {
        if (price != "close" && price != "adj_close")
            throw std::invalid_argument("config 'price' = '" + price + "': use 'close' or 'adj_close'");
        const auto closes =
            bars.closes(price == "close" ? btopt::kit::PriceField::Close : btopt::kit::PriceField::AdjClose);
        if (closes.empty())
            throw std::invalid_argument(source + "the data has no Adj Close column: use price=close");
        if (closes.size() < 2)
            throw std::invalid_argument(source + "the data has fewer than 2 bars");
        return closes;
    }

    btopt::kit::Prices prices_;
    btopt::kit::ReturnMoments moments_;
    std::vector<std::int64_t> dates_;
    std::optional<btopt::kit::SegmentIndex> segments_;
    btopt::kit::MetricsOptions options_;
};

// A sample strategy: a Rule with a schema(), built once from the prepared
// prices (where it keeps what its signal needs), and a positions() function
// that turns a point into positions; the backtest does the rest.
template <class Rule>
class Sample {
public:
    // The rule's schema with what every sample shares: the config keys and
    // the metric where lower is better.
    static btopt::strategy::Schema schema()
    {
        btopt::strategy::Schema schema = Rule::schema();
        schema.config = config_keys();
        schema.lower_is_better = {"max_drawdown"};
        return schema;
    }

    // A Rule with `static constexpr SegmentIndex::Sides segment_sides` gets its
    // metrics per segment (see btopt/kit/segments.hpp).
    explicit Sample(const btopt::strategy::Config &config) : backtest_(config), rule_(backtest_.prices())
    {
        refuse_windows_longer_than_the_data(config);
        if constexpr (requires { Rule::segment_sides; })
            backtest_.index_segments(Rule::segment_sides);
    }

    void evaluate(const btopt::strategy::Point &p, std::uint64_t, std::span<double> metrics) const
    {
        const auto positions = backtest_.positions();
        run(p, positions);
        backtest_.report(positions, metrics);
    }

    // Bar ranges (include/btopt/strategy.hpp): the signal runs over every bar
    // up to `end`, so the bars before `first` warm its indicators up.
    std::size_t bar_count() const { return backtest_.prices().size(); }
    std::vector<std::int64_t> bar_dates() const { return backtest_.dates(); }
    void evaluate_range(const btopt::strategy::Point &p, std::uint64_t, std::size_t first, std::size_t end,
                        std::span<double> metrics) const
    {
        const auto positions = backtest_.positions();
        run(p, positions);
        backtest_.report(positions, first, end, metrics);
    }

    void equity_curve(const btopt::strategy::Point &p, std::uint64_t, std::vector<double> &equity,
                      std::vector<double> &hold) const
    {
        const auto positions = backtest_.positions();
        run(p, positions);
        backtest_.equity(positions, equity, hold);
    }

private:
    void run(const btopt::strategy::Point &p, std::span<btopt::kit::Position> positions) const
    {
        // A signal function refuses bad windows in words: that fails the trial.
        if (const auto signal = rule_.positions(p, positions); !signal)
            throw std::invalid_argument(signal.error());
    }

    // A window as long as the data leaves no bar to trade: every metric would
    // be 0 and the trials would look fine. The host passes the searched range
    // of each parameter (btopt.max.NAME), so this refuses the whole run in
    // init, before any evaluation.
    void refuse_windows_longer_than_the_data(const btopt::strategy::Config &config) const
    {
        const auto bars = static_cast<double>(backtest_.prices().size());
        for (const btopt::strategy::Param &p : Rule::schema().params) {
            const double longest = config.number("btopt.max." + p.name, 0.0);
            if (p.window && longest >= bars)
                throw std::invalid_argument(window_message(p.name, longest, bars));
        }
    }

    static std::string window_message(const std::string &name, double longest, double bars)
    {
        const auto whole = [](double x) { return std::to_string(static_cast<long long>(x)); };
        return name + " reaches " + whole(longest) + " in the searched range, but the data has only " + whole(bars) +
               " bars: search shorter windows (--param " + name + "=LO:HI below " + whole(bars) + ") or give more data";
    }

    Backtest backtest_;
    Rule rule_; // after backtest_: it may keep views of its prices
};

} // namespace btopt::plugins
