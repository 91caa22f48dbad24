// The option catalogue: one entry per option drives the setters, the
// getters, btopt_option_info, the CLI's help and the checks that keep the
// header, btopt.hpp, the CLI and every binding in step with it.
#include "options.hpp"

#include "bar_range.hpp"

#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <fstream>
#include <optional>
#include <string_view>

namespace btopt::internal {
namespace {

// The CPU limit of a cgroup v2 quota ("max" or "QUOTA PERIOD"), if one is set.
std::optional<unsigned> cgroup_cpu_limit()
{
    std::ifstream file("/sys/fs/cgroup/cpu.max");
    std::string quota;
    double period = 0;
    if (!(file >> quota >> period) || quota == "max" || period <= 0)
        return std::nullopt;
    const double cpus = std::ceil(std::stod(quota) / period);
    return static_cast<unsigned>(std::max(1.0, cpus));
}

} // namespace

Result<std::uint64_t> parse_memory_size(const std::string &text)
{
    std::size_t used = 0;
    double number = 0;
    try {
        number = std::stod(text, &used);
    } catch (const std::exception &) {
        used = 0;
    }
    std::string unit = text.substr(used);
    std::erase(unit, ' ');
    for (char &c : unit)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    static const std::array<std::pair<std::string_view, double>, 13> units{{{"", 1.0},
                                                                           {"B", 1.0},
                                                                           {"K", 0x1p10},
                                                                           {"KB", 0x1p10},
                                                                           {"KIB", 0x1p10},
                                                                           {"M", 0x1p20},
                                                                           {"MB", 0x1p20},
                                                                           {"MIB", 0x1p20},
                                                                           {"G", 0x1p30},
                                                                           {"GB", 0x1p30},
                                                                           {"GIB", 0x1p30},
                                                                           {"TB", 0x1p40},
                                                                           {"TIB", 0x1p40}}};
    for (const auto &[name, factor] : units)
        if (used > 0 && unit == name && number >= 0 && std::isfinite(number) && number * factor < 0x1p63)
            return static_cast<std::uint64_t>(number * factor);
    return fail(BTOPT_ERR_INVALID_ARGUMENT,
                "option 'max_memory_per_worker' = '{}': use a size such as 2GB, 512MB or 512MiB (powers of 1024), or "
                "a number of bytes",
                text);
}

unsigned usable_cpus()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    unsigned cpus = 1;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        cpus = static_cast<unsigned>(std::max(1, CPU_COUNT(&set)));
    if (const auto limit = cgroup_cpu_limit())
        cpus = std::min(cpus, *limit);
    return cpus;
}

// The most workers this user may start: RLIMIT_NPROC (ulimit -u; every
// thread and process of the user counts) and the kernel's pid_max. Asking
// for more once started processes by the thousand until the machine stalled.
std::int64_t max_workers()
{
    std::int64_t most = std::int64_t{1} << 22; // the largest pid_max Linux allows
    if (struct rlimit limit {}; getrlimit(RLIMIT_NPROC, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        most = std::min(most, static_cast<std::int64_t>(limit.rlim_cur));
    if (std::ifstream pid_max("/proc/sys/kernel/pid_max"); pid_max)
        if (std::int64_t value = 0; pid_max >> value && value > 0)
            most = std::min(most, value);
    return most;
}

Result<unsigned> resolve_jobs(std::int64_t n_jobs)
{
    const auto cpus = static_cast<std::int64_t>(usable_cpus());
    if (const std::int64_t most = max_workers(); n_jobs > most)
        return fail(BTOPT_ERR_INVALID_ARGUMENT,
                    "option 'n_jobs' = {}: more workers than this user may start ({}: RLIMIT_NPROC, ulimit -u, "
                    "and the kernel's pid_max); this machine has {} CPUs",
                    n_jobs, most, cpus);
    if (n_jobs > 0)
        return static_cast<unsigned>(n_jobs);
    if (n_jobs == 0 || n_jobs < -cpus)
        return fail(BTOPT_ERR_INVALID_ARGUMENT,
                    "option 'n_jobs' = {}: use a positive number of workers, or -1 (all {} CPUs) down to -{} "
                    "(one CPU)",
                    n_jobs, cpus, cpus);
    return static_cast<unsigned>(cpus + 1 + n_jobs);
}


namespace {

// A setter gets its value already converted to the option's type.
template <auto Field, std::int64_t Min>
Result<void> set_at_least(Options &o, std::string_view name, const OptionValue &v)
{
    const std::int64_t value = std::get<std::int64_t>(v);
    if (value < Min)
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "option '{}' = {}: must be at least {}", name, value, Min);
    o.*Field = value;
    return {};
}

template <auto Field>
Result<void> set_rate(Options &o, std::string_view name, const OptionValue &v)
{
    const double value = std::get<double>(v);
    if (!(value >= 0.0 && value <= 1.0))
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "option '{}' = {}: must be between 0 and 1", name, value);
    o.*Field = value;
    return {};
}

template <auto Field>
OptionValue get_field(const Options &o)
{
    return o.*Field;
}

Result<void> set_jobs(Options &o, std::string_view, const OptionValue &v)
{
    const std::int64_t value = std::get<std::int64_t>(v);
    if (auto jobs = resolve_jobs(value); !jobs)
        return tl::unexpected(jobs.error());
    o.n_jobs = value;
    return {};
}

Result<void> set_ignore_errors(Options &o, std::string_view, const OptionValue &v)
{
    const std::int64_t value = std::get<std::int64_t>(v);
    if (value != 0 && value != 1)
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "option 'ignore_errors' = {}: use 0 or 1", value);
    o.ignore_errors = value == 1;
    return {};
}

Result<void> set_pbo_blocks(Options &o, std::string_view, const OptionValue &v)
{
    const std::int64_t value = std::get<std::int64_t>(v);
    if (value < 2 || value > 32 || value % 2 != 0)
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "option 'pbo_blocks' = {}: use an even number from 2 to 32", value);
    o.pbo_blocks = value;
    return {};
}

template <auto Field>
Result<void> set_seconds(Options &o, std::string_view name, const OptionValue &v)
{
    const double value = std::get<double>(v);
    if (!(value >= 0.0) || !std::isfinite(value))
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "option '{}' = {}: seconds, 0 for no limit", name, value);
    o.*Field = value;
    return {};
}

// A string option with a fixed set of choices; `Choices` lists them.
template <auto Field, const auto &Choices>
Result<void> set_choice(Options &o, std::string_view name, const OptionValue &v)
{
    const std::string &value = std::get<std::string>(v);
    if (std::find(Choices.begin(), Choices.end(), value) != Choices.end()) {
        o.*Field = value;
        return {};
    }
    std::string listed;
    for (std::size_t i = 0; i < Choices.size(); ++i)
        listed += fmt::format("{}'{}'", i == 0 ? "" : i + 1 == Choices.size() ? " or " : ", ", Choices[i]);
    return fail(BTOPT_ERR_INVALID_ARGUMENT, "option '{}' = '{}': use {}", name, value, listed);
}

constexpr std::array<std::string_view, 4> backends{"inline", "thread", "process", "mpi"};
constexpr std::array<std::string_view, 2> start_methods{"server", "fork"};
constexpr std::array<std::string_view, 2> study_modes{"resume", "new"};
constexpr std::array<std::string_view, 2> selections{"best", "robust"};

// A bar: a date or a bar number (bar_range.hpp).
template <auto Field>
Result<void> set_bar_mark(Options &o, std::string_view name, const OptionValue &v)
{
    const std::string &text = std::get<std::string>(v);
    if (!text.empty())
        if (auto mark = parse_bar_mark(text, fmt::format("option '{}'", name)); !mark)
            return tl::unexpected(mark.error());
    o.*Field = text;
    return {};
}

// A string option that takes any text.
template <auto Field>
Result<void> set_text(Options &o, std::string_view, const OptionValue &v)
{
    o.*Field = std::get<std::string>(v);
    return {};
}

Result<void> set_direction(Options &o, std::string_view, const OptionValue &v)
{
    const std::string &value = std::get<std::string>(v);
    if (value != "maximize" && value != "minimize")
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "option 'direction' = '{}': use 'maximize' or 'minimize'", value);
    o.direction = value == "maximize" ? Direction::Maximize : Direction::Minimize;
    return {};
}

OptionValue get_direction(const Options &o)
{
    return std::string(o.direction == Direction::Maximize ? "maximize" : "minimize");
}

// Bytes as a number (set_int) or a size with a unit (set_string).
Result<void> set_max_memory(Options &o, std::string_view, const OptionValue &v)
{
    if (const auto *bytes = std::get_if<std::int64_t>(&v)) {
        if (*bytes < 0)
            return fail(BTOPT_ERR_INVALID_ARGUMENT, "option 'max_memory_per_worker' = {}: must not be negative",
                        *bytes);
        o.max_memory = static_cast<std::uint64_t>(*bytes);
        return {};
    }
    auto bytes = parse_memory_size(std::get<std::string>(v));
    if (!bytes)
        return tl::unexpected(bytes.error());
    o.max_memory = *bytes;
    return {};
}

OptionValue get_max_memory(const Options &o)
{
    return std::to_string(o.max_memory);
}

constexpr auto Int = OptionType::Int;
constexpr auto Double = OptionType::Double;
constexpr auto String = OptionType::String;

// Every option, in the order the documentation lists them.
constexpr std::array<OptionSpec, 32> catalogue{{
    {"n_jobs", Int, "-1", "every run", "--jobs",
     "workers: N, -1 every CPU this process may use, -2 all but one, ...", set_jobs, get_field<&Options::n_jobs>},
    {"backend", String, "", "every run", "--backend",
     "inline, thread, process or mpi; empty: process with a plugin, else inline for one worker and thread for more",
     set_choice<&Options::backend, backends>, get_field<&Options::backend>},
    {"random_seed", Int, "0", "random, genetic, bayesian, cmaes, gp", "--seed", "the run's seed; each trial's seed derives from it",
     set_at_least<&Options::random_seed, INT64_MIN>, get_field<&Options::random_seed>},
    {"n_iterations", Int, "100", "random, bayesian, cmaes, gp", "--iterations",
     "points random, bayesian, cmaes and gp search evaluate (gp: at most 1000)",
     set_at_least<&Options::n_iterations, 1>, get_field<&Options::n_iterations>},
    {"population_size", Int, "20", "genetic", "--population", "individuals per generation",
     set_at_least<&Options::population_size, 2>, get_field<&Options::population_size>},
    {"n_generations", Int, "10", "genetic", "--generations", "generations after the first",
     set_at_least<&Options::n_generations, 1>, get_field<&Options::n_generations>},
    {"tournament_size", Int, "3", "genetic", "", "individuals drawn for each tournament selection",
     set_at_least<&Options::tournament_size, 1>, get_field<&Options::tournament_size>},
    {"elite_count", Int, "1", "genetic", "", "best individuals carried into the next generation unchanged",
     set_at_least<&Options::elite_count, 0>, get_field<&Options::elite_count>},
    {"crossover_rate", Double, "0.8", "genetic", "", "probability that two parents are crossed",
     set_rate<&Options::crossover_rate>, get_field<&Options::crossover_rate>},
    {"mutation_rate", Double, "0.2", "genetic", "", "probability that a gene is mutated",
     set_rate<&Options::mutation_rate>, get_field<&Options::mutation_rate>},
    {"batch_q", Int, "1", "bayesian, gp", "--batch-q",
     "points proposed at a time, the pending ones assumed worst (constant liar); 1: sequential; the trials "
     "depend on it, never on n_jobs",
     set_at_least<&Options::batch_q, 1>, get_field<&Options::batch_q>},
    {"patience", Int, "0", "genetic, bayesian, cmaes, gp", "--patience",
     "stop after that many trials in a row without a better score; 0: never",
     set_at_least<&Options::patience, 0>, get_field<&Options::patience>},
    {"batch_size", Int, "0", "thread, process and mpi backends", "--batch-size",
     "points per task a worker takes; 0: automatic", set_at_least<&Options::batch_size, 0>,
     get_field<&Options::batch_size>},
    {"keep_trials", Int, "-1", "every run", "--keep",
     "keep only the best that many trials in memory; 0: all; unset (-1): all, or the best 10000 with a study",
     set_at_least<&Options::keep_trials, 0>, get_field<&Options::keep_trials>},
    {"progress_interval", Double, "0", "every run", "",
     "seconds between calls of the progress_ex callback, which then reports every trial recorded since its last "
     "call; 0: a call per recorded trial",
     set_seconds<&Options::progress_interval>, get_field<&Options::progress_interval>},
    {"pbo_blocks", Int, "16", "runs with a plugin that reports block returns", "--pbo-blocks",
     "S: blocks of the return series the probability of backtest overfitting cross-validates (even, dividing "
     "the plugin's blocks)",
     set_pbo_blocks, get_field<&Options::pbo_blocks>},
    {"select", String, "best", "grid", "--select",
     "the point a run carries forward (walk-forward): best (the best score) or robust (the best neighbourhood score, "
     "docs/VALIDATION.md)",
     set_choice<&Options::select, selections>, get_field<&Options::select>},
    {"robust_radius", Int, "1", "grid", "--robust-radius",
     "k: a trial's neighbourhood score is the worst score within k grid steps on every parameter",
     set_at_least<&Options::robust_radius, 1>, get_field<&Options::robust_radius>},
    {"require", String, "", "every run", "--require",
     "a condition over a trial's metrics and score, e.g. 'trades >= 30 && max_drawdown < 0.3'; a trial that breaks "
     "it is infeasible, never the best; checked when the run starts",
     set_text<&Options::require>, get_field<&Options::require>},
    {"max_seconds", Double, "0", "every run", "--max-seconds",
     "wall-clock budget from the first trial: once spent, nothing more is proposed, trials in flight end as on a "
     "cancel (queued ones are not evaluated), and the run ends ok with what it has; 0: none",
     set_seconds<&Options::max_seconds>, get_field<&Options::max_seconds>},
    {"ignore_errors", Int, "0", "every run", "--ignore-errors",
     "1: record failing trials and go on; 0: stop at the first", set_ignore_errors,
     [](const Options &o) -> OptionValue { return std::int64_t{o.ignore_errors}; }},
    {"direction", String, "maximize", "every run", "--minimize", "maximize or minimize the score", set_direction,
     get_direction},
    {"start_method", String, "", "process backend", "",
     "server (btopt-worker loads the plugin once) or fork (workers forked from the host); empty: server with a "
     "plugin, fork without",
     set_choice<&Options::start_method, start_methods>, get_field<&Options::start_method>},
    {"eval_timeout", Double, "0", "process and mpi backends", "--timeout",
     "seconds one evaluation may take; a worker past it is killed and its trial marked timeout; 0: none",
     set_seconds<&Options::eval_timeout>, get_field<&Options::eval_timeout>},
    {"init_timeout", Double, "0", "process and mpi backends", "",
     "seconds a plugin's init may take (once in btopt-worker, or in each worker); past it the run fails; 0: none",
     set_seconds<&Options::init_timeout>, get_field<&Options::init_timeout>},
    {"max_memory_per_worker", String, "0", "process and mpi backends", "--max-memory",
     "address space per worker: 2GB, 512MB, 512MiB or bytes; read back as bytes; 0: none", set_max_memory,
     get_max_memory},
    {"threads_per_worker", Int, "1", "process and mpi backends", "",
     "OMP/OpenBLAS/MKL threads in each worker process; 0 leaves the environment alone",
     set_at_least<&Options::threads_per_worker, 0>, get_field<&Options::threads_per_worker>},
    {"study", String, "", "every run", "--study",
     "a study file (SQLite) every trial is written to as it finishes; a run on it reuses matching outcomes",
     set_text<&Options::study>, get_field<&Options::study>},
    {"study_mode", String, "resume", "runs with a study", "--study-mode",
     "resume: reuse the outcomes a matching study holds; new: evaluate every point again",
     set_choice<&Options::study_mode, study_modes>, get_field<&Options::study_mode>},
    {"start", String, "", "runs with a plugin", "--start",
     "the first bar the run trades: a date (YYYY-MM-DD) or a bar number; earlier bars only warm indicators up",
     set_bar_mark<&Options::start>, get_field<&Options::start>},
    {"end", String, "", "runs with a plugin", "--end",
     "the last bar the run trades (included): a date (YYYY-MM-DD) or a bar number; later bars are not read",
     set_bar_mark<&Options::end>, get_field<&Options::end>},
    {"data_fingerprint", String, "", "runs with a study", "",
     "what a host objective's data is (e.g. a hash), recorded in the study's provenance and compared on resume",
     set_text<&Options::data_fingerprint>, get_field<&Options::data_fingerprint>},
}};

constexpr std::array<std::string_view, 3> type_words{"an integer", "a number", "a string"};
constexpr std::array<std::string_view, 3> type_suffixes{"int", "double", "string"};

tl::unexpected<Error> unknown(std::string_view name)
{
    return fail(BTOPT_ERR_NOT_FOUND, "unknown option '{}'", name);
}

// `access` is "set" or "get": the C function to use instead is named after it.
tl::unexpected<Error> wrong_type(const OptionSpec &spec, std::string_view access)
{
    const auto k = static_cast<std::size_t>(spec.type);
    return fail(BTOPT_ERR_INVALID_ARGUMENT, "option '{}' takes {}: use btopt_optimizer_{}_{}", spec.name,
                type_words[k], access, type_suffixes[k]);
}

// Sets an option from a value of the setter's type: an integer also sets a
// number option, and max_memory_per_worker takes bytes as an integer.
Result<void> set_option(Options &o, const std::string &name, OptionValue value)
{
    const OptionSpec *spec = find_option(name);
    if (!spec)
        return unknown(name);
    const auto given = static_cast<OptionType>(value.index());
    if (given == Int && spec->type == Double)
        value = static_cast<double>(std::get<std::int64_t>(value));
    else if (given != spec->type && !(given == Int && spec->set == set_max_memory)) // bytes as an integer
        return wrong_type(*spec, "set");
    return spec->set(o, spec->name, value);
}

template <class T>
Result<T> get_option(const Options &o, const std::string &name)
{
    const OptionSpec *spec = find_option(name);
    if (!spec)
        return unknown(name);
    OptionValue value = spec->get(o);
    if (!std::holds_alternative<T>(value))
        return wrong_type(*spec, "get");
    return std::get<T>(std::move(value));
}

} // namespace

std::span<const OptionSpec> option_catalogue()
{
    return catalogue;
}

const OptionSpec *find_option(std::string_view name)
{
    const auto it = std::find_if(catalogue.begin(), catalogue.end(), [&](const OptionSpec &s) { return s.name == name; });
    return it == catalogue.end() ? nullptr : &*it;
}

Result<void> Options::set_int(const std::string &name, std::int64_t value) { return set_option(*this, name, value); }
Result<void> Options::set_double(const std::string &name, double value) { return set_option(*this, name, value); }
Result<void> Options::set_string(const std::string &name, const std::string &value)
{
    return set_option(*this, name, value);
}

Result<std::int64_t> Options::get_int(const std::string &name) const { return get_option<std::int64_t>(*this, name); }
Result<double> Options::get_double(const std::string &name) const { return get_option<double>(*this, name); }
Result<std::string> Options::get_string(const std::string &name) const
{
    return get_option<std::string>(*this, name);
}

} // namespace btopt::internal
