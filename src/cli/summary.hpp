// The summary printed on stdout at the end of a run: the best parameters and
// every metric of the best trial, the top trials, how trials ended, times.
#pragma once

#include "settings.hpp"
#include "trials.hpp"

#include <cstdio>

namespace btopt::cli {

void print_summary(std::FILE *out, const RunSettings &settings, const RunData &run);

} // namespace btopt::cli
