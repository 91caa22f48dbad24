// The files `btopt run` writes (--json, --csv, --report), checked before the
// run so that a bad path never costs a whole search, and delivered after it:
// "-" is stdout (then the summary goes to stderr), and a target that is not a
// regular file (/dev/stdout, a FIFO) receives a copy of what was written.
#pragma once

#include "settings.hpp"

#include <functional>
#include <string>
#include <vector>

namespace btopt::cli {

struct Output {
    std::string flag; // "--json"
    std::string path; // as given; "-" for stdout
};

// The outputs asked for, in the order they are written.
std::vector<Output> requested_outputs(const RunOptions &options);

// UsageError naming the flag: "-" for --report, two outputs on one path (or
// both on stdout), a folder that does not exist or cannot be written, a path
// that is a folder.
void check_outputs(const RunOptions &options);

// True when some output goes to stdout, so the summary must not.
bool stdout_taken(const RunOptions &options);

// Runs `write(path)` so that the result lands at `output`: directly for a
// regular file, else through a temporary file copied to stdout or the target.
// RunError naming the flag when the copy fails.
void deliver(const Output &output, const std::function<void(const std::string &path)> &write);

} // namespace btopt::cli
