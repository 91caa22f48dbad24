// The sample strategy plugins, run through btopt's process (and thread) backend, against
// the naive reference implementations: every metric of every grid point.
#include "reference.hpp"
#include "support.hpp"

#include <btopt/btopt.hpp>
#include <btopt/kit/cache.hpp>
#include <btopt/kit/synthetic.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>

namespace {

using kit_test::ref::Position;
using Reference = std::function<std::vector<Position>(std::span<const double>, const btopt::ParamMap &)>;

std::int64_t get(const btopt::ParamMap &p, const char *name) { return std::get<std::int64_t>(p.at(name)); }

std::size_t sz(const btopt::ParamMap &p, const char *name) { return static_cast<std::size_t>(get(p, name)); }

// The blocks the selection-bias statistics read (docs/VALIDATION.md) put
// together give the same Sharpe ratio as the reference's returns.
void check_block_returns(const btopt::TrialRecord &t, double sharpe)
{
    double sum = 0.0, sumsq = 0.0;
    for (int k = 1; k <= 16; ++k) {
        sum += t.metrics.at("btopt.block_sum." + std::to_string(k));
        sumsq += t.metrics.at("btopt.block_sumsq." + std::to_string(k));
    }
    const double n = t.metrics.at("btopt.returns"), mean = sum / n, variance = (sumsq - sum * mean) / (n - 1);
    CHECK(kit_test::close_rel(variance > 0 ? mean / std::sqrt(variance) * std::sqrt(252.0) : 0.0, sharpe, 1e-9));
    CHECK(std::isfinite(t.metrics.at("skewness")));
    CHECK(t.metrics.at("kurtosis") >= 0.0);
}

void check_against_reference(const btopt::OptimizationResult &result, std::span<const double> closes,
                             const Reference &reference, double commission = 0.0)
{
    for (const btopt::TrialRecord &t : result.trials) {
        REQUIRE(t.status == BTOPT_TRIAL_OK);
        const auto positions = reference(closes, t.params);
        const auto m = kit_test::ref::metrics(closes, positions, commission, 252.0);
        const std::pair<const char *, double> expected[] = {
            {"sharpe", m.sharpe}, {"sortino", m.sortino}, {"total_return", m.total_return},
            {"cagr", m.cagr},     {"max_drawdown", m.max_drawdown}, {"trades", static_cast<double>(m.trades)},
            {"exposure", m.exposure}};
        for (const auto &[name, value] : expected) {
            CAPTURE(name);
            CAPTURE(t.number);
            CHECK(kit_test::close_rel(t.metrics.at(name), value));
        }
        CHECK(t.score == t.metrics.at("sharpe"));
        check_block_returns(t, m.sharpe);
    }
}

btopt::OptimizationResult run_plugin(const std::string &name, std::vector<std::pair<std::string, std::string>> config,
                                     const std::string &backend = "process")
{
    return btopt::ParallelOptimizer(btopt::Plugin{name, std::move(config)}, nullptr, "grid",
                                    {.n_jobs = 2, .backend = backend})
        .optimize();
}

} // namespace

TEST_CASE("plugins: sma_crossover on GOOG matches the reference on every grid point")
{
    const auto dir = kit_test::shared_data_dir();
    if (!dir) {
        MESSAGE("skipped: ../shared/data is absent");
        return;
    }
    kit_test::TempDir cache;
    const auto path = (*dir / "GOOG.csv").string();
    const auto result = run_plugin("sma_crossover", {{"data", path}, {"cache_dir", cache.path().string()}});
    REQUIRE(result.trials.size() == 62u);
    auto bars = btopt::kit::load_csv(path);
    REQUIRE(bars);
    check_against_reference(result, bars->closes(btopt::kit::PriceField::Close), [](auto c, const auto &p) {
        return kit_test::ref::sma_crossover(c, sz(p, "fast"), sz(p, "slow"));
    });
}

TEST_CASE("plugins: all four strategies run from their default spaces and match the reference")
{
    const auto bars = btopt::kit::synthetic_gbm(2520, 42);
    const auto closes = bars.closes(btopt::kit::PriceField::Close);
    struct Case {
        const char *name;
        std::size_t points;
        Reference reference;
    };
    const Case cases[] = {
        {"sma_crossover", 62,
         [](auto c, const auto &p) { return kit_test::ref::sma_crossover(c, sz(p, "fast"), sz(p, "slow")); }},
        {"momentum", 100,
         [](auto c, const auto &p) {
             return kit_test::ref::momentum(c, sz(p, "lookback"), static_cast<double>(get(p, "threshold_x100")));
         }},
        {"rsi_reversion", 6 * 7 * 7,
         [](auto c, const auto &p) {
             return kit_test::ref::rsi_reversion(c, sz(p, "period"), static_cast<double>(get(p, "lower")),
                                                 static_cast<double>(get(p, "upper")));
         }},
        {"donchian_breakout", 9 * 10 - 16, // exit_window < window drops 7 + 5 + 3 + 1 pairs
         [](auto c, const auto &p) {
             return kit_test::ref::donchian_breakout(c, sz(p, "window"), sz(p, "exit_window"));
         }},
    };
    for (const Case &c : cases) {
        const std::string name = c.name;
        CAPTURE(name);
        const auto result = run_plugin(c.name, {});
        CHECK(result.trials.size() == c.points);
        check_against_reference(result, closes, c.reference);
    }
}

TEST_CASE("plugins: sma_crossover with commission, on the thread backend (one state shared by the threads)")
{
    const auto bars = btopt::kit::synthetic_gbm(3000, 7);
    const auto closes = bars.closes(btopt::kit::PriceField::Close);
    const auto result =
        run_plugin("sma_crossover", {{"synthetic_bars", "3000"}, {"synthetic_seed", "7"}, {"commission", "0.001"}},
                   "thread");
    REQUIRE(result.trials.size() == 62u);
    check_against_reference(
        result, closes,
        [](auto c, const auto &p) { return kit_test::ref::sma_crossover(c, sz(p, "fast"), sz(p, "slow")); }, 0.001);
}

TEST_CASE("plugins: a missing data file is refused before any evaluation, naming the file")
{
    try {
        run_plugin("sma_crossover", {{"data", "/nonexistent/prices.csv"}});
        FAIL("the run should have been refused");
    } catch (const btopt::Error &e) {
        CHECK(e.status() == BTOPT_ERR_PLUGIN);
        CHECK(std::string(e.what()).find("/nonexistent/prices.csv") != std::string::npos);
    }
}

TEST_CASE("plugins: the equity curve of the best point ends at its total return")
{
    btopt_optimizer *opt = nullptr;
    REQUIRE(btopt_optimizer_create(&opt, nullptr, "grid") == BTOPT_OK);
    REQUIRE(btopt_optimizer_use_plugin(opt, "sma_crossover") == BTOPT_OK);
    REQUIRE(btopt_optimizer_set_string(opt, "backend", "process") == BTOPT_OK);
    btopt_result *result = nullptr;
    REQUIRE(btopt_optimizer_run(opt, &result) == BTOPT_OK);
    uint64_t best = 0;
    REQUIRE(btopt_result_best_index(result, &best) == BTOPT_OK);
    btopt_series *series = nullptr;
    REQUIRE(btopt_optimizer_equity_curve(&series, opt, btopt_result_best_params(result)) == BTOPT_OK);
    const auto bars = btopt::kit::synthetic_gbm(2520, 42);
    const auto closes = bars.closes(btopt::kit::PriceField::Close);
    REQUIRE(btopt_series_length(series) == closes.size());
    double total_return = 0.0;
    REQUIRE(btopt_result_trial_metric(result, best, 2, &total_return) == BTOPT_OK); // metric 2: total_return
    CHECK(std::string(btopt_result_metric_name(result, 2)) == "total_return");
    CHECK(kit_test::close_rel(btopt_series_equity(series)[closes.size() - 1], 1.0 + total_return));
    CHECK(kit_test::close_rel(btopt_series_buy_and_hold(series)[closes.size() - 1], closes.back() / closes.front()));
    // The bars' dates come with it (days since 1970-01-01), one per value, rising.
    const int64_t *dates = btopt_series_dates(series);
    REQUIRE(dates != nullptr);
    for (std::size_t i = 1; i < closes.size(); ++i)
        REQUIRE(dates[i] > dates[i - 1]);
    CHECK(btopt_series_dates(nullptr) == nullptr);
    btopt_series_destroy(series);
    btopt_result_destroy(result);
    btopt_optimizer_destroy(opt);
}
