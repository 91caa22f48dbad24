#include "constraints.hpp"

#include <muParser.h>

#include <algorithm>
#include <limits>

namespace btopt::internal {
namespace {

// Past this many points in the constrained sub-grid, counting would delay the start.
constexpr std::uint64_t max_scanned_points = 4'000'000;

Error describe_parse_error(const Space &space, const std::string &expression, const mu::Parser::exception_type &e)
{
    const std::string &token = e.GetToken();
    if (const auto k = space.find(token); k && space.parameters()[*k].kind == Kind::Choice)
        return Error{BTOPT_ERR_INVALID_ARGUMENT,
                     fmt::format("constraint \"{}\": '{}' is a categorical parameter; constraints compare numbers only",
                                 expression, token)};
    if (!token.empty() && std::isalpha(static_cast<unsigned char>(token[0])) && !space.find(token))
        return Error{BTOPT_ERR_INVALID_ARGUMENT,
                     fmt::format("constraint \"{}\": unknown parameter '{}' at position {}", expression, token,
                                 e.GetPos() + 1)};
    std::string why = e.GetMsg();
    if (why.find("position") == std::string::npos)
        why += fmt::format(" (at position {})", e.GetPos() + 1);
    return Error{BTOPT_ERR_INVALID_ARGUMENT, fmt::format("constraint \"{}\" does not parse: {}", expression, why)};
}

} // namespace

Constraints::Constraints(Constraints &&) noexcept = default;
Constraints &Constraints::operator=(Constraints &&) noexcept = default;
Constraints::~Constraints() = default;

Result<Constraints> Constraints::compile(const Space &space, const std::vector<std::string> &expressions)
{
    Constraints c;
    c.space_ = &space;
    c.values_ = std::make_unique<double[]>(std::max<std::size_t>(space.size(), 1));
    for (const std::string &expression : expressions) {
        auto parser = std::make_unique<mu::Parser>();
        try {
            for (std::size_t k = 0; k < space.size(); ++k)
                if (space.parameters()[k].kind != Kind::Choice)
                    parser->DefineVar(space.parameters()[k].name, &c.values_[k]);
            parser->SetExpr(expression);
            parser->Eval(); // parses now, so errors show here and not on the first point
            for (const auto &[name, ptr] : parser->GetUsedVar())
                c.used_.push_back(static_cast<std::size_t>(ptr - c.values_.get()));
        } catch (const mu::Parser::exception_type &e) {
            return tl::unexpected(describe_parse_error(space, expression, e));
        }
        c.parsers_.push_back(std::move(parser));
    }
    std::sort(c.used_.begin(), c.used_.end());
    c.used_.erase(std::unique(c.used_.begin(), c.used_.end()), c.used_.end());
    return c;
}

bool Constraints::allow(const Point &point) const
{
    if (parsers_.empty())
        return true;
    for (std::size_t k : used_)
        values_[k] = space_->parameters()[k].as_double(point[k]);
    return std::all_of(parsers_.begin(), parsers_.end(), [](const auto &p) { return p->Eval() != 0.0; });
}

std::optional<std::uint64_t> count_valid(const Space &space, const Constraints &constraints)
{
    const auto total = space.cardinality();
    if (!total || constraints.empty())
        return total;
    const auto &params = space.parameters();
    std::uint64_t sub = 1;
    for (std::size_t k : constraints.used_parameters()) {
        sub *= *params[k].size();
        if (sub > max_scanned_points)
            return std::nullopt;
    }
    if (sub == 0)
        return 0;
    const std::uint64_t rest = *total / sub;
    Point point = space.decode(0);
    std::uint64_t valid = 0;
    for (std::uint64_t index = 0; index < sub; ++index) {
        std::uint64_t rem = index;
        for (auto k = constraints.used_parameters().rbegin(); k != constraints.used_parameters().rend(); ++k) {
            const std::uint64_t n = *params[*k].size();
            point[*k] = params[*k].at(rem % n);
            rem /= n;
        }
        valid += constraints.allow(point) ? 1 : 0;
    }
    if (valid != 0 && rest > std::numeric_limits<std::uint64_t>::max() / valid)
        return std::nullopt;
    return valid * rest;
}

} // namespace btopt::internal
