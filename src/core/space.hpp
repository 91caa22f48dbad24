// A parameter space: named parameters in declaration order, each an integer
// range, a float range (stepped or continuous) or a list of choices, plus the
// constraint expressions every evaluated point satisfies.
#pragma once

#include "error.hpp"

#include <boost/container/small_vector.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace btopt::internal {

enum class Kind { Int = BTOPT_PARAM_INT, Float = BTOPT_PARAM_FLOAT, Choice = BTOPT_PARAM_CHOICE };

// One coordinate of a point: `i` for integers and for a choice's index, `f`
// for floats. Plain data, so points compare, hash and cross a pipe as bytes.
struct Value {
    std::int64_t i = 0;
    double f = 0.0;
    bool operator==(const Value &) const = default;
};

// Points live inline up to 6 parameters: no allocation per point in the hot
// loop for the spaces people search.
using Point = boost::container::small_vector<Value, 6>;

struct PointHash {
    std::size_t operator()(const Point &point) const noexcept;
};

struct Parameter {
    std::string name;
    Kind kind = Kind::Int;
    std::int64_t int_lo = 0, int_hi = 0, int_step = 1;
    double float_lo = 0.0, float_hi = 0.0, float_step = 0.0; // step 0: continuous
    std::vector<std::string> choices;

    // Number of values; nullopt for a continuous float.
    std::optional<std::uint64_t> size() const;
    // The k-th value, k < size().
    Value at(std::uint64_t k) const;
    // The value as a double, for constraints and JSON (a choice is its index).
    double as_double(const Value &value) const;
};

class Space {
public:
    Result<void> add_int(const std::string &name, std::int64_t lo, std::int64_t hi, std::int64_t step);
    Result<void> add_float(const std::string &name, double lo, double hi, double step);
    Result<void> add_choice(const std::string &name, std::vector<std::string> choices);
    // Checked against the parameters declared so far.
    Result<void> add_constraint(const std::string &expression);

    const std::vector<Parameter> &parameters() const noexcept { return params_; }
    const std::vector<std::string> &constraints() const noexcept { return constraints_; }
    std::size_t size() const noexcept { return params_.size(); }
    std::optional<std::size_t> find(std::string_view name) const;

    // Product of the parameters' sizes; nullopt when infinite or past 2^64-1.
    std::optional<std::uint64_t> cardinality() const;
    // The point with this index in row-major order, the last parameter fastest.
    Point decode(std::uint64_t index) const;
    // "fast=8, slow=10": how errors name a point.
    std::string describe(const Point &point) const;

private:
    Result<void> check_new_name(const std::string &name) const;

    std::vector<Parameter> params_;
    std::vector<std::string> constraints_;
};

} // namespace btopt::internal
