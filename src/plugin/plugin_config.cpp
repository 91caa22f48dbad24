#include "plugin_config.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

namespace btopt::internal {
namespace {

constexpr std::string_view host_prefix = "btopt.";

// Whole numbers in full (10000000, not 1e+07), others as short as exact.
std::string number_text(double x)
{
    return std::trunc(x) == x && std::fabs(x) < 1e16 ? fmt::format("{:.0f}", x) : fmt::format("{}", x);
}

// The whole text as a finite number, or nothing.
std::optional<double> parse_number(const std::string &text)
{
    double value = 0.0;
    const char *end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value))
        return std::nullopt;
    return value;
}

std::string known_keys(const std::vector<ConfigKey> &keys)
{
    std::string names;
    for (const ConfigKey &k : keys)
        names += (names.empty() ? "" : ", ") + k.name;
    return names.empty() ? "it takes no config" : "its keys: " + names;
}

Result<void> check_value(const ConfigKey &key, const std::string &value)
{
    const auto bad = [&](const std::string &why) {
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "plugin config '{}' = '{}': {}", key.name, value, why);
    };
    if (key.type == BTOPT_PLUGIN_CONFIG_STRING)
        return {};
    if (key.type == BTOPT_PLUGIN_CONFIG_CHOICE) {
        if (std::find(key.choices.begin(), key.choices.end(), value) == key.choices.end())
            return bad("use one of " + config_allowed_text(key));
        return {};
    }
    const auto number = parse_number(value);
    const bool integer = key.type == BTOPT_PLUGIN_CONFIG_INTEGER;
    if (!number || (integer && std::trunc(*number) != *number))
        return bad(integer ? "not a whole number" : "not a finite number");
    if (*number < key.lo || *number > key.hi)
        return bad("out of range: it must be " + config_allowed_text(key));
    return {};
}

} // namespace

Result<void> check_config_entry(const PluginInfo &plugin, const std::string &key, const std::string &value)
{
    if (key.starts_with(host_prefix))
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "plugin config key '{}': keys starting with '{}' are set by btopt", key,
                    host_prefix);
    if (!plugin.config_keys)
        return {};
    const auto &keys = *plugin.config_keys;
    const auto found = std::find_if(keys.begin(), keys.end(), [&](const ConfigKey &k) { return k.name == key; });
    if (found == keys.end())
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "plugin '{}' has no config key '{}'; {}", plugin.name, key,
                    known_keys(keys));
    return check_value(*found, value);
}

Result<void> check_config(const PluginInfo &plugin, const PluginConfig &config)
{
    for (const auto &[key, value] : config)
        if (auto ok = check_config_entry(plugin, key, value); !ok)
            return ok;
    return {};
}

PluginConfig user_config(const PluginConfig &config)
{
    PluginConfig user;
    for (const auto &entry : config)
        if (!entry.first.starts_with(host_prefix))
            user.push_back(entry);
    return user;
}

PluginConfig with_space_bounds(PluginConfig config, const Space &space)
{
    for (const Parameter &p : space.parameters()) {
        if (p.kind == Kind::Choice)
            continue;
        const bool integer = p.kind == Kind::Int;
        config.emplace_back(fmt::format("{}min.{}", host_prefix, p.name),
                            integer ? std::to_string(p.int_lo) : fmt::format("{}", p.float_lo));
        config.emplace_back(fmt::format("{}max.{}", host_prefix, p.name),
                            integer ? std::to_string(p.int_hi) : fmt::format("{}", p.float_hi));
    }
    return config;
}

std::string config_type_name(const ConfigKey &key)
{
    constexpr const char *names[] = {"text", "number", "integer", "choice"};
    return names[std::clamp(key.type, 0, 3)];
}

std::string config_allowed_text(const ConfigKey &key)
{
    if (key.type == BTOPT_PLUGIN_CONFIG_STRING)
        return "";
    if (key.type == BTOPT_PLUGIN_CONFIG_CHOICE) {
        std::string text;
        for (const std::string &c : key.choices)
            text += (text.empty() ? "" : ", ") + c;
        return text;
    }
    const bool low = std::isfinite(key.lo), high = std::isfinite(key.hi);
    if (low && high)
        return number_text(key.lo) + " to " + number_text(key.hi);
    if (low)
        return "at least " + number_text(key.lo);
    if (high)
        return "at most " + number_text(key.hi);
    return "any number";
}

} // namespace btopt::internal
