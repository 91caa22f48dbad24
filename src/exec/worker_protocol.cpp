#include "worker_protocol.hpp"

#include <charconv>

namespace btopt::internal::worker_protocol {
namespace {

// The texts of each setup: its fixed fields, then KEY VALUE pairs of config.
constexpr std::size_t serve_fields = 6;
constexpr std::size_t equity_fields = 3;

void append_config(std::vector<std::string> &texts, const PluginConfig &config)
{
    for (const auto &[key, value] : config) {
        texts.push_back(key);
        texts.push_back(value);
    }
}

// The config after `fixed` texts; nullopt when they do not come in pairs.
std::optional<PluginConfig> config_after(const std::vector<std::string> &texts, std::size_t fixed)
{
    if (texts.size() < fixed || (texts.size() - fixed) % 2 != 0)
        return std::nullopt;
    PluginConfig config;
    for (std::size_t i = fixed; i < texts.size(); i += 2)
        config.emplace_back(texts[i], texts[i + 1]);
    return config;
}

template <class Number> std::optional<Number> number_of(const std::string &text)
{
    Number n{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (error != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return n;
}

} // namespace

std::vector<std::string> to_texts(const ServeSetup &setup)
{
    std::vector<std::string> texts{setup.plugin,
                                   std::to_string(setup.metric),
                                   std::to_string(setup.limits.max_memory),
                                   std::to_string(setup.limits.threads),
                                   setup.limits.answer_each ? "1" : "0",
                                   setup.space_json};
    append_config(texts, setup.config);
    return texts;
}

std::vector<std::string> to_texts(const EquitySetup &setup)
{
    std::vector<std::string> texts{setup.plugin, setup.space_json, setup.point_json};
    append_config(texts, setup.config);
    return texts;
}

std::optional<ServeSetup> serve_setup_of(const std::vector<std::string> &texts)
{
    auto config = config_after(texts, serve_fields);
    if (!config)
        return std::nullopt;
    const auto metric = number_of<std::size_t>(texts[1]);
    const auto max_memory = number_of<std::uint64_t>(texts[2]);
    const auto threads = number_of<std::int64_t>(texts[3]);
    if (!metric || !max_memory || !threads || (texts[4] != "0" && texts[4] != "1"))
        return std::nullopt;
    return ServeSetup{texts[0], *metric, WorkerLimits{*max_memory, *threads, texts[4] == "1"}, texts[5],
                      std::move(*config)};
}

std::optional<EquitySetup> equity_setup_of(const std::vector<std::string> &texts)
{
    auto config = config_after(texts, equity_fields);
    if (!config)
        return std::nullopt;
    return EquitySetup{texts[0], texts[1], texts[2], std::move(*config)};
}

} // namespace btopt::internal::worker_protocol
