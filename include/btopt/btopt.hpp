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

namespace btopt {

// A parameter's value: an integer, a float or a choice.
using Value = std::variant<std::int64_t, double, std::string>;
using ParamMap = std::map<std::string, Value>;

struct TrialRecord {
    std::uint64_t number = 0; // position in proposal order
    ParamMap params;
    double score = 0.0; // NaN unless status is BTOPT_TRIAL_OK
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
    const btopt_space *handle() const noexcept { return handle_.get(); }

private:
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
    std::function<void(std::uint64_t done, std::uint64_t total, double best_score)> callback{};
    // The bars a plugin's run trades: a date "YYYY-MM-DD" or a bar number each.
    std::optional<std::string> start{}, end{};
};

// A strategy plugin as the objective: a path or a name on the plugin search
// path, the key=value config its init receives, and which metric is the score
// (empty: the plugin's default).
struct Plugin {
    std::string path_or_name;
    std::vector<std::pair<std::string, std::string>> config{};
    std::string metric{};
};

// The objective: a score for one point. An exception marks the trial failed
// with its message. With the "thread" backend it runs on several threads at once.
using Objective = std::function<double(const Params &)>;

class ParallelOptimizer {
public:
    ParallelOptimizer(Objective objective, const ParameterSpace &space, const std::string &algorithm,
                      Options options = {})
        : state_(std::make_unique<State>(std::move(objective), std::move(options.callback))),
          handle_(create(space, algorithm), btopt_optimizer_destroy)
    {
        set_options(options);
        detail::check(btopt_optimizer_set_objective(handle_.get(), &ParallelOptimizer::call_objective, state_.get()));
        if (state_->callback)
            detail::check(btopt_optimizer_set_progress(handle_.get(), &ParallelOptimizer::call_progress, state_.get()));
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
        if (state_->callback)
            detail::check(btopt_optimizer_set_progress(handle_.get(), &ParallelOptimizer::call_progress, state_.get()));
    }

    // Runs the search. Throws Error (with partial() set when the run stopped
    // on a failed trial or a cancellation).
    OptimizationResult optimize()
    {
        btopt_result *raw = nullptr;
        const btopt_status status = btopt_optimizer_run(handle_.get(), &raw);
        if (status == BTOPT_OK)
            return OptimizationResult(raw);
        const std::string message = btopt_last_error();
        std::shared_ptr<const OptimizationResult> partial;
        if (raw)
            partial = std::make_shared<const OptimizationResult>(raw);
        throw Error(status, message, std::move(partial));
    }

    // Stops a running optimize(); safe from any thread and from the callback.
    void cancel() noexcept { btopt_optimizer_cancel(handle_.get()); }

private:
    struct State {
        State(Objective o, std::function<void(std::uint64_t, std::uint64_t, double)> c)
            : objective(std::move(o)), callback(std::move(c))
        {
        }
        Objective objective;
        std::function<void(std::uint64_t, std::uint64_t, double)> callback;
    };

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
            {"end", &o.end}};
        for (const auto &[name, value] : strings)
            if (*value)
                detail::check(btopt_optimizer_set_string(handle_.get(), name, (*value)->c_str()));
        if (o.eval_timeout)
            detail::check(btopt_optimizer_set_double(handle_.get(), "eval_timeout", *o.eval_timeout));
        if (o.init_timeout)
            detail::check(btopt_optimizer_set_double(handle_.get(), "init_timeout", *o.init_timeout));
        if (o.threads_per_worker)
            detail::check(btopt_optimizer_set_int(handle_.get(), "threads_per_worker", *o.threads_per_worker));
        if (o.ignore_errors)
            detail::check(btopt_optimizer_set_int(handle_.get(), "ignore_errors", *o.ignore_errors ? 1 : 0));
    }

    static btopt_status call_objective(void *user, const btopt_params *params, double *score) noexcept
    {
        try {
            *score = static_cast<State *>(user)->objective(Params(params));
            return BTOPT_OK;
        } catch (const std::exception &e) {
            return btopt_fail(e.what());
        } catch (...) {
            return btopt_fail("the objective threw an exception that is not a std::exception");
        }
    }

    static void call_progress(void *user, std::uint64_t done, std::uint64_t total, double best) noexcept
    {
        try {
            static_cast<State *>(user)->callback(done, total, best);
        } catch (...) {
            // A throwing progress callback must not unwind through C; progress is advisory.
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

} // namespace btopt
