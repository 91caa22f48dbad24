// How the command fails: a usage error (exit 2) names the flag and what was
// expected; a run-time error (exit 1) says what went wrong. Both are thrown
// anywhere in the command and caught once, in main.
#pragma once

#include <stdexcept>
#include <string>

namespace btopt::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_empty_space = 3; // the constraints leave no point to evaluate
inline constexpr int exit_none_ok = 4;     // the run ended but no trial succeeded
inline constexpr int exit_cancelled = 130; // 128 + SIGINT, as shells report it

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct RunError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

} // namespace btopt::cli
