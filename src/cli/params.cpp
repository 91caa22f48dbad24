#include "params.hpp"

#include "errors.hpp"
#include "text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace btopt::cli {

std::string ParamSpec::range_text() const
{
    switch (kind) {
    case BTOPT_PARAM_INT:
        return int_step == 1 ? fmt::format("{}..{}", int_lo, int_hi)
                             : fmt::format("{}..{} step {}", int_lo, int_hi, int_step);
    case BTOPT_PARAM_FLOAT:
        if (float_step == 0.0)
            return fmt::format("{}..{} continuous", float_lo, float_hi);
        return fmt::format("{}..{} step {}", float_lo, float_hi, float_step);
    default:
        return join(choices, ", ");
    }
}

std::uint64_t ParamSpec::size() const
{
    switch (kind) {
    case BTOPT_PARAM_INT:
        return (static_cast<std::uint64_t>(int_hi) - static_cast<std::uint64_t>(int_lo)) / static_cast<std::uint64_t>(int_step) + 1;
    case BTOPT_PARAM_FLOAT:
        if (float_step == 0.0)
            return float_lo == float_hi ? 1 : 0;
        if (const double steps = std::floor((float_hi - float_lo) / float_step + 1e-9); steps < 1e18)
            return static_cast<std::uint64_t>(steps) + 1; // the tolerance: a hi that is a sum of steps
        return 0;                                         // too many to count: like a continuous range
    default:
        return choices.size();
    }
}

std::vector<ParamSpec> read_params(const btopt_space *space)
{
    std::vector<ParamSpec> params;
    for (std::size_t i = 0; i < btopt_space_param_count(space); ++i) {
        ParamSpec p;
        p.name = btopt_space_param_name(space, i);
        p.kind = static_cast<btopt_param_kind>(btopt_space_param_kind(space, i));
        if (p.kind == BTOPT_PARAM_INT)
            btopt_space_param_int_range(space, i, &p.int_lo, &p.int_hi, &p.int_step);
        else if (p.kind == BTOPT_PARAM_FLOAT)
            btopt_space_param_float_range(space, i, &p.float_lo, &p.float_hi, &p.float_step);
        else
            for (std::size_t j = 0; j < btopt_space_param_choice_count(space, i); ++j)
                p.choices.emplace_back(btopt_space_param_choice(space, i, j));
        params.push_back(std::move(p));
    }
    return params;
}

std::vector<std::string> read_constraints(const btopt_space *space)
{
    std::vector<std::string> constraints;
    for (std::size_t i = 0; i < btopt_space_constraint_count(space); ++i)
        constraints.emplace_back(btopt_space_constraint(space, i));
    return constraints;
}

namespace {

const char *kind_name(btopt_param_kind kind)
{
    return kind == BTOPT_PARAM_INT ? "an integer" : kind == BTOPT_PARAM_FLOAT ? "a float" : "a categorical";
}

[[noreturn]] void refuse(const std::string &argument, const std::string &expected)
{
    throw UsageError(fmt::format("--param '{}': {}", argument, expected));
}

ParamSpec parse_int_range(const std::string &argument, ParamSpec p, const std::vector<std::string> &parts)
{
    long long values[3] = {0, 0, 1};
    for (std::size_t k = 0; k < parts.size(); ++k)
        if (!parse_int(parts[k], values[k]))
            refuse(argument, fmt::format("'{}' is {} parameter: expected integers in {}=LO:HI:STEP, {}=LO:HI or "
                                         "{}=VALUE, and '{}' is not an integer",
                                         p.name, kind_name(p.kind), p.name, p.name, p.name, parts[k]));
    if (parts.size() == 1)
        values[1] = values[0];
    p.int_lo = values[0];
    p.int_hi = values[1];
    p.int_step = values[2];
    if (p.int_lo > p.int_hi || p.int_step <= 0)
        refuse(argument, "expected LO <= HI and a STEP above 0");
    return p;
}

ParamSpec parse_float_range(const std::string &argument, ParamSpec p, const std::vector<std::string> &parts)
{
    double values[3] = {0, 0, 0};
    for (std::size_t k = 0; k < parts.size(); ++k)
        if (!parse_double(parts[k], values[k]))
            refuse(argument, fmt::format("'{}' is {} parameter: expected numbers in {}=LO:HI:STEP, {}=LO:HI "
                                         "(continuous) or {}=VALUE, and '{}' is not a number",
                                         p.name, kind_name(p.kind), p.name, p.name, p.name, parts[k]));
    if (parts.size() == 1) {
        values[1] = values[0];
        values[2] = 1.0; // one value, on a grid too
    }
    p.float_lo = values[0];
    p.float_hi = values[1];
    p.float_step = values[2];
    if (p.float_lo > p.float_hi || p.float_step < 0 || (parts.size() == 3 && p.float_step == 0))
        refuse(argument, "expected LO <= HI and a STEP above 0 (leave the step out for a continuous range)");
    return p;
}

} // namespace

ParamSpec parse_param(const std::string &argument, const std::vector<ParamSpec> &plugin_params)
{
    const std::size_t eq = argument.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == argument.size())
        refuse(argument, "expected NAME=LO:HI:STEP, NAME=LO:HI, NAME=a,b,c or NAME=VALUE");
    const std::string name = argument.substr(0, eq), value = argument.substr(eq + 1);
    const auto own = std::find_if(plugin_params.begin(), plugin_params.end(),
                                  [&](const ParamSpec &p) { return p.name == name; });
    if (own == plugin_params.end()) {
        std::vector<std::string> names;
        for (const ParamSpec &p : plugin_params)
            names.push_back(p.name);
        refuse(argument, fmt::format("the plugin has no parameter '{}'; its parameters are: {}", name, join(names, ", ")));
    }
    ParamSpec p{.name = name, .kind = own->kind};
    if (p.kind == BTOPT_PARAM_CHOICE) {
        if (value.find(':') != std::string::npos)
            refuse(argument, fmt::format("'{}' is a categorical parameter: expected {}=a,b,c", name, name));
        p.choices = split(value, ',');
        for (std::size_t k = 0; k < p.choices.size(); ++k) {
            if (p.choices[k].empty())
                refuse(argument, "expected non-empty choices separated by commas");
            if (std::find(p.choices.begin(), p.choices.begin() + static_cast<std::ptrdiff_t>(k), p.choices[k]) !=
                p.choices.begin() + static_cast<std::ptrdiff_t>(k))
                refuse(argument, fmt::format("choice '{}' is given twice", p.choices[k]));
        }
        return p;
    }
    if (value.find(',') != std::string::npos)
        refuse(argument, fmt::format("'{}' is {} parameter: a list a,b,c is for categorical parameters; expected "
                                     "{}=LO:HI:STEP or {}=LO:HI",
                                     name, kind_name(p.kind), name, name));
    const std::vector<std::string> parts = split(value, ':');
    if (parts.size() > 3)
        refuse(argument, "expected at most three numbers, LO:HI:STEP");
    return p.kind == BTOPT_PARAM_INT ? parse_int_range(argument, p, parts) : parse_float_range(argument, p, parts);
}

std::vector<ParamSpec> merge_params(const std::vector<ParamSpec> &plugin_params,
                                    const std::vector<ParamSpec> &overrides)
{
    std::vector<ParamSpec> merged;
    for (const ParamSpec &own : plugin_params) {
        const auto user = std::find_if(overrides.rbegin(), overrides.rend(),
                                       [&](const ParamSpec &p) { return p.name == own.name; });
        merged.push_back(user != overrides.rend() ? *user : own);
    }
    return merged;
}

SpaceHandle make_space(const std::vector<ParamSpec> &params, const std::vector<std::string> &constraints)
{
    btopt_space *raw = nullptr;
    if (btopt_space_create(&raw) != BTOPT_OK)
        throw RunError(btopt_last_error());
    SpaceHandle space(raw);
    for (const ParamSpec &p : params) {
        btopt_status status = BTOPT_OK;
        if (p.kind == BTOPT_PARAM_INT) {
            status = btopt_space_add_int(raw, p.name.c_str(), p.int_lo, p.int_hi, p.int_step);
        } else if (p.kind == BTOPT_PARAM_FLOAT) {
            status = btopt_space_add_float(raw, p.name.c_str(), p.float_lo, p.float_hi, p.float_step);
        } else {
            std::vector<const char *> choices;
            for (const std::string &c : p.choices)
                choices.push_back(c.c_str());
            status = btopt_space_add_choice(raw, p.name.c_str(), choices.data(), choices.size());
        }
        if (status != BTOPT_OK)
            throw UsageError(fmt::format("--param {}={}: {}", p.name, p.range_text(), btopt_last_error()));
    }
    for (const std::string &c : constraints)
        if (btopt_space_add_constraint(raw, c.c_str()) != BTOPT_OK)
            throw UsageError(fmt::format("--constraint '{}': {}", c, btopt_last_error()));
    return space;
}

} // namespace btopt::cli
