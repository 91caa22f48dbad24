// A parameter seen as a number line, for the model-based searches (bayesian,
// cmaes): a continuous float is its own value in [lo, hi]; any other parameter
// is the index of its value, 0 .. size-1 (a choice is the index of its choice).
#pragma once

#include "../core/rng.hpp"
#include "../core/space.hpp"

#include <cmath>
#include <numbers>

namespace btopt::internal {

inline bool is_continuous(const Parameter &p) { return !p.size(); }

// The value's coordinate: its own value for a continuous float, else its index.
inline double to_coordinate(const Parameter &p, const Value &v)
{
    switch (p.kind) {
    case Kind::Int:
        return static_cast<double>((static_cast<std::uint64_t>(v.i) - static_cast<std::uint64_t>(p.int_lo)) /
                                   static_cast<std::uint64_t>(p.int_step));
    case Kind::Float:
        if (is_continuous(p))
            return v.f;
        return p.float_step == 0.0 ? 0.0 : std::round((v.f - p.float_lo) / p.float_step);
    case Kind::Choice:
        return static_cast<double>(v.i);
    }
    return 0.0;
}

// The value nearest to coordinate x, inside the parameter's range.
inline Value from_coordinate(const Parameter &p, double x)
{
    if (is_continuous(p))
        return Value{.f = std::clamp(x, p.float_lo, p.float_hi)};
    const double last = static_cast<double>(*p.size() - 1);
    return p.at(static_cast<std::uint64_t>(std::clamp(std::round(x), 0.0, last)));
}

// The range coordinates take: [lo, hi] for a continuous float; for an index,
// half a step past either end, so that rounding gives each value equal room.
inline std::pair<double, double> coordinate_range(const Parameter &p)
{
    if (is_continuous(p))
        return {p.float_lo, p.float_hi};
    return {-0.5, static_cast<double>(*p.size()) - 0.5};
}

// A standard normal draw (Box-Muller), from our portable generator.
inline double standard_normal(Rng &rng)
{
    const double u = 1.0 - rng.unit(); // (0, 1]: log stays finite
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * rng.unit());
}

} // namespace btopt::internal
