// Where worker processes come from. The process executor asks for workers
// and retires them; it does not care whether they are forked from the host
// (a host callback runs in them as it is) or from the worker server (a plugin
// loaded and initialised once, its data shared copy-on-write).
#pragma once

#include "../core/objective.hpp"
#include "../plugin/plugin.hpp"
#include "worker.hpp"

#include <sys/types.h>

#include <atomic>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace btopt::internal {

struct WorkerHandle {
    pid_t pid = -1;
    int fd = -1; // the coordinator's end of the worker's socket
};

// How a worker ended, in words: "was killed by signal 11 (Segmentation fault)",
// "exited with status 3". Only words: what the coordinator concludes about
// its tasks comes from what the worker sent (wire::Notice), never from an
// exit status that the objective's own code can produce too.
struct WorkerExit {
    std::string text;
    bool clean = false; // it exited with exit_code::done
};

class Spawner {
public:
    virtual ~Spawner() = default;
    virtual Result<WorkerHandle> spawn() = 0;
    // Closes the worker's socket, kills it first when asked, waits for it and
    // says how it ended.
    virtual WorkerExit retire(const WorkerHandle &worker, bool kill) = 0;
    // Ends what the spawner started (the worker server runs the plugin's
    // finish then); says how that went wrong, if it did. The destructor does
    // the same, silently, when it was not called.
    virtual std::optional<std::string> shut_down() { return std::nullopt; }
    // The bars of the plugin the workers serve, when it evaluates ranges of
    // bars and its init ran once (in the worker server).
    virtual std::optional<Timeline> timeline() const { return std::nullopt; }
};

// How a waitpid status reads to a person.
WorkerExit describe_exit(int status);

// Each worker leads its own process group, so that whatever its objective
// forks goes with it. Called in the child right after the fork, and in the
// parent too (whichever runs first, the group exists before anyone signals it).
void lead_own_group(pid_t worker);
// Waits for a worker (SIGKILLing its group first when `kill`, or after
// shutdown_grace when it does not leave by itself: a plugin's finish that
// never returns), then kills what is left of its group (a plugin's
// children), and reaps the worker. Returns the waitpid status.
int end_worker_group(pid_t worker, bool kill);

// How long a worker or the worker server may take to leave once told to
// (a plugin's finish runs then) before it is killed.
inline constexpr std::chrono::milliseconds shutdown_grace{3000};
// Waits up to `grace` for a child to exit, without reaping it; false when it
// is still running.
bool wait_exited(pid_t pid, std::chrono::milliseconds grace);

// Workers forked straight from this process, running `objective`. For hosts
// that are single-threaded when they call run.
std::unique_ptr<Spawner> make_fork_spawner(Objective &objective, WorkerLimits limits);

// What the worker server needs to know to run a plugin.
struct ServerSetup {
    std::string plugin_path;
    PluginConfig config;
    const Space *space = nullptr; // the run's space (the plugin's, narrowed by the user)
    std::size_t metric = 0;       // index of the objective metric
    WorkerLimits limits;
    const std::atomic<bool> *cancel = nullptr; // stops the wait for the plugin's init
    double init_timeout = 0.0;                 // seconds the init may take, 0: no limit
};

// Starts btopt-worker, which loads the plugin and runs its init once, then
// forks workers on request. BTOPT_ERR_PLUGIN when it cannot load or init the
// plugin, with the plugin's own words or the signal it died of, or when the
// init takes longer than init_timeout; BTOPT_ERR_CANCELLED when the run is
// cancelled during the init (the server is killed in either case).
Result<std::unique_ptr<Spawner>> start_worker_server(const ServerSetup &setup);

// The btopt-worker executable: BTOPT_WORKER, else next to libbtopt.
Result<std::string> worker_executable();

// Runs `btopt-worker ARGS...` and returns what it printed: BTOPT_ERR_PLUGIN
// with its words when it exits 1, or with the signal when it dies. A non-empty
// `setup` goes to it on its descriptor 3 (control::send_texts), never on its
// command line, where every user could read it.
Result<std::string> run_worker_command(const std::vector<std::string> &args,
                                       const std::vector<std::string> &setup = {});
// Finds a plugin and has `btopt-worker describe` read it, so describing a
// plugin never loads it into this process.
Result<PluginInfo> describe_plugin(const std::string &path_or_name);

} // namespace btopt::internal
