// Plugin descriptions at the C ABI. The plugin is read by btopt-worker, so
// describing one never loads it into the host.
#include "handles.hpp"

#include "../exec/spawner.hpp"
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
        auto path = resolve_plugin(path_or_name);
        if (!path)
            return set_error(path.error());
        auto described = describe_in_worker(*path);
        if (!described)
            return set_error(described.error());
        auto info = plugin_info_from_json(*described);
        if (!info)
            return set_error(info.error());
        auto *handle = new btopt_plugin_info{std::move(*info), {}};
        handle->space.space = handle->info.space;
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

} // extern "C"
