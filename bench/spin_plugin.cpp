// A strategy plugin for the dispatch benchmark: evaluating a point spins for
// `spin_us` microseconds on the monotonic clock (config key, default 0) and
// scores the point by its parameter `i`. Built twice: bench_spin (init once in
// the worker server) and bench_spin_per_worker (BTOPT_SPIN_PER_WORKER: init in
// every worker), with an optional `init_ms` of spinning in init.
#include <btopt/strategy.hpp>

#include <time.h>

#include <cstdint>
#include <span>

namespace {

std::int64_t now_ns()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void spin_ns(std::int64_t ns)
{
    const std::int64_t end = now_ns() + ns;
    while (now_ns() < end) {
    }
}

class Spin {
public:
    static btopt::strategy::Schema schema()
    {
        using namespace btopt::strategy;
#ifdef BTOPT_SPIN_PER_WORKER
        constexpr bool per_worker = true;
        const char *name = "bench_spin_per_worker";
#else
        constexpr bool per_worker = false;
        const char *name = "bench_spin";
#endif
        return Schema{.name = name,
                      .version = "1.0",
                      .description = "spins for spin_us microseconds per evaluation (a dispatch benchmark)",
                      .params = {Int("i", 0, 999999)},
                      .constraints = {},
                      .metrics = {"score"},
                      .objective = "score",
                      .init_per_worker = per_worker};
    }

    explicit Spin(const btopt::strategy::Config &config)
        : spin_(static_cast<std::int64_t>(config.number("spin_us", 0.0) * 1000.0))
    {
        spin_ns(static_cast<std::int64_t>(config.number("init_ms", 0.0) * 1e6));
    }

    void evaluate(const btopt::strategy::Point &p, std::uint64_t, std::span<double> metrics) const
    {
        spin_ns(spin_);
        metrics[0] = static_cast<double>(p.integer(std::size_t{0}));
    }

private:
    std::int64_t spin_;
};

} // namespace

BTOPT_STRATEGY(Spin)
