#include "plugin.hpp"

#include "errors.hpp"

#include <fmt/format.h>

namespace btopt::cli {

PluginInfoHandle describe_plugin(const std::string &path_or_name)
{
    btopt_plugin_info *raw = nullptr;
    if (btopt_plugin_describe(&raw, path_or_name.c_str()) != BTOPT_OK)
        throw RunError(fmt::format("plugin '{}': {}", path_or_name, btopt_last_error()));
    return PluginInfoHandle(raw);
}

std::vector<std::string> plugin_metrics(const btopt_plugin_info *info)
{
    std::vector<std::string> metrics;
    for (std::size_t m = 0; m < btopt_plugin_info_metric_count(info); ++m)
        metrics.emplace_back(btopt_plugin_info_metric(info, m));
    return metrics;
}

} // namespace btopt::cli
