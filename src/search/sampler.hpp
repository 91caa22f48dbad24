// Draws valid points at random, never the same point twice. A finite space is
// walked as a lazily shuffled permutation of its indices (a sparse
// Fisher-Yates shuffle), so it never repeats, ends exactly when the space is
// used up, and costs memory only for the points drawn. A space with a
// continuous parameter draws each coordinate on its own.
#pragma once

#include "../core/constraints.hpp"
#include "../core/rng.hpp"

#include <unordered_map>
#include <unordered_set>

namespace btopt::internal {

class Sampler {
public:
    Sampler(const Space &space, const Constraints &constraints, std::uint64_t seed);

    // The next valid point never drawn before; nullopt when none is left, or
    // (for an infinite space) when the constraints rejected too many draws in a row.
    std::optional<Point> next();
    // One coordinate drawn uniformly from parameter k's range.
    Value draw_value(std::size_t k);
    Rng &rng() noexcept { return rng_; }

private:
    std::optional<Point> next_from_permutation();
    std::optional<Point> next_independent();
    std::uint64_t permuted(std::uint64_t i) const;

    const Space &space_;
    const Constraints &constraints_;
    Rng rng_;
    std::optional<std::uint64_t> size_;
    std::uint64_t drawn_ = 0;
    std::unordered_map<std::uint64_t, std::uint64_t> swapped_; // the shuffle's moved entries
    std::unordered_set<Point, PointHash> seen_;                // infinite spaces only
};

} // namespace btopt::internal
