// A C++ strategy (through strategy.hpp) that misbehaves where its config says:
//   crash_mod=N   segfaults when (10a + b) % N == 0
//   hang_at=A     never returns when a == A
//   alloc_at=A    allocates without bound when a == A
//   fail_mod=N    reports an error when (10a + b) % N == 0
//   init_log=F    appends its pid to F at init
//   fail_init_rank=R  refuses to initialise on MPI rank R (as if its data were missing there)
// Otherwise score = -(a - 7)^2 - (b - 3)^2.
#include <btopt/strategy.hpp>

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <list>
#include <vector>

namespace {

class Faulty {
public:
    static btopt::strategy::Schema schema()
    {
        using namespace btopt::strategy;
        return Schema{.name = "faulty",
                      .version = "1.0",
                      .description = "crashes, hangs, allocates or fails on chosen points",
                      .params = {Int("a", 0, 9), Int("b", 0, 9)},
                      .constraints = {},
                      .metrics = {"score", "a_plus_b", "seed_low_bits"},
                      .objective = "score"};
    }

    explicit Faulty(const btopt::strategy::Config &config)
        : crash_mod_(static_cast<long>(config.number("crash_mod", 0))),
          hang_at_(static_cast<long>(config.number("hang_at", -1))),
          alloc_at_(static_cast<long>(config.number("alloc_at", -1))),
          fail_mod_(static_cast<long>(config.number("fail_mod", 0)))
    {
        if (const char *rank = std::getenv("OMPI_COMM_WORLD_RANK");
            rank && config.has("fail_init_rank") && config.get("fail_init_rank") == rank)
            throw std::runtime_error("cannot read the data on this rank");
        if (config.has("init_log"))
            std::ofstream(config.get("init_log"), std::ios::app) << getpid() << '\n';
    }

    void evaluate(const btopt::strategy::Point &p, std::uint64_t seed, std::span<double> metrics)
    {
        const long a = static_cast<long>(p.integer("a")), b = static_cast<long>(p.integer("b"));
        const long index = 10 * a + b;
        if (crash_mod_ > 0 && index % crash_mod_ == 0)
            std::raise(SIGSEGV);
        if (a == hang_at_)
            for (;;)
                pause();
        if (a == alloc_at_) {
            std::list<std::vector<char>> hog;
            for (;;)
                hog.emplace_back(1 << 20, 'x');
        }
        if (fail_mod_ > 0 && index % fail_mod_ == 0)
            throw std::runtime_error("refused point " + std::to_string(index));
        metrics[0] = -static_cast<double>((a - 7) * (a - 7) + (b - 3) * (b - 3));
        metrics[1] = static_cast<double>(a + b);
        metrics[2] = static_cast<double>(seed & 0xffff);
    }

private:
    long crash_mod_, hang_at_, alloc_at_, fail_mod_;
};

} // namespace

BTOPT_STRATEGY(Faulty)
