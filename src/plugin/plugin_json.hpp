// A plugin's description as JSON: how btopt-worker describe hands it to the host.
#pragma once

#include "plugin.hpp"

namespace btopt::internal {

std::string plugin_info_to_json(const PluginInfo &info);
Result<PluginInfo> plugin_info_from_json(const std::string &text);
std::string equity_to_json(const EquityCurves &curves);
Result<EquityCurves> equity_from_json(const std::string &text);

} // namespace btopt::internal
