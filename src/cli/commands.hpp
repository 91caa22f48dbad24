// The subcommands of `btopt`. Each returns the process's exit code, or
// throws UsageError (exit 2) or RunError (exit 1).
#pragma once

#include "settings.hpp"

#include <string>

namespace btopt::cli {

int run_command(const RunOptions &options);
// `btopt walkforward`: the run flags plus the windows.
int walkforward_command(const RunOptions &options, const WalkForwardOptions &windows);
int describe_command(const std::string &plugin);
int demo_command();

} // namespace btopt::cli
