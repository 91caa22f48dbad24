#include "setup.hpp"
#include "study.hpp"

#include "errors.hpp"
#include "outputs.hpp"
#include "plugin.hpp"
#include "text.hpp"

#include <fmt/format.h>

#include <sched.h>
#include <sys/stat.h>

#include <algorithm>
#include <tuple>

namespace btopt::cli {

namespace {

// A refused setting: a bad value is the user's (exit 2, naming the flag);
// UNSUPPORTED or anything else is a run-time error (exit 1).
void check(btopt_status status, const std::string &flag)
{
    if (status == BTOPT_OK)
        return;
    const std::string message = fmt::format("{}: {}", flag, btopt_last_error());
    if (status == BTOPT_ERR_INVALID_ARGUMENT || status == BTOPT_ERR_NOT_FOUND)
        throw UsageError(message);
    throw RunError(message);
}

// The metric that is the score; one where lower is better (max_drawdown) is
// minimised without --minimize.
void choose_objective(RunSettings &s, const btopt_plugin_info *info)
{
    const std::vector<std::string> metrics = plugin_metrics(info);
    std::size_t chosen = btopt_plugin_info_default_metric(info);
    if (!s.options.objective.empty()) {
        const auto found = std::find(metrics.begin(), metrics.end(), s.options.objective);
        if (found == metrics.end())
            throw UsageError(fmt::format("--objective '{}': plugin '{}' reports no such metric; expected one of: {}",
                                         s.options.objective, s.plugin_name, join(metrics, ", ")));
        chosen = static_cast<std::size_t>(found - metrics.begin());
    }
    s.objective = metrics[chosen];
    s.options.minimize = s.options.minimize || btopt_plugin_info_metric_lower_is_better(info, chosen);
}

void choose_heatmap(RunSettings &s)
{
    std::vector<std::string> names;
    for (const ParamSpec &p : s.params)
        names.push_back(p.name);
    if (s.options.heatmap.empty()) {
        s.heatmap_x = names.empty() ? "" : names[0];
        s.heatmap_y = names.size() > 1 ? names[1] : "";
        return;
    }
    const std::vector<std::string> axes = split(s.options.heatmap, ',');
    const bool known = std::all_of(axes.begin(), axes.end(), [&](const std::string &a) {
        return std::find(names.begin(), names.end(), a) != names.end();
    });
    if (axes.size() != 2 || axes[0] == axes[1] || !known)
        throw UsageError(fmt::format("--heatmap '{}': expected two different parameters X,Y among: {}",
                                     s.options.heatmap, join(names, ", ")));
    s.heatmap_x = axes[0];
    s.heatmap_y = axes[1];
}

// The workers open the data file themselves, by name: a pipe such as
// <(cat f.csv) is not theirs to read, and a FIFO without a writer would hang.
void refuse_unreadable_data(const std::string &path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
        throw UsageError(fmt::format("--data {}: not a regular file ({}); btopt's workers open the file by name, so "
                                     "save the data to a file and give that",
                                     path, S_ISDIR(st.st_mode) ? "a folder" : "a FIFO, pipe or device"));
}

// --data and --set, each key once: a repeated key would silently win.
void parse_config(RunSettings &s)
{
    if (s.options.data) {
        if (s.options.data->empty())
            throw UsageError("--data '': the file name is empty (an unset shell variable?); give a CSV file, or leave "
                             "--data out for the plugin's synthetic series");
        refuse_unreadable_data(*s.options.data);
        s.config.emplace_back("data", *s.options.data);
    }
    for (const std::string &item : s.options.sets) {
        const std::size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
            throw UsageError(fmt::format("--set '{}': expected KEY=VALUE (a plugin config key, e.g. commission=0.001)",
                                         item));
        const std::string key = item.substr(0, eq);
        for (const auto &[given, value] : s.config)
            if (given == key)
                throw UsageError(fmt::format("--set {}: '{}' is already set{}; give each key once", item, key,
                                             key == "data" && s.options.data ? " by --data" : " to '" + value + "'"));
        s.config.emplace_back(key, item.substr(eq + 1));
    }
}

// Each parameter once: a repeated --param would silently win.
void refuse_repeated_params(const std::vector<std::string> &arguments, const std::vector<ParamSpec> &overrides)
{
    for (std::size_t i = 0; i < overrides.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (overrides[i].name == overrides[j].name)
                throw UsageError(fmt::format("--param {}: '{}' is already given by --param {}; give each parameter once",
                                             arguments[i], overrides[i].name, arguments[j]));
}

// The space handed to btopt_optimizer_create. The library merges it into
// the plugin's: it holds only the parameters the user gave, or is NULL.
// Constraints are the exception: btopt_space_add_constraint accepts only
// parameters already in the space, so a space with constraints holds the
// whole merged space (the plugin's defaults replacing themselves is no change).
SpaceHandle user_space(const RunSettings &s, const std::vector<ParamSpec> &overrides)
{
    if (!s.options.constraints.empty())
        return make_space(s.params, s.options.constraints);
    if (overrides.empty())
        return nullptr;
    std::vector<ParamSpec> given;
    for (const ParamSpec &p : s.params)
        if (std::any_of(overrides.begin(), overrides.end(), [&](const ParamSpec &o) { return o.name == p.name; }))
            given.push_back(p);
    return make_space(given, {});
}

// More than 4 workers per CPU only slows a CPU-bound search down, and a typo
// (--jobs 100000) would start that many processes or threads: it takes --force.
void check_jobs(const RunOptions &o)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    const std::int64_t cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? std::max(1, CPU_COUNT(&set)) : 1;
    if (o.jobs > 4 * cpus && !o.force)
        throw UsageError(fmt::format("--jobs {}: more than 4 workers per CPU ({} CPUs here) only slows the search; "
                                     "add --force if you mean it",
                                     o.jobs, cpus));
}

// The algorithms the option behind `flag` applies to, from the library's
// option catalogue (its applies_to lists them), so the CLI keeps no copy.
std::vector<std::string> algorithms_of(std::string_view flag)
{
    for (std::size_t i = 0; i < btopt_option_count(); ++i) {
        btopt_option_desc d{};
        d.struct_size = sizeof d;
        if (btopt_option_info(i, &d) != BTOPT_OK || flag != d.cli_flag)
            continue;
        std::vector<std::string> listed;
        for (std::string name : split(d.applies_to, ',')) {
            name.erase(0, name.find_first_not_of(' '));
            if (std::find(std::begin(algorithms), std::end(algorithms), name) != std::end(algorithms))
                listed.push_back(name);
        }
        return listed;
    }
    return {std::begin(algorithms), std::end(algorithms)};
}

// A flag that does nothing under the chosen backend or algorithm: the user
// believes it acts (a --timeout that never fires lets a hanging evaluation
// hang the run for ever), so it is refused.
void refuse_flags_that_do_not_apply(const RunOptions &o)
{
    const bool processes = o.backend == "process" || o.backend == "mpi";
    for (const auto &[flag, given] : {std::pair{"--timeout", o.timeout.has_value()}, {"--max-memory", !o.max_memory.empty()}})
        if (given && !processes)
            throw UsageError(fmt::format("{} applies to worker processes only (a thread cannot be stopped or capped), "
                                         "not --backend {}; use --backend process",
                                         flag, o.backend));
    const std::pair<const char *, bool> given[] = {
        {"--iterations", o.iterations.has_value()}, {"--seed", o.seed.has_value()},
        {"--population", o.population.has_value()}, {"--generations", o.generations.has_value()},
        {"--batch-q", o.batch_q.has_value()},       {"--patience", o.patience.has_value()},
        {"--select", !o.select.empty()},            {"--robust-radius", o.robust_radius.has_value()}};
    for (const auto &[flag, was_given] : given) {
        const std::vector<std::string> where = algorithms_of(flag);
        if (was_given && std::find(where.begin(), where.end(), o.algorithm) == where.end())
            throw UsageError(fmt::format("{} applies to {} search only, not --algorithm {}", flag, join(where, ", "),
                                         o.algorithm));
    }
}

void set_options(btopt_optimizer *opt, const RunOptions &o)
{
    refuse_flags_that_do_not_apply(o);
    check(btopt_optimizer_set_string(opt, "backend", o.backend.c_str()), "--backend " + o.backend);
    check_jobs(o);
    check(btopt_optimizer_set_int(opt, "n_jobs", o.jobs), fmt::format("--jobs {}", o.jobs));
    const struct {
        const char *flag, *option;
        const std::optional<std::int64_t> &value;
    } ints[] = {{"--iterations", "n_iterations", o.iterations},
                {"--seed", "random_seed", o.seed},
                {"--population", "population_size", o.population},
                {"--generations", "n_generations", o.generations},
                {"--batch-q", "batch_q", o.batch_q},
                {"--patience", "patience", o.patience},
                {"--batch-size", "batch_size", o.batch_size},
                {"--keep", "keep_trials", o.keep},
                {"--pbo-blocks", "pbo_blocks", o.pbo_blocks},
                {"--robust-radius", "robust_radius", o.robust_radius}};
    for (const auto &[flag, option, value] : ints)
        if (value)
            check(btopt_optimizer_set_int(opt, option, *value), fmt::format("{} {}", flag, *value));
    for (const auto &[flag, option, value] : {std::tuple{"--start", "start", &o.start}, {"--end", "end", &o.end}})
        if (!value->empty())
            check(btopt_optimizer_set_string(opt, option, value->c_str()), fmt::format("{} {}", flag, *value));
    if (o.timeout)
        check(btopt_optimizer_set_double(opt, "eval_timeout", *o.timeout), fmt::format("--timeout {}", *o.timeout));
    if (o.max_seconds)
        check(btopt_optimizer_set_double(opt, "max_seconds", *o.max_seconds),
              fmt::format("--max-seconds {}", *o.max_seconds));
    if (!o.max_memory.empty())
        check(btopt_optimizer_set_string(opt, "max_memory_per_worker", o.max_memory.c_str()), "--max-memory " + o.max_memory);
    if (o.ignore_errors)
        check(btopt_optimizer_set_int(opt, "ignore_errors", 1), "--ignore-errors");
    if (!o.require.empty())
        check(btopt_optimizer_set_string(opt, "require", o.require.c_str()), "--require " + o.require);
    if (!o.select.empty())
        check(btopt_optimizer_set_string(opt, "select", o.select.c_str()), "--select " + o.select);
    if (o.minimize)
        check(btopt_optimizer_set_string(opt, "direction", "minimize"), "--minimize");
    set_study_options(opt, o);
}

} // namespace

PreparedRun prepare_run(const RunOptions &options)
{
    check_outputs(options);
    PreparedRun prepared;
    RunSettings &s = prepared.settings;
    s.options = options;
    const PluginInfoHandle info = describe_plugin(options.plugin);
    s.plugin_name = btopt_plugin_info_name(info.get());
    s.plugin_version = btopt_plugin_info_version(info.get());
    s.plugin_description = btopt_plugin_info_description(info.get());
    s.plugin_path = btopt_plugin_info_path(info.get());
    choose_objective(s, info.get());

    const btopt_space *own = btopt_plugin_info_space(info.get());
    const std::vector<ParamSpec> plugin_params = read_params(own);
    std::vector<ParamSpec> overrides;
    for (const std::string &argument : options.params)
        overrides.push_back(parse_param(argument, plugin_params));
    refuse_repeated_params(options.params, overrides);
    s.params = merge_params(plugin_params, overrides);
    s.constraints = read_constraints(own);
    s.constraints.insert(s.constraints.end(), options.constraints.begin(), options.constraints.end());
    if (options.algorithm == "grid")
        for (const ParamSpec &p : s.params)
            if (p.continuous() && p.float_lo != p.float_hi)
                throw UsageError(fmt::format("--algorithm grid: parameter '{}' is continuous ({}); give it a step with "
                                             "--param {}=LO:HI:STEP, or use --algorithm random or genetic",
                                             p.name, p.range_text(), p.name));
    choose_heatmap(s);
    parse_config(s);

    const SpaceHandle space = user_space(s, overrides);
    btopt_optimizer *raw = nullptr;
    check(btopt_optimizer_create(&raw, space.get(), options.algorithm.c_str()), "--algorithm " + options.algorithm);
    prepared.optimizer.reset(raw);
    btopt_optimizer *opt = raw;
    set_options(opt, s.options);
    // The file describe found, so the run uses the very plugin described.
    if (const btopt_status status = btopt_optimizer_use_plugin(opt, s.plugin_path.c_str()); status != BTOPT_OK) {
        const std::string flag = options.constraints.empty() ? "--param" : "--param/--constraint";
        check(status, status == BTOPT_ERR_INVALID_ARGUMENT ? flag : "plugin '" + options.plugin + "'");
    }
    for (const auto &[key, value] : s.config)
        check(btopt_optimizer_set_plugin_config(opt, key.c_str(), value.c_str()),
              key == "data" && options.data ? "--data" : fmt::format("--set {}={}", key, value));
    check(btopt_optimizer_set_objective_metric(opt, s.objective.c_str()), "--objective " + s.objective);
    return prepared;
}

} // namespace btopt::cli
