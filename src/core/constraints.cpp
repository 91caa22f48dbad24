#include "constraints.hpp"

#include <muParser.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string_view>
#include <limits>

namespace btopt::internal {
namespace {

// Past this many points in the constrained sub-grid, counting would delay the start.
constexpr std::uint64_t max_scanned_points = 4'000'000;

Error describe_parse_error(const Space &space, const std::string &expression, const mu::Parser::exception_type &e,
                          std::string_view noun)
{
    const std::string &token = e.GetToken();
    if (const auto k = space.find(token); k && space.parameters()[*k].kind == Kind::Choice)
        return Error{BTOPT_ERR_INVALID_ARGUMENT,
                     fmt::format("constraint \"{}\": '{}' is a categorical parameter; constraints compare numbers only",
                                 expression, token)};
    if (!token.empty() && std::isalpha(static_cast<unsigned char>(token[0])) && !space.find(token))
        return Error{BTOPT_ERR_INVALID_ARGUMENT,
                     fmt::format("constraint \"{}\": unknown {} '{}' at position {}", expression, noun, token,
                                 e.GetPos() + 1)};
    std::string why = e.GetMsg();
    if (why.find("position") == std::string::npos)
        why += fmt::format(" (at position {})", e.GetPos() + 1);
    return Error{BTOPT_ERR_INVALID_ARGUMENT, fmt::format("constraint \"{}\" does not parse: {}", expression, why)};
}

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string_view trim(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

// A numeric parameter's name or a plain decimal number; nullopt for anything else.
std::optional<Constraints::Operand> as_operand(const Space &space, std::string_view text)
{
    text = trim(text);
    if (text.empty())
        return std::nullopt;
    if (std::isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_') {
        const auto k = space.find(text);
        if (!k || !std::all_of(text.begin(), text.end(), is_name_char) || space.parameters()[*k].kind == Kind::Choice)
            return std::nullopt;
        return Constraints::Operand{k, 0.0};
    }
    double value = 0.0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return Constraints::Operand{std::nullopt, value};
}

// "a < b", "x >= 2.5": a single comparison of two operands, else nullopt.
std::optional<Constraints::Comparison> as_comparison(const Space &space, std::string_view expression)
{
    using Op = Constraints::Op;
    // Two-character operators first, so "<=" is not read as "<".
    constexpr std::pair<std::string_view, Op> ops[] = {{"<=", Op::LessEqual}, {">=", Op::GreaterEqual},
                                                        {"==", Op::Equal},    {"!=", Op::NotEqual},
                                                        {"<", Op::Less},      {">", Op::Greater}};
    for (const auto &[symbol, op] : ops) {
        const std::size_t at = expression.find(symbol);
        if (at == std::string_view::npos)
            continue;
        const auto lhs = as_operand(space, expression.substr(0, at));
        const auto rhs = as_operand(space, expression.substr(at + symbol.size()));
        if (!lhs || !rhs)
            return std::nullopt;
        return Constraints::Comparison{*lhs, op, *rhs};
    }
    return std::nullopt;
}

// ---- The shape of a constraint ----------------------------------------------
// muparser gives every expression a number, so "fast = 20" (an assignment),
// "fast < slow < 100" ((fast < slow) < 100, always true) and a bare "fast"
// would all pass as "true" and constrain nothing. A constraint must be a
// comparison or a combination of comparisons with && and ||.

Error shape_error(std::string_view expression, std::size_t at, std::string_view why)
{
    return Error{BTOPT_ERR_INVALID_ARGUMENT,
                 fmt::format("constraint \"{}\" at position {}: {}", expression, at + 1, why)};
}

bool is_comparison_char(char c) { return c == '<' || c == '>' || c == '=' || c == '!'; }

// The first '=' that assigns rather than compares (part of <=, >=, ==, !=).
std::optional<std::size_t> find_assignment(std::string_view e)
{
    for (std::size_t i = 0; i < e.size(); ++i) {
        if (e[i] != '=')
            continue;
        if (!(i > 0 && is_comparison_char(e[i - 1])) && !(i + 1 < e.size() && e[i + 1] == '='))
            return i;
        if (i + 1 < e.size() && e[i + 1] == '=')
            ++i; // "==": skip its second '='
    }
    return std::nullopt;
}

// Positions (within [begin, end)) of the operators `symbols` outside
// parentheses, or at any depth when `nested`.
std::vector<std::size_t> top_level(std::string_view e, std::size_t begin, std::size_t end,
                                   std::initializer_list<std::string_view> symbols, bool nested = false)
{
    std::vector<std::size_t> found;
    int depth = 0;
    for (std::size_t i = begin; i < end; ++i) {
        depth += e[i] == '(' ? 1 : e[i] == ')' ? -1 : 0;
        if (depth != 0 && !nested)
            continue;
        for (std::string_view symbol : symbols)
            if (e.substr(i, symbol.size()) == symbol && i + symbol.size() <= end) {
                // "<" is not the start of "<=", and "=" of "<=" is no operator of its own.
                if (symbol.size() == 1 && i + 1 < end && e[i + 1] == '=')
                    continue;
                found.push_back(i);
                i += symbol.size() - 1;
                break;
            }
    }
    return found;
}

Result<void> check_condition(std::string_view e, std::size_t begin, std::size_t end);

// Each part between the operators at `cuts` (of `width` characters) is a condition.
Result<void> check_parts(std::string_view e, std::size_t begin, std::size_t end, const std::vector<std::size_t> &cuts)
{
    std::size_t from = begin;
    for (std::size_t cut : cuts) {
        if (auto ok = check_condition(e, from, cut); !ok)
            return ok;
        from = cut + 2;
    }
    return check_condition(e, from, end);
}

// The matching ')' of the '(' at `open`, or npos.
std::size_t closing_paren(std::string_view e, std::size_t open, std::size_t end)
{
    int depth = 0;
    for (std::size_t i = open; i < end; ++i) {
        depth += e[i] == '(' ? 1 : e[i] == ')' ? -1 : 0;
        if (depth == 0)
            return i;
    }
    return std::string_view::npos;
}

Result<void> check_condition(std::string_view e, std::size_t begin, std::size_t end)
{
    while (begin < end && std::isspace(static_cast<unsigned char>(e[begin])))
        ++begin;
    while (end > begin && std::isspace(static_cast<unsigned char>(e[end - 1])))
        --end;
    if (const auto ors = top_level(e, begin, end, {"||"}); !ors.empty())
        return check_parts(e, begin, end, ors);
    if (const auto ands = top_level(e, begin, end, {"&&"}); !ands.empty())
        return check_parts(e, begin, end, ands);
    const auto comparisons = top_level(e, begin, end, {"<=", ">=", "==", "!=", "<", ">"});
    // One comparison of two values: a comparison inside a side, "(a < b) < c", chains too.
    const auto all = top_level(e, begin, end, {"<=", ">=", "==", "!=", "<", ">", "&&", "||"}, true);
    if (comparisons.size() > 1 || (comparisons.size() == 1 && all.size() > 1))
        return tl::unexpected(shape_error(e, comparisons.size() > 1 ? comparisons[1] : comparisons[0],
                                          "a chained comparison (it compares the first one's 0 or 1); "
                                          "join comparisons with && instead, e.g. 'a < b && b < c'"));
    if (comparisons.size() == 1)
        return {};
    if (begin < end && e[begin] == '(' && closing_paren(e, begin, end) == end - 1)
        return check_condition(e, begin + 1, end - 1);
    return tl::unexpected(shape_error(
        e, begin, fmt::format("'{}' is a value, not a condition; compare it, e.g. 'fast < slow'",
                              e.substr(begin, end - begin))));
}

Result<void> check_shape(std::string_view expression)
{
    if (const auto at = find_assignment(expression))
        return tl::unexpected(shape_error(expression, *at, "an assignment; compare with '==' instead"));
    return check_condition(expression, 0, expression.size());
}

} // namespace

Constraints::Constraints(Constraints &&) noexcept = default;
Constraints &Constraints::operator=(Constraints &&) noexcept = default;
Constraints::~Constraints() = default;

Result<Constraints> Constraints::compile(const Space &space, const std::vector<std::string> &expressions,
                                         std::string_view noun)
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
            return tl::unexpected(describe_parse_error(space, expression, e, noun));
        }
        if (auto ok = check_shape(expression); !ok)
            return tl::unexpected(ok.error());
        c.parsers_.push_back(std::move(parser));
    }
    for (const std::string &expression : expressions)
        if (const auto comparison = as_comparison(space, expression))
            c.comparisons_.push_back(*comparison);
    if (c.comparisons_.size() != expressions.size())
        c.comparisons_.clear(); // some need muparser: let it check them all
    std::sort(c.used_.begin(), c.used_.end());
    c.used_.erase(std::unique(c.used_.begin(), c.used_.end()), c.used_.end());
    return c;
}

double Constraints::value_of(const Operand &operand, const Point &point) const
{
    return operand.param ? space_->parameters()[*operand.param].as_double(point[*operand.param]) : operand.constant;
}

bool Constraints::holds(const Comparison &c, const Point &point) const
{
    const double a = value_of(c.lhs, point), b = value_of(c.rhs, point);
    switch (c.op) {
    case Op::Less:
        return a < b;
    case Op::LessEqual:
        return a <= b;
    case Op::Greater:
        return a > b;
    case Op::GreaterEqual:
        return a >= b;
    case Op::Equal:
        return a == b;
    case Op::NotEqual:
        return a != b;
    }
    return false;
}

bool Constraints::allow(const Point &point) const
{
    if (parsers_.empty())
        return true;
    if (!comparisons_.empty())
        return std::all_of(comparisons_.begin(), comparisons_.end(),
                           [&](const Comparison &c) { return holds(c, point); });
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
