#include "provenance.hpp"

#include "../core/space_json.hpp"

#include <fmt/chrono.h>
#include <xxhash.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <vector>

namespace btopt::internal {
namespace {

using Json = nlohmann::ordered_json;

std::string hex(XXH128_hash_t h) { return fmt::format("{:016x}{:016x}", h.high64, h.low64); }

bool is_regular_file(const std::string &path)
{
    struct stat st {};
    return !path.empty() && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Json options_json(const Options &o)
{
    return Json{{"n_jobs", o.n_jobs},
                {"n_iterations", o.n_iterations},
                {"random_seed", o.random_seed},
                {"population_size", o.population_size},
                {"n_generations", o.n_generations},
                {"tournament_size", o.tournament_size},
                {"elite_count", o.elite_count},
                {"batch_size", o.batch_size},
                {"keep_trials", o.kept_trials()},
                {"ignore_errors", o.ignore_errors},
                {"crossover_rate", o.crossover_rate},
                {"mutation_rate", o.mutation_rate},
                {"backend", o.backend},
                {"start_method", o.start_method},
                {"eval_timeout", o.eval_timeout},
                {"max_memory_per_worker", o.max_memory},
                {"threads_per_worker", o.threads_per_worker},
                {"direction", o.direction == Direction::Maximize ? "maximize" : "minimize"},
                {"study_mode", o.study_mode},
                {"data_fingerprint", o.data_fingerprint},
                {"require", o.require}};
}

// The host process's arguments (the `btopt` command, or `python script.py`).
Json command_line()
{
    Json args = Json::array();
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::string arg;
    while (std::getline(in, arg, '\0'))
        args.push_back(arg);
    return args;
}

std::string host_name()
{
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0)
        return "unknown";
    return name;
}

} // namespace

std::string utc_now()
{
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    return fmt::format("{:%FT%TZ}", now);
}

Result<std::string> hash_file(const std::string &path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(BTOPT_ERR_IO, "cannot read '{}' to fingerprint it: {}", path, std::strerror(errno));
    XXH3_state_t *state = XXH3_createState();
    XXH3_128bits_reset(state);
    std::vector<char> buffer(1 << 20);
    ssize_t n = 0;
    while ((n = ::read(fd, buffer.data(), buffer.size())) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            XXH3_128bits_update(state, buffer.data(), static_cast<std::size_t>(n));
    const int err = errno;
    ::close(fd);
    const XXH128_hash_t h = XXH3_128bits_digest(state);
    XXH3_freeState(state);
    if (n < 0)
        return fail(BTOPT_ERR_IO, "cannot read '{}' to fingerprint it: {}", path, std::strerror(err));
    return hex(h);
}

std::string hash_text(std::string_view text) { return hex(XXH3_128bits(text.data(), text.size())); }

Result<Provenance> describe_provenance(const RunDescription &run)
{
    Json identity;
    if (!run.plugin_path.empty()) {
        auto plugin_hash = hash_file(run.plugin_path);
        if (!plugin_hash)
            return tl::unexpected(plugin_hash.error());
        identity["plugin"] = Json{{"name", run.plugin_name}, {"version", run.plugin_version}, {"xxh3_128", *plugin_hash}};
    } else {
        identity["plugin"] = nullptr;
    }
    Json config = Json::object(), data = Json::object();
    for (const auto &[key, value] : run.config) {
        config[key] = value;
        if (!is_regular_file(value))
            continue;
        auto data_hash = hash_file(value);
        if (!data_hash)
            return tl::unexpected(data_hash.error());
        data[key] = Json{{"file", value}, {"xxh3_128", *data_hash}};
    }
    identity["config"] = std::move(config);
    identity["data"] = std::move(data);
    identity["data_fingerprint"] = run.options->data_fingerprint;
    identity["objective"] = run.objective;
    identity["direction"] = run.options->direction == Direction::Maximize ? "maximize" : "minimize";

    Json record{{"btopt_version", BTOPT_VERSION_STRING}};
    for (const auto &[key, value] : identity.items())
        record[key] = value;
    if (!run.plugin_path.empty())
        record["plugin"]["path"] = run.plugin_path;
    record["metrics"] = run.metric_names;
    record["space"] = Json::parse(space_to_json(*run.space));
    record["algorithm"] = run.algorithm;
    record["seed"] = run.options->random_seed;
    record["backend"] = run.backend;
    record["workers"] = run.workers;
    if (!run.bars.whole())
        record["bars"] = Json{{"first_bar", run.bars.first}, {"last_bar", run.bars.end - 1}};
    record["options"] = options_json(*run.options);
    record["command_line"] = command_line();
    record["host"] = host_name();
    record["pid"] = static_cast<std::int64_t>(getpid());
    record["started"] = utc_now();
    return Provenance{std::move(identity), std::move(record)};
}

namespace {

std::string shown(const Json &value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

void compare_data(const Json &now, const Json &stored, std::vector<std::string> &out)
{
    for (const auto &[key, entry] : now.items()) {
        if (!stored.contains(key))
            out.push_back(fmt::format("the data changed: {} = {} is a file (xxh3-128 {}), the study's runs had no "
                                      "data file there",
                                      key, shown(entry["file"]), shown(entry["xxh3_128"])));
        else if (stored[key] != entry)
            out.push_back(fmt::format("the data changed: {} hashes to {}, the study has {} for {}", shown(entry["file"]),
                                      shown(entry["xxh3_128"]), shown(stored[key]["xxh3_128"]),
                                      shown(stored[key]["file"])));
    }
    for (const auto &[key, entry] : stored.items())
        if (!now.contains(key))
            out.push_back(fmt::format("the data changed: the study's runs read {} = {}, this run has no data file there",
                                      key, shown(entry["file"])));
}

// Schema-2 studies kept a run's options start/end in its config; the bars
// are now a column of the run (schema.hpp), so those keys say nothing about
// the setup. (Their runs' identity keys still differ, so none is reused.)
bool legacy_bar_key(const std::string &key) { return key == "btopt.start" || key == "btopt.end"; }

void compare_config(const Json &now, const Json &stored, std::vector<std::string> &out)
{
    for (const auto &[key, value] : now.items())
        if (!stored.contains(key))
            out.push_back(fmt::format("the config changed: {} = {} is set, the study's runs did not set it", key,
                                      shown(value)));
        else if (stored[key] != value)
            out.push_back(fmt::format("the config changed: {} = {}, the study has {} = {}", key, shown(value), key,
                                      shown(stored[key])));
    for (const auto &[key, value] : stored.items())
        if (!now.contains(key) && !legacy_bar_key(key))
            out.push_back(fmt::format("the config changed: {} is not set, the study has {} = {}", key, key, shown(value)));
}

void compare_plugin(const Json &now, const Json &stored, std::vector<std::string> &out)
{
    if (now.is_null() != stored.is_null()) {
        out.push_back(now.is_null() ? "the objective changed: this run uses a host objective, the study a plugin"
                                    : "the objective changed: this run uses a plugin, the study a host objective");
        return;
    }
    if (now.is_null())
        return;
    if (now["name"] != stored["name"])
        out.push_back(fmt::format("the plugin changed: this run uses '{}', the study has '{}'", shown(now["name"]),
                                  shown(stored["name"])));
    else if (now["xxh3_128"] != stored["xxh3_128"])
        out.push_back(fmt::format("the plugin file changed (rebuilt or replaced): '{}' {} hashes to {}, the study has {}",
                                  shown(now["name"]), shown(now["version"]), shown(now["xxh3_128"]),
                                  shown(stored["xxh3_128"])));
}

} // namespace

std::string identity_differences(const Json &now, const Json &stored)
{
    std::vector<std::string> out;
    compare_plugin(now.value("plugin", Json()), stored.value("plugin", Json()), out);
    compare_data(now.value("data", Json::object()), stored.value("data", Json::object()), out);
    compare_config(now.value("config", Json::object()), stored.value("config", Json::object()), out);
    for (const char *key : {"data_fingerprint", "objective", "direction"})
        if (now.value(key, Json()) != stored.value(key, Json()))
            out.push_back(fmt::format("the {} changed: '{}', the study has '{}'", key == std::string("data_fingerprint") ? "data fingerprint" : key,
                                      shown(now.value(key, Json())), shown(stored.value(key, Json()))));
    std::string text;
    for (const std::string &line : out)
        text += (text.empty() ? "" : "; ") + line;
    return text;
}

} // namespace btopt::internal
