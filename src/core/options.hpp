// The optimizer's options, set by name through typed setters so that a new
// option never changes the C ABI. Names follow the Python original.
// Every option has one entry in the catalogue (options.cpp): its type,
// default, where it applies, its CLI flag and its doc. The setters, the
// getters, btopt_option_info and the documentation checks all read it.
#pragma once

#include "error.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace btopt::internal {

enum class Direction { Maximize, Minimize };

struct Options {
    std::int64_t n_jobs = -1;
    std::int64_t n_iterations = 100;
    std::int64_t random_seed = 0;
    std::int64_t population_size = 20;
    std::int64_t n_generations = 10;
    std::int64_t tournament_size = 3;
    std::int64_t elite_count = 1;
    std::int64_t batch_size = 0; // 0: automatic
    std::int64_t batch_q = 1;    // bayesian: points proposed before their results are known
    std::int64_t patience = 0;   // adaptive searches: stop after that many trials without improvement; 0: never
    std::int64_t pbo_blocks = 16; // S of the PBO's cross-validation (docs/VALIDATION.md)
    std::string select = "best"; // the point a run carries forward: "best" or "robust"
    std::int64_t robust_radius = 1; // k of the neighbourhood scores (docs/VALIDATION.md)
    double progress_interval = 0.0; // seconds between progress_ex calls; 0: one per recorded trial
    std::int64_t keep_trials = -1; // 0: all; -1 (unset): all, or default_kept_with_study with a study
    bool ignore_errors = false;
    std::string require; // a condition over a trial's metrics (core/requirement.hpp); empty: none
    double max_seconds = 0.0; // wall-clock budget of a run's proposals; 0: none
    double crossover_rate = 0.8;
    double mutation_rate = 0.2;
    std::string backend;      // empty: process with a plugin, else inline for one worker and thread for more
    std::string start_method; // process backend: "server" or "fork"; empty: server with a plugin, fork without
    double eval_timeout = 0.0;          // seconds per evaluation, 0: none (process backend)
    double init_timeout = 0.0;          // seconds a plugin's init may take, 0: none (process backend)
    std::uint64_t max_memory = 0;       // bytes of address space per worker, 0: none (process backend)
    std::int64_t threads_per_worker = 1; // OMP/OpenBLAS/MKL threads in each worker, 0: leave the environment alone
    Direction direction = Direction::Maximize;
    std::string study;            // a study file (SQLite) every trial goes to; empty: none
    std::string study_mode = "resume"; // "resume": reuse what a matching study holds; "new": evaluate everything
    std::string data_fingerprint; // what a host objective's data is, for a study's provenance
    std::string start, end;       // the bars a run trades: a date (YYYY-MM-DD) or a bar number; empty: all

    static constexpr std::int64_t default_kept_with_study = 10000;
    // Trials the run keeps in memory: 0 for all.
    std::uint64_t kept_trials() const
    {
        if (keep_trials >= 0)
            return static_cast<std::uint64_t>(keep_trials);
        return study.empty() ? 0 : default_kept_with_study;
    }

    Result<void> set_int(const std::string &name, std::int64_t value);
    Result<void> set_double(const std::string &name, double value);
    Result<void> set_string(const std::string &name, const std::string &value);

    Result<std::int64_t> get_int(const std::string &name) const;
    Result<double> get_double(const std::string &name) const;
    Result<std::string> get_string(const std::string &name) const;
};

// The same numbers as btopt_option_type.
enum class OptionType { Int = BTOPT_OPTION_INT, Double = BTOPT_OPTION_DOUBLE, String = BTOPT_OPTION_STRING };

using OptionValue = std::variant<std::int64_t, double, std::string>;

// One option: everything any layer needs to know about it.
struct OptionSpec {
    std::string_view name;
    OptionType type;
    std::string_view default_text; // as a user would write it
    std::string_view applies_to;   // "every run", "random", "genetic", "process backend", ...
    std::string_view cli_flag;     // the btopt command's flag, "" where it has none
    std::string_view doc;          // one line
    Result<void> (*set)(Options &, std::string_view name, const OptionValue &); // the value has the option's type
    OptionValue (*get)(const Options &);
};

std::span<const OptionSpec> option_catalogue();
const OptionSpec *find_option(std::string_view name);

// "2GB", "512MB", "512MiB" (powers of 1024) or a number of bytes.
Result<std::uint64_t> parse_memory_size(const std::string &text);

// Workers for an n_jobs value: positive is itself, -1 every CPU this process
// may use (affinity mask and cgroup quota), -2 all but one, and so on.
Result<unsigned> resolve_jobs(std::int64_t n_jobs);
// CPUs this process may run on.
unsigned usable_cpus();

} // namespace btopt::internal
