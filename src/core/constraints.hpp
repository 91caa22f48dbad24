// Constraint expressions compiled once with muparser and evaluated per point.
// Categorical parameters are not visible to constraints: muparser works on
// numbers, and comparing a choice's index would mean nothing to the user.
#pragma once

#include "space.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mu {
class Parser;
}

namespace btopt::internal {

class Constraints {
public:
    // Compiles each expression against the space's numeric parameters; an
    // error names an unknown name as a `noun` ("parameter", or "metric" for
    // the option require, whose space is the metrics: core/requirement.hpp).
    static Result<Constraints> compile(const Space &space, const std::vector<std::string> &expressions,
                                       std::string_view noun = "parameter");

    Constraints(Constraints &&) noexcept;
    Constraints &operator=(Constraints &&) noexcept;
    ~Constraints();

    bool empty() const noexcept { return parsers_.empty(); }
    // True when the point satisfies every expression. Not thread-safe: it
    // writes the point into the parsers' variables.
    bool allow(const Point &point) const;
    // Indices of the parameters some expression uses.
    const std::vector<std::size_t> &used_parameters() const noexcept { return used_; }

    // One side of a comparison: a parameter, or a constant when param is empty.
    struct Operand {
        std::optional<std::size_t> param;
        double constant = 0.0;
    };
    enum class Op { Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual };
    struct Comparison {
        Operand lhs;
        Op op;
        Operand rhs;
    };

private:
    Constraints() = default;
    double value_of(const Operand &operand, const Point &point) const;
    bool holds(const Comparison &c, const Point &point) const;

    const Space *space_ = nullptr;
    // When every expression is one comparison ("fast < slow", "x >= 2", the
    // common case), they are checked here directly: a muparser evaluation
    // costs tens of times as much per point, and a grid checks every point.
    std::vector<Comparison> comparisons_;
    std::unique_ptr<double[]> values_; // muparser reads variables through pointers to these
    std::vector<std::unique_ptr<mu::Parser>> parsers_;
    std::vector<std::size_t> used_;
};

// Number of points that pass the constraints, counted over the parameters the
// constraints use only (so a 10^12 grid with "fast < slow" counts at once);
// nullopt when infinite or when that sub-grid is too large to scan.
std::optional<std::uint64_t> count_valid(const Space &space, const Constraints &constraints);

} // namespace btopt::internal
