#include "plugin_json.hpp"

#include "../core/space_json.hpp"

#include <nlohmann/json.hpp>

namespace btopt::internal {

std::string plugin_info_to_json(const PluginInfo &info)
{
    return nlohmann::json{{"path", info.path},
                          {"name", info.name},
                          {"version", info.version},
                          {"description", info.description},
                          {"space", nlohmann::json::parse(space_to_json(info.space))},
                          {"metrics", info.metrics},
                          {"default_metric", info.default_metric},
                          {"init_per_worker", info.init_per_worker},
                          {"has_equity_curve", info.has_equity_curve}}
        .dump();
}

Result<PluginInfo> plugin_info_from_json(const std::string &text)
{
    try {
        const auto json = nlohmann::json::parse(text);
        auto space = space_from_json(json.at("space").dump());
        if (!space)
            return tl::unexpected(space.error());
        return PluginInfo{.path = json.at("path"),
                          .name = json.at("name"),
                          .version = json.at("version"),
                          .description = json.at("description"),
                          .space = std::move(*space),
                          .metrics = json.at("metrics").get<std::vector<std::string>>(),
                          .default_metric = json.at("default_metric"),
                          .init_per_worker = json.at("init_per_worker"),
                          .has_equity_curve = json.at("has_equity_curve")};
    } catch (const nlohmann::json::exception &e) {
        return fail(BTOPT_ERR_INTERNAL, "malformed plugin description from btopt-worker: {}", e.what());
    }
}

std::string equity_to_json(const EquityCurves &curves)
{
    return nlohmann::json{{"equity", curves.equity}, {"buy_and_hold", curves.buy_and_hold}}.dump();
}

Result<EquityCurves> equity_from_json(const std::string &text)
{
    try {
        const auto json = nlohmann::json::parse(text);
        return EquityCurves{json.at("equity").get<std::vector<double>>(),
                            json.at("buy_and_hold").get<std::vector<double>>()};
    } catch (const nlohmann::json::exception &e) {
        return fail(BTOPT_ERR_INTERNAL, "malformed equity curve from btopt-worker: {}", e.what());
    }
}

} // namespace btopt::internal
