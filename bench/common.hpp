// Shared by the benchmark drivers: clocks, a spin on the monotonic clock,
// JSON lines, a run of btopt over the C ABI with its timings, and process
// memory readings from /proc.
#pragma once

#include <btopt/btopt.h>

#include <dirent.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace bench {

inline std::int64_t now_ns()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

inline double seconds_since(std::int64_t start_ns) { return static_cast<double>(now_ns() - start_ns) * 1e-9; }

inline void spin_ns(std::int64_t ns)
{
    const std::int64_t end = now_ns() + ns;
    while (now_ns() < end) {
    }
}

inline double median(std::vector<double> v)
{
    if (v.empty())
        return std::nan("");
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// One JSON object on one line: {"key": value, ...}.
class Json {
public:
    Json &str(const std::string &key, const std::string &value)
    {
        std::string escaped;
        for (char c : value) {
            if (c == '"' || c == '\\')
                escaped += '\\';
            if (static_cast<unsigned char>(c) < 0x20)
                c = ' ';
            escaped += c;
        }
        return raw(key, "\"" + escaped + "\"");
    }
    Json &num(const std::string &key, double value)
    {
        if (!std::isfinite(value))
            return raw(key, "null");
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%.9g", value);
        return raw(key, buffer);
    }
    Json &integer(const std::string &key, std::int64_t value) { return raw(key, std::to_string(value)); }
    Json &raw(const std::string &key, const std::string &value)
    {
        text_ += (text_.empty() ? "{" : ", ") + ("\"" + key + "\": ") + value;
        return *this;
    }
    void print() const
    {
        std::printf("%s}\n", text_.c_str());
        std::fflush(stdout);
    }

private:
    std::string text_;
};

inline void check(btopt_status status, const char *what)
{
    if (status != BTOPT_OK)
        throw std::runtime_error(std::string(what) + ": " + btopt_status_name(status) + ": " + btopt_last_error());
}

// What one run is: the space and algorithm, the options, and the objective
// (a host callback or a plugin with its config).
struct RunSpec {
    const btopt_space *space = nullptr;
    std::string algorithm = "grid";
    std::vector<std::pair<std::string, std::int64_t>> ints;
    std::vector<std::pair<std::string, std::string>> strings;
    btopt_objective_fn fn = nullptr;
    void *user = nullptr;
    std::string plugin;
    std::vector<std::pair<std::string, std::string>> config;
    // Called from the progress callback: (done, total, seconds since the call started).
    std::function<void(std::uint64_t, std::uint64_t, double)> on_progress;
};

struct RunOut {
    double call = 0;   // the whole btopt_optimizer_run call (workers started and stopped included)
    double wall = 0;   // btopt_result_wall_seconds: the coordinator's loop, workers already started
    double eval = 0;   // btopt_result_eval_seconds: the evaluations' own seconds, summed
    double first = -1; // seconds from the call to the first progress callback (first result)
    std::uint64_t evaluated = 0;
    std::uint64_t ok = 0;
    std::uint32_t workers = 0;
    double best_score = std::nan("");
    std::map<std::string, double> best;
};

namespace detail {
struct ProgressState {
    std::int64_t start = 0;
    double first = -1;
    const RunSpec *spec = nullptr;
};
inline void on_progress(void *user, std::uint64_t done, std::uint64_t total, double)
{
    auto *state = static_cast<ProgressState *>(user);
    const double t = seconds_since(state->start);
    if (state->first < 0)
        state->first = t;
    if (state->spec->on_progress)
        state->spec->on_progress(done, total, t);
}
} // namespace detail

inline RunOut run(const RunSpec &spec)
{
    btopt_optimizer *opt = nullptr;
    check(btopt_optimizer_create(&opt, spec.space, spec.algorithm.c_str()), "btopt_optimizer_create");
    std::unique_ptr<btopt_optimizer, void (*)(btopt_optimizer *)> guard(opt, btopt_optimizer_destroy);
    for (const auto &[name, value] : spec.ints)
        check(btopt_optimizer_set_int(opt, name.c_str(), value), name.c_str());
    for (const auto &[name, value] : spec.strings)
        check(btopt_optimizer_set_string(opt, name.c_str(), value.c_str()), name.c_str());
    if (!spec.plugin.empty()) {
        check(btopt_optimizer_use_plugin(opt, spec.plugin.c_str()), "btopt_optimizer_use_plugin");
        for (const auto &[key, value] : spec.config)
            check(btopt_optimizer_set_plugin_config(opt, key.c_str(), value.c_str()), key.c_str());
    } else {
        check(btopt_optimizer_set_objective(opt, spec.fn, spec.user), "btopt_optimizer_set_objective");
    }
    detail::ProgressState state{now_ns(), -1, &spec};
    check(btopt_optimizer_set_progress(opt, detail::on_progress, &state), "btopt_optimizer_set_progress");
    btopt_result *result = nullptr;
    state.start = now_ns();
    const btopt_status status = btopt_optimizer_run(opt, &result);
    RunOut out;
    out.call = seconds_since(state.start);
    out.first = state.first;
    if (status != BTOPT_OK) {
        btopt_result_destroy(result);
        check(status, "btopt_optimizer_run");
    }
    out.wall = btopt_result_wall_seconds(result);
    out.eval = btopt_result_eval_seconds(result);
    out.evaluated = btopt_result_evaluated_count(result);
    out.ok = btopt_result_status_count(result, BTOPT_TRIAL_OK);
    out.workers = btopt_result_workers(result);
    out.best_score = btopt_result_best_score(result);
    if (const btopt_params *best = btopt_result_best_params(result))
        for (std::size_t k = 0; k < btopt_params_count(best); ++k) {
            double v = 0;
            if (btopt_params_get_double(best, btopt_params_name(best, k), &v) == BTOPT_OK)
                out.best[btopt_params_name(best, k)] = v;
        }
    btopt_result_destroy(result);
    return out;
}

// A space of integer parameters: {name, lo, hi}.
inline btopt_space *int_space(const std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> &params)
{
    btopt_space *space = nullptr;
    check(btopt_space_create(&space), "btopt_space_create");
    for (const auto &[name, lo, hi] : params)
        check(btopt_space_add_int(space, name.c_str(), lo, hi, 1), "btopt_space_add_int");
    return space;
}

// Kilobytes of a field ("Pss:", "Rss:") of /proc/PID/smaps_rollup, or -1.
inline long smaps_rollup_kb(pid_t pid, const std::string &field)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field, 0) == 0)
            return std::strtol(line.c_str() + field.size(), nullptr, 10);
    return -1;
}

struct ProcInfo {
    pid_t pid;
    pid_t ppid;
    std::string comm;
};

inline std::vector<ProcInfo> processes()
{
    std::vector<ProcInfo> out;
    DIR *dir = opendir("/proc");
    if (!dir)
        return out;
    while (dirent *e = readdir(dir)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        std::ifstream in(std::string("/proc/") + e->d_name + "/stat");
        std::string text;
        std::getline(in, text);
        const auto open = text.find('('), close = text.rfind(')');
        if (open == std::string::npos || close == std::string::npos)
            continue;
        std::istringstream rest(text.substr(close + 2));
        char state = 0;
        long ppid = 0;
        rest >> state >> ppid;
        out.push_back(ProcInfo{static_cast<pid_t>(std::atol(e->d_name)), static_cast<pid_t>(ppid),
                               text.substr(open + 1, close - open - 1)});
    }
    closedir(dir);
    return out;
}

// This process and its descendants (the worker server and the workers).
inline std::vector<ProcInfo> process_tree(pid_t root)
{
    const auto all = processes();
    std::vector<ProcInfo> tree;
    std::vector<pid_t> frontier{root};
    for (const ProcInfo &p : all)
        if (p.pid == root)
            tree.push_back(p);
    while (!frontier.empty()) {
        const pid_t parent = frontier.back();
        frontier.pop_back();
        for (const ProcInfo &p : all)
            if (p.ppid == parent) {
                tree.push_back(p);
                frontier.push_back(p.pid);
            }
    }
    return tree;
}

inline double peak_rss_mb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0; // ru_maxrss is in KiB on Linux
}

inline double current_rss_mb() { return static_cast<double>(smaps_rollup_kb(getpid(), "Rss:")) / 1024.0; }

// "0,10,100" -> {0, 10, 100}
inline std::vector<double> number_list(const std::string &text)
{
    std::vector<double> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty())
            out.push_back(std::stod(item));
    return out;
}

inline std::vector<std::string> word_list(const std::string &text)
{
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

// --key value arguments after the subcommand.
class Args {
public:
    Args(int argc, char **argv, int first)
    {
        for (int i = first; i + 1 < argc; i += 2) {
            std::string key = argv[i];
            if (key.rfind("--", 0) != 0)
                throw std::invalid_argument("expected --option value, got '" + key + "'");
            values_[key.substr(2)] = argv[i + 1];
        }
        if ((argc - first) % 2 != 0)
            throw std::invalid_argument(std::string("option '") + argv[argc - 1] + "' has no value");
    }
    std::string get(const std::string &key, const std::string &fallback = "") const
    {
        const auto it = values_.find(key);
        return it == values_.end() ? fallback : it->second;
    }
    double number(const std::string &key, double fallback) const
    {
        const auto it = values_.find(key);
        return it == values_.end() ? fallback : std::stod(it->second);
    }
    bool has(const std::string &key) const { return values_.count(key) != 0; }

private:
    std::map<std::string, std::string> values_;
};

} // namespace bench
