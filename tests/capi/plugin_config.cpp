// Declared plugin config through the C ABI, as a binding sees it: the keys
// and metric directions a plugin describes, and the refusals of
// btopt_optimizer_set_plugin_config and btopt_optimizer_use_plugin that come
// before any evaluation.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <btopt/btopt.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <string>

namespace {

struct InfoDeleter {
    void operator()(btopt_plugin_info *info) const { btopt_plugin_info_destroy(info); }
};
struct OptimizerDeleter {
    void operator()(btopt_optimizer *opt) const { btopt_optimizer_destroy(opt); }
};
struct ResultDeleter {
    void operator()(btopt_result *result) const { btopt_result_destroy(result); }
};
using Info = std::unique_ptr<btopt_plugin_info, InfoDeleter>;
using Optimizer = std::unique_ptr<btopt_optimizer, OptimizerDeleter>;
using Result = std::unique_ptr<btopt_result, ResultDeleter>;

Info describe(const char *plugin)
{
    btopt_plugin_info *raw = nullptr;
    REQUIRE(btopt_plugin_describe(&raw, plugin) == BTOPT_OK);
    return Info(raw);
}

Optimizer sma_crossover()
{
    btopt_optimizer *raw = nullptr;
    REQUIRE(btopt_optimizer_create(&raw, nullptr, "grid") == BTOPT_OK);
    Optimizer opt(raw);
    REQUIRE(btopt_optimizer_set_int(opt.get(), "n_jobs", 1) == BTOPT_OK);
    REQUIRE(btopt_optimizer_set_string(opt.get(), "backend", "inline") == BTOPT_OK);
    return opt;
}

bool contains(const char *text, const std::string &part) { return std::string(text).find(part) != std::string::npos; }

} // namespace

TEST_CASE("a plugin describes its config keys and its metrics' directions")
{
    const Info info = describe("sma_crossover");
    CHECK(btopt_plugin_info_config_declared(info.get()) == 1);
    REQUIRE(btopt_plugin_info_config_count(info.get()) == 8);
    const char *name = nullptr, *type = nullptr, *fallback = nullptr, *allowed = nullptr, *doc = nullptr;
    REQUIRE(btopt_plugin_info_config_key(info.get(), 2, &name, &type, &fallback, &allowed, &doc) == BTOPT_OK);
    CHECK(std::string(name) == "commission");
    CHECK(std::string(type) == "number");
    CHECK(std::string(fallback) == "0");
    CHECK(std::string(allowed) == "0 to 1");
    CHECK(std::string(doc).size() > 10);
    CHECK(btopt_plugin_info_config_key(info.get(), 1, nullptr, nullptr, nullptr, &allowed, nullptr) == BTOPT_OK);
    CHECK(std::string(allowed) == "close, adj_close");
    CHECK(btopt_plugin_info_config_key(info.get(), 8, &name, nullptr, nullptr, nullptr, nullptr) == BTOPT_ERR_NOT_FOUND);
    CHECK(btopt_plugin_info_config_key(nullptr, 0, &name, nullptr, nullptr, nullptr, nullptr) ==
          BTOPT_ERR_INVALID_ARGUMENT);
    for (std::size_t m = 0; m < btopt_plugin_info_metric_count(info.get()); ++m)
        CHECK(btopt_plugin_info_metric_lower_is_better(info.get(), m) ==
              (std::string(btopt_plugin_info_metric(info.get(), m)) == "max_drawdown" ? 1 : 0));
    CHECK(btopt_plugin_info_config_declared(nullptr) == 0);
    CHECK(btopt_plugin_info_config_count(nullptr) == 0);
}

TEST_CASE("an unknown key or a value out of range is refused when set, naming the key")
{
    const Optimizer opt = sma_crossover();
    REQUIRE(btopt_optimizer_use_plugin(opt.get(), "sma_crossover") == BTOPT_OK);
    CHECK(btopt_optimizer_set_plugin_config(opt.get(), "comission", "0.01") == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(contains(btopt_last_error(), "no config key 'comission'"));
    CHECK(contains(btopt_last_error(), "commission, periods_per_year"));
    CHECK(btopt_optimizer_set_plugin_config(opt.get(), "commission", "2") == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(contains(btopt_last_error(), "'commission' = '2'"));
    CHECK(btopt_optimizer_set_plugin_config(opt.get(), "btopt.max.fast", "3") == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(btopt_optimizer_set_plugin_config(opt.get(), "commission", "0.001") == BTOPT_OK);
}

TEST_CASE("keys set before the plugin is chosen are checked when it is")
{
    const Optimizer opt = sma_crossover();
    REQUIRE(btopt_optimizer_set_plugin_config(opt.get(), "Commission", "0.01") == BTOPT_OK); // no plugin yet
    CHECK(btopt_optimizer_use_plugin(opt.get(), "sma_crossover") == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(contains(btopt_last_error(), "no config key 'Commission'"));
    btopt_result *raw = nullptr;
    CHECK(btopt_optimizer_run(opt.get(), &raw) != BTOPT_OK); // no plugin was taken: nothing runs
    CHECK(raw == nullptr);
}

TEST_CASE("an objective on a lower-is-better metric is minimised unless a direction is set")
{
    const auto best_and_range = [](const char *direction) {
        const Optimizer opt = sma_crossover();
        REQUIRE(btopt_optimizer_use_plugin(opt.get(), "sma_crossover") == BTOPT_OK);
        REQUIRE(btopt_optimizer_set_objective_metric(opt.get(), "max_drawdown") == BTOPT_OK);
        if (direction)
            REQUIRE(btopt_optimizer_set_string(opt.get(), "direction", direction) == BTOPT_OK);
        btopt_result *raw = nullptr;
        REQUIRE(btopt_optimizer_run(opt.get(), &raw) == BTOPT_OK);
        const Result result(raw);
        double lowest = INFINITY, highest = -INFINITY;
        for (std::uint64_t i = 0; i < btopt_result_trial_count(raw); ++i) {
            double score = NAN;
            REQUIRE(btopt_result_trial(raw, i, nullptr, &score, nullptr) == BTOPT_OK);
            lowest = std::min(lowest, score);
            highest = std::max(highest, score);
        }
        REQUIRE(lowest < highest);
        return std::array<double, 3>{btopt_result_best_score(raw), lowest, highest};
    };
    const auto by_itself = best_and_range(nullptr);
    CHECK(by_itself[0] == by_itself[1]);
    const auto maximised = best_and_range("maximize");
    CHECK(maximised[0] == maximised[2]);
}
