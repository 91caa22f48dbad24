// The optimizer's options, set by name through typed setters so that a new
// option never changes the C ABI. Names follow the Python original.
#pragma once

#include "error.hpp"

#include <cstdint>
#include <string>

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
    std::int64_t keep_trials = 0; // 0: all
    bool ignore_errors = false;
    double crossover_rate = 0.8;
    double mutation_rate = 0.2;
    std::string backend;      // empty: process with a plugin, else inline for one worker and thread for more
    std::string start_method; // process backend: "server" or "fork"; empty: server with a plugin, fork without
    double eval_timeout = 0.0;          // seconds per evaluation, 0: none (process backend)
    double init_timeout = 0.0;          // seconds a plugin's init may take, 0: none (process backend)
    std::uint64_t max_memory = 0;       // bytes of address space per worker, 0: none (process backend)
    std::int64_t threads_per_worker = 1; // OMP/OpenBLAS/MKL threads in each worker, 0: leave the environment alone
    Direction direction = Direction::Maximize;

    Result<void> set_int(const std::string &name, std::int64_t value);
    Result<void> set_double(const std::string &name, double value);
    Result<void> set_string(const std::string &name, const std::string &value);
};

// "2GB", "512MB", "512MiB" (powers of 1024) or a number of bytes.
Result<std::uint64_t> parse_memory_size(const std::string &text);

// Workers for an n_jobs value: positive is itself, -1 every CPU this process
// may use (affinity mask and cgroup quota), -2 all but one, and so on.
Result<unsigned> resolve_jobs(std::int64_t n_jobs);
// CPUs this process may run on.
unsigned usable_cpus();

} // namespace btopt::internal
