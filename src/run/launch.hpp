// Everything a run needs, and the one place that picks the executor and the
// objective from the options: inline, thread or process; a host callback, a
// plugin in the host, or a plugin in the worker server.
#pragma once

#include "coordinator.hpp"

#include "../plugin/plugin.hpp"
#include "../study/writer.hpp"

#include <optional>

namespace btopt::internal {

struct RunPlan {
    std::shared_ptr<const Space> space; // the space searched (a plugin's merged with the user's)
    std::string algorithm;
    Options options;
    Objective *host_objective = nullptr; // a host callback, or
    std::optional<PluginInfo> plugin;    // a plugin, with
    PluginConfig plugin_config;
    std::string metric;                 // empty: the plugin's default
    ProgressFn progress;
    ProgressReportFn progress_report;
};

Result<RunOutcome> launch(const RunPlan &plan, const std::atomic<bool> &cancel);

// The backend option, or what a run without it uses.
std::string choose_backend(const RunPlan &plan, unsigned workers);
// UNSUPPORTED unless the plan's plugin evaluates ranges of bars and lists its
// bars once; `asked_by` names what needs them ("options 'start' and 'end'").
Result<void> refuse_without_ranges(const RunPlan &plan, std::string_view asked_by);

// The pieces of a run that must outlive the coordinator's loop.
struct Assembly {
    std::optional<Plugin> plugin; // loaded in this process (inline and thread backends only)
    std::optional<PluginState> state;
    std::unique_ptr<Objective> plugin_objective;
    std::unique_ptr<Executor> executor;
    std::vector<std::string> metric_names;
    std::string objective_name;
    std::optional<Timeline> timeline; // the plugin's bars, when it evaluates ranges of them
    BarRange range{};                 // the bars the run trades (options start and end)
};

// Builds the objective and an inline, thread or process executor for the
// plan, and resolves the bars it trades (options start and end).
Result<void> assemble(const RunPlan &plan, const std::string &backend, unsigned workers, Assembly &a,
                      const std::atomic<bool> &cancel);
RunInfo run_info(const RunPlan &plan, const std::string &backend, const Assembly &a);

// The study a run records its trials in (nullptr when the options name
// none), and its end: a study that could not store every trial makes a
// finished run a failed one. `bars`: the bars the run's trials trade;
// nullopt where they are not resolved (under MPI rank 0 alone opens it).
Result<std::unique_ptr<StudyWriter>> open_study(const RunPlan &plan, const RunInfo &info,
                                                std::optional<BarRange> bars = std::nullopt);
void close_study(StudyWriter &study, RunOutcome &outcome);

// The MPI backend lives in libbtopt-mpi.so, loaded on first use, so hosts
// that never use MPI never load MPI. Its one entry point:
using MpiLaunch = void (*)(const RunPlan *plan, const std::atomic<bool> *cancel, Result<RunOutcome> *out);
constexpr const char *mpi_entry = "btopt_mpi_launch";

} // namespace btopt::internal
