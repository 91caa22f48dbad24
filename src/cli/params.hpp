// Parameter ranges as the command sees them: read from a plugin's space,
// overridden by --param, turned back into a btopt_space for the optimizer.
#pragma once

#include "handles.hpp"

#include <btopt/btopt.h>

#include <cstdint>
#include <string>
#include <vector>

namespace btopt::cli {

struct ParamSpec {
    std::string name;
    btopt_param_kind kind = BTOPT_PARAM_INT;
    std::int64_t int_lo = 0, int_hi = 0, int_step = 1;
    double float_lo = 0.0, float_hi = 0.0, float_step = 0.0; // step 0: continuous
    std::vector<std::string> choices{};

    bool continuous() const { return kind == BTOPT_PARAM_FLOAT && float_step == 0.0; }
    // "10..50 step 5", "0.5..2 continuous", "add, mul"
    std::string range_text() const;
    // How many values the range holds; 0 when continuous (or past 10^18).
    std::uint64_t size() const;
};

// The parameters of a space, in declaration order, and its constraints.
std::vector<ParamSpec> read_params(const btopt_space *space);
std::vector<std::string> read_constraints(const btopt_space *space);

// Parses one --param (NAME=LO:HI:STEP, NAME=LO:HI, NAME=a,b,c or NAME=VALUE)
// for the plugin parameter of that name, whose kind decides how the numbers
// are read. Throws UsageError naming --param and what was expected.
ParamSpec parse_param(const std::string &argument, const std::vector<ParamSpec> &plugin_params);

// The plugin's parameters with the user's ranges in place of their defaults,
// in the plugin's order: the space the optimizer searches.
std::vector<ParamSpec> merge_params(const std::vector<ParamSpec> &plugin_params,
                                    const std::vector<ParamSpec> &overrides);

// A btopt_space of these parameters and constraints. Throws UsageError,
// naming --param or --constraint with the library's words, when one is refused.
SpaceHandle make_space(const std::vector<ParamSpec> &params, const std::vector<std::string> &constraints);

} // namespace btopt::cli
