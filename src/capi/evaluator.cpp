// For hosts that run evaluations on a cluster of their own (the Python
// binding's Ray and Dask backends): the search a run of an optimizer would
// make, that run's space, and an evaluator that loads the optimizer's plugin
// and runs its init once, then evaluates points it is handed. The run's own
// pieces are reused (merged space, config with the space's bounds, metric,
// PluginObjective), so a point scores as it would in the run.
#include "handles.hpp"

#include "../plugin/plugin_config.hpp"
#include "../plugin/plugin_objective.hpp"
#include "../search/search.hpp"

#include <cmath>
#include <memory>
#include <optional>

using namespace btopt::internal;
using btopt::internal::capi::guarded;
using btopt::internal::capi::set_error;

struct btopt_evaluator {
    std::shared_ptr<const Space> space;
    std::optional<Plugin> plugin;
    std::optional<PluginState> state;
    std::unique_ptr<PluginObjective> objective;
    std::string error; // of the last evaluation
};

namespace {

// The direction a run takes: the user's, else the objective metric's own
// (btopt_optimizer_run decides it the same way).
const char *run_direction(const btopt_optimizer &opt)
{
    Direction d = opt.options.direction;
    if (!opt.direction_chosen && opt.plugin) {
        const auto metric = find_metric(*opt.plugin, opt.metric);
        const bool lower =
            metric && *metric < opt.plugin->lower_is_better.size() && opt.plugin->lower_is_better[*metric];
        d = lower ? Direction::Minimize : Direction::Maximize;
    }
    return d == Direction::Minimize ? "minimize" : "maximize";
}

// Copies the options a search reads from the optimizer into the search.
btopt_status copy_search_options(const btopt_optimizer &opt, btopt_search *search)
{
    for (const OptionSpec &spec : option_catalogue()) {
        const std::string name(spec.name);
        if (!is_search_option(name) || name == "direction")
            continue;
        btopt_status s = BTOPT_OK;
        if (spec.type == OptionType::Int)
            s = btopt_search_set_int(search, name.c_str(), *opt.options.get_int(name));
        else if (spec.type == OptionType::Double)
            s = btopt_search_set_double(search, name.c_str(), *opt.options.get_double(name));
        else
            s = btopt_search_set_string(search, name.c_str(), opt.options.get_string(name)->c_str());
        if (s != BTOPT_OK)
            return s;
    }
    return btopt_search_set_string(search, "direction", run_direction(opt));
}

// A point of `space` from one number per parameter (a choice's index).
Result<Point> point_of(const Space &space, const double *values, std::size_t count)
{
    const auto &params = space.parameters();
    if (count != params.size())
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "a point of this evaluator has {} values, not {}", params.size(),
                    count);
    Point point(count);
    for (std::size_t k = 0; k < count; ++k) {
        const Parameter &p = params[k];
        if (!std::isfinite(values[k]))
            return fail(BTOPT_ERR_INVALID_ARGUMENT, "parameter '{}': the value is not finite", p.name);
        if (p.kind == Kind::Float)
            point[k].f = values[k];
        else
            point[k].i = static_cast<std::int64_t>(std::llround(values[k]));
        if (p.kind == Kind::Choice && (point[k].i < 0 || static_cast<std::size_t>(point[k].i) >= p.choices.size()))
            return fail(BTOPT_ERR_INVALID_ARGUMENT, "parameter '{}': choice index {} is out of range", p.name,
                        point[k].i);
    }
    return point;
}

} // namespace

extern "C" {

btopt_status btopt_optimizer_search(const btopt_optimizer *opt, btopt_search **out)
{
    BTOPT_REQUIRE(out);
    *out = nullptr;
    BTOPT_REQUIRE(opt);
    return guarded([&] {
        if (!opt->space)
            return set_error(BTOPT_ERR_INVALID_ARGUMENT,
                             "no parameter space: create the optimizer with a space, or use a plugin");
        const btopt_space space{*opt->space};
        btopt_search *search = nullptr;
        if (btopt_status s = btopt_search_create(&search, &space, opt->algorithm.c_str()); s != BTOPT_OK)
            return s;
        if (btopt_status s = copy_search_options(*opt, search); s != BTOPT_OK) {
            btopt_search_destroy(search);
            return s;
        }
        *out = search;
        return BTOPT_OK;
    });
}

btopt_status btopt_optimizer_space(const btopt_optimizer *opt, btopt_space **out)
{
    BTOPT_REQUIRE(out);
    *out = nullptr;
    BTOPT_REQUIRE(opt);
    return guarded([&] {
        if (!opt->space)
            return set_error(BTOPT_ERR_INVALID_ARGUMENT,
                             "no parameter space: create the optimizer with a space, or use a plugin");
        *out = new btopt_space{*opt->space};
        return BTOPT_OK;
    });
}

btopt_status btopt_evaluator_create(btopt_evaluator **out, const btopt_optimizer *opt)
{
    BTOPT_REQUIRE(out);
    *out = nullptr;
    BTOPT_REQUIRE(opt);
    return guarded([&] {
        if (!opt->plugin || !opt->space)
            return set_error(BTOPT_ERR_INVALID_ARGUMENT,
                             "an evaluator runs a strategy plugin: call btopt_optimizer_use_plugin first");
        auto metric = find_metric(*opt->plugin, opt->metric);
        if (!metric)
            return set_error(metric.error());
        auto ev = std::make_unique<btopt_evaluator>();
        ev->space = opt->space;
        auto plugin = Plugin::load(opt->plugin->path);
        if (!plugin)
            return set_error(plugin.error());
        ev->plugin.emplace(std::move(*plugin));
        auto state = PluginState::init(*ev->plugin, with_space_bounds(opt->plugin_config, *ev->space));
        if (!state)
            return set_error(state.error());
        ev->state.emplace(std::move(*state));
        ev->objective = std::make_unique<PluginObjective>(*ev->plugin, *ev->state, *ev->space, *metric);
        *out = ev.release();
        return BTOPT_OK;
    });
}

void btopt_evaluator_destroy(btopt_evaluator *ev)
{
    if (!ev)
        return;
    // The objective and the state (its finish) go before the library is unloaded.
    ev->objective.reset();
    ev->state.reset();
    delete ev;
}

size_t btopt_evaluator_metric_count(const btopt_evaluator *ev)
{
    return ev ? ev->plugin->info().metrics.size() : 0;
}

btopt_status btopt_evaluator_evaluate(btopt_evaluator *ev, const double *values, size_t value_count, uint64_t seed,
                                      int32_t *status, double *score, double *metrics, size_t metric_capacity,
                                      const char **error)
{
    BTOPT_REQUIRE(ev);
    BTOPT_REQUIRE(status);
    BTOPT_REQUIRE(score);
    BTOPT_REQUIRE(error);
    if (value_count > 0)
        BTOPT_REQUIRE(values);
    if (metric_capacity > 0)
        BTOPT_REQUIRE(metrics);
    return guarded([&] {
        auto point = point_of(*ev->space, values, value_count);
        if (!point)
            return set_error(point.error());
        Evaluation e = ev->objective->evaluate(*point, seed, BarRange{});
        ev->error = std::move(e.error);
        *status = static_cast<int32_t>(e.status);
        *score = e.score;
        *error = ev->error.c_str();
        for (std::size_t m = 0; m < metric_capacity && m < e.metrics.size(); ++m)
            metrics[m] = e.metrics[m];
        return BTOPT_OK;
    });
}

} // extern "C"
