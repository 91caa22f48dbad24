#include "plugin.hpp"

#define BOOST_DLL_USE_STD_FS
#include <boost/dll/shared_library.hpp>

#include "../core/paths.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>

namespace btopt::internal {
namespace {

namespace fs = std::filesystem;

// The smallest descriptor this host can use: everything up to `finish`.
constexpr std::size_t min_descriptor_size = offsetof(btopt_plugin_descriptor, finish) + sizeof(void (*)(void *));

std::vector<fs::path> search_path()
{
    std::vector<fs::path> dirs;
    if (const char *env = std::getenv("BTOPT_PLUGIN_PATH")) {
        std::string all = env;
        for (std::size_t start = 0; start <= all.size();) {
            const std::size_t end = std::min(all.find(':', start), all.size());
            if (end > start)
                dirs.emplace_back(all.substr(start, end - start));
            start = end + 1;
        }
    }
    // Then the btopt/plugins folder next to libbtopt (lib/btopt/plugins once installed).
    for (const std::string &dir : library_dirs())
        dirs.push_back(fs::path(dir) / "btopt" / "plugins");
    return dirs;
}

// The plugin's descriptor as far as its struct_size reaches, the rest zero:
// fields appended after the plugin was built read as NULL or 0.
Result<std::unique_ptr<btopt_plugin_descriptor>> copy_descriptor(const btopt_plugin_descriptor *d,
                                                                 const std::string &path)
{
    if (d == nullptr)
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}': btopt_plugin_entry() returned NULL", path);
    if (d->abi_version != BTOPT_PLUGIN_ABI_VERSION)
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}' was built for plugin ABI version {}, this btopt speaks version {}",
                    path, d->abi_version, BTOPT_PLUGIN_ABI_VERSION);
    if (d->struct_size < min_descriptor_size)
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}': descriptor of {} bytes is too small (at least {})", path,
                    d->struct_size, min_descriptor_size);
    auto copy = std::make_unique<btopt_plugin_descriptor>();
    std::memcpy(copy.get(), d, std::min<std::size_t>(d->struct_size, sizeof *copy));
    return copy;
}

Result<void> check_descriptor(const btopt_plugin_descriptor *d, const std::string &path)
{
    if (!d->name || !d->init || !d->evaluate || !d->finish)
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}': the descriptor lacks its name or its init/evaluate/finish function",
                    path);
    if (d->n_metrics == 0 || !d->metrics || d->default_metric >= d->n_metrics)
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}': it must report at least one metric and name a default one", path);
    if (d->n_params == 0 || !d->params)
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}': it declares no parameters", path);
    if ((d->bars == nullptr) != (d->evaluate_range == nullptr))
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}': bar ranges need both bars and evaluate_range in the descriptor",
                    path);
    return {};
}

Result<void> add_parameter(Space &space, const btopt_plugin_param &p)
{
    if (!p.name)
        return fail(BTOPT_ERR_PLUGIN, "a parameter has no name");
    switch (p.kind) {
    case BTOPT_PLUGIN_PARAM_INT:
        return space.add_int(p.name, p.int_lo, p.int_hi, p.int_step);
    case BTOPT_PLUGIN_PARAM_FLOAT:
        return space.add_float(p.name, p.float_lo, p.float_hi, p.float_step);
    case BTOPT_PLUGIN_PARAM_CHOICE: {
        std::vector<std::string> choices;
        for (std::size_t i = 0; i < p.n_choices; ++i)
            choices.emplace_back(p.choices && p.choices[i] ? p.choices[i] : "");
        return space.add_choice(p.name, std::move(choices));
    }
    }
    return fail(BTOPT_ERR_PLUGIN, "parameter '{}' has unknown kind {}", p.name, p.kind);
}

Result<ConfigKey> read_config_key(const btopt_plugin_config_key &k)
{
    if (!k.name || !*k.name || std::strchr(k.name, '='))
        return fail(BTOPT_ERR_PLUGIN, "a config key has no name, or a name with '='");
    ConfigKey key{.name = k.name, .type = k.type, .default_value = k.default_value ? k.default_value : "",
                  .lo = k.lo, .hi = k.hi, .choices = {}, .doc = k.doc ? k.doc : ""};
    const bool numeric = k.type == BTOPT_PLUGIN_CONFIG_NUMBER || k.type == BTOPT_PLUGIN_CONFIG_INTEGER;
    if (k.type < BTOPT_PLUGIN_CONFIG_STRING || k.type > BTOPT_PLUGIN_CONFIG_CHOICE)
        return fail(BTOPT_ERR_PLUGIN, "config key '{}' has unknown type {}", key.name, k.type);
    if (numeric && (std::isnan(k.lo) || std::isnan(k.hi) || k.lo > k.hi))
        return fail(BTOPT_ERR_PLUGIN, "config key '{}' has an empty range", key.name);
    if (k.type == BTOPT_PLUGIN_CONFIG_CHOICE && (k.n_choices == 0 || !k.choices))
        return fail(BTOPT_ERR_PLUGIN, "config key '{}' is a choice without choices", key.name);
    for (std::size_t c = 0; k.type == BTOPT_PLUGIN_CONFIG_CHOICE && c < k.n_choices; ++c)
        key.choices.emplace_back(k.choices[c] ? k.choices[c] : "");
    return key;
}

// The parameter's range lies inside its domain (choices have none).
Result<void> check_domain(const PluginInfo &plugin, const Parameter &p)
{
    const auto k = plugin.space.find(p.name);
    if (!k || *k >= plugin.domains.size() || p.kind == Kind::Choice)
        return {};
    const auto [lo, hi] = plugin.domains[*k];
    const double from = p.kind == Kind::Int ? static_cast<double>(p.int_lo) : p.float_lo;
    const double to = p.kind == Kind::Int ? static_cast<double>(p.int_hi) : p.float_hi;
    if (from >= lo && to <= hi)
        return {};
    const std::string allowed = std::isinf(hi)   ? fmt::format("at least {:g}", lo)
                                : std::isinf(lo) ? fmt::format("at most {:g}", hi)
                                                 : fmt::format("from {:g} to {:g}", lo, hi);
    return fail(BTOPT_ERR_INVALID_ARGUMENT, "parameter '{}' of plugin '{}' must be {}; the range {:g} to {:g} is not",
                p.name, plugin.name, allowed, from, to);
}

Result<void> read_declarations(PluginInfo &info, const btopt_plugin_descriptor *d)
{
    for (std::size_t k = 0; d->param_domains && k < d->n_params; ++k) {
        const auto [lo, hi] = d->param_domains[k];
        if (std::isnan(lo) || std::isnan(hi) || lo > hi)
            return fail(BTOPT_ERR_PLUGIN, "parameter '{}' has an empty domain", info.space.parameters()[k].name);
        info.domains.emplace_back(lo, hi);
    }
    for (const Parameter &p : info.space.parameters())
        if (auto ok = check_domain(info, p); !ok)
            return fail(BTOPT_ERR_PLUGIN, "its default range leaves the domain: {}", ok.error().message);
    for (std::size_t m = 0; m < d->n_metrics; ++m)
        info.lower_is_better.push_back(d->metric_directions &&
                                       d->metric_directions[m] == BTOPT_PLUGIN_LOWER_IS_BETTER);
    if (!d->config_keys)
        return {};
    info.config_keys.emplace();
    for (std::size_t k = 0; k < d->n_config_keys; ++k) {
        auto key = read_config_key(d->config_keys[k]);
        if (!key)
            return tl::unexpected(key.error());
        info.config_keys->push_back(std::move(*key));
    }
    return {};
}

Result<PluginInfo> read_info(const btopt_plugin_descriptor *d, const std::string &path)
{
    if (auto ok = check_descriptor(d, path); !ok)
        return tl::unexpected(ok.error());
    PluginInfo info{.path = path,
                    .name = d->name,
                    .version = d->version ? d->version : "",
                    .description = d->description ? d->description : "",
                    .space = {},
                    .metrics = {},
                    .default_metric = d->default_metric,
                    .init_per_worker = (d->flags & BTOPT_PLUGIN_INIT_PER_WORKER) != 0,
                    .has_equity_curve = d->equity_curve != nullptr,
                    .has_ranges = d->evaluate_range != nullptr};
    for (std::size_t k = 0; k < d->n_params; ++k)
        if (auto ok = add_parameter(info.space, d->params[k]); !ok)
            return fail(BTOPT_ERR_PLUGIN, "plugin '{}': {}", path, ok.error().message);
    for (std::size_t k = 0; k < d->n_constraints; ++k)
        if (auto ok = info.space.add_constraint(d->constraints[k] ? d->constraints[k] : ""); !ok)
            return fail(BTOPT_ERR_PLUGIN, "plugin '{}': {}", path, ok.error().message);
    for (std::size_t m = 0; m < d->n_metrics; ++m)
        info.metrics.emplace_back(d->metrics[m] ? d->metrics[m] : "");
    if (auto ok = read_declarations(info, d); !ok)
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}': {}", path, ok.error().message);
    return info;
}

// The dynamic loader's own words from Boost.DLL's exception text, without
// the C++ wrapping ("boost::dll::shared_library::load() failed (dlerror
// system message: WORDS): Bad file descriptor").
std::string loader_words(const std::string &what)
{
    constexpr std::string_view marker = "dlerror system message: ";
    const std::size_t start = what.find(marker);
    const std::size_t end = what.rfind("): ");
    if (start == std::string::npos || end == std::string::npos || end < start)
        return what;
    return what.substr(start + marker.size(), end - start - marker.size());
}

} // namespace

struct Plugin::Library {
    boost::dll::shared_library library;
};

Plugin::Plugin(Plugin &&) noexcept = default;
Plugin &Plugin::operator=(Plugin &&) noexcept = default;
Plugin::~Plugin() = default;

// A path (with '/') names its file; a plugin is a regular file.
Result<std::string> plugin_at(const std::string &path)
{
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status))
        return fail(BTOPT_ERR_PLUGIN, "plugin file '{}' does not exist", path);
    if (fs::is_directory(status))
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}' is a folder, not a plugin file", path);
    if (!fs::is_regular_file(status))
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}' is not a regular file (a device, FIFO or socket)", path);
    return fs::absolute(path).string();
}

Result<std::string> resolve_plugin(const std::string &path_or_name)
{
    std::error_code ec;
    // A bare name is looked up only on the search path, never in the current
    // folder: a file planted there under a plugin's name would be run.
    if (path_or_name.find('/') != std::string::npos)
        return plugin_at(path_or_name);
    const auto dirs = search_path();
    for (const fs::path &dir : dirs)
        for (const std::string &file : {path_or_name, "lib" + path_or_name + ".so", path_or_name + ".so"})
            if (fs::is_regular_file(dir / file, ec))
                return fs::absolute(dir / file).string();
    std::string where;
    for (const fs::path &dir : dirs)
        where += (where.empty() ? "" : ", ") + dir.string();
    return fail(BTOPT_ERR_PLUGIN,
                "no plugin named '{}' in the plugin search path ({}); set BTOPT_PLUGIN_PATH or give a path (a file "
                "in this folder is ./{})",
                path_or_name, where.empty() ? "empty" : where, path_or_name);
}

Result<Plugin> Plugin::load(const std::string &path_or_name)
{
    auto path = resolve_plugin(path_or_name);
    if (!path)
        return tl::unexpected(path.error());
    Plugin plugin;
    plugin.library_ = std::make_unique<Library>();
    try {
        plugin.library_->library.load(*path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception &e) {
        return fail(BTOPT_ERR_PLUGIN, "cannot load plugin '{}': {}; a plugin is a shared library exporting {}()",
                    *path, loader_words(e.what()), BTOPT_PLUGIN_ENTRY);
    }
    if (!plugin.library_->library.has(BTOPT_PLUGIN_ENTRY))
        return fail(BTOPT_ERR_PLUGIN, "'{}' is not a btopt plugin: it does not export {}()", *path, BTOPT_PLUGIN_ENTRY);
    const auto entry = plugin.library_->library.get<const btopt_plugin_descriptor *()>(BTOPT_PLUGIN_ENTRY);
    auto descriptor = copy_descriptor(entry(), *path);
    if (!descriptor)
        return tl::unexpected(descriptor.error());
    plugin.descriptor_ = std::move(*descriptor);
    auto info = read_info(plugin.descriptor_.get(), *path);
    if (!info)
        return tl::unexpected(info.error());
    plugin.info_ = std::move(*info);
    return plugin;
}

Result<Space> merge_spaces(const PluginInfo &plugin, const Space *user)
{
    if (!user)
        return plugin.space;
    constexpr const char *kinds[] = {"an integer", "a float", "categorical"};
    for (const Parameter &p : user->parameters()) {
        const auto own = plugin.space.find(p.name);
        if (!own)
            return fail(BTOPT_ERR_INVALID_ARGUMENT, "plugin '{}' has no parameter '{}'", plugin.name, p.name);
        const Kind kind = plugin.space.parameters()[*own].kind;
        if (p.kind != kind)
            return fail(BTOPT_ERR_INVALID_ARGUMENT, "parameter '{}' of plugin '{}' is {}, not {}", p.name, plugin.name,
                        kinds[static_cast<int>(kind)], kinds[static_cast<int>(p.kind)]);
        if (auto ok = check_domain(plugin, p); !ok)
            return tl::unexpected(ok.error());
    }
    Space merged;
    for (const Parameter &own : plugin.space.parameters()) {
        const Parameter &p = user->find(own.name) ? user->parameters()[*user->find(own.name)] : own;
        Result<void> added = p.kind == Kind::Int     ? merged.add_int(p.name, p.int_lo, p.int_hi, p.int_step)
                             : p.kind == Kind::Float ? merged.add_float(p.name, p.float_lo, p.float_hi, p.float_step)
                                                     : merged.add_choice(p.name, p.choices);
        if (!added)
            return tl::unexpected(added.error());
    }
    for (const auto *list : {&plugin.space.constraints(), &user->constraints()})
        for (const std::string &c : *list)
            if (auto ok = merged.add_constraint(c); !ok)
                return tl::unexpected(ok.error());
    return merged;
}

Result<PluginState> PluginState::init(const Plugin &plugin, const PluginConfig &config)
{
    std::vector<const char *> keys, values;
    for (const auto &[key, value] : config) {
        keys.push_back(key.c_str());
        values.push_back(value.c_str());
    }
    const btopt_plugin_config c{config.size(), keys.data(), values.data()};
    char error[1024] = "";
    PluginState state;
    state.descriptor_ = &plugin.descriptor();
    const int32_t status = plugin.descriptor().init(&c, &state.state_, error, sizeof error);
    error[sizeof error - 1] = '\0';
    if (status != BTOPT_PLUGIN_OK) {
        state.descriptor_ = nullptr;
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}' failed to initialise: {}", plugin.info().name,
                    error[0] ? error : "no reason given");
    }
    return state;
}

PluginState::PluginState(PluginState &&other) noexcept
    : descriptor_(std::exchange(other.descriptor_, nullptr)), state_(std::exchange(other.state_, nullptr))
{
}

PluginState &PluginState::operator=(PluginState &&other) noexcept
{
    std::swap(descriptor_, other.descriptor_);
    std::swap(state_, other.state_);
    return *this;
}

PluginState::~PluginState()
{
    if (descriptor_)
        descriptor_->finish(state_);
}

} // namespace btopt::internal
