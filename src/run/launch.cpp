#include "launch.hpp"

#include "../core/paths.hpp"
#include "../exec/spawner.hpp"
#include "../plugin/plugin_config.hpp"
#include "../plugin/plugin_objective.hpp"
#include "../study/writer.hpp"

#include <dlfcn.h>

#include <mutex>

namespace btopt::internal {

std::string choose_backend(const RunPlan &plan, unsigned workers)
{
    if (!plan.options.backend.empty())
        return plan.options.backend;
    if (plan.plugin)
        return "process";
    return workers == 1 ? "inline" : "thread";
}

Result<void> refuse_without_ranges(const RunPlan &plan, std::string_view asked_by)
{
    if (!plan.plugin)
        return fail(BTOPT_ERR_UNSUPPORTED, "{} choose bars of a strategy plugin's data; a host objective has none",
                    asked_by);
    if (!plan.plugin->has_ranges)
        return fail(BTOPT_ERR_UNSUPPORTED,
                    "plugin '{}' cannot evaluate a range of bars (its descriptor has no evaluate_range), which {} "
                    "need: give it bar ranges (include/btopt/strategy.hpp: bar_count, bar_dates, evaluate_range)",
                    plan.plugin->name, asked_by);
    if (plan.plugin->init_per_worker)
        return fail(BTOPT_ERR_UNSUPPORTED,
                    "plugin '{}' runs its init in every worker (BTOPT_PLUGIN_INIT_PER_WORKER), so its bars are never "
                    "listed once, which {} need",
                    plan.plugin->name, asked_by);
    return {};
}

namespace {

Result<std::string> choose_start_method(const RunPlan &plan)
{
    const std::string method = !plan.options.start_method.empty() ? plan.options.start_method
                               : plan.plugin                       ? "server"
                                                                   : "fork";
    if (method == "server" && !plan.plugin)
        return fail(BTOPT_ERR_UNSUPPORTED,
                    "start_method 'server' runs strategy plugins; a host objective runs with start_method 'fork' "
                    "or the thread backend");
    if (method == "fork" && plan.plugin)
        return fail(BTOPT_ERR_UNSUPPORTED,
                    "start_method 'fork' runs host objectives; a plugin runs in the worker server (start_method "
                    "'server')");
    return method;
}

WorkerLimits limits_of(const Options &options)
{
    return WorkerLimits{options.max_memory, options.threads_per_worker, options.eval_timeout > 0};
}

Result<void> load_plugin_here(const RunPlan &plan, std::size_t metric, Assembly &a)
{
    auto plugin = Plugin::load(plan.plugin->path);
    if (!plugin)
        return tl::unexpected(plugin.error());
    a.plugin = std::move(*plugin);
    auto state = PluginState::init(*a.plugin, plan.plugin_config);
    if (!state)
        return tl::unexpected(state.error());
    a.state = std::move(*state);
    a.plugin_objective = std::make_unique<PluginObjective>(*a.plugin, *a.state, *plan.space, metric);
    if (a.plugin->info().has_ranges) {
        auto timeline = read_timeline(*a.plugin, *a.state);
        if (!timeline)
            return tl::unexpected(timeline.error());
        a.timeline = std::move(*timeline);
    }
    return {};
}

// Before anything starts: only a plugin with bar ranges trades part of its data.
Result<void> refuse_range_without_support(const RunPlan &plan)
{
    if (plan.options.start.empty() && plan.options.end.empty())
        return {};
    return refuse_without_ranges(plan, "options 'start' and 'end' (--start, --end)");
}

// The bars the run trades, once the plugin listed its bars.
Result<void> resolve_run_range(const RunPlan &plan, Assembly &a)
{
    if (plan.options.start.empty() && plan.options.end.empty())
        return {};
    if (!a.timeline)
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}' did not list its bars, so --start and --end cannot be placed",
                    plan.plugin->name);
    auto range = resolve_range(plan.options.start, plan.options.end, *a.timeline);
    if (!range)
        return tl::unexpected(range.error());
    a.range = *range;
    return {};
}

Result<void> assemble_executor(const RunPlan &plan, const std::string &backend, unsigned workers, Assembly &a,
                               const std::atomic<bool> &cancel)
{
    std::size_t metric = 0;
    if (plan.plugin) {
        auto found = find_metric(*plan.plugin, plan.metric);
        if (!found)
            return tl::unexpected(found.error());
        metric = *found;
        a.metric_names = plan.plugin->metrics;
        a.objective_name = plan.plugin->metrics[metric];
    } else {
        a.objective_name = plan.host_objective->name();
    }
    if (backend == "process") {
        auto method = choose_start_method(plan);
        if (!method)
            return tl::unexpected(method.error());
        auto spawner = *method == "fork"
                           ? Result<std::unique_ptr<Spawner>>(make_fork_spawner(*plan.host_objective, limits_of(plan.options)))
                           : start_worker_server(ServerSetup{plan.plugin->path, plan.plugin_config, plan.space.get(),
                                                             metric, limits_of(plan.options), &cancel,
                                                             plan.options.init_timeout});
        if (!spawner)
            return tl::unexpected(spawner.error());
        a.timeline = (*spawner)->timeline();
        auto executor = make_process_executor(std::move(*spawner), plan.options, workers);
        if (!executor)
            return tl::unexpected(executor.error());
        a.executor = std::move(*executor);
        return {};
    }
    if (plan.plugin)
        if (auto loaded = load_plugin_here(plan, metric, a); !loaded)
            return loaded;
    Objective &objective = plan.plugin ? *a.plugin_objective : *plan.host_objective;
    a.executor = backend == "inline" ? make_inline_executor(objective, plan.options)
                                     : make_thread_executor(objective, plan.options, workers);
    return {};
}

// A thread cannot be stopped or capped: a limit meant for worker processes is
// refused where none runs, rather than never applied (a timeout that never
// fires lets one hanging evaluation hang the run).
Result<void> refuse_limits_without_processes(const Options &options, const std::string &backend)
{
    if (backend == "process")
        return {};
    const std::pair<const char *, bool> limits[] = {{"eval_timeout", options.eval_timeout > 0},
                                                    {"max_memory_per_worker", options.max_memory > 0}};
    for (const auto &[name, set] : limits)
        if (set)
            return fail(BTOPT_ERR_UNSUPPORTED,
                        "{} applies to worker processes, and the {} backend evaluates on {}, which cannot be stopped "
                        "or capped: set backend 'process' (or 'mpi'), or leave {} out",
                        name, backend, backend == "inline" ? "the calling thread" : "threads", name);
    return {};
}

} // namespace

Result<void> assemble(const RunPlan &plan, const std::string &backend, unsigned workers, Assembly &a,
                      const std::atomic<bool> &cancel)
{
    return refuse_limits_without_processes(plan.options, backend)
        .and_then([&] { return refuse_range_without_support(plan); })
        .and_then([&] { return assemble_executor(plan, backend, workers, a, cancel); })
        .and_then([&] { return resolve_run_range(plan, a); });
}

RunInfo run_info(const RunPlan &plan, const std::string &backend, const Assembly &a)
{
    return RunInfo{.algorithm = plan.algorithm,
                   .backend = backend,
                   .objective = a.objective_name,
                   .direction = plan.options.direction,
                   .seed = plan.options.random_seed,
                   .workers = a.executor ? a.executor->workers() : 0,
                   .metric_names = a.metric_names,
                   .plugin = plan.plugin ? plan.plugin->name : std::string()};
}

namespace {

// Loads libbtopt-mpi.so from next to libbtopt (or the build folder) once,
// also when two threads start MPI runs together; a module that failed to
// load is tried again next time.
Result<MpiLaunch> mpi_backend()
{
    static std::mutex loading;
    static void *module = nullptr;
    const std::lock_guard lock(loading);
    if (!module) {
        std::string tried;
        for (const std::string &dir : library_dirs()) {
            const std::string path = dir + "/libbtopt-mpi.so";
            module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
            if (module)
                break;
            tried += fmt::format("\n  {}", dlerror());
        }
        if (!module)
            return fail(BTOPT_ERR_UNSUPPORTED, "the MPI backend is not available (btopt was built without MPI, or "
                                               "libbtopt-mpi.so cannot be loaded):{}",
                        tried);
    }
    auto entry = reinterpret_cast<MpiLaunch>(dlsym(module, mpi_entry));
    if (!entry)
        return fail(BTOPT_ERR_UNSUPPORTED, "libbtopt-mpi.so lacks {}", mpi_entry);
    return entry;
}

// What a study compares of the config: the user's keys. The bars the run
// trades are the study's to key reuse by; a caller that has not resolved
// them (rank 0 of MPI) puts options start and end in the config instead, so
// outcomes on other bars are never mixed.
PluginConfig study_config(const RunPlan &plan, const std::optional<BarRange> &bars)
{
    PluginConfig config = user_config(plan.plugin_config);
    if (!bars)
        for (const auto &[key, value] : {std::pair{"btopt.start", &plan.options.start}, {"btopt.end", &plan.options.end}})
            if (!value->empty())
                config.emplace_back(key, *value);
    return config;
}

} // namespace

// The study a run records its trials in, when the options name one.
Result<std::unique_ptr<StudyWriter>> open_study(const RunPlan &plan, const RunInfo &info, std::optional<BarRange> bars)
{
    if (plan.options.study.empty())
        return nullptr;
    return StudyWriter::open(plan.options.study,
                             RunDescription{.plugin_path = plan.plugin ? plan.plugin->path : std::string(),
                                            .plugin_name = plan.plugin ? plan.plugin->name : std::string(),
                                            .plugin_version = plan.plugin ? plan.plugin->version : std::string(),
                                            .config = study_config(plan, bars),
                                            .objective = info.objective,
                                            .metric_names = info.metric_names,
                                            .space = plan.space.get(),
                                            .algorithm = plan.algorithm,
                                            .backend = info.backend,
                                            .workers = info.workers,
                                            .options = &plan.options,
                                            .bars = bars.value_or(BarRange{})});
}

void close_study(StudyWriter &study, RunOutcome &outcome)
{
    auto closed = study.finish(outcome.status, outcome.message, outcome.result);
    if (!closed && outcome.status == BTOPT_OK) {
        outcome.status = closed.error().code;
        outcome.message = closed.error().message;
    }
}

Result<RunOutcome> launch(const RunPlan &plan, const std::atomic<bool> &cancel)
{
    auto workers = resolve_jobs(plan.options.n_jobs);
    if (!workers)
        return tl::unexpected(workers.error());
    if (!plan.host_objective && !plan.plugin)
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "no objective: set a host objective or use a plugin before running");
    auto search = make_search(plan.algorithm, *plan.space, plan.options);
    if (!search)
        return tl::unexpected(search.error());
    // Never more workers than points to evaluate: --jobs 1000 on 100 points starts 100.
    const auto planned = std::max<std::uint64_t>((*search)->planned(), 1);
    *workers = static_cast<unsigned>(std::min<std::uint64_t>(*workers, planned));
    const std::string backend = choose_backend(plan, *workers);
    if (backend == "mpi") {
        auto entry = mpi_backend();
        if (!entry)
            return tl::unexpected(entry.error());
        Result<RunOutcome> outcome = fail(BTOPT_ERR_INTERNAL, "the MPI backend returned nothing");
        (*entry)(&plan, &cancel, &outcome);
        return outcome;
    }
    Assembly a;
    if (auto ok = assemble(plan, backend, *workers, a, cancel); !ok)
        return tl::unexpected(ok.error());
    const RunInfo info = run_info(plan, backend, a);
    auto study = open_study(plan, info, a.range);
    if (!study)
        return tl::unexpected(study.error());
    auto outcome = coordinate(RunRequest{
        .space = plan.space,
        .search = **search,
        .executor = *a.executor,
        .options = plan.options,
        .info = info,
        .progress = plan.progress,
        .progress_report = plan.progress_report,
        .cancel = cancel,
        .store = study->get(),
        .range = a.range,
    });
    if (outcome) // the workers end now, not when `a` goes: what their plugin's finish did belongs to the result
        outcome->result.warnings = a.executor->shut_down();
    if (outcome && *study)
        close_study(**study, *outcome);
    return outcome;
}

} // namespace btopt::internal
