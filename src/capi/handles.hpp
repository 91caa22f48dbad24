// What the C ABI's opaque handles are, and the one boundary where internal
// errors and exceptions become status codes and the thread's last error.
#pragma once

#include "../core/options.hpp"
#include "../core/result.hpp"
#include "../plugin/plugin.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>

struct btopt_space {
    btopt::internal::Space space;
};

// A point's values (one per parameter of `space`), wherever they live.
struct btopt_params {
    const btopt::internal::Space *space = nullptr;
    const btopt::internal::Value *values = nullptr;
    std::optional<std::uint64_t> seed; // the trial's seed: only in a view handed to an objective
};

namespace btopt::internal::capi {
// What btopt_optimizer_set_fork_hooks set; null hooks are skipped.
struct ForkHooks {
    btopt_fork_hook_fn before = nullptr, after_parent = nullptr, after_child = nullptr;
    void *user = nullptr;
};
} // namespace btopt::internal::capi

struct btopt_optimizer {
    std::shared_ptr<const btopt::internal::Space> user_space; // as given to create; may be null
    std::shared_ptr<const btopt::internal::Space> space;      // what the run searches
    std::string algorithm;
    btopt::internal::Options options;
    bool direction_chosen = false; // set_string("direction"): else a plugin metric's own direction
    btopt_objective_fn objective = nullptr;
    void *objective_user = nullptr;
    std::string objective_name = "callback";
    btopt_progress_fn progress = nullptr;
    void *progress_user = nullptr;
    btopt_progress_ex_fn progress_ex = nullptr;
    void *progress_ex_user = nullptr;
    btopt::internal::capi::ForkHooks fork_hooks;
    std::atomic<bool> cancel{false};
    // Set for the length of btopt_optimizer_run: an objective that runs its
    // own optimizer again (in any thread, or in a worker forked with it set)
    // is refused instead of recursing or forking without end.
    std::atomic<bool> running{false};
    std::optional<btopt::internal::PluginInfo> plugin;
    btopt::internal::PluginConfig plugin_config;
    std::string metric;
    mutable std::string option_text; // what btopt_optimizer_get_string handed out last
};

struct btopt_series {
    btopt::internal::EquityCurves curves;
};

struct btopt_plugin_info {
    btopt::internal::PluginInfo info;
    btopt_space space; // the plugin's default space, handed out as a view
    // Per config key, the texts btopt_plugin_info_config_key hands out.
    std::vector<std::string> config_types, config_allowed;
};

struct btopt_result {
    explicit btopt_result(btopt::internal::RunResult r) : run(std::move(r))
    {
        for (const std::string &w : run.warnings)
            warnings += (warnings.empty() ? "" : "\n") + w;
    }
    btopt::internal::RunResult run;
    std::string warnings; // run.warnings, a line each (btopt_result_warnings)
    // One per kept trial, pointing into run; made on first use (a host that
    // only asks for the best never pays for a million of them).
    const btopt_params &view(std::size_t i) const
    {
        std::call_once(views_made, [this] {
            views.reserve(run.trials.size());
            for (std::size_t t = 0; t < run.trials.size(); ++t)
                views.push_back(btopt_params{run.space.get(), run.trials.point(t).data(), std::nullopt});
        });
        return views[i];
    }

private:
    mutable std::once_flag views_made;
    mutable std::vector<btopt_params> views;
};

namespace btopt::internal::capi {

// Sets this thread's last error and returns its code.
btopt_status set_error(btopt_status code, std::string message);
btopt_status set_error(const Error &error);
// The last error's text, and how many errors this thread has recorded (so a
// caller can tell whether a callback recorded one).
std::string &last_error_text();
std::uint64_t error_count();
// How the objective's last failure on this thread wants its trial recorded:
// failed, unless it said otherwise with btopt_fail_trial. Reset by every error.
TrialStatus &failure_status();

// Turns a Result<void> into a status, recording the error.
inline btopt_status status_of(const Result<void> &result)
{
    return result ? BTOPT_OK : set_error(result.error());
}

// Runs an API function's body; no exception ever crosses the C boundary.
template <class Body>
btopt_status guarded(Body body) noexcept
{
    try {
        return body();
    } catch (const std::bad_alloc &) {
        return set_error(BTOPT_ERR_INTERNAL, "out of memory");
    } catch (const std::exception &e) {
        return set_error(BTOPT_ERR_INTERNAL, std::string("internal error: ") + e.what());
    } catch (...) {
        return set_error(BTOPT_ERR_INTERNAL, "internal error: unknown exception");
    }
}

// INVALID_ARGUMENT naming the function and the argument that was NULL.
btopt_status null_argument(const char *function, const char *argument);

} // namespace btopt::internal::capi

#define BTOPT_REQUIRE(arg)                                                                                            \
    do {                                                                                                              \
        if ((arg) == nullptr)                                                                                         \
            return ::btopt::internal::capi::null_argument(__func__, #arg);                                                      \
    } while (0)
