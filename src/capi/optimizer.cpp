// Optimizers at the C ABI: options, objectives and the run.
#include "callback_objective.hpp"
#include "handles.hpp"

#include "../exec/spawner.hpp"
#include "../plugin/plugin_config.hpp"
#include "../plugin/plugin_json.hpp"
#include "../plugin/plugin_objective.hpp"
#include "../run/launch.hpp"
#include "../run/walkforward.hpp"

#include <cstddef>
#include <cstring>
#include <map>
#include <type_traits>
#include <mutex>

using namespace btopt::internal;
using btopt::internal::capi::guarded;
using btopt::internal::capi::set_error;
using btopt::internal::capi::status_of;

namespace {

struct Registered {
    btopt_objective_fn fn;
    void *user;
};

std::mutex registry_mutex;
std::map<std::string, Registered, std::less<>> registry;

// The user's direction when one was set, else the objective metric's own:
// a metric where lower is better (max_drawdown) is minimised by itself.
Direction run_direction(const btopt_optimizer &opt)
{
    if (opt.direction_chosen || !opt.plugin)
        return opt.options.direction;
    const auto metric = find_metric(*opt.plugin, opt.metric);
    const bool lower = metric && *metric < opt.plugin->lower_is_better.size() && opt.plugin->lower_is_better[*metric];
    return lower ? Direction::Minimize : Direction::Maximize;
}

RunPlan make_plan(btopt_optimizer &opt, Objective *callback)
{
    RunPlan plan{.space = opt.space,
                 .algorithm = opt.algorithm,
                 .options = opt.options,
                 .host_objective = callback,
                 .plugin = opt.plugin,
                 .plugin_config = with_space_bounds(opt.plugin_config, *opt.space),
                 .metric = opt.metric,
                 .progress = {},
                 .progress_report = {}};
    plan.options.direction = run_direction(opt);
    if (opt.progress)
        plan.progress = [&opt](std::uint64_t done, std::uint64_t total, double best) {
            opt.progress(opt.progress_user, done, total, best);
        };
    if (opt.progress_ex)
        plan.progress_report = [&opt](const ProgressReport &r) {
            const btopt_progress p{.struct_size = sizeof(btopt_progress),
                                   .done = r.done,
                                   .total = r.total,
                                   .ok = r.by_status[BTOPT_TRIAL_OK],
                                   .failed = r.by_status[BTOPT_TRIAL_FAILED],
                                   .crashed = r.by_status[BTOPT_TRIAL_CRASHED],
                                   .timeout = r.by_status[BTOPT_TRIAL_TIMEOUT],
                                   .cancelled = r.by_status[BTOPT_TRIAL_CANCELLED],
                                   .reused = r.reused,
                                   .best_score = r.best_score,
                                   .evaluations_per_second = r.evaluations_per_second,
                                   .elapsed_seconds = r.elapsed_seconds,
                                   .trial = r.trial,
                                   .infeasible = r.by_status[BTOPT_TRIAL_INFEASIBLE]};
            opt.progress_ex(opt.progress_ex_user, &p);
        };
    return plan;
}

Result<RunOutcome> run_optimizer(btopt_optimizer &opt)
{
    if (!opt.space)
        return fail(BTOPT_ERR_INVALID_ARGUMENT,
                    "no parameter space: create the optimizer with a space, or use a plugin (its parameters are the space)");
    std::optional<capi::CallbackObjective> callback;
    if (opt.objective)
        callback.emplace(*opt.space, opt.objective, opt.objective_user, opt.objective_name, opt.fork_hooks);
    const RunPlan plan = make_plan(opt, callback ? &*callback : nullptr);
    // The flag is cleared when a run ends, not when it starts, so a cancel
    // that lands just before run begins still stops it.
    auto outcome = launch(plan, opt.cancel);
    opt.cancel.store(false);
    return outcome;
}

// The space a run searches: the plugin's, narrowed by the user's, or the user's alone.
Result<std::shared_ptr<const Space>> searched_space(const btopt_optimizer &opt)
{
    if (!opt.plugin)
        return opt.user_space;
    auto merged = merge_spaces(*opt.plugin, opt.user_space.get());
    if (!merged)
        return tl::unexpected(merged.error());
    if (auto search = make_search(opt.algorithm, *merged, opt.options); !search)
        return tl::unexpected(search.error());
    return std::make_shared<const Space>(std::move(*merged));
}

// A host objective replaces a plugin, and the space is the user's again.
void forget_plugin(btopt_optimizer &opt)
{
    opt.plugin.reset();
    opt.metric.clear();
    opt.space = opt.user_space;
}

btopt_result *make_result(RunResult run) { return new btopt_result(std::move(run)); }


// Copies an option's value out, or records why not.
template <class T, class Get>
btopt_status get_option(const btopt_optimizer *opt, const char *option, T *value, Get get)
{
    BTOPT_REQUIRE(opt);
    BTOPT_REQUIRE(option);
    BTOPT_REQUIRE(value);
    return guarded([&] {
        auto got = get(opt->options, option);
        if (!got)
            return set_error(got.error());
        if constexpr (std::is_same_v<T, const char *>) {
            opt->option_text = std::move(*got);
            *value = opt->option_text.c_str();
        } else {
            *value = *got;
        }
        return BTOPT_OK;
    });
}

} // namespace

extern "C" {

btopt_status btopt_register_objective(const char *name, btopt_objective_fn fn, void *user)
{
    BTOPT_REQUIRE(name);
    BTOPT_REQUIRE(fn);
    if (*name == '\0')
        return set_error(BTOPT_ERR_INVALID_ARGUMENT, "an objective's registered name must not be empty");
    return guarded([&] {
        std::lock_guard lock(registry_mutex);
        registry[name] = Registered{fn, user};
        return BTOPT_OK;
    });
}

btopt_status btopt_unregister_objective(const char *name)
{
    BTOPT_REQUIRE(name);
    return guarded([&] {
        std::lock_guard lock(registry_mutex);
        if (registry.erase(name) == 0)
            return set_error(BTOPT_ERR_NOT_FOUND, fmt::format("no objective registered as '{}'", name));
        return BTOPT_OK;
    });
}

btopt_status btopt_optimizer_create(btopt_optimizer **out, const btopt_space *space, const char *algorithm)
{
    BTOPT_REQUIRE(out);
    *out = nullptr;
    BTOPT_REQUIRE(algorithm);
    return guarded([&] {
        const std::string name = algorithm;
        if (!is_known_algorithm(name))
            return set_error(BTOPT_ERR_INVALID_ARGUMENT,
                             fmt::format("unknown algorithm '{}': use {}", name, known_algorithms()));
        if (space && space->space.size() == 0)
            return set_error(BTOPT_ERR_INVALID_ARGUMENT, "the parameter space is empty: add at least one parameter");
        if (space)
            if (auto search = make_search(name, space->space, Options{}); !search)
                return set_error(search.error());
        auto opt = std::make_unique<btopt_optimizer>();
        if (space)
            opt->user_space = opt->space = std::make_shared<const Space>(space->space);
        opt->algorithm = name;
        *out = opt.release();
        return BTOPT_OK;
    });
}

void btopt_optimizer_destroy(btopt_optimizer *opt) { delete opt; }

btopt_status btopt_optimizer_set_int(btopt_optimizer *opt, const char *option, int64_t value)
{
    BTOPT_REQUIRE(opt);
    BTOPT_REQUIRE(option);
    return guarded([&] { return status_of(opt->options.set_int(option, value)); });
}

btopt_status btopt_optimizer_set_double(btopt_optimizer *opt, const char *option, double value)
{
    BTOPT_REQUIRE(opt);
    BTOPT_REQUIRE(option);
    return guarded([&] { return status_of(opt->options.set_double(option, value)); });
}

btopt_status btopt_optimizer_set_string(btopt_optimizer *opt, const char *option, const char *value)
{
    BTOPT_REQUIRE(opt);
    BTOPT_REQUIRE(option);
    if (value == nullptr)
        return set_error(BTOPT_ERR_INVALID_ARGUMENT, fmt::format("option '{}': the value is NULL", option));
    return guarded([&] {
        if (auto ok = opt->options.set_string(option, value); !ok)
            return set_error(ok.error());
        opt->direction_chosen = opt->direction_chosen || std::string_view(option) == "direction";
        return BTOPT_OK;
    });
}


btopt_status btopt_optimizer_get_int(const btopt_optimizer *opt, const char *option, int64_t *value)
{
    return get_option(opt, option, value, [](const Options &o, const char *name) { return o.get_int(name); });
}

btopt_status btopt_optimizer_get_double(const btopt_optimizer *opt, const char *option, double *value)
{
    return get_option(opt, option, value, [](const Options &o, const char *name) { return o.get_double(name); });
}

btopt_status btopt_optimizer_get_string(const btopt_optimizer *opt, const char *option, const char **value)
{
    return get_option(opt, option, value, [](const Options &o, const char *name) { return o.get_string(name); });
}

size_t btopt_option_count(void) { return option_catalogue().size(); }

btopt_status btopt_option_info(size_t index, btopt_option_desc *desc)
{
    BTOPT_REQUIRE(desc);
    const auto catalogue = option_catalogue();
    if (index >= catalogue.size())
        return set_error(BTOPT_ERR_INVALID_ARGUMENT,
                         fmt::format("option index {}: the catalogue has {} options", index, catalogue.size()));
    constexpr std::size_t least = offsetof(btopt_option_desc, type) + sizeof desc->type;
    if (desc->struct_size < least)
        return set_error(BTOPT_ERR_INVALID_ARGUMENT,
                         fmt::format("btopt_option_info: struct_size {} is smaller than the {} bytes up to 'type'; "
                                     "set it to sizeof(btopt_option_desc)",
                                     desc->struct_size, least));
    const OptionSpec &spec = catalogue[index];
    btopt_option_desc full{};
    full.struct_size = std::min(desc->struct_size, sizeof full);
    full.name = spec.name.data();
    full.type = static_cast<btopt_option_type>(spec.type);
    full.default_value = spec.default_text.data();
    full.applies_to = spec.applies_to.data();
    full.cli_flag = spec.cli_flag.data();
    full.doc = spec.doc.data();
    std::memcpy(desc, &full, full.struct_size); // only the fields the caller's struct has
    return BTOPT_OK;
}

btopt_status btopt_optimizer_set_objective(btopt_optimizer *opt, btopt_objective_fn fn, void *user)
{
    BTOPT_REQUIRE(opt);
    BTOPT_REQUIRE(fn);
    opt->objective = fn;
    opt->objective_user = user;
    opt->objective_name = "callback";
    forget_plugin(*opt);
    return BTOPT_OK;
}

btopt_status btopt_optimizer_use_objective(btopt_optimizer *opt, const char *registered_name)
{
    BTOPT_REQUIRE(opt);
    BTOPT_REQUIRE(registered_name);
    return guarded([&] {
        std::lock_guard lock(registry_mutex);
        const auto it = registry.find(registered_name);
        if (it == registry.end())
            return set_error(BTOPT_ERR_NOT_FOUND,
                             fmt::format("no objective registered as '{}'", registered_name));
        opt->objective = it->second.fn;
        opt->objective_user = it->second.user;
        opt->objective_name = registered_name;
        forget_plugin(*opt);
        return BTOPT_OK;
    });
}

btopt_status btopt_optimizer_set_progress(btopt_optimizer *opt, btopt_progress_fn fn, void *user)
{
    BTOPT_REQUIRE(opt);
    opt->progress = fn;
    opt->progress_user = user;
    return BTOPT_OK;
}

btopt_status btopt_optimizer_set_progress_ex(btopt_optimizer *opt, btopt_progress_ex_fn fn, void *user)
{
    BTOPT_REQUIRE(opt);
    opt->progress_ex = fn;
    opt->progress_ex_user = user;
    return BTOPT_OK;
}

btopt_status btopt_optimizer_set_fork_hooks(btopt_optimizer *opt, btopt_fork_hook_fn before,
                                            btopt_fork_hook_fn after_parent, btopt_fork_hook_fn after_child,
                                            void *user)
{
    BTOPT_REQUIRE(opt);
    opt->fork_hooks = capi::ForkHooks{before, after_parent, after_child, user};
    return BTOPT_OK;
}

btopt_status btopt_optimizer_run(btopt_optimizer *opt, btopt_result **out)
{
    BTOPT_REQUIRE(out);
    *out = nullptr;
    BTOPT_REQUIRE(opt);
    if (opt->running.exchange(true))
        return set_error(BTOPT_ERR_INVALID_ARGUMENT, "the optimizer is already running: an objective may not run it again");
    const struct Done {
        std::atomic<bool> &running;
        ~Done() { running = false; }
    } done{opt->running};
    return guarded([&] {
        auto outcome = run_optimizer(*opt);
        if (!outcome)
            return set_error(outcome.error());
        *out = make_result(std::move(outcome->result));
        if (outcome->status != BTOPT_OK)
            return set_error(outcome->status, std::move(outcome->message));
        return BTOPT_OK;
    });
}

btopt_status btopt_optimizer_use_plugin(btopt_optimizer *opt, const char *path_or_name)
{
    BTOPT_REQUIRE(opt);
    BTOPT_REQUIRE(path_or_name);
    return guarded([&] {
        auto info = describe_plugin(path_or_name);
        if (!info)
            return set_error(info.error());
        if (auto ok = check_config(*info, opt->plugin_config); !ok)
            return set_error(ok.error());
        auto previous = std::exchange(opt->plugin, std::move(*info));
        auto space = searched_space(*opt);
        if (!space) {
            opt->plugin = std::move(previous);
            return set_error(space.error());
        }
        opt->space = std::move(*space);
        opt->objective = nullptr; // the plugin is the objective now
        return BTOPT_OK;
    });
}

btopt_status btopt_optimizer_set_plugin_config(btopt_optimizer *opt, const char *key, const char *value)
{
    BTOPT_REQUIRE(opt);
    BTOPT_REQUIRE(key);
    BTOPT_REQUIRE(value);
    return guarded([&] {
        if (*key == '\0' || std::string_view(key).find('=') != std::string_view::npos)
            return set_error(BTOPT_ERR_INVALID_ARGUMENT,
                             fmt::format("plugin config key '{}' must be non-empty and contain no '='", key));
        if (opt->plugin)
            if (auto ok = check_config_entry(*opt->plugin, key, value); !ok)
                return set_error(ok.error());
        for (auto &[k, v] : opt->plugin_config)
            if (k == key) {
                v = value;
                return BTOPT_OK;
            }
        opt->plugin_config.emplace_back(key, value);
        return BTOPT_OK;
    });
}

btopt_status btopt_optimizer_set_objective_metric(btopt_optimizer *opt, const char *metric)
{
    BTOPT_REQUIRE(opt);
    BTOPT_REQUIRE(metric);
    return guarded([&] {
        if (!opt->plugin)
            return set_error(BTOPT_ERR_INVALID_ARGUMENT,
                             "an objective metric chooses among a plugin's metrics: call btopt_optimizer_use_plugin first");
        if (auto found = find_metric(*opt->plugin, metric); !found)
            return set_error(found.error());
        opt->metric = metric;
        return BTOPT_OK;
    });
}

void btopt_optimizer_cancel(btopt_optimizer *opt)
{
    if (opt)
        opt->cancel.store(true);
}

} // extern "C"

struct btopt_walkforward {
    std::string json;
    std::size_t windows = 0;
};

namespace {

// A field of the caller's spec, read only when its struct_size covers it.
#define BTOPT_SPEC_FIELD(spec, field, fallback)                                                                       \
    ((spec).struct_size >= offsetof(btopt_walkforward_spec, field) + sizeof((spec).field) ? (spec).field : (fallback))

Result<WindowSpec> window_spec(const btopt_walkforward_spec &spec)
{
    const auto text = [](const char *value) { return std::string_view(value ? value : ""); };
    WindowSpec w;
    auto train = parse_period(text(spec.train), "walk-forward train length (--train)");
    if (!train)
        return tl::unexpected(train.error());
    auto test = parse_period(text(spec.test), "walk-forward test length (--test)");
    if (!test)
        return tl::unexpected(test.error());
    w.train = *train;
    w.test = *test;
    w.step = *test; // by default each window moves on by its test length
    if (const auto step = text(BTOPT_SPEC_FIELD(spec, step, nullptr)); !step.empty()) {
        auto parsed = parse_period(step, "walk-forward step (--step)");
        if (!parsed)
            return tl::unexpected(parsed.error());
        w.step = *parsed;
    }
    w.anchored = BTOPT_SPEC_FIELD(spec, anchored, 0) != 0;
    if (const auto validation = text(BTOPT_SPEC_FIELD(spec, validation, nullptr)); !validation.empty()) {
        auto parsed = parse_period(validation, "walk-forward validation length (--validation)");
        if (!parsed)
            return tl::unexpected(parsed.error());
        w.validation = *parsed;
    }
    return w;
}

Result<WalkForwardOutcome> run_walk_forward(btopt_optimizer &opt, const WindowSpec &spec)
{
    if (!opt.plugin)
        return fail(BTOPT_ERR_UNSUPPORTED, "a walk-forward trades a strategy plugin's bars: use a plugin "
                                           "(btopt_optimizer_use_plugin), not a host objective");
    auto outcome = walk_forward(make_plan(opt, nullptr), spec, opt.cancel);
    opt.cancel.store(false);
    return outcome;
}

} // namespace

btopt_status btopt_optimizer_walkforward(btopt_optimizer *opt, const btopt_walkforward_spec *spec,
                                         btopt_walkforward **out)
{
    BTOPT_REQUIRE(out);
    *out = nullptr;
    BTOPT_REQUIRE(opt);
    BTOPT_REQUIRE(spec);
    if (spec->struct_size < offsetof(btopt_walkforward_spec, test) + sizeof spec->test)
        return set_error(BTOPT_ERR_INVALID_ARGUMENT, "btopt_walkforward_spec.struct_size is too small: set it to "
                                                     "sizeof(btopt_walkforward_spec)");
    if (opt->running.exchange(true))
        return set_error(BTOPT_ERR_INVALID_ARGUMENT, "the optimizer is already running: an objective may not run it again");
    const struct Done {
        std::atomic<bool> &running;
        ~Done() { running = false; }
    } done{opt->running};
    return guarded([&] {
        auto outcome = window_spec(*spec).and_then([&](const WindowSpec &w) { return run_walk_forward(*opt, w); });
        if (!outcome)
            return set_error(outcome.error());
        *out = new btopt_walkforward{walk_forward_json(*outcome), outcome->windows.size()};
        if (outcome->status != BTOPT_OK)
            return set_error(outcome->status, std::move(outcome->message));
        return BTOPT_OK;
    });
}

void btopt_walkforward_destroy(btopt_walkforward *wf) { delete wf; }

const char *btopt_walkforward_json(const btopt_walkforward *wf) { return wf ? wf->json.c_str() : ""; }

size_t btopt_walkforward_window_count(const btopt_walkforward *wf) { return wf ? wf->windows : 0; }
