// The coordinator's side of the worker server (btopt-worker serve): it is
// started with posix_spawn, so nothing of the host is inherited and the
// host's threads do not matter, loads the plugin and runs init once, then
// forks workers on request; their pages of market data are shared.
#include "control.hpp"
#include "wire.hpp"
#include "spawner.hpp"
#include "worker_protocol.hpp"

#include "../core/paths.hpp"
#include "../core/space_json.hpp"
#include "../plugin/plugin_json.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>

extern char **environ;

namespace btopt::internal {
namespace {

namespace fs = std::filesystem;

// A descriptor of ours and the number it gets in a child.
struct ChildFd {
    int ours;
    int as;
};

// Starts `argv` with each of `fds` as its number there (and nothing else of
// ours: every other descriptor is close-on-exec).
Result<pid_t> spawn_process(const std::vector<std::string> &args, std::initializer_list<ChildFd> fds)
{
    std::vector<char *> argv;
    for (const std::string &a : args)
        argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    for (const ChildFd &fd : fds)
        posix_spawn_file_actions_adddup2(&actions, fd.ours, fd.as);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        return fail(BTOPT_ERR_PLUGIN, "cannot start '{}': {}", args[0], std::strerror(rc));
    return pid;
}

int wait_for(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

class ServerSpawner final : public Spawner {
public:
    ServerSpawner(pid_t server, int control, std::optional<Timeline> timeline, std::string plugin)
        : server_(server), control_(control), timeline_(std::move(timeline)), plugin_(std::move(plugin))
    {
    }

    std::optional<Timeline> timeline() const override { return timeline_; }

    // The server kills and reaps its workers, runs the plugin's finish and
    // leaves; a finish that does not return in shutdown_grace is killed.
    ~ServerSpawner() override { shut_down(); }

    std::optional<std::string> shut_down() override
    {
        if (control_ < 0)
            return std::nullopt;
        close(std::exchange(control_, -1));
        const bool left = wait_exited(server_, shutdown_grace);
        if (!left)
            ::kill(server_, SIGKILL);
        const WorkerExit exit = describe_exit(wait_for(server_));
        if (!left)
            return fmt::format("plugin '{}': its finish did not return within {} s and btopt-worker was killed",
                               plugin_, shutdown_grace.count() / 1000.0);
        if (!exit.clean)
            return fmt::format("plugin '{}': btopt-worker {} while running the plugin's finish", plugin_, exit.text);
        return std::nullopt;
    }

    Result<WorkerHandle> spawn() override
    {
        WorkerHandle worker;
        if (!control::send_request(control_, control::spawn_request, 0) ||
            !control::receive_worker(control_, worker.pid, worker.fd))
            return fail(BTOPT_ERR_PLUGIN, "the worker server stopped answering");
        if (worker.pid < 0)
            return fail(BTOPT_ERR_PLUGIN, "the worker server could not fork a worker: {}",
                        control::receive_text(control_).value_or("no reason given"));
        return worker;
    }

    WorkerExit retire(const WorkerHandle &worker, bool kill) override
    {
        close(worker.fd);
        if (kill) // now, not when the server gets to it: the worker may be busy for ever
            ::kill(-worker.pid, SIGKILL);
        if (!control::send_request(control_, control::reap_request, worker.pid))
            return {"was lost (the worker server stopped answering)"};
        const auto status = control::receive_int(control_);
        return status ? describe_exit(*status) : WorkerExit{"was lost (the worker server stopped answering)"};
    }

private:
    pid_t server_;
    int control_;
    std::optional<Timeline> timeline_;
    std::string plugin_; // its path, for messages
};

std::optional<std::string> executable_in(const fs::path &dir)
{
    std::error_code ec;
    const fs::path candidate = dir / "btopt-worker";
    if (fs::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0)
        return candidate.string();
    return std::nullopt;
}

// Waits until the server says something about its init (or dies), watching
// the run's cancel flag and init_timeout meanwhile.
Result<void> wait_for_init(int control, const ServerSetup &setup)
{
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
        pollfd fd{control, POLLIN, 0};
        if (poll(&fd, 1, 50) > 0)
            return {};
        if (setup.cancel && setup.cancel->load())
            return fail(BTOPT_ERR_CANCELLED, "the run was cancelled while plugin '{}' was initialising",
                        setup.plugin_path);
        if (setup.init_timeout > 0 &&
            std::chrono::steady_clock::now() - start > std::chrono::duration<double>(setup.init_timeout))
            return fail(BTOPT_ERR_PLUGIN, "plugin '{}' did not finish its init within init_timeout ({} s)",
                        setup.plugin_path, setup.init_timeout);
    }
}

} // namespace

Result<std::string> worker_executable()
{
    if (const char *env = std::getenv("BTOPT_WORKER"); env && *env)
        return std::string(env);
    for (const std::string &dir : library_dirs())
        if (auto found = executable_in(dir))
            return *found;
    return fail(BTOPT_ERR_PLUGIN, "cannot find the btopt-worker executable next to libbtopt; set BTOPT_WORKER to its path");
}

Result<std::unique_ptr<Spawner>> start_worker_server(const ServerSetup &setup)
{
    auto exe = worker_executable();
    if (!exe)
        return tl::unexpected(exe.error());
    // The setup goes over the control socket, never on the command line.
    const auto texts = worker_protocol::to_texts(
        worker_protocol::ServeSetup{setup.plugin_path, setup.metric, setup.limits, space_to_json(*setup.space), setup.config});
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return fail(BTOPT_ERR_INTERNAL, "socketpair failed: {}", std::strerror(errno));
    auto pid = spawn_process({*exe, worker_protocol::serve_command}, {{sv[1], worker_protocol::setup_fd}});
    close(sv[1]);
    if (!pid) {
        close(sv[0]);
        return tl::unexpected(pid.error());
    }
    control::send_texts(sv[0], texts); // a failure: the server is gone, which the wait below reports
    if (auto waited = wait_for_init(sv[0], setup); !waited) {
        close(sv[0]);
        ::kill(*pid, SIGKILL);
        wait_for(*pid);
        return tl::unexpected(waited.error());
    }
    const auto hello = control::receive_text(sv[0]);
    if (hello && *hello == "ok") {
        // Then the plugin's bars: empty when it has no ranges or inits per worker.
        const auto bars = control::receive_text(sv[0]);
        return std::make_unique<ServerSpawner>(*pid, sv[0], bars ? timeline_from_bytes(*bars) : std::nullopt,
                                               setup.plugin_path);
    }
    close(sv[0]);
    const int status = wait_for(*pid);
    if (hello)
        return fail(BTOPT_ERR_PLUGIN, "{}", *hello);
    return fail(BTOPT_ERR_PLUGIN, "plugin '{}' died while loading or initialising: btopt-worker {}", setup.plugin_path,
                describe_exit(status).text);
}

Result<PluginInfo> describe_plugin(const std::string &path_or_name)
{
    return resolve_plugin(path_or_name)
        .and_then([](const std::string &path) { return run_worker_command({worker_protocol::describe_command, path}); })
        .and_then([](const std::string &text) { return plugin_info_from_json(text); });
}

Result<std::string> run_worker_command(const std::vector<std::string> &args, const std::vector<std::string> &setup)
{
    auto exe = worker_executable();
    if (!exe)
        return tl::unexpected(exe.error());
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return fail(BTOPT_ERR_INTERNAL, "pipe failed: {}", std::strerror(errno));
    int sv[2] = {-1, -1};
    if (!setup.empty() && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        close(fds[0]);
        close(fds[1]);
        return fail(BTOPT_ERR_INTERNAL, "socketpair failed: {}", std::strerror(errno));
    }
    std::vector<std::string> argv{*exe};
    argv.insert(argv.end(), args.begin(), args.end());
    auto pid = setup.empty() ? spawn_process(argv, {{fds[1], 1}})
                             : spawn_process(argv, {{fds[1], 1}, {sv[1], worker_protocol::setup_fd}});
    close(fds[1]);
    if (!setup.empty()) {
        close(sv[1]);
        if (pid)
            control::send_texts(sv[0], setup); // a failure: it died, which its status says
        close(sv[0]);
    }
    std::string out;
    if (pid)
        while (wire::read_some(fds[0], out) > 0) {
        }
    close(fds[0]);
    if (!pid)
        return tl::unexpected(pid.error());
    const int status = wait_for(*pid);
    if (!WIFEXITED(status) || (WEXITSTATUS(status) != exit_code::done && WEXITSTATUS(status) != exit_code::refused))
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}' died in btopt-worker {}: it {}", args.size() > 1 ? args[1] : "",
                    args[0], describe_exit(status).text);
    if (WEXITSTATUS(status) == exit_code::refused)
        return fail(BTOPT_ERR_PLUGIN, "{}", out);
    return out;
}

} // namespace btopt::internal
