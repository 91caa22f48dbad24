#include "sampler.hpp"

namespace btopt::internal {
namespace {

// Consecutive rejected draws after which an infinite space is taken to have
// no valid point left.
constexpr int max_rejections = 1'000'000;

} // namespace

Sampler::Sampler(const Space &space, const Constraints &constraints, std::uint64_t seed)
    : space_(space), constraints_(constraints), rng_(seed), size_(space.cardinality())
{
}

std::optional<Point> Sampler::next()
{
    return size_ ? next_from_permutation() : next_independent();
}

std::uint64_t Sampler::permuted(std::uint64_t i) const
{
    const auto it = swapped_.find(i);
    return it == swapped_.end() ? i : it->second;
}

std::optional<Point> Sampler::next_from_permutation()
{
    while (drawn_ < *size_) {
        const std::uint64_t j = drawn_ + rng_.below(*size_ - drawn_);
        const std::uint64_t index = permuted(j);
        swapped_[j] = permuted(drawn_);
        swapped_.erase(drawn_);
        ++drawn_;
        Point point = space_.decode(index);
        if (constraints_.allow(point))
            return point;
    }
    return std::nullopt;
}

Value Sampler::draw_value(std::size_t k)
{
    const Parameter &p = space_.parameters()[k];
    if (const auto n = p.size())
        return p.at(rng_.below(*n));
    return Value{.f = p.float_lo + (p.float_hi - p.float_lo) * rng_.unit()};
}

std::optional<Point> Sampler::next_independent()
{
    for (int attempt = 0; attempt < max_rejections; ++attempt) {
        Point point(space_.size());
        for (std::size_t k = 0; k < point.size(); ++k)
            point[k] = draw_value(k);
        if (constraints_.allow(point) && seen_.insert(point).second)
            return point;
    }
    return std::nullopt;
}

} // namespace btopt::internal
