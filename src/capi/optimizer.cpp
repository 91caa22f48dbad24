// Optimizers at the C ABI: options, objectives and the run.
#include "callback_objective.hpp"
#include "handles.hpp"

#include "../run/coordinator.hpp"

#include <map>
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

Result<RunOutcome> run_optimizer(btopt_optimizer &opt)
{
    const auto workers = resolve_jobs(opt.options.n_jobs);
    if (!workers)
        return tl::unexpected(workers.error());
    if (!opt.objective)
        return fail(BTOPT_ERR_INVALID_ARGUMENT,
                    "no objective: call btopt_optimizer_set_objective or btopt_optimizer_use_objective before running");
    auto search = make_search(opt.algorithm, *opt.space, opt.options);
    if (!search)
        return tl::unexpected(search.error());
    capi::CallbackObjective objective(*opt.space, opt.objective, opt.objective_user, opt.objective_name);
    const std::string backend = !opt.options.backend.empty() ? opt.options.backend : *workers == 1 ? "inline" : "thread";
    auto executor = backend == "inline" ? make_inline_executor(objective, opt.options)
                                        : make_thread_executor(objective, opt.options, *workers);
    ProgressFn progress;
    if (opt.progress)
        progress = [&opt](std::uint64_t done, std::uint64_t total, double best) {
            opt.progress(opt.progress_user, done, total, best);
        };
    opt.cancel.store(false);
    return coordinate(RunRequest{
        .space = opt.space,
        .search = **search,
        .executor = *executor,
        .options = opt.options,
        .info = RunInfo{.algorithm = opt.algorithm,
                        .backend = backend,
                        .objective = objective.name(),
                        .direction = opt.options.direction,
                        .seed = opt.options.random_seed,
                        .workers = executor->workers(),
                        .metric_names = objective.metric_names()},
        .progress = std::move(progress),
        .cancel = opt.cancel,
    });
}

btopt_result *make_result(RunResult run)
{
    auto *result = new btopt_result{std::move(run), {}};
    result->views.reserve(result->run.trials.size());
    for (const Trial &trial : result->run.trials)
        result->views.push_back(btopt_params{result->run.space.get(), &trial.point});
    return result;
}

} // namespace

extern "C" {

btopt_status btopt_register_objective(const char *name, btopt_objective_fn fn, void *user)
{
    BTOPT_REQUIRE(name);
    BTOPT_REQUIRE(fn);
    return guarded([&] {
        std::lock_guard lock(registry_mutex);
        registry[name] = Registered{fn, user};
        return BTOPT_OK;
    });
}

btopt_status btopt_optimizer_create(btopt_optimizer **out, const btopt_space *space, const char *algorithm)
{
    BTOPT_REQUIRE(out);
    *out = nullptr;
    BTOPT_REQUIRE(space);
    BTOPT_REQUIRE(algorithm);
    return guarded([&] {
        const std::string name = algorithm;
        if (name == "bayesian")
            return set_error(BTOPT_ERR_UNSUPPORTED,
                             "bayesian search needs sequential evaluation (each point depends on every result "
                             "before it), so btopt's parallel optimizer does not offer it: use 'genetic' or 'random'");
        if (!is_known_algorithm(name))
            return set_error(BTOPT_ERR_INVALID_ARGUMENT,
                             fmt::format("unknown algorithm '{}': use 'grid', 'random' or 'genetic'", name));
        if (space->space.size() == 0)
            return set_error(BTOPT_ERR_INVALID_ARGUMENT, "the parameter space is empty: add at least one parameter");
        if (auto search = make_search(name, space->space, Options{}); !search)
            return set_error(search.error());
        auto opt = std::make_unique<btopt_optimizer>();
        opt->space = std::make_shared<const Space>(space->space);
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
    return guarded([&] { return status_of(opt->options.set_string(option, value)); });
}

btopt_status btopt_optimizer_set_objective(btopt_optimizer *opt, btopt_objective_fn fn, void *user)
{
    BTOPT_REQUIRE(opt);
    BTOPT_REQUIRE(fn);
    opt->objective = fn;
    opt->objective_user = user;
    opt->objective_name = "callback";
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

btopt_status btopt_optimizer_run(btopt_optimizer *opt, btopt_result **out)
{
    BTOPT_REQUIRE(out);
    *out = nullptr;
    BTOPT_REQUIRE(opt);
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

void btopt_optimizer_cancel(btopt_optimizer *opt)
{
    if (opt)
        opt->cancel.store(true);
}

} // extern "C"
