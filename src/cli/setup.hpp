// Turning the flags of `btopt run` into a configured optimizer, checking
// everything that can be checked before the run: every mistake here is a
// usage error that names its flag.
#pragma once

#include "handles.hpp"
#include "settings.hpp"

namespace btopt::cli {

struct PreparedRun {
    RunSettings settings;
    OptimizerHandle optimizer;
};

PreparedRun prepare_run(const RunOptions &options);

} // namespace btopt::cli
