// The one home of the rules for a plugin's config: a key must be one the
// plugin declares, and its value must have the declared type and range.
// Plugins that declare no keys (older ones) get every key unchecked.
#pragma once

#include "plugin.hpp"

#include <string>

namespace btopt::internal {

// INVALID_ARGUMENT naming the key: an unknown key (listing the known ones),
// a value of the wrong type, out of range or not among the choices.
Result<void> check_config_entry(const PluginInfo &plugin, const std::string &key, const std::string &value);
// Every entry of config, as above.
Result<void> check_config(const PluginInfo &plugin, const PluginConfig &config);

// For descriptions: "number", "integer", "text" or "choice"; and what is
// allowed, e.g. "0 to 1", "at least 1", "close, adj_close" ("" for any text).
std::string config_type_name(const ConfigKey &key);
std::string config_allowed_text(const ConfigKey &key);

} // namespace btopt::internal
