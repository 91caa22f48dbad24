#include "options.hpp"

#include <sched.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <fstream>
#include <optional>
#include <string_view>

namespace btopt::internal {
namespace {

struct IntOption {
    std::string_view name;
    std::int64_t Options::*field;
    std::int64_t min;
};

constexpr std::array int_options{
    IntOption{"n_iterations", &Options::n_iterations, 1},
    IntOption{"random_seed", &Options::random_seed, INT64_MIN},
    IntOption{"population_size", &Options::population_size, 2},
    IntOption{"n_generations", &Options::n_generations, 1},
    IntOption{"tournament_size", &Options::tournament_size, 1},
    IntOption{"elite_count", &Options::elite_count, 0},
    IntOption{"batch_size", &Options::batch_size, 0},
    IntOption{"keep_trials", &Options::keep_trials, 0},
    IntOption{"threads_per_worker", &Options::threads_per_worker, 0},
};

struct RateOption {
    std::string_view name;
    double Options::*field;
};

constexpr std::array rate_options{
    RateOption{"crossover_rate", &Options::crossover_rate},
    RateOption{"mutation_rate", &Options::mutation_rate},
};

constexpr std::array<std::string_view, 4> string_options{"backend", "direction", "start_method",
                                                         "max_memory_per_worker"};
constexpr std::array<std::string_view, 4> backends{"inline", "thread", "process", "mpi"};

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

Result<unsigned> resolve_jobs(std::int64_t n_jobs)
{
    const auto cpus = static_cast<std::int64_t>(usable_cpus());
    if (n_jobs > 0)
        return static_cast<unsigned>(std::min<std::int64_t>(n_jobs, 1 << 16));
    if (n_jobs == 0 || n_jobs < -cpus)
        return fail(BTOPT_ERR_INVALID_ARGUMENT,
                    "option 'n_jobs' = {}: use a positive number of workers, or -1 (all {} CPUs) down to -{} "
                    "(one CPU)",
                    n_jobs, cpus, cpus);
    return static_cast<unsigned>(cpus + 1 + n_jobs);
}

enum class OptionType { Int, Double, String };

static std::optional<OptionType> option_type(std::string_view name)
{
    if (name == "n_jobs" || name == "ignore_errors" ||
        std::any_of(int_options.begin(), int_options.end(), [&](auto &o) { return o.name == name; }))
        return OptionType::Int;
    if (name == "eval_timeout" || name == "init_timeout" ||
        std::any_of(rate_options.begin(), rate_options.end(), [&](auto &o) { return o.name == name; }))
        return OptionType::Double;
    if (std::find(string_options.begin(), string_options.end(), name) != string_options.end())
        return OptionType::String;
    return std::nullopt;
}

// The error for an option set through a setter of the wrong type.
static tl::unexpected<Error> wrong_type(const std::string &name, std::optional<OptionType> type)
{
    if (!type)
        return fail(BTOPT_ERR_NOT_FOUND, "unknown option '{}'", name);
    constexpr std::array<std::string_view, 3> setters{"btopt_optimizer_set_int", "btopt_optimizer_set_double",
                                                      "btopt_optimizer_set_string"};
    constexpr std::array<std::string_view, 3> kinds{"an integer", "a number", "a string"};
    const auto k = static_cast<std::size_t>(*type);
    return fail(BTOPT_ERR_INVALID_ARGUMENT, "option '{}' takes {}: use {}", name, kinds[k], setters[k]);
}

Result<void> Options::set_int(const std::string &name, std::int64_t value)
{
    if (name == "max_memory_per_worker") {
        if (value < 0)
            return fail(BTOPT_ERR_INVALID_ARGUMENT, "option 'max_memory_per_worker' = {}: must not be negative", value);
        max_memory = static_cast<std::uint64_t>(value);
        return {};
    }
    const auto type = option_type(name);
    if (type == OptionType::Double)
        return set_double(name, static_cast<double>(value));
    if (type != OptionType::Int)
        return wrong_type(name, type);
    if (name == "n_jobs") {
        if (auto jobs = resolve_jobs(value); !jobs)
            return tl::unexpected(jobs.error());
        n_jobs = value;
        return {};
    }
    if (name == "ignore_errors") {
        if (value != 0 && value != 1)
            return fail(BTOPT_ERR_INVALID_ARGUMENT, "option 'ignore_errors' = {}: use 0 or 1", value);
        ignore_errors = value == 1;
        return {};
    }
    const auto &option = *std::find_if(int_options.begin(), int_options.end(), [&](auto &o) { return o.name == name; });
    if (value < option.min)
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "option '{}' = {}: must be at least {}", name, value, option.min);
    this->*option.field = value;
    return {};
}

Result<void> Options::set_double(const std::string &name, double value)
{
    const auto type = option_type(name);
    if (type != OptionType::Double)
        return wrong_type(name, type);
    if (name == "eval_timeout" || name == "init_timeout") {
        if (!(value >= 0.0) || !std::isfinite(value))
            return fail(BTOPT_ERR_INVALID_ARGUMENT, "option '{}' = {}: seconds, 0 for no limit", name, value);
        (name == "eval_timeout" ? eval_timeout : init_timeout) = value;
        return {};
    }
    if (!(value >= 0.0 && value <= 1.0))
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "option '{}' = {}: must be between 0 and 1", name, value);
    const auto &option = *std::find_if(rate_options.begin(), rate_options.end(), [&](auto &o) { return o.name == name; });
    this->*option.field = value;
    return {};
}

Result<void> Options::set_string(const std::string &name, const std::string &value)
{
    const auto type = option_type(name);
    if (type != OptionType::String)
        return wrong_type(name, type);
    if (name == "backend") {
        if (std::find(backends.begin(), backends.end(), value) == backends.end())
            return fail(BTOPT_ERR_INVALID_ARGUMENT, "option 'backend' = '{}': use 'inline', 'thread', 'process' or 'mpi'",
                        value);
        backend = value;
        return {};
    }
    if (name == "start_method") {
        if (value != "server" && value != "fork")
            return fail(BTOPT_ERR_INVALID_ARGUMENT, "option 'start_method' = '{}': use 'server' or 'fork'", value);
        start_method = value;
        return {};
    }
    if (name == "max_memory_per_worker") {
        auto bytes = parse_memory_size(value);
        if (!bytes)
            return tl::unexpected(bytes.error());
        max_memory = *bytes;
        return {};
    }
    if (value != "maximize" && value != "minimize")
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "option 'direction' = '{}': use 'maximize' or 'minimize'", value);
    direction = value == "maximize" ? Direction::Maximize : Direction::Minimize;
    return {};
}

} // namespace btopt::internal
