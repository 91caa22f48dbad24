#include "dashboard/equity.hpp"

#include "dashboard/queries.hpp"
#include "handles.hpp"

#include <btopt/btopt.h>

#include <fmt/format.h>
#include <xxhash.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace btopt::cli::dashboard {
namespace {

using Json = nlohmann::json;

// The space of the one point: each parameter fixed at the trial's value.
std::optional<std::string> add_point(btopt_space *space, const Run &run, std::size_t trial)
{
    for (std::size_t k = 0; k < run.params.size(); ++k) {
        const Param &p = run.params[k];
        const double v = run.param(k, trial);
        btopt_status status = BTOPT_OK;
        if (p.kind == "int")
            status = btopt_space_add_int(space, p.name.c_str(), static_cast<std::int64_t>(v), static_cast<std::int64_t>(v), 1);
        else if (p.kind == "float")
            status = btopt_space_add_float(space, p.name.c_str(), v, v, 0);
        else if (v >= 0 && v < static_cast<double>(p.choices.size())) {
            const char *choice = p.choices[static_cast<std::size_t>(v)].c_str();
            status = btopt_space_add_choice(space, p.name.c_str(), &choice, 1);
        } else
            return fmt::format("the trial's value of '{}' is not one of its choices", p.name);
        if (status != BTOPT_OK)
            return fmt::format("parameter '{}': {}", p.name, btopt_last_error());
    }
    return std::nullopt;
}

Json missing(const std::string &why)
{
    return {{"missing", why}};
}

// XXH3-128 of a file's bytes as 32 hex digits, high half first: the rule of
// the study's provenance (src/study/provenance.cpp, hash_file). The command
// uses only the C ABI, so it has this copy; test_dashboard's equity tests
// fail when the two disagree (an unchanged plugin would be refused).
std::optional<std::string> file_hash(const std::string &path)
{
    const std::unique_ptr<std::FILE, int (*)(std::FILE *)> file(std::fopen(path.c_str(), "rbe"), std::fclose);
    if (!file)
        return std::nullopt;
    const std::unique_ptr<XXH3_state_t, XXH_errorcode (*)(XXH3_state_t *)> state(XXH3_createState(), XXH3_freeState);
    XXH3_128bits_reset(state.get());
    std::vector<char> buffer(1 << 20);
    while (const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), file.get()))
        XXH3_128bits_update(state.get(), buffer.data(), n);
    if (std::ferror(file.get()))
        return std::nullopt;
    const XXH128_hash_t h = XXH3_128bits_digest(state.get());
    return fmt::format("{:016x}{:016x}", h.high64, h.low64);
}

// Why the files a curve would be computed from (the plugin, the data files
// its config named) are not the run's; nullopt when they are. Without this a
// rebuilt plugin or a replaced CSV would draw a curve the run never made.
std::optional<std::string> changed_since_run(const Json &provenance)
{
    const Json plugin = provenance.value("plugin", Json::object());
    const std::string path = plugin.value("path", ""), stored = plugin.value("xxh3_128", "");
    const std::optional<std::string> now = file_hash(path);
    if (!now)
        return fmt::format("the plugin that made this run ({}) cannot be read", path);
    if (*now != stored)
        return fmt::format("the plugin that made this run ({}) changed since the run: its bytes hash to {}, the study has {} "
                           "(XXH3-128); a rebuilt plugin would draw another curve",
                           path, *now, stored);
    const Json data = provenance.value("data", Json::object());
    for (const auto &[key, entry] : data.items()) {
        const std::string file = entry.value("file", ""), data_stored = entry.value("xxh3_128", "");
        const std::optional<std::string> data_now = file_hash(file);
        if (!data_now)
            return fmt::format("the data file {} ({}) that this run read is not on this machine", file, key);
        if (*data_now != data_stored)
            return fmt::format("the data file {} ({}) changed since the run: its bytes hash to {}, the study has {} "
                               "(XXH3-128); other bars would draw another curve",
                               file, key, *data_now, data_stored);
    }
    return std::nullopt;
}

} // namespace

Json trial_equity(const Run &run, std::int64_t number)
{
    const auto trial = run.index_of(number);
    if (!trial)
        throw BadQuery(fmt::format("run {} has no trial {} (yet)", run.id, number));
    const Json plugin = run.provenance.value("plugin", Json::object());
    const std::string path = plugin.value("path", "");
    if (path.empty() || ::access(path.c_str(), R_OK) != 0)
        return missing(fmt::format("the plugin that made this run ({}) is not on this machine", path.empty() ? "unnamed" : path));
    if (auto why = changed_since_run(run.provenance))
        return missing(*why);

    btopt_space *raw_space = nullptr;
    if (btopt_space_create(&raw_space) != BTOPT_OK)
        return missing(btopt_last_error());
    const SpaceHandle space(raw_space);
    if (auto error = add_point(raw_space, run, *trial))
        return missing(*error);
    btopt_optimizer *raw = nullptr;
    if (btopt_optimizer_create(&raw, raw_space, "grid") != BTOPT_OK)
        return missing(btopt_last_error());
    const OptimizerHandle opt(raw);
    if (btopt_optimizer_use_plugin(raw, path.c_str()) != BTOPT_OK)
        return missing(fmt::format("plugin {}: {}", path, btopt_last_error()));
    const auto config = run.provenance.find("config");
    if (config != run.provenance.end() && config->is_object())
        for (auto entry = config->begin(); entry != config->end(); ++entry) {
            const std::string value = entry->is_string() ? entry->get<std::string>() : entry->dump();
            if (btopt_optimizer_set_plugin_config(raw, entry.key().c_str(), value.c_str()) != BTOPT_OK)
                return missing(fmt::format("config {}: {}", entry.key(), btopt_last_error()));
        }
    // A params view of the point comes from a result: a one-point run (one
    // evaluation) gives it.
    btopt_optimizer_set_int(raw, "n_jobs", 1);
    btopt_result *raw_result = nullptr;
    if (btopt_optimizer_run(raw, &raw_result) != BTOPT_OK) {
        const std::string error = btopt_last_error();
        btopt_result_destroy(raw_result);
        return missing(error);
    }
    const ResultHandle result(raw_result);
    const btopt_params *point = btopt_result_best_params(raw_result);
    if (!point)
        return missing("the plugin did not evaluate the trial's point again");
    btopt_series *raw_series = nullptr;
    if (const btopt_status status = btopt_optimizer_equity_curve(&raw_series, raw, point); status != BTOPT_OK)
        return missing(status == BTOPT_ERR_UNSUPPORTED ? "this plugin does not report equity curves" : btopt_last_error());
    const SeriesHandle series(raw_series);
    const std::size_t n = btopt_series_length(raw_series);
    Json curves = {{"number", number},
                   {"equity", std::vector<double>(btopt_series_equity(raw_series), btopt_series_equity(raw_series) + n)},
                   {"buy_and_hold", std::vector<double>(btopt_series_buy_and_hold(raw_series),
                                                        btopt_series_buy_and_hold(raw_series) + n)}};
    if (const std::int64_t *dates = btopt_series_dates(raw_series))
        curves["dates"] = std::vector<std::int64_t>(dates, dates + n);
    return curves;
}

} // namespace btopt::cli::dashboard
