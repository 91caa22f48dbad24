// btopt-worker: the worker server, the plugin describer and the equity
// curve's evaluator, started by libbtopt, never by hand. Its commands and
// setups: worker_protocol.hpp. `serve` loads the plugin, runs init once
// (unless the plugin asks for init per worker), says "ok", then forks a worker
// per 'S' request and reaps one per 'R' request, until the socket closes;
// then it kills and reaps what is left and leaves.
#include "control.hpp"
#include "spawner.hpp"
#include "worker_protocol.hpp"

#include "../core/space_json.hpp"
#include "../plugin/plugin_json.hpp"
#include "../plugin/plugin_objective.hpp"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>

using namespace btopt::internal;

namespace {

constexpr int control_fd = worker_protocol::setup_fd;
using worker_protocol::ServeSetup;

Result<std::string> equity()
{
    const auto texts = control::receive_texts(control_fd);
    close(control_fd);
    const auto setup = texts ? worker_protocol::equity_setup_of(*texts) : std::nullopt;
    if (!setup)
        return fail(BTOPT_ERR_INTERNAL, "btopt-worker equity: the setup did not arrive on descriptor 3");
    const PluginConfig &config = setup->config;
    auto plugin = Plugin::load(setup->plugin);
    if (!plugin)
        return tl::unexpected(plugin.error());
    auto space = space_from_json(setup->space_json);
    if (!space)
        return tl::unexpected(space.error());
    auto point = point_from_json(setup->point_json);
    if (!point)
        return tl::unexpected(point.error());
    auto state = PluginState::init(*plugin, config);
    if (!state)
        return tl::unexpected(state.error());
    auto curves = equity_curve(*plugin, *state, *space, *point);
    if (!curves)
        return tl::unexpected(curves.error());
    return equity_to_json(*curves);
}

int describe(const std::string &path)
{
    auto plugin = Plugin::load(path);
    const std::string text = plugin ? plugin_info_to_json(plugin->info()) : plugin.error().message;
    std::fwrite(text.data(), 1, text.size(), stdout);
    return plugin ? exit_code::done : exit_code::refused;
}

class Server {
public:
    Server(const ServeSetup &args, const Plugin &plugin, const Space &space)
        : args_(args), plugin_(plugin), space_(space)
    {
    }

    Result<void> start()
    {
        if (plugin_.info().init_per_worker)
            return {};
        auto state = PluginState::init(plugin_, args_.config);
        if (!state)
            return tl::unexpected(state.error());
        state_ = std::move(*state);
        return {};
    }

    // The plugin's bars for the host (timeline_to_bytes), or nothing when it
    // has no ranges or no state here (init per worker).
    std::string timeline_bytes() const
    {
        if (!state_ || !plugin_.info().has_ranges)
            return {};
        auto timeline = read_timeline(plugin_, *state_);
        return timeline ? timeline_to_bytes(*timeline) : std::string();
    }

    void serve()
    {
        char request = 0;
        std::int32_t argument = 0;
        while (control::receive_request(control_fd, request, argument)) {
            if (request == control::spawn_request)
                spawn_worker();
            else if (request == control::reap_request)
                control::send_int(control_fd, reap(argument));
        }
        for (pid_t pid : workers_)
            kill(-pid, SIGKILL);
        for (pid_t pid : std::set<pid_t>(workers_))
            reap(pid);
    }

private:
    void spawn_worker()
    {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
            control::send_worker(control_fd, -1, -1);
            control::send_text(control_fd, std::strerror(errno));
            return;
        }
        std::fflush(nullptr);
        const pid_t pid = fork();
        if (pid == 0) {
            lead_own_group(0);
            close(control_fd);
            close(sv[0]);
            run_worker(sv[1]);
        }
        close(sv[1]);
        if (pid < 0) {
            control::send_worker(control_fd, -1, -1);
            control::send_text(control_fd, std::strerror(errno));
        } else {
            lead_own_group(pid);
            workers_.insert(pid);
            control::send_worker(control_fd, pid, sv[0]);
        }
        close(sv[0]);
    }

    [[noreturn]] void run_worker(int fd)
    {
        prepare_worker(args_.limits);
        if (plugin_.info().init_per_worker) {
            auto state = PluginState::init(plugin_, args_.config);
            if (!state) {
                refuse_tasks(fd, state.error().message);
                _exit(exit_code::init_failed);
            }
            state_ = std::move(*state);
        }
        PluginObjective objective(plugin_, *state_, space_, args_.metric);
        serve_tasks(fd, objective, args_.limits.answer_each);
        if (plugin_.info().init_per_worker)
            state_.reset(); // its own state: finish it. The server's shared one is the server's to finish.
        _exit(exit_code::done);
    }

    int reap(pid_t pid)
    {
        if (workers_.erase(pid) == 0)
            return 0;
        return end_worker_group(pid, false);
    }

    const ServeSetup &args_;
    const Plugin &plugin_;
    const Space &space_;
    std::optional<PluginState> state_;
    std::set<pid_t> workers_;
};

int serve(const ServeSetup &args)
{
    const pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGKILL); // dies with the host, and its workers with it
    if (getppid() != parent)
        return exit_code::refused;
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGPIPE, SIG_IGN);
    // A plugin whose init crashes must kill the server with its signal, for
    // the coordinator to report (sanitizer runtimes would turn it into an exit).
    for (int sig : crash_signals)
        std::signal(sig, SIG_DFL);
    // Descriptors the host left open without close-on-exec are not ours.
    close_range(control_fd + 1, ~0U, 0);
    auto plugin = Plugin::load(args.plugin);
    auto space = plugin ? space_from_json(args.space_json) : Result<Space>(tl::unexpected(plugin.error()));
    if (!space) {
        control::send_text(control_fd, space.error().message);
        return exit_code::refused;
    }
    Server server(args, *plugin, *space);
    if (auto started = server.start(); !started) {
        control::send_text(control_fd, started.error().message);
        return exit_code::refused;
    }
    control::send_text(control_fd, "ok");
    control::send_text(control_fd, server.timeline_bytes());
    server.serve();
    return exit_code::done;
}

} // namespace

int main(int argc, char **argv)
{
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == worker_protocol::describe_command && argc == 3)
        return describe(argv[2]);
    if (mode == worker_protocol::serve_command && argc == 2) {
        const auto texts = control::receive_texts(control_fd);
        const auto setup = texts ? worker_protocol::serve_setup_of(*texts) : std::nullopt;
        return setup ? serve(*setup) : exit_code::refused;
    }
    if (mode == worker_protocol::equity_command && argc == 3) {
        const auto text = equity();
        const std::string &out = text ? *text : text.error().message;
        std::fwrite(out.data(), 1, out.size(), stdout);
        return text ? exit_code::done : exit_code::refused;
    }
    std::fprintf(stderr, "btopt-worker is started by libbtopt: not meant to be run by hand\n");
    return exit_code::usage;
}
