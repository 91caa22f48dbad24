#include "plugin_json.hpp"

#include "../core/space_json.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

namespace btopt::internal {

namespace {

// JSON has no infinities: an open end of a range travels as null.
nlohmann::json bound(double x) { return std::isinf(x) ? nlohmann::json(nullptr) : nlohmann::json(x); }
double bound(const nlohmann::json &j, double open) { return j.is_null() ? open : j.get<double>(); }

nlohmann::json keys_to_json(const std::optional<std::vector<ConfigKey>> &keys)
{
    if (!keys)
        return nullptr;
    nlohmann::json out = nlohmann::json::array();
    for (const ConfigKey &k : *keys)
        out.push_back({{"name", k.name}, {"type", k.type}, {"default_value", k.default_value}, {"lo", bound(k.lo)},
                       {"hi", bound(k.hi)}, {"choices", k.choices}, {"doc", k.doc}});
    return out;
}

std::optional<std::vector<ConfigKey>> keys_from_json(const nlohmann::json &j)
{
    if (j.is_null())
        return std::nullopt;
    std::vector<ConfigKey> keys;
    for (const auto &k : j)
        keys.push_back(ConfigKey{.name = k.at("name"), .type = k.at("type"), .default_value = k.at("default_value"),
                                 .lo = bound(k.at("lo"), -HUGE_VAL), .hi = bound(k.at("hi"), HUGE_VAL),
                                 .choices = k.at("choices").get<std::vector<std::string>>(), .doc = k.at("doc")});
    return keys;
}

nlohmann::json domains_to_json(const std::vector<std::pair<double, double>> &domains)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto &[lo, hi] : domains)
        out.push_back(nlohmann::json::array({bound(lo), bound(hi)}));
    return out;
}

std::vector<std::pair<double, double>> domains_from_json(const nlohmann::json &j)
{
    std::vector<std::pair<double, double>> domains;
    for (const auto &d : j)
        domains.emplace_back(bound(d.at(0), -HUGE_VAL), bound(d.at(1), HUGE_VAL));
    return domains;
}

} // namespace

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
                          {"has_equity_curve", info.has_equity_curve},
                          {"has_ranges", info.has_ranges},
                          {"config_keys", keys_to_json(info.config_keys)},
                          {"lower_is_better", info.lower_is_better},
                          {"domains", domains_to_json(info.domains)}}
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
                          .has_equity_curve = json.at("has_equity_curve"),
                          .has_ranges = json.at("has_ranges"),
                          .config_keys = keys_from_json(json.at("config_keys")),
                          .lower_is_better = json.at("lower_is_better").get<std::vector<bool>>(),
                          .domains = domains_from_json(json.at("domains"))};
    } catch (const nlohmann::json::exception &e) {
        return fail(BTOPT_ERR_INTERNAL, "malformed plugin description from btopt-worker: {}", e.what());
    }
}

std::string equity_to_json(const EquityCurves &curves)
{
    return nlohmann::json{{"equity", curves.equity}, {"buy_and_hold", curves.buy_and_hold}, {"dates", curves.dates}}.dump();
}

Result<EquityCurves> equity_from_json(const std::string &text)
{
    try {
        const auto json = nlohmann::json::parse(text);
        return EquityCurves{json.at("equity").get<std::vector<double>>(),
                            json.at("buy_and_hold").get<std::vector<double>>(),
                            json.value("dates", std::vector<std::int64_t>{})};
    } catch (const nlohmann::json::exception &e) {
        return fail(BTOPT_ERR_INTERNAL, "malformed equity curve from btopt-worker: {}", e.what());
    }
}

} // namespace btopt::internal
