// Library-wide functions: versions, status names and the last error.
#include "handles.hpp"

#include "../core/objective.hpp"

#include <array>
#include <cmath>

namespace btopt::internal::capi {

std::string &last_error_text()
{
    thread_local std::string text;
    return text;
}

namespace {
thread_local std::uint64_t errors_recorded = 0;
}

std::uint64_t error_count() { return errors_recorded; }

TrialStatus &failure_status()
{
    thread_local TrialStatus status = TrialStatus::Failed;
    return status;
}

btopt_status set_error(btopt_status code, std::string message)
{
    last_error_text() = std::move(message);
    ++errors_recorded;
    failure_status() = TrialStatus::Failed;
    return code;
}

btopt_status set_error(const Error &error) { return set_error(error.code, error.message); }

btopt_status null_argument(const char *function, const char *argument)
{
    return set_error(BTOPT_ERR_INVALID_ARGUMENT, fmt::format("{}: argument '{}' is NULL", function, argument));
}

} // namespace btopt::internal::capi

using namespace btopt::internal;

extern "C" {

uint32_t btopt_abi_version(void) { return BTOPT_ABI_VERSION; }

const char *btopt_version(void) { return BTOPT_VERSION_STRING; }

const char *btopt_last_error(void) { return capi::last_error_text().c_str(); }

const char *btopt_status_name(btopt_status status)
{
    static constexpr std::array<const char *, 9> names{
        "BTOPT_OK",           "BTOPT_ERR_INVALID_ARGUMENT", "BTOPT_ERR_UNSUPPORTED",
        "BTOPT_ERR_NOT_FOUND", "BTOPT_ERR_PLUGIN",           "BTOPT_ERR_OBJECTIVE",
        "BTOPT_ERR_CANCELLED", "BTOPT_ERR_IO",               "BTOPT_ERR_INTERNAL"};
    const auto i = static_cast<std::size_t>(status);
    return i < names.size() ? names[i] : "unknown status";
}

const char *btopt_trial_status_name(int32_t trial_status)
{
    return trial_status_name(static_cast<TrialStatus>(trial_status));
}

btopt_status btopt_fail(const char *message)
{
    return capi::set_error(BTOPT_ERR_OBJECTIVE, message ? message : "the objective failed");
}

btopt_status btopt_fail_trial(int32_t trial_status, const char *message)
{
    const auto status = static_cast<TrialStatus>(trial_status);
    if (status != TrialStatus::Failed && status != TrialStatus::Crashed && status != TrialStatus::Timeout)
        return capi::set_error(BTOPT_ERR_INVALID_ARGUMENT,
                               fmt::format("btopt_fail_trial: status {} is not failed, crashed or timeout", trial_status));
    const btopt_status code = btopt_fail(message);
    capi::failure_status() = status;
    return code;
}

btopt_status btopt_report_cpu_seconds(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0.0)
        return capi::set_error(BTOPT_ERR_INVALID_ARGUMENT,
                               fmt::format("btopt_report_cpu_seconds: {} is not a number of seconds (>= 0)", seconds));
    cpu_elsewhere() += seconds;
    return BTOPT_OK;
}

} // extern "C"
