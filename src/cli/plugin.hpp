// Asking a plugin about itself through the C ABI.
#pragma once

#include "handles.hpp"
#include "params.hpp"

#include <string>
#include <vector>

namespace btopt::cli {

// btopt_plugin_describe; RunError with the library's words when the plugin
// cannot be found, loaded or checked.
PluginInfoHandle describe_plugin(const std::string &path_or_name);

std::vector<std::string> plugin_metrics(const btopt_plugin_info *info);

} // namespace btopt::cli
