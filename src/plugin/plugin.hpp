// Strategy plugins: finding them, loading them with Boost.DLL, and checking
// their descriptors before anything runs. A Plugin keeps its library loaded
// for as long as it lives; nothing from the plugin outlives it (names and
// ranges are copied into PluginInfo).
#pragma once

#include <btopt/plugin.h>

#include "../core/bar_range.hpp"
#include "../core/space.hpp"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace btopt::internal {

using PluginConfig = std::vector<std::pair<std::string, std::string>>;

// One config key a plugin declares (btopt_plugin_config_key, copied).
struct ConfigKey {
    std::string name;
    int type = BTOPT_PLUGIN_CONFIG_STRING;
    std::string default_value;
    double lo = 0.0, hi = 0.0; // NUMBER and INTEGER
    std::vector<std::string> choices{};
    std::string doc{};
};

// What a plugin says about itself, copied out of its descriptor and checked.
struct PluginInfo {
    std::string path;
    std::string name;
    std::string version;
    std::string description;
    Space space; // its parameters' default ranges and its constraints
    std::vector<std::string> metrics;
    std::size_t default_metric = 0;
    bool init_per_worker = false;
    bool has_equity_curve = false;
    bool has_ranges = false; // evaluates a range of bars (bars and evaluate_range)
    std::optional<std::vector<ConfigKey>> config_keys{}; // nullopt: the plugin does not declare its keys
    std::vector<bool> lower_is_better{};                 // one per metric
    std::vector<std::pair<double, double>> domains{};    // one per parameter (lo, hi), or none
};

// A path (anything with '/') as given; a bare name looked up as NAME,
// libNAME.so or NAME.so in BTOPT_PLUGIN_PATH (colon-separated) and then in
// the folder where the build puts plugins, never in the current folder.
Result<std::string> resolve_plugin(const std::string &path_or_name);

class Plugin {
public:
    // Loads the library and checks its descriptor. BTOPT_ERR_PLUGIN, naming
    // the file and what is wrong, for a missing file or symbol, a wrong ABI
    // version or an inconsistent descriptor.
    static Result<Plugin> load(const std::string &path_or_name);

    Plugin(Plugin &&) noexcept;
    Plugin &operator=(Plugin &&) noexcept;
    ~Plugin();

    const PluginInfo &info() const noexcept { return info_; }
    const btopt_plugin_descriptor &descriptor() const noexcept { return *descriptor_; }

private:
    struct Library;
    Plugin() = default;

    std::unique_ptr<Library> library_;
    // The plugin's descriptor copied up to its struct_size, zero beyond: the
    // host never reads past what the plugin wrote. On the heap, so a
    // PluginState's pointer to it survives moving the Plugin.
    std::unique_ptr<btopt_plugin_descriptor> descriptor_;
    PluginInfo info_;
};

// The space a run over this plugin searches: the plugin's own parameters in
// its order, each replaced by the user's range where the user gave one, and
// the plugin's constraints plus the user's. A user parameter the plugin does
// not have is an error.
Result<Space> merge_spaces(const PluginInfo &plugin, const Space *user);

struct EquityCurves {
    std::vector<double> equity;
    std::vector<double> buy_and_hold;
    std::vector<std::int64_t> dates; // of each bar, days since 1970-01-01; empty: the bars carry no dates
};

class PluginState;

// Asks a plugin with bar ranges for its bars (UNSUPPORTED without).
Result<Timeline> read_timeline(const Plugin &plugin, const PluginState &state);
// How a timeline crosses the worker server's control socket.
std::string timeline_to_bytes(const Timeline &timeline);
std::optional<Timeline> timeline_from_bytes(const std::string &bytes);

// The plugin's equity curve of one point (UNSUPPORTED when it has none).
Result<EquityCurves> equity_curve(const Plugin &plugin, const PluginState &state, const Space &space,
                                  const Point &point);

// A plugin state made by init. Runs finish when destroyed.
class PluginState {
public:
    static Result<PluginState> init(const Plugin &plugin, const PluginConfig &config);
    PluginState(PluginState &&) noexcept;
    PluginState &operator=(PluginState &&) noexcept;
    ~PluginState();
    void *get() const noexcept { return state_; }

private:
    PluginState() = default;
    const btopt_plugin_descriptor *descriptor_ = nullptr;
    void *state_ = nullptr;
};

} // namespace btopt::internal
