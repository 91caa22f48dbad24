// `btopt describe PLUGIN`: what a plugin says about itself, read by
// btopt-worker (the plugin is never loaded into this process).
#include "commands.hpp"
#include "errors.hpp"
#include "plugin.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <vector>

namespace btopt::cli {

namespace {

struct ConfigRow {
    const char *name = "", *type = "", *default_value = "", *allowed = "", *doc = "";
};

// The keys `--set` takes, as the plugin declares them.
void print_config(const btopt_plugin_info *info)
{
    fmt::print("\nConfig (--set KEY=VALUE)\n");
    if (!btopt_plugin_info_config_declared(info)) {
        fmt::print("  (not declared: the plugin receives every key unchecked)\n");
        return;
    }
    std::vector<ConfigRow> rows(btopt_plugin_info_config_count(info));
    std::size_t width = 0;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        ConfigRow &r = rows[k];
        btopt_plugin_info_config_key(info, k, &r.name, &r.type, &r.default_value, &r.allowed, &r.doc);
        width = std::max(width, std::string_view(r.name).size());
    }
    if (rows.empty())
        fmt::print("  (none: the plugin takes no config)\n");
    for (const ConfigRow &r : rows) {
        const std::string allowed = *r.allowed ? fmt::format(", {}", r.allowed) : "";
        const std::string fallback = *r.default_value ? fmt::format(", default {}", r.default_value) : "";
        fmt::print("  {:<{}}  {} ({}{}{})\n", r.name, width, r.doc, r.type, allowed, fallback);
    }
}

} // namespace

int describe_command(const std::string &plugin)
{
    const PluginInfoHandle info = describe_plugin(plugin);
    const btopt_space *space = btopt_plugin_info_space(info.get());
    const std::vector<ParamSpec> params = read_params(space);
    fmt::print("{} {}\n  {}\n  file: {}\n", btopt_plugin_info_name(info.get()), btopt_plugin_info_version(info.get()),
               btopt_plugin_info_description(info.get()), btopt_plugin_info_path(info.get()));

    std::size_t width = 0;
    for (const ParamSpec &p : params)
        width = std::max(width, p.name.size());
    fmt::print("\nParameters (default ranges)\n");
    for (const ParamSpec &p : params) {
        const char *kind = p.kind == BTOPT_PARAM_INT ? "integer" : p.kind == BTOPT_PARAM_FLOAT ? "float" : "choice";
        const std::uint64_t n = p.size();
        fmt::print("  {:<{}}  {:<7}  {}{}\n", p.name, width, kind, p.range_text(),
                   n > 0 ? fmt::format("  ({} value{})", n, n == 1 ? "" : "s") : "");
    }
    const std::vector<std::string> constraints = read_constraints(space);
    fmt::print("\nConstraints\n");
    if (constraints.empty())
        fmt::print("  (none)\n");
    for (const std::string &c : constraints)
        fmt::print("  {}\n", c);

    print_config(info.get());

    fmt::print("\nMetrics\n");
    const std::size_t chosen = btopt_plugin_info_default_metric(info.get());
    // Names starting "btopt." are what the selection-bias statistics read (docs/VALIDATION.md), counted only.
    const auto for_statistics = [&](std::size_t m) {
        return std::string_view(btopt_plugin_info_metric(info.get(), m)).starts_with("btopt.");
    };
    std::size_t metric_width = 0, statistics = 0;
    for (std::size_t m = 0; m < btopt_plugin_info_metric_count(info.get()); ++m)
        if (!for_statistics(m))
            metric_width = std::max(metric_width, std::string_view(btopt_plugin_info_metric(info.get(), m)).size());
    for (std::size_t m = 0; m < btopt_plugin_info_metric_count(info.get()); ++m) {
        if (for_statistics(m)) {
            ++statistics;
            continue;
        }
        fmt::print("  {:<{}}  {}{}\n", btopt_plugin_info_metric(info.get(), m), metric_width,
                   btopt_plugin_info_metric_lower_is_better(info.get(), m) ? "lower is better" : "higher is better",
                   m == chosen ? "  (default objective)" : "");
    }
    if (statistics > 0)
        fmt::print("  and {} numbers for the selection-bias statistics (btopt.*, docs/VALIDATION.md)\n", statistics);
    fmt::print("\nDefault objective: {}\n", btopt_plugin_info_metric(info.get(), chosen));

    std::uint64_t cardinality = 0;
    if (btopt_space_cardinality(space, &cardinality) == BTOPT_OK) {
        if (cardinality == UINT64_MAX)
            fmt::print("Grid size: unbounded (a continuous parameter: random or genetic search only)\n");
        else
            fmt::print("Grid size: {} points before constraints\n", cardinality);
    }
    return exit_ok;
}

} // namespace btopt::cli
