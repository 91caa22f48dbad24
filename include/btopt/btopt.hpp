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

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <initializer_list>
#include <limits>
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

// How one trial ended (btopt_trial_status, as a scoped enum). It compares
// equal to the C enum's value of the same meaning, and to_c() converts.
enum class TrialStatus : std::int32_t {
    ok = BTOPT_TRIAL_OK,
    failed = BTOPT_TRIAL_FAILED,       // the objective reported an error or a NaN/infinite score
    crashed = BTOPT_TRIAL_CRASHED,     // the worker evaluating it died
    timeout = BTOPT_TRIAL_TIMEOUT,     // the evaluation ran past eval_timeout
    cancelled = BTOPT_TRIAL_CANCELLED, // the run stopped before the evaluation finished
    infeasible = BTOPT_TRIAL_INFEASIBLE, // ok, but its metrics break the run's require
};
constexpr btopt_trial_status to_c(TrialStatus status) noexcept { return static_cast<btopt_trial_status>(status); }
constexpr TrialStatus to_trial_status(btopt_trial_status status) noexcept { return static_cast<TrialStatus>(status); }
constexpr bool operator==(TrialStatus a, btopt_trial_status b) noexcept { return to_c(a) == b; }
// "ok", "failed", "crashed", "timeout", "cancelled" or "infeasible" (btopt_trial_status_name).
inline std::string to_string(TrialStatus status) { return btopt_trial_status_name(static_cast<std::int32_t>(status)); }
// A status code's name ("BTOPT_ERR_NOT_FOUND"; btopt_status_name).
inline std::string status_name(btopt_status status) { return btopt_status_name(status); }

struct TrialRecord {
    std::uint64_t number = 0; // position in proposal order
    ParamMap params;
    double score = 0.0; // NaN unless status is TrialStatus::ok or TrialStatus::infeasible
    TrialStatus status = TrialStatus::ok;
    std::string error;
    double seconds = 0.0;
    std::map<std::string, double> metrics; // what a plugin reported
};

// Selection-bias statistics of a run (btopt_selection; docs/VALIDATION.md).
// A statistic the run could not give is nullopt, and note says why.
struct SharpeStatistics {
    double psr = 0.0, dsr = 0.0, sharpe = 0.0, expected_max_sharpe = 0.0, sharpe_variance = 0.0;
    std::uint64_t n_trials = 0, n_returns = 0;
    double skewness = 0.0, kurtosis = 0.0;
};
struct PboStatistics {
    double pbo = 0.0, logit_mean = 0.0;
    std::uint32_t blocks = 0;
    std::uint64_t strategies = 0, splits = 0, all_splits = 0;
};
struct RobustStatistics {
    std::uint32_t radius = 0;
    std::size_t robust_index = 0; // the trial whose neighbourhood score is best
    double robust_score = 0.0, best_neighbourhood = 0.0;
    std::size_t chosen_index = 0; // the trial option `select` picks
};
struct Selection {
    std::optional<SharpeStatistics> sharpe;
    std::optional<PboStatistics> pbo;
    std::optional<RobustStatistics> robust;
    std::string note; // why a statistic is missing; empty when none is
};
struct Sensitivity {
    double min_score = 0.0, max_score = 0.0;
    std::uint64_t points = 0;
};

// What a walk-forward found (btopt_walkforward_json names every key).
struct WalkForward {
    std::string json;
    std::size_t window_count = 0;
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
    std::map<TrialStatus, std::uint64_t> status_counts; // evaluated trials by status
    bool stopped_on_budget = false; // max_seconds ended the run (btopt_result_stopped_on_budget)
    double efficiency = 0.0;        // speedup / workers (btopt_result_efficiency)
    double speedup_cpu_share = 0.0; // 1: the speedup's basis is CPU time, 0: wall time (btopt.h)
    // What went wrong without costing a trial (a plugin's finish that crashed), a line each.
    std::vector<std::string> warnings;
    Selection selection; // selection-bias statistics (docs/VALIDATION.md)

    // The scores along parameter k around the best trial (grid runs with a
    // robustness table; btopt_result_sensitivity); nullopt when the run has
    // none or k is past the last parameter.
    std::optional<Sensitivity> sensitivity(std::size_t k) const;

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
// on a failed trial or a cancellation, partial() holds the trials it finished
// (partial_walkforward(), for a walk-forward, the windows it finished).
class Error : public std::runtime_error {
public:
    Error(btopt_status status, const std::string &message, std::shared_ptr<const OptimizationResult> partial = {},
          std::shared_ptr<const WalkForward> partial_walkforward = {})
        : std::runtime_error(message), status_(status), partial_(std::move(partial)),
          partial_walkforward_(std::move(partial_walkforward))
    {
    }
    btopt_status status() const noexcept { return status_; }
    const OptimizationResult *partial() const noexcept { return partial_.get(); }
    const WalkForward *partial_walkforward() const noexcept { return partial_walkforward_.get(); }

private:
    btopt_status status_;
    std::shared_ptr<const OptimizationResult> partial_;
    std::shared_ptr<const WalkForward> partial_walkforward_;
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
// "a\nb\n" -> {"a", "b"}; "" -> {}.
inline std::vector<std::string> lines(const char *text)
{
    std::vector<std::string> out;
    std::string line;
    for (const char *c = text ? text : ""; *c; ++c) {
        if (*c != '\n') {
            line += *c;
            continue;
        }
        out.push_back(std::exchange(line, {}));
    }
    if (!line.empty())
        out.push_back(std::move(line));
    return out;
}

inline Selection selection_of(const btopt_result *result)
{
    btopt_selection s{};
    s.struct_size = sizeof s;
    check(btopt_result_selection(result, &s));
    Selection out;
    if (s.has_sharpe)
        out.sharpe = SharpeStatistics{s.psr,      s.dsr,       s.sharpe,   s.expected_max_sharpe, s.sharpe_variance,
                                      s.n_trials, s.n_returns, s.skewness, s.kurtosis};
    if (s.has_pbo)
        out.pbo = PboStatistics{s.pbo, s.pbo_logit_mean, s.pbo_blocks, s.pbo_strategies, s.pbo_splits, s.pbo_all_splits};
    if (s.has_robust)
        out.robust = RobustStatistics{s.robust_radius, static_cast<std::size_t>(s.robust_index), s.robust_score,
                                      s.best_neighbourhood, static_cast<std::size_t>(s.chosen_index)};
    out.note = btopt_result_selection_note(result);
    return out;
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

// What the progress struct callback (Options::progress) receives: the
// counts of recorded trials by status (btopt_progress).
struct Progress {
    std::uint64_t done = 0; // finished trials recorded: ok + failed + crashed + timeout
    std::uint64_t total = 0; // the planned number; once the run stops, the number that finished
    std::uint64_t ok = 0, failed = 0, crashed = 0, timeout = 0, cancelled = 0;
    std::uint64_t reused = 0; // of done: outcomes a study supplied
    double best_score = std::numeric_limits<double>::quiet_NaN();
    double evaluations_per_second = 0.0, elapsed_seconds = 0.0;
    std::optional<std::uint64_t> trial; // the trial this call is the first to report; nullopt for a beat
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
    // The progress struct callback (btopt_optimizer_set_progress_ex): a call
    // per recorded trial, in trial order (or coalesced by progress_interval).
    // Like callback, it may cancel; an exception it throws cancels the run
    // and is thrown again from optimize().
    std::function<void(const Progress &)> progress{};
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
    // The date of each bar (btopt_series_dates); empty when the plugin's bars carry none.
    std::vector<std::chrono::sys_days> dates;
};

// Functions a host calls to hook into runs around forks of the host
// (btopt_optimizer_set_fork_hooks): `before` and `after_parent` run in the host
// on the thread that called optimize(), around every fork (an exception from
// them cancels the run and is thrown again from optimize()); `after_child`
// runs first thing in each new worker and must not throw (a throw ends that
// worker, which costs its trial). An empty function is no hook.
struct ForkHooks {
    std::function<void()> before{}, after_parent{}, after_child{};
};

// The walk-forward's windows (btopt_walkforward_spec): lengths are bars ("500")
// or calendar periods ("30d", "4w", "6m", "2y").
struct WalkForwardSpec {
    std::string train, test;
    std::string step{};       // how far each window moves on; empty: the test length
    bool anchored = false;    // every train window starts at the first bar
    std::string validation{}; // bars between train and test that pick among the 10 best; empty: none
};

// One entry of the option catalogue (btopt_option_info).
struct OptionInfo {
    std::string name;
    btopt_option_type type = BTOPT_OPTION_INT;
    std::string default_value, applies_to, cli_flag, doc;
};

// Every option an optimizer takes, in the documentation's order.
inline std::vector<OptionInfo> option_catalogue()
{
    std::vector<OptionInfo> out;
    for (std::size_t i = 0; i < btopt_option_count(); ++i) {
        btopt_option_desc d{};
        d.struct_size = sizeof d;
        detail::check(btopt_option_info(i, &d));
        out.push_back({d.name, d.type, d.default_value, d.applies_to, d.cli_flag, d.doc});
    }
    return out;
}

// For an objective that hands its point to a process of its own and waits:
// the CPU seconds the evaluation used there (btopt_report_cpu_seconds), so
// the speedup counts them. Call it during the objective call, from its thread.
inline void report_cpu_seconds(double seconds) { detail::check(btopt_report_cpu_seconds(seconds)); }

// The ids of a study's runs, oldest first (btopt_study_runs).
inline std::vector<std::int64_t> study_runs(const std::string &path)
{
    std::size_t count = 0;
    detail::check(btopt_study_runs(path.c_str(), nullptr, 0, &count));
    std::vector<std::int64_t> ids(count);
    detail::check(btopt_study_runs(path.c_str(), ids.data(), ids.size(), &count));
    ids.resize(std::min(count, ids.size()));
    return ids;
}

// Writes a stored run (0: the last) as write_json and write_csv do, streaming
// its trials from the study (btopt_study_export). Either path may be empty, not both.
inline void export_study(const std::string &path, std::int64_t run, const std::string &json_path,
                         const std::string &csv_path)
{
    const auto or_null = [](const std::string &s) { return s.empty() ? nullptr : s.c_str(); };
    detail::check(btopt_study_export(path.c_str(), run, or_null(json_path), or_null(csv_path)));
}

// The library's version ("0.1.0") and ABI version (BTOPT_ABI_VERSION when they match).
inline std::string version() { return btopt_version(); }
inline std::uint32_t abi_version() { return btopt_abi_version(); }

// The objective: a score for one point. An exception marks the trial failed
// with its message (a TrialFault: crashed or timeout). With the "thread"
// backend it runs on several threads at once.
using Objective = std::function<double(const Params &)>;

// Thrown by an objective that evaluates in a process of its own and saw that
// process die (TrialStatus::crashed) or run past its own time limit
// (TrialStatus::timeout): the trial is recorded so (btopt_fail_trial).
class TrialFault : public std::runtime_error {
public:
    TrialFault(TrialStatus status, const std::string &message) : std::runtime_error(message), status_(status) {}
    TrialStatus status() const noexcept { return status_; }

private:
    TrialStatus status_;
};

namespace detail {
inline btopt_status call_objective(const Objective &objective, const btopt_params *params, double *score) noexcept
{
    try {
        *score = objective(Params(params));
        return BTOPT_OK;
    } catch (const TrialFault &e) {
        return btopt_fail_trial(to_c(e.status()), e.what());
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
        attach_callbacks(options);
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
        attach_callbacks(options);
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
        attach_callbacks(options);
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

    // Walk-forward (docs/VALIDATION.md): this optimizer's plugin searched on
    // each window's train bars, its best point traded on the test bars after.
    // Throws Error (with partial_walkforward() set when it stopped on a failed
    // trial or a cancellation); a callback's exception as optimize() does.
    WalkForward walkforward(const WalkForwardSpec &spec)
    {
        btopt_walkforward_spec c{};
        c.struct_size = sizeof c;
        c.train = spec.train.c_str();
        c.test = spec.test.c_str();
        c.step = spec.step.c_str();
        c.anchored = spec.anchored ? 1 : 0;
        c.validation = spec.validation.c_str();
        btopt_walkforward *raw = nullptr;
        const btopt_status status = btopt_optimizer_walkforward(handle_.get(), &c, &raw);
        const std::unique_ptr<btopt_walkforward, void (*)(btopt_walkforward *)> owned(raw, btopt_walkforward_destroy);
        if (std::exception_ptr thrown = std::exchange(state_->callback_exception, nullptr))
            std::rethrow_exception(thrown);
        const auto read = [raw] { return WalkForward{btopt_walkforward_json(raw), btopt_walkforward_window_count(raw)}; };
        if (status == BTOPT_OK)
            return read();
        const std::string message = btopt_last_error();
        throw Error(status, message, nullptr, raw ? std::make_shared<const WalkForward>(read()) : nullptr);
    }

#ifdef __cpp_lib_expected
    // walkforward() that returns its Error instead of throwing it.
    std::expected<WalkForward, Error> try_walkforward(const WalkForwardSpec &spec)
    {
        try {
            return walkforward(spec);
        } catch (const Error &e) {
            return std::unexpected(e);
        }
    }
#endif

    // Replaces the fork hooks (ForkHooks); all empty removes them.
    void set_fork_hooks(ForkHooks hooks)
    {
        state_->fork_hooks = std::move(hooks);
        const ForkHooks &h = state_->fork_hooks;
        detail::check(btopt_optimizer_set_fork_hooks(handle_.get(), h.before ? &ParallelOptimizer::call_before_fork : nullptr,
                                                     h.after_parent ? &ParallelOptimizer::call_after_fork_parent : nullptr,
                                                     h.after_child ? &ParallelOptimizer::call_after_fork_child : nullptr,
                                                     state_.get()));
    }

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
        EquityCurve curve{{btopt_series_equity(raw), btopt_series_equity(raw) + n},
                          {btopt_series_buy_and_hold(raw), btopt_series_buy_and_hold(raw) + n},
                          {}};
        if (const std::int64_t *days = btopt_series_dates(raw))
            for (std::size_t i = 0; i < n; ++i)
                curve.dates.emplace_back(std::chrono::days{days[i]});
        return curve;
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
        std::function<void(const Progress &)> progress{};
        ForkHooks fork_hooks{};
        btopt_optimizer *optimizer = nullptr;    // to cancel from the callback
        std::exception_ptr callback_exception{}; // what the callback threw, for optimize() to rethrow
    };

    // The progress callbacks, if any, and the optimizer they may cancel.
    void attach_callbacks(Options &options)
    {
        state_->optimizer = handle_.get();
        state_->progress = std::move(options.progress);
        if (state_->callback)
            detail::check(btopt_optimizer_set_progress(handle_.get(), &ParallelOptimizer::call_progress, state_.get()));
        if (state_->progress)
            detail::check(
                btopt_optimizer_set_progress_ex(handle_.get(), &ParallelOptimizer::call_progress_ex, state_.get()));
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
    // in State until optimize() throws it again (progress and the host's fork
    // hooks run on the thread calling optimize, so nothing races for it).
    // Later calls of the stopping run are skipped: a callback already said stop.
    template <class Call>
    static void guarded(void *user, Call &&call) noexcept
    {
        auto *state = static_cast<State *>(user);
        if (state->callback_exception)
            return;
        try {
            call(*state);
        } catch (...) {
            state->callback_exception = std::current_exception();
            btopt_optimizer_cancel(state->optimizer);
        }
    }

    static void call_progress(void *user, std::uint64_t done, std::uint64_t total, double best) noexcept
    {
        guarded(user, [&](State &s) { s.callback(done, total, best); });
    }

    static void call_progress_ex(void *user, const btopt_progress *raw) noexcept
    {
        guarded(user, [raw](State &s) { s.progress(to_progress(raw)); });
    }

    // The fields the library filled (struct_size), the rest at their defaults.
    static Progress to_progress(const btopt_progress *raw)
    {
        btopt_progress c{};
        c.best_score = std::numeric_limits<double>::quiet_NaN();
        c.trial = -1;
        std::memcpy(&c, raw, std::min(raw->struct_size, sizeof c));
        Progress p{c.done, c.total, c.ok, c.failed, c.crashed, c.timeout, c.cancelled, c.reused,
                   c.best_score, c.evaluations_per_second, c.elapsed_seconds, std::nullopt};
        if (c.trial >= 0)
            p.trial = static_cast<std::uint64_t>(c.trial);
        return p;
    }

    static void call_before_fork(void *user) noexcept
    {
        guarded(user, [](State &s) { s.fork_hooks.before(); });
    }
    static void call_after_fork_parent(void *user) noexcept
    {
        guarded(user, [](State &s) { s.fork_hooks.after_parent(); });
    }
    // In the new worker: nowhere to carry an exception to, so it ends the worker (noexcept).
    static void call_after_fork_child(void *user) noexcept { static_cast<State *>(user)->fork_hooks.after_child(); }

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
        status_counts[static_cast<TrialStatus>(status)] = btopt_result_status_count(handle, status);
    efficiency = btopt_result_efficiency(handle);
    speedup_cpu_share = btopt_result_speedup_cpu_share(handle);
    warnings = detail::lines(btopt_result_warnings(handle));
    selection = detail::selection_of(handle);
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
        t.status = static_cast<TrialStatus>(status);
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

inline std::optional<Sensitivity> OptimizationResult::sensitivity(std::size_t k) const
{
    Sensitivity s;
    const btopt_status status = btopt_result_sensitivity(handle_.get(), k, &s.min_score, &s.max_score, &s.points);
    if (status == BTOPT_ERR_NOT_FOUND)
        return std::nullopt;
    detail::check(status);
    return s;
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
    // algorithm: "grid", "random", "genetic", "bayesian", "cmaes" or "gp".
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
    void tell(std::uint64_t number, double score) { tell(number, TrialStatus::ok, score); }
    // Trial `number` ended with `status` (its score counts when ok), with its metrics.
    void tell(std::uint64_t number, TrialStatus status, double score, const std::vector<double> &metrics = {})
    {
        tell(number, to_c(status), score, metrics);
    }
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

// ---- Hosts with a cluster of their own (btopt.h) ---------------------------
// Over a configured optimizer's handle: the search its run would make, its
// space, and an Evaluator that loads its plugin once and evaluates points.
namespace btopt {

using SearchHandle = std::unique_ptr<btopt_search, void (*)(btopt_search *)>;

inline SearchHandle optimizer_search(const btopt_optimizer *opt)
{
    btopt_search *raw = nullptr;
    detail::check(btopt_optimizer_search(opt, &raw));
    return SearchHandle(raw, btopt_search_destroy);
}

inline std::vector<Parameter> optimizer_space(const btopt_optimizer *opt)
{
    btopt_space *raw = nullptr;
    detail::check(btopt_optimizer_space(opt, &raw));
    const std::unique_ptr<btopt_space, void (*)(btopt_space *)> space(raw, btopt_space_destroy);
    return ParameterSpace::describe(space.get());
}

struct PointEvaluation {
    TrialStatus status = TrialStatus::ok;
    double score = 0.0;
    std::vector<double> metrics;
    std::string error; // empty when ok
};

class Evaluator {
public:
    explicit Evaluator(const btopt_optimizer *opt) : handle_(create(opt), btopt_evaluator_destroy) {}

    std::size_t metric_count() const { return btopt_evaluator_metric_count(handle_.get()); }
    // values: one per parameter of optimizer_space (a choice's index); seed: the trial's.
    PointEvaluation evaluate(const std::vector<double> &values, std::uint64_t seed)
    {
        PointEvaluation e;
        e.metrics.resize(metric_count());
        std::int32_t status = 0;
        const char *error = nullptr;
        detail::check(btopt_evaluator_evaluate(handle_.get(), values.data(), values.size(), seed, &status, &e.score,
                                               e.metrics.data(), e.metrics.size(), &error));
        e.status = static_cast<TrialStatus>(status);
        e.error = error ? error : "";
        return e;
    }

private:
    static btopt_evaluator *create(const btopt_optimizer *opt)
    {
        btopt_evaluator *raw = nullptr;
        detail::check(btopt_evaluator_create(&raw, opt));
        return raw;
    }
    std::unique_ptr<btopt_evaluator, void (*)(btopt_evaluator *)> handle_;
};

} // namespace btopt
