#include "space.hpp"

#include "constraints.hpp"

#include <cmath>
#include <limits>

namespace btopt::internal {

std::size_t PointHash::operator()(const Point &point) const noexcept
{
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const Value &v : point) {
        h = (h ^ static_cast<std::uint64_t>(v.i)) * 0x100000001b3ULL;
        h = (h ^ std::hash<double>{}(v.f)) * 0x100000001b3ULL;
    }
    return static_cast<std::size_t>(h);
}

std::optional<std::uint64_t> Parameter::size() const
{
    switch (kind) {
    case Kind::Int:
        // Computed in unsigned arithmetic: hi - lo may not fit in int64.
        return (static_cast<std::uint64_t>(int_hi) - static_cast<std::uint64_t>(int_lo)) /
                   static_cast<std::uint64_t>(int_step) +
               1;
    case Kind::Float: {
        if (float_lo == float_hi)
            return 1; // one value, stepped or not
        if (float_step == 0.0)
            return std::nullopt;
        // The small tolerance keeps 0.1-style steps from losing their last value to rounding.
        const double steps = std::floor((float_hi - float_lo) / float_step + 1e-9);
        if (steps >= 1.8e19)
            return std::nullopt;
        return static_cast<std::uint64_t>(steps) + 1;
    }
    case Kind::Choice:
        return choices.size();
    }
    return std::nullopt;
}

Value Parameter::at(std::uint64_t k) const
{
    switch (kind) {
    case Kind::Int:
        return Value{.i = static_cast<std::int64_t>(static_cast<std::uint64_t>(int_lo) +
                                                    k * static_cast<std::uint64_t>(int_step))};
    case Kind::Float:
        return Value{.f = float_lo + static_cast<double>(k) * float_step};
    case Kind::Choice:
        return Value{.i = static_cast<std::int64_t>(k)};
    }
    return {};
}

double Parameter::as_double(const Value &value) const
{
    return kind == Kind::Float ? value.f : static_cast<double>(value.i);
}

Result<void> Space::check_new_name(const std::string &name) const
{
    if (name.empty())
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "parameter name is empty");
    if (find(name))
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "parameter '{}' is declared twice", name);
    return {};
}

Result<void> Space::add_int(const std::string &name, std::int64_t lo, std::int64_t hi, std::int64_t step)
{
    if (auto ok = check_new_name(name); !ok)
        return ok;
    if (lo > hi)
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "parameter '{}': lo {} is greater than hi {}", name, lo, hi);
    if (step <= 0)
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "parameter '{}': step {} must be positive", name, step);
    const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    if (span / static_cast<std::uint64_t>(step) == std::numeric_limits<std::uint64_t>::max())
        return fail(BTOPT_ERR_INVALID_ARGUMENT,
                    "parameter '{}': 2^64 values are more than one parameter can hold; raise the step or narrow the range",
                    name);
    Parameter p;
    p.name = name;
    p.kind = Kind::Int;
    p.int_lo = lo;
    p.int_step = step;
    // Snap hi down to the last value on the step, so every value lies in range.
    p.int_hi = static_cast<std::int64_t>(
        static_cast<std::uint64_t>(lo) +
        (static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo)) / static_cast<std::uint64_t>(step) *
            static_cast<std::uint64_t>(step));
    params_.push_back(std::move(p));
    return {};
}

Result<void> Space::add_float(const std::string &name, double lo, double hi, double step)
{
    if (auto ok = check_new_name(name); !ok)
        return ok;
    if (!std::isfinite(lo) || !std::isfinite(hi) || !std::isfinite(step))
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "parameter '{}': bounds and step must be finite numbers", name);
    if (lo > hi)
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "parameter '{}': lo {} is greater than hi {}", name, lo, hi);
    if (step < 0)
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "parameter '{}': step {} must be positive, or 0 for continuous",
                    name, step);
    Parameter p;
    p.name = name;
    p.kind = Kind::Float;
    p.float_lo = lo;
    p.float_hi = hi;
    p.float_step = step;
    params_.push_back(std::move(p));
    return {};
}

Result<void> Space::add_choice(const std::string &name, std::vector<std::string> choices)
{
    if (auto ok = check_new_name(name); !ok)
        return ok;
    if (choices.empty())
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "parameter '{}': a categorical parameter needs at least one choice",
                    name);
    for (std::size_t i = 0; i < choices.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (choices[i] == choices[j])
                return fail(BTOPT_ERR_INVALID_ARGUMENT, "parameter '{}': choice '{}' is listed twice", name,
                            choices[i]);
    Parameter p;
    p.name = name;
    p.kind = Kind::Choice;
    p.choices = std::move(choices);
    params_.push_back(std::move(p));
    return {};
}

Result<void> Space::add_constraint(const std::string &expression)
{
    // Compiling it once here is the check: it names the bad token and where it is.
    if (auto compiled = Constraints::compile(*this, {expression}); !compiled)
        return tl::unexpected(compiled.error());
    constraints_.push_back(expression);
    return {};
}

std::optional<std::size_t> Space::find(std::string_view name) const
{
    for (std::size_t i = 0; i < params_.size(); ++i)
        if (params_[i].name == name)
            return i;
    return std::nullopt;
}

std::optional<std::uint64_t> Space::cardinality() const
{
    std::uint64_t total = 1;
    for (const Parameter &p : params_) {
        const auto n = p.size();
        if (!n || (*n != 0 && total > std::numeric_limits<std::uint64_t>::max() / *n))
            return std::nullopt;
        total *= *n;
    }
    return total;
}

Point Space::decode(std::uint64_t index) const
{
    Point point(params_.size());
    for (std::size_t k = params_.size(); k-- > 0;) {
        const std::uint64_t n = *params_[k].size();
        point[k] = params_[k].at(index % n);
        index /= n;
    }
    return point;
}

std::string Space::describe(const Point &point) const
{
    std::string text;
    for (std::size_t k = 0; k < params_.size(); ++k) {
        const Parameter &p = params_[k];
        if (k > 0)
            text += ", ";
        switch (p.kind) {
        case Kind::Int:
            text += fmt::format("{}={}", p.name, point[k].i);
            break;
        case Kind::Float:
            text += fmt::format("{}={}", p.name, point[k].f);
            break;
        case Kind::Choice:
            text += fmt::format("{}={}", p.name, p.choices[static_cast<std::size_t>(point[k].i)]);
            break;
        }
    }
    return text;
}

} // namespace btopt::internal
