// Plugin descriptions at the C ABI. The plugin is read by btopt-worker, so
// describing one never loads it into the host.
#include "handles.hpp"

#include "../exec/spawner.hpp"
#include "../exec/worker_protocol.hpp"
#include "../core/space_json.hpp"
#include "../plugin/plugin_config.hpp"
#include "../plugin/plugin_json.hpp"

using namespace btopt::internal;
using btopt::internal::capi::guarded;
using btopt::internal::capi::set_error;

extern "C" {

btopt_status btopt_plugin_describe(btopt_plugin_info **out, const char *path_or_name)
{
    BTOPT_REQUIRE(out);
    *out = nullptr;
    BTOPT_REQUIRE(path_or_name);
    return guarded([&] {
        auto info = describe_plugin(path_or_name);
        if (!info)
            return set_error(info.error());
        auto *handle = new btopt_plugin_info{std::move(*info), {}, {}, {}};
        handle->space.space = handle->info.space;
        for (const ConfigKey &key : handle->info.config_keys.value_or(std::vector<ConfigKey>{})) {
            handle->config_types.push_back(config_type_name(key));
            handle->config_allowed.push_back(config_allowed_text(key));
        }
        *out = handle;
        return BTOPT_OK;
    });
}

void btopt_plugin_info_destroy(btopt_plugin_info *info) { delete info; }

const char *btopt_plugin_info_name(const btopt_plugin_info *info) { return info ? info->info.name.c_str() : nullptr; }

const char *btopt_plugin_info_version(const btopt_plugin_info *info)
{
    return info ? info->info.version.c_str() : nullptr;
}

const char *btopt_plugin_info_description(const btopt_plugin_info *info)
{
    return info ? info->info.description.c_str() : nullptr;
}

const char *btopt_plugin_info_path(const btopt_plugin_info *info) { return info ? info->info.path.c_str() : nullptr; }

size_t btopt_plugin_info_metric_count(const btopt_plugin_info *info) { return info ? info->info.metrics.size() : 0; }

const char *btopt_plugin_info_metric(const btopt_plugin_info *info, size_t i)
{
    return info && i < info->info.metrics.size() ? info->info.metrics[i].c_str() : nullptr;
}

size_t btopt_plugin_info_default_metric(const btopt_plugin_info *info) { return info ? info->info.default_metric : 0; }

const btopt_space *btopt_plugin_info_space(const btopt_plugin_info *info) { return info ? &info->space : nullptr; }

int btopt_plugin_info_metric_lower_is_better(const btopt_plugin_info *info, size_t i)
{
    return info && i < info->info.lower_is_better.size() && info->info.lower_is_better[i] ? 1 : 0;
}

int btopt_plugin_info_config_declared(const btopt_plugin_info *info)
{
    return info && info->info.config_keys ? 1 : 0;
}

size_t btopt_plugin_info_config_count(const btopt_plugin_info *info)
{
    return info ? info->config_types.size() : 0;
}

btopt_status btopt_plugin_info_config_key(const btopt_plugin_info *info, size_t i, const char **name,
                                          const char **type, const char **default_value, const char **allowed,
                                          const char **doc)
{
    BTOPT_REQUIRE(info);
    if (i >= info->config_types.size())
        return set_error(BTOPT_ERR_NOT_FOUND, fmt::format("plugin '{}' declares {} config keys; there is no key {}",
                                                          info->info.name, info->config_types.size(), i));
    const ConfigKey &key = (*info->info.config_keys)[i];
    const std::pair<const char **, const char *> outputs[] = {
        {name, key.name.c_str()},          {type, info->config_types[i].c_str()},
        {default_value, key.default_value.c_str()}, {allowed, info->config_allowed[i].c_str()},
        {doc, key.doc.c_str()}};
    for (const auto &[out, text] : outputs)
        if (out)
            *out = text;
    return BTOPT_OK;
}

btopt_status btopt_optimizer_equity_curve(btopt_series **out, const btopt_optimizer *opt, const btopt_params *point)
{
    BTOPT_REQUIRE(out);
    *out = nullptr;
    BTOPT_REQUIRE(opt);
    BTOPT_REQUIRE(point);
    return guarded([&] {
        if (!opt->plugin)
            return set_error(BTOPT_ERR_INVALID_ARGUMENT, "equity curves come from a plugin: use one first");
        const Space &space = *opt->space;
        bool same = point->space->size() == space.size();
        for (std::size_t k = 0; same && k < space.size(); ++k)
            same = point->space->parameters()[k].name == space.parameters()[k].name;
        if (!same)
            return set_error(BTOPT_ERR_INVALID_ARGUMENT, "the point does not have this optimizer's parameters");
        if (!opt->plugin->has_equity_curve)
            return set_error(BTOPT_ERR_UNSUPPORTED,
                             fmt::format("plugin '{}' cannot report an equity curve", opt->plugin->name));
        const auto setup = worker_protocol::to_texts(worker_protocol::EquitySetup{
            opt->plugin->path, space_to_json(space), point_to_json({point->values, space.size()}), opt->plugin_config});
        auto text = run_worker_command({worker_protocol::equity_command, opt->plugin->name}, setup);
        if (!text)
            return set_error(text.error());
        auto curves = equity_from_json(*text);
        if (!curves)
            return set_error(curves.error());
        *out = new btopt_series{std::move(*curves)};
        return BTOPT_OK;
    });
}

void btopt_series_destroy(btopt_series *series) { delete series; }

size_t btopt_series_length(const btopt_series *series) { return series ? series->curves.equity.size() : 0; }

const double *btopt_series_equity(const btopt_series *series)
{
    return series ? series->curves.equity.data() : nullptr;
}

const double *btopt_series_buy_and_hold(const btopt_series *series)
{
    return series ? series->curves.buy_and_hold.data() : nullptr;
}

const int64_t *btopt_series_dates(const btopt_series *series)
{
    return series && !series->curves.dates.empty() ? series->curves.dates.data() : nullptr;
}

} // extern "C"
