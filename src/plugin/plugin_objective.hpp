// A strategy plugin as the objective: hands each point to the plugin's
// evaluate as plain values and takes the chosen metric as the score. Every
// metric the plugin reported stays with the trial.
#pragma once

#include "../core/objective.hpp"
#include "plugin.hpp"

namespace btopt::internal {

class PluginObjective final : public Objective {
public:
    // `space` is the run's space, in the plugin's parameter order.
    PluginObjective(const Plugin &plugin, const PluginState &state, const Space &space, std::size_t metric)
        : plugin_(plugin), state_(state), space_(space), metric_(metric)
    {
    }

    Evaluation evaluate(const Point &point, std::uint64_t seed, BarRange range) override;
    std::vector<std::string> metric_names() const override { return plugin_.info().metrics; }
    std::string name() const override { return plugin_.info().metrics[metric_]; }

private:
    const Plugin &plugin_;
    const PluginState &state_;
    const Space &space_;
    std::size_t metric_;
};

// The plugin's view of a point: its values in the plugin's parameter order,
// written into `out` (reused between evaluations).
void plugin_values(const Space &space, const Point &point, std::vector<btopt_plugin_value> &out);

// The index of `metric` among the plugin's metrics (its default when empty);
// INVALID_ARGUMENT listing the metrics it has when there is no such metric.
Result<std::size_t> find_metric(const PluginInfo &info, const std::string &metric);

} // namespace btopt::internal
