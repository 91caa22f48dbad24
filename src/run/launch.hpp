// Everything a run needs, and the one place that picks the executor and the
// objective from the options: inline, thread or process; a host callback, a
// plugin in the host, or a plugin in the worker server.
#pragma once

#include "coordinator.hpp"

#include "../plugin/plugin.hpp"

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
};

Result<RunOutcome> launch(const RunPlan &plan, const std::atomic<bool> &cancel);

} // namespace btopt::internal
