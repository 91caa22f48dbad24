// The one home of the rules for a plugin's config: a key must be one the
// plugin declares, and its value must have the declared type and range.
// Plugins that declare no keys (older ones) get every key unchecked. Keys
// starting with "btopt." are the host's (see with_space_bounds).
#pragma once

#include "plugin.hpp"

#include <string>

namespace btopt::internal {

// INVALID_ARGUMENT naming the key: an unknown key (listing the known ones),
// a value of the wrong type, out of range or not among the choices.
Result<void> check_config_entry(const PluginInfo &plugin, const std::string &key, const std::string &value);
// Every entry of config, as above.
Result<void> check_config(const PluginInfo &plugin, const PluginConfig &config);

// The config a run hands to init: the user's, plus "btopt.min.NAME" and
// "btopt.max.NAME" for each numeric parameter of the searched space, so init
// can refuse up front what no point could use (a window longer than the data).
PluginConfig with_space_bounds(PluginConfig config, const Space &space);
// The config without the host's keys: what the user set (a study's
// provenance compares this; the bounds follow from the space, recorded apart).
PluginConfig user_config(const PluginConfig &config);

// For descriptions: "number", "integer", "text" or "choice"; and what is
// allowed, e.g. "0 to 1", "at least 1", "close, adj_close" ("" for any text).
std::string config_type_name(const ConfigKey &key);
std::string config_allowed_text(const ConfigKey &key);

} // namespace btopt::internal
