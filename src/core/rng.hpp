// Random numbers that are the same on every platform and standard library:
// a fixed engine (xoshiro256**, seeded through splitmix64) and our own
// mapping to ranges, because std::uniform_*_distribution differs between
// standard libraries and determinism across machines is a promise.
#pragma once

#include <cstdint>

namespace btopt::internal {

constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// The seed handed to the evaluation of one trial: a function of the run's
// seed and the trial number only, so it does not depend on which worker runs it.
constexpr std::uint64_t trial_seed(std::uint64_t run_seed, std::uint64_t trial_number) noexcept
{
    return splitmix64(run_seed ^ splitmix64(trial_number + 0x5eedULL));
}

class Rng {
public:
    explicit Rng(std::uint64_t seed) noexcept
    {
        for (auto &word : state_) {
            seed = splitmix64(seed);
            word = seed;
        }
    }

    // The engine from its four state words, for a stream seeded another way
    // (the kit's synthetic bars keep theirs, so their prices never change).
    explicit Rng(const std::uint64_t (&state)[4]) noexcept
        : state_{state[0], state[1], state[2], state[3]}
    {
    }

    std::uint64_t next() noexcept
    {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    // Uniform in [0, n), n > 0, without modulo bias (rejection of the short tail).
    std::uint64_t below(std::uint64_t n) noexcept
    {
        const std::uint64_t threshold = (0 - n) % n;
        for (;;) {
            const std::uint64_t r = next();
            if (r >= threshold)
                return r % n;
        }
    }

    // Uniform in [0, 1) with 53 random bits.
    double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    bool chance(double probability) noexcept { return unit() < probability; }

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    std::uint64_t state_[4]{};
};

} // namespace btopt::internal
