// btopt for C++ hosts: RAII types over the C ABI, shaped like the Python
// original's API:
//
//   btopt::ParameterSpace space{btopt::DiscreteParameter("lookback", 10, 100, 10),
//                               btopt::DiscreteParameter("threshold_x100", 1, 10)};
//   btopt::ParallelOptimizer opt(objective, space, "genetic", {.n_jobs = 8, .population_size = 40});
//   auto result = opt.optimize();   // result.best_params, result.best_score, result.speedup
//
// Header-only: it calls nothing but the C ABI, so it works with any build of
// libbtopt of the same ABI version. Failures throw btopt::Error.
#pragma once

#include <btopt/btopt.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>
#if __cplusplus > 202002L && __has_include(<expected>) // C++23 (GCC 12 says 202100L)
#include <expected>
#endif

namespace btopt {

// A parameter's value: an integer, a float or a choice.
using Value = std::variant<std::int64_t, double, std::string>;
using ParamMap = std::map<std::string, Value>;

struct TrialRecord {
    std::uint64_t number = 0; // position in proposal order
    ParamMap params;
    double score = 0.0; // NaN unless status is BTOPT_TRIAL_OK or BTOPT_TRIAL_INFEASIBLE
    btopt_trial_status status = BTOPT_TRIAL_OK;
    std::string error;
    double seconds = 0.0;
    std::map<std::string, double> metrics; // what a plugin reported
};

class OptimizationResult {
public:
    ParamMap best_params; // empty when no trial succeeded
    double best_score = 0.0;
    double speedup = 0.0;
    double wall_seconds = 0.0;
    std::vector<TrialRecord> trials;
    std::uint64_t reused = 0; // trials a study supplied instead of an evaluation
    std::string provenance;   // JSON: what produced the run; empty without a study
    std::map<std::string, double> best_metrics;  // the best trial's metrics; empty when none succeeded
    std::optional<std::size_t> best_index;       // the best trial's position in trials
    std::uint64_t evaluated = 0;                 // trials evaluated, kept or not (keep_trials)
    double eval_seconds = 0.0;                   // evaluation time summed over the trials
    std::uint32_t workers = 0;                   // workers the run used
    std::int32_t rank = 0;                       // the MPI rank this result is from (0 without MPI)
    std::map<btopt_trial_status, std::uint64_t> status_counts; // evaluated trials by status
    bool stopped_on_budget = false; // max_seconds ended the run (btopt_result_stopped_on_budget)

    // The view of a kept trial's point, valid while this result lives: what
    // ParallelOptimizer::equity_curve and other C calls take.
    const btopt_params *params_view(std::size_t trial_index) const;

    void write_json(const std::string &path) const;
    void write_csv(const std::string &path) const;

    // A stored run of a study (run 0: the last one), with every trial it recorded.
    static OptimizationResult open_study(const std::string &path, std::int64_t run = 0);

    explicit OptimizationResult(btopt_result *handle);

private:
    std::shared_ptr<btopt_result> handle_;
};

// A failed call: the status and btopt_last_error()'s words. When a run stops
// on a failed trial or a cancellation, partial() holds the trials it finished.
class Error : public std::runtime_error {
public:
    Error(btopt_status status, const std::string &message, std::shared_ptr<const OptimizationResult> partial = {})
        : std::runtime_error(message), status_(status), partial_(std::move(partial))
    {
    }
    btopt_status status() const noexcept { return status_; }
    const OptimizationResult *partial() const noexcept { return partial_.get(); }

private:
    btopt_status status_;
    std::shared_ptr<const OptimizationResult> partial_;
};

namespace detail {
inline void check(btopt_status status)
{
    if (status != BTOPT_OK)
        throw Error(status, btopt_last_error());
}

inline Value value_at(const btopt_params *params, std::size_t k)
{
    const char *name = btopt_params_name(params, k);
    switch (btopt_params_kind(params, k)) {
    case BTOPT_PARAM_INT: {
        std::int64_t i = 0;
        check(btopt_params_get_int(params, name, &i));
        return i;
    }
    case BTOPT_PARAM_FLOAT: {
        double d = 0.0;
        check(btopt_params_get_double(params, name, &d));
        return d;
    }
    default: {
        const char *text = nullptr;
        check(btopt_params_get_string(params, name, &text));
        return std::string(text);
    }
    }
}
} // namespace detail

// A read-only view of one point, valid during the objective call.
class Params {
public:
    explicit Params(const btopt_params *view) : view_(view) {}
    // NOT_FOUND (as Error) for an unknown name.
    Value operator[](const std::string &name) const
    {
        for (std::size_t k = 0; k < btopt_params_count(view_); ++k)
            if (name == btopt_params_name(view_, k))
                return detail::value_at(view_, k);
        throw Error(BTOPT_ERR_NOT_FOUND, "no parameter '" + name + "' in this point");
    }
    std::int64_t get_int(const std::string &name) const
    {
        std::int64_t v = 0;
        detail::check(btopt_params_get_int(view_, name.c_str(), &v));
        return v;
    }
    double get_double(const std::string &name) const
    {
        double v = 0.0;
        detail::check(btopt_params_get_double(view_, name.c_str(), &v));
        return v;
    }
    std::string get_string(const std::string &name) const
    {
        const char *v = nullptr;
        detail::check(btopt_params_get_string(view_, name.c_str(), &v));
        return v;
    }
    // The trial's own seed (btopt_params_seed): the same for any backend and n_jobs.
    std::uint64_t seed() const
    {
        std::uint64_t v = 0;
        detail::check(btopt_params_seed(view_, &v));
        return v;
    }
    ParamMap to_map() const
    {
        ParamMap map;
        for (std::size_t k = 0; k < btopt_params_count(view_); ++k)
            map.emplace(btopt_params_name(view_, k), detail::value_at(view_, k));
        return map;
    }

private:
    const btopt_params *view_;
};

struct DiscreteParameter {
    DiscreteParameter(std::string n, std::int64_t l, std::int64_t h, std::int64_t s = 1)
        : name(std::move(n)), lo(l), hi(h), step(s)
    {
    }
    std::string name;
    std::int64_t lo, hi, step;
};

// step 0: continuous.
struct ContinuousParameter {
    ContinuousParameter(std::string n, double l, double h, double s = 0.0)
        : name(std::move(n)), lo(l), hi(h), step(s)
    {
    }
    std::string name;
    double lo, hi, step;
};

struct CategoricalParameter {
    CategoricalParameter(std::string n, std::vector<std::string> c) : name(std::move(n)), choices(std::move(c)) {}
    std::string name;
    std::vector<std::string> choices;
};

using Parameter = std::variant<DiscreteParameter, ContinuousParameter, CategoricalParameter>;

class ParameterSpace {
public:
    ParameterSpace() : handle_(create(), btopt_space_destroy) {}
    ParameterSpace(std::initializer_list<Parameter> parameters, std::vector<std::string> constraints = {})
        : ParameterSpace()
    {
        for (const Parameter &p : parameters)
            add(p);
        for (const std::string &c : constraints)
            constrain(c);
    }

    ParameterSpace &add(const Parameter &parameter)
    {
        std::visit([this](const auto &p) { add_one(p); }, parameter);
        return *this;
    }
    // e.g. "fast < slow"
    ParameterSpace &constrain(const std::string &expression)
    {
        detail::check(btopt_space_add_constraint(handle_.get(), expression.c_str()));
        return *this;
    }
    // Size before constraints; UINT64_MAX when infinite.
    std::uint64_t cardinality() const
    {
        std::uint64_t n = 0;
        detail::check(btopt_space_cardinality(handle_.get(), &n));
        return n;
    }
    // What the space holds, in the order it was built.
    std::vector<Parameter> parameters() const { return describe(handle_.get()); }
    std::vector<std::string> constraints() const { return constraints_of(handle_.get()); }

    const btopt_space *handle() const noexcept { return handle_.get(); }

    // The parameters of any space handle (a plugin's, say).
    static std::vector<Parameter> describe(const btopt_space *space)
    {
        std::vector<Parameter> out;
        for (std::size_t i = 0; i < btopt_space_param_count(space); ++i)
            out.push_back(parameter_at(space, i));
        return out;
    }
    static std::vector<std::string> constraints_of(const btopt_space *space)
    {
        std::vector<std::string> out;
        for (std::size_t i = 0; i < btopt_space_constraint_count(space); ++i)
            out.emplace_back(btopt_space_constraint(space, i));
        return out;
    }

private:
    static Parameter parameter_at(const btopt_space *space, std::size_t i)
    {
        const std::string name = btopt_space_param_name(space, i);
        switch (btopt_space_param_kind(space, i)) {
        case BTOPT_PARAM_INT: {
            std::int64_t lo = 0, hi = 0, step = 0;
            detail::check(btopt_space_param_int_range(space, i, &lo, &hi, &step));
            return DiscreteParameter(name, lo, hi, step);
        }
        case BTOPT_PARAM_FLOAT: {
            double lo = 0, hi = 0, step = 0;
            detail::check(btopt_space_param_float_range(space, i, &lo, &hi, &step));
            return ContinuousParameter(name, lo, hi, step);
        }
        default: {
            std::vector<std::string> choices;
            for (std::size_t j = 0; j < btopt_space_param_choice_count(space, i); ++j)
                choices.emplace_back(btopt_space_param_choice(space, i, j));
            return CategoricalParameter(name, std::move(choices));
        }
        }
    }

    static btopt_space *create()
    {
        btopt_space *space = nullptr;
        detail::check(btopt_space_create(&space));
        return space;
    }
    void add_one(const DiscreteParameter &p)
    {
        detail::check(btopt_space_add_int(handle_.get(), p.name.c_str(), p.lo, p.hi, p.step));
    }
    void add_one(const ContinuousParameter &p)
    {
        detail::check(btopt_space_add_float(handle_.get(), p.name.c_str(), p.lo, p.hi, p.step));
    }
    void add_one(const CategoricalParameter &p)
    {
        std::vector<const char *> choices;
        for (const std::string &c : p.choices)
            choices.push_back(c.c_str());
        detail::check(btopt_space_add_choice(handle_.get(), p.name.c_str(), choices.data(), choices.size()));
    }

    std::unique_ptr<btopt_space, void (*)(btopt_space *)> handle_;
};

// Options by the Python original's names; unset ones keep the library's defaults.
// Designated initializers may name any subset, but C++ requires them in the
// order the members are declared below ({.n_jobs = 2, .backend = "process"},
// never {.backend = ..., .n_jobs = ...}); assign members one by one to set
// them in any order. New members are only ever appended, so code that
// compiles keeps compiling.
struct Options {
    // Each member has an initializer so designated initializers may name any subset.
    std::optional<std::int64_t> n_jobs{}, n_iterations{}, random_seed{}, population_size{}, n_generations{},
        tournament_size{}, elite_count{}, batch_q{}, patience{}, batch_size{}, keep_trials{};
    std::optional<double> crossover_rate{}, mutation_rate{};
    std::optional<std::string> backend{}, direction{}, start_method{}, max_memory_per_worker{};
    std::optional<double> eval_timeout{}, init_timeout{};
    std::optional<std::int64_t> threads_per_worker{};
    std::optional<bool> ignore_errors{};
    // Added after the first release, so at the end: designated initializers
    // written for older members keep their order.
    std::optional<std::string> study{}, study_mode{}, data_fingerprint{}; // docs/STUDIES.md
    std::optional<std::int64_t> pbo_blocks{}, robust_radius{}; // docs/VALIDATION.md
    std::optional<std::string> select{};                         // "best" or "robust"
    std::function<void(std::uint64_t done, std::uint64_t total, double best_score)> callback{};
    // The bars a plugin's run trades: a date "YYYY-MM-DD" or a bar number each.
    std::optional<std::string> start{}, end{};
    // Seconds between calls of the progress struct callback (btopt.h: progress_interval).
    std::optional<double> progress_interval{};
    // A condition over a trial's metrics and score (btopt.h: require).
    std::optional<std::string> require{};
    // Wall-clock budget in seconds (btopt.h: max_seconds); 0: none.
    std::optional<double> max_seconds{};
};

// A strategy plugin as the objective: a path or a name on the plugin search
// path, the key=value config its init receives, and which metric is the score
// (empty: the plugin's default).
struct Plugin {
    std::string path_or_name;
    std::vector<std::pair<std::string, std::string>> config{};
    std::string metric{};
};

// What a strategy plugin says about itself (btopt_plugin_describe): read by
// btopt-worker, so describing never loads the plugin into this process.
struct PluginMetric {
    std::string name;
    bool lower_is_better = false;
};
struct PluginConfigKey {
    std::string name, type, default_value, allowed, doc;
};
struct PluginInfo {
    std::string name, version, description, path;
    std::vector<PluginMetric> metrics;
    std::size_t default_metric = 0; // index into metrics
    std::vector<Parameter> parameters; // its default ranges
    std::vector<std::string> constraints;
    bool config_declared = false; // whether config keys outside `config` are refused
    std::vector<PluginConfigKey> config;
};

inline PluginInfo describe_plugin(const std::string &path_or_name)
{
    btopt_plugin_info *raw = nullptr;
    detail::check(btopt_plugin_describe(&raw, path_or_name.c_str()));
    const std::unique_ptr<btopt_plugin_info, void (*)(btopt_plugin_info *)> info(raw, btopt_plugin_info_destroy);
    PluginInfo out{.name = btopt_plugin_info_name(raw),
                   .version = btopt_plugin_info_version(raw),
                   .description = btopt_plugin_info_description(raw),
                   .path = btopt_plugin_info_path(raw),
                   .metrics = {},
                   .default_metric = btopt_plugin_info_default_metric(raw),
                   .parameters = ParameterSpace::describe(btopt_plugin_info_space(raw)),
                   .constraints = ParameterSpace::constraints_of(btopt_plugin_info_space(raw)),
                   .config_declared = btopt_plugin_info_config_declared(raw) != 0,
                   .config = {}};
    for (std::size_t m = 0; m < btopt_plugin_info_metric_count(raw); ++m)
        out.metrics.push_back({btopt_plugin_info_metric(raw, m), btopt_plugin_info_metric_lower_is_better(raw, m) != 0});
    for (std::size_t k = 0; k < btopt_plugin_info_config_count(raw); ++k) {
        const char *name = nullptr, *type = nullptr, *value = nullptr, *allowed = nullptr, *doc = nullptr;
        detail::check(btopt_plugin_info_config_key(raw, k, &name, &type, &value, &allowed, &doc));
        const auto text = [](const char *t) { return std::string(t ? t : ""); };
        out.config.push_back({text(name), text(type), text(value), text(allowed), text(doc)});
    }
    return out;
}

// A plugin's equity curve for one point, and buy-and-hold over the same bars
// (both start at 1).
struct EquityCurve {
    std::vector<double> equity, buy_and_hold;
};

// The library's version ("0.1.0") and ABI version (BTOPT_ABI_VERSION when they match).
inline std::string version() { return btopt_version(); }
inline std::uint32_t abi_version() { return btopt_abi_version(); }

// The objective: a score for one point. An exception marks the trial failed
// with its message. With the "thread" backend it runs on several threads at once.
using Objective = std::function<double(const Params &)>;

namespace detail {
inline btopt_status call_objective(const Objective &objective, const btopt_params *params, double *score) noexcept
{
    try {
        *score = objective(Params(params));
        return BTOPT_OK;
    } catch (const std::exception &e) {
        return btopt_fail(e.what());
    } catch (...) {
        return btopt_fail("the objective threw an exception that is not a std::exception");
    }
}

inline btopt_status call_registered(void *user, const btopt_params *params, double *score) noexcept
{
    return call_objective(*static_cast<const Objective *>(user), params, score);
}

// Registered objectives live until the program ends: an optimizer may still
// hold one that was replaced or unregistered while it ran.
inline std::vector<std::unique_ptr<Objective>> &registered_objectives()
{
    static std::vector<std::unique_ptr<Objective>> kept;
    return kept;
}
} // namespace detail

// An objective by name (btopt_register_objective), for any optimizer to use
// with ParallelOptimizer(Registered{"name"}, ...). Registering a name again
// replaces it. Not thread-safe against itself: register at start-up.
inline void register_objective(const std::string &name, Objective objective)
{
    auto kept = std::make_unique<Objective>(std::move(objective));
    detail::check(btopt_register_objective(name.c_str(), &detail::call_registered, kept.get()));
    detail::registered_objectives().push_back(std::move(kept));
}
inline void unregister_objective(const std::string &name) { detail::check(btopt_unregister_objective(name.c_str())); }

struct Registered {
    std::string name;
};

class ParallelOptimizer {
public:
    ParallelOptimizer(Objective objective, const ParameterSpace &space, const std::string &algorithm,
                      Options options = {})
        : state_(std::make_unique<State>(std::move(objective), std::move(options.callback))),
          handle_(create(space, algorithm), btopt_optimizer_destroy)
    {
        set_options(options);
        detail::check(btopt_optimizer_set_objective(handle_.get(), &ParallelOptimizer::call_objective, state_.get()));
        attach_callback();
    }

    // Optimises an objective registered by name (register_objective, or a
    // host language's registration through the C ABI).
    ParallelOptimizer(const Registered &objective, const ParameterSpace &space, const std::string &algorithm,
                      Options options = {})
        : state_(std::make_unique<State>(nullptr, std::move(options.callback))),
          handle_(create(space, algorithm), btopt_optimizer_destroy)
    {
        set_options(options);
        detail::check(btopt_optimizer_use_objective(handle_.get(), objective.name.c_str()));
        attach_callback();
    }

    // Optimises a plugin. `space` narrows or replaces the plugin's own ranges
    // (nullptr: the plugin's default space).
    ParallelOptimizer(const Plugin &plugin, const ParameterSpace *space, const std::string &algorithm,
                      Options options = {})
        : state_(std::make_unique<State>(nullptr, std::move(options.callback))),
          handle_(create(space, algorithm), btopt_optimizer_destroy)
    {
        set_options(options);
        detail::check(btopt_optimizer_use_plugin(handle_.get(), plugin.path_or_name.c_str()));
        for (const auto &[key, value] : plugin.config)
            detail::check(btopt_optimizer_set_plugin_config(handle_.get(), key.c_str(), value.c_str()));
        if (!plugin.metric.empty())
            detail::check(btopt_optimizer_set_objective_metric(handle_.get(), plugin.metric.c_str()));
        attach_callback();
    }

    // Runs the search. Throws Error (with partial() set when the run stopped
    // on a failed trial or a cancellation). An exception thrown by the
    // progress callback cancels the run and is thrown again from here.
    OptimizationResult optimize()
    {
        btopt_result *raw = nullptr;
        const btopt_status status = btopt_optimizer_run(handle_.get(), &raw);
        if (std::exception_ptr thrown = std::exchange(state_->callback_exception, nullptr)) {
            btopt_result_destroy(raw);
            std::rethrow_exception(thrown);
        }
        if (status == BTOPT_OK)
            return OptimizationResult(raw);
        const std::string message = btopt_last_error();
        std::shared_ptr<const OptimizationResult> partial;
        if (raw)
            partial = std::make_shared<const OptimizationResult>(raw);
        throw Error(status, message, std::move(partial));
    }

#ifdef __cpp_lib_expected
    // optimize() that returns a failed run's Error (with its partial result)
    // instead of throwing it. An exception the callback threw is still thrown.
    std::expected<OptimizationResult, Error> try_optimize()
    {
        try {
            return optimize();
        } catch (const Error &e) {
            return std::unexpected(e);
        }
    }
#endif

    // Stops a running optimize(); safe from any thread and from the callback.
    // Called while no run is going, it stops the next optimize() at once.
    void cancel() noexcept { btopt_optimizer_cancel(handle_.get()); }

    // The equity curve of a kept trial of `result` (a run of this optimizer's
    // plugin and config); Error UNSUPPORTED when the plugin offers none.
    EquityCurve equity_curve(const OptimizationResult &result, std::size_t trial_index) const
    {
        btopt_series *raw = nullptr;
        detail::check(btopt_optimizer_equity_curve(&raw, handle_.get(), result.params_view(trial_index)));
        const std::unique_ptr<btopt_series, void (*)(btopt_series *)> series(raw, btopt_series_destroy);
        const std::size_t n = btopt_series_length(raw);
        return EquityCurve{{btopt_series_equity(raw), btopt_series_equity(raw) + n},
                           {btopt_series_buy_and_hold(raw), btopt_series_buy_and_hold(raw) + n}};
    }

    // Reads any option by its btopt name (docs: btopt.h's option list).
    std::int64_t get_int(const std::string &name) const
    {
        std::int64_t v = 0;
        detail::check(btopt_optimizer_get_int(handle_.get(), name.c_str(), &v));
        return v;
    }
    double get_double(const std::string &name) const
    {
        double v = 0.0;
        detail::check(btopt_optimizer_get_double(handle_.get(), name.c_str(), &v));
        return v;
    }
    std::string get_string(const std::string &name) const
    {
        const char *v = nullptr;
        detail::check(btopt_optimizer_get_string(handle_.get(), name.c_str(), &v));
        return v ? v : "";
    }

private:
    struct State {
        State(Objective o, std::function<void(std::uint64_t, std::uint64_t, double)> c)
            : objective(std::move(o)), callback(std::move(c))
        {
        }
        Objective objective;
        std::function<void(std::uint64_t, std::uint64_t, double)> callback;
        btopt_optimizer *optimizer = nullptr;    // to cancel from the callback
        std::exception_ptr callback_exception{}; // what the callback threw, for optimize() to rethrow
    };

    // The progress callback, if any, and the optimizer it may cancel.
    void attach_callback()
    {
        state_->optimizer = handle_.get();
        if (state_->callback)
            detail::check(btopt_optimizer_set_progress(handle_.get(), &ParallelOptimizer::call_progress, state_.get()));
    }

    static btopt_optimizer *create(const ParameterSpace &space, const std::string &algorithm)
    {
        return create(&space, algorithm);
    }

    static btopt_optimizer *create(const ParameterSpace *space, const std::string &algorithm)
    {
        btopt_optimizer *opt = nullptr;
        detail::check(btopt_optimizer_create(&opt, space ? space->handle() : nullptr, algorithm.c_str()));
        return opt;
    }

    void set_options(const Options &o)
    {
        const std::pair<const char *, const std::optional<std::int64_t> *> ints[] = {
            {"n_jobs", &o.n_jobs},           {"n_iterations", &o.n_iterations},
            {"random_seed", &o.random_seed}, {"population_size", &o.population_size},
            {"n_generations", &o.n_generations}, {"tournament_size", &o.tournament_size},
            {"elite_count", &o.elite_count}, {"batch_q", &o.batch_q},
            {"patience", &o.patience},       {"batch_size", &o.batch_size},
            {"keep_trials", &o.keep_trials}};
        for (const auto &[name, value] : ints)
            if (*value)
                detail::check(btopt_optimizer_set_int(handle_.get(), name, **value));
        if (o.crossover_rate)
            detail::check(btopt_optimizer_set_double(handle_.get(), "crossover_rate", *o.crossover_rate));
        if (o.mutation_rate)
            detail::check(btopt_optimizer_set_double(handle_.get(), "mutation_rate", *o.mutation_rate));
        const std::pair<const char *, const std::optional<std::string> *> strings[] = {
            {"backend", &o.backend},
            {"direction", &o.direction},
            {"start_method", &o.start_method},
            {"max_memory_per_worker", &o.max_memory_per_worker},
            {"study", &o.study},
            {"study_mode", &o.study_mode},
            {"data_fingerprint", &o.data_fingerprint},
            {"start", &o.start},
            {"end", &o.end},
            {"require", &o.require}};
        for (const auto &[name, value] : strings)
            if (*value)
                detail::check(btopt_optimizer_set_string(handle_.get(), name, (*value)->c_str()));
        if (o.eval_timeout)
            detail::check(btopt_optimizer_set_double(handle_.get(), "eval_timeout", *o.eval_timeout));
        if (o.init_timeout)
            detail::check(btopt_optimizer_set_double(handle_.get(), "init_timeout", *o.init_timeout));
        if (o.threads_per_worker)
            detail::check(btopt_optimizer_set_int(handle_.get(), "threads_per_worker", *o.threads_per_worker));
        if (o.pbo_blocks)
            detail::check(btopt_optimizer_set_int(handle_.get(), "pbo_blocks", *o.pbo_blocks));
        if (o.robust_radius)
            detail::check(btopt_optimizer_set_int(handle_.get(), "robust_radius", *o.robust_radius));
        if (o.select)
            detail::check(btopt_optimizer_set_string(handle_.get(), "select", o.select->c_str()));
        if (o.ignore_errors)
            detail::check(btopt_optimizer_set_int(handle_.get(), "ignore_errors", *o.ignore_errors ? 1 : 0));
        if (o.progress_interval)
            detail::check(btopt_optimizer_set_double(handle_.get(), "progress_interval", *o.progress_interval));
        if (o.max_seconds)
            detail::check(btopt_optimizer_set_double(handle_.get(), "max_seconds", *o.max_seconds));
    }

    static btopt_status call_objective(void *user, const btopt_params *params, double *score) noexcept
    {
        return detail::call_objective(static_cast<State *>(user)->objective, params, score);
    }

    // An exception must not unwind through C: it cancels the run and waits
    // in State until optimize() throws it again (progress runs on the thread
    // calling optimize, so nothing races for it). Later calls of the stopping
    // run are skipped: the callback already said stop.
    static void call_progress(void *user, std::uint64_t done, std::uint64_t total, double best) noexcept
    {
        auto *state = static_cast<State *>(user);
        if (state->callback_exception)
            return;
        try {
            state->callback(done, total, best);
        } catch (...) {
            state->callback_exception = std::current_exception();
            btopt_optimizer_cancel(state->optimizer);
        }
    }

    std::unique_ptr<State> state_;
    std::unique_ptr<btopt_optimizer, void (*)(btopt_optimizer *)> handle_;
};

// The sequential optimizer of the original: ParallelOptimizer on one worker.
class Optimizer : public ParallelOptimizer {
public:
    Optimizer(Objective objective, const ParameterSpace &space, const std::string &algorithm, Options options = {})
        : ParallelOptimizer(std::move(objective), space, algorithm, with_one_job(std::move(options)))
    {
    }

private:
    static Options with_one_job(Options options)
    {
        options.n_jobs = 1;
        return options;
    }
};

inline OptimizationResult::OptimizationResult(btopt_result *handle) : handle_(handle, btopt_result_destroy)
{
    best_score = btopt_result_best_score(handle);
    speedup = btopt_result_speedup(handle);
    wall_seconds = btopt_result_wall_seconds(handle);
    reused = btopt_result_reused_count(handle);
    provenance = btopt_result_provenance(handle);
    if (const btopt_params *best = btopt_result_best_params(handle))
        best_params = Params(best).to_map();
    evaluated = btopt_result_evaluated_count(handle);
    eval_seconds = btopt_result_eval_seconds(handle);
    workers = btopt_result_workers(handle);
    rank = btopt_result_rank(handle);
    stopped_on_budget = btopt_result_stopped_on_budget(handle) != 0;
    for (int status = BTOPT_TRIAL_OK; status <= BTOPT_TRIAL_INFEASIBLE; ++status)
        status_counts[static_cast<btopt_trial_status>(status)] = btopt_result_status_count(handle, status);
    const std::uint64_t n = btopt_result_trial_count(handle);
    trials.reserve(static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n; ++i) {
        TrialRecord t;
        const btopt_params *params = nullptr;
        std::int32_t status = 0;
        const char *error = nullptr;
        detail::check(btopt_result_trial(handle, i, &params, &t.score, &status));
        detail::check(btopt_result_trial_info(handle, i, &t.number, &error, &t.seconds));
        t.params = Params(params).to_map();
        t.status = static_cast<btopt_trial_status>(status);
        t.error = error;
        for (std::size_t m = 0; m < btopt_result_metric_count(handle); ++m) {
            double value = 0.0;
            detail::check(btopt_result_trial_metric(handle, i, m, &value));
            t.metrics.emplace(btopt_result_metric_name(handle, m), value);
        }
        trials.push_back(std::move(t));
    }
    std::uint64_t best = 0;
    if (!best_params.empty() && btopt_result_best_index(handle, &best) == BTOPT_OK) {
        best_index = static_cast<std::size_t>(best);
        best_metrics = trials[*best_index].metrics;
    }
}

inline const btopt_params *OptimizationResult::params_view(std::size_t trial_index) const
{
    const btopt_params *view = nullptr;
    detail::check(btopt_result_trial(handle_.get(), trial_index, &view, nullptr, nullptr));
    return view;
}

inline OptimizationResult OptimizationResult::open_study(const std::string &path, std::int64_t run)
{
    btopt_result *raw = nullptr;
    detail::check(btopt_study_open(&raw, path.c_str(), run));
    return OptimizationResult(raw);
}

inline void OptimizationResult::write_json(const std::string &path) const
{
    detail::check(btopt_result_write_json(handle_.get(), path.c_str()));
}

inline void OptimizationResult::write_csv(const std::string &path) const
{
    detail::check(btopt_result_write_csv(handle_.get(), path.c_str()));
}

// ---- Ask and tell ---------------------------------------------------------
// One of btopt's searches without a run (btopt_search_*): ask for trials,
// evaluate them with your own executor, tell the outcomes in any order; the
// trials are those an Optimizer run with the same options evaluates.
struct AskedTrial {
    std::uint64_t number = 0; // 0, 1, 2, ... in proposal order
    ParamMap params;
};

class Search {
public:
    // algorithm: "grid", "random", "genetic", "bayesian" or "cmaes".
    Search(const ParameterSpace &space, const std::string &algorithm) : handle_(create(space, algorithm), btopt_search_destroy) {}

    // Options a search reads (random_seed, n_iterations, batch_q, ...), before the first ask.
    Search &set(const std::string &option, std::int64_t value)
    {
        detail::check(btopt_search_set_int(handle_.get(), option.c_str(), value));
        return *this;
    }
    Search &set(const std::string &option, int value) { return set(option, std::int64_t{value}); }
    Search &set(const std::string &option, double value)
    {
        detail::check(btopt_search_set_double(handle_.get(), option.c_str(), value));
        return *this;
    }
    Search &set(const std::string &option, const std::string &value)
    {
        detail::check(btopt_search_set_string(handle_.get(), option.c_str(), value.c_str()));
        return *this;
    }

    // Up to `max` new trials; none while the search waits for outcomes, or when done.
    std::vector<AskedTrial> ask(std::size_t max)
    {
        std::vector<std::uint64_t> numbers(max);
        std::vector<const btopt_params *> views(max);
        std::size_t count = 0;
        detail::check(btopt_search_ask(handle_.get(), max, numbers.data(), views.data(), &count));
        std::vector<AskedTrial> trials;
        for (std::size_t i = 0; i < count; ++i)
            trials.push_back(AskedTrial{numbers[i], Params(views[i]).to_map()});
        return trials;
    }
    // Trial `number` succeeded with `score`.
    void tell(std::uint64_t number, double score) { tell(number, BTOPT_TRIAL_OK, score); }
    // Trial `number` ended with `status` (its score counts when ok), with its metrics.
    void tell(std::uint64_t number, btopt_trial_status status, double score, const std::vector<double> &metrics = {})
    {
        detail::check(btopt_search_tell(handle_.get(), number, status, score, metrics.empty() ? nullptr : metrics.data(),
                                        metrics.size()));
    }
    bool done() const { return btopt_search_done(handle_.get()) != 0; }
    // The best successful trial heard so far (its score in TrialRecord::score).
    std::optional<TrialRecord> best() const
    {
        TrialRecord best;
        const btopt_params *view = nullptr;
        const btopt_status status = btopt_search_best(handle_.get(), &best.number, &best.score, &view);
        if (status == BTOPT_ERR_NOT_FOUND)
            return std::nullopt;
        detail::check(status);
        best.params = Params(view).to_map();
        return best;
    }
    // JSON text, for restore().
    std::string state()
    {
        const char *text = nullptr;
        detail::check(btopt_search_state(handle_.get(), &text));
        return text;
    }
    // Into a new search with the same space, algorithm and options.
    void restore(const std::string &state) { detail::check(btopt_search_restore(handle_.get(), state.c_str())); }

private:
    static btopt_search *create(const ParameterSpace &space, const std::string &algorithm)
    {
        btopt_search *raw = nullptr;
        detail::check(btopt_search_create(&raw, space.handle(), algorithm.c_str()));
        return raw;
    }
    std::unique_ptr<btopt_search, void (*)(btopt_search *)> handle_;
};

} // namespace btopt
