// Workers forked from the host. Only the forking thread survives in the
// child, so this is for hosts that are single-threaded when they call run
// (C, C++, Python without threads); Go and Julia bindings refuse it.
#include "spawner.hpp"

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <set>
#include <thread>

namespace btopt::internal {

WorkerExit describe_exit(int status)
{
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        return {fmt::format("was killed by signal {} ({})", sig, strsignal(sig))};
    }
    if (WIFEXITED(status))
        return {fmt::format("exited with status {}", WEXITSTATUS(status)), WEXITSTATUS(status) == exit_code::done};
    return {"stopped"}; // not asked for: waitpid without WUNTRACED
}

void lead_own_group(pid_t worker) { setpgid(worker, worker); }

bool wait_exited(pid_t pid, std::chrono::milliseconds grace)
{
    const auto deadline = std::chrono::steady_clock::now() + grace;
    for (;;) {
        siginfo_t info{};
        const int rc = waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT | WNOHANG);
        if ((rc == 0 && info.si_pid == pid) || (rc < 0 && errno != EINTR))
            return true;
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

int end_worker_group(pid_t worker, bool kill)
{
    if (kill || !wait_exited(worker, shutdown_grace))
        ::kill(-worker, SIGKILL);
    // Not reaped yet: while the worker is a zombie its pid (the group's id)
    // cannot be given to another process, so the group kill hits only ours.
    wait_exited(worker, std::chrono::hours(24 * 365));
    ::kill(-worker, SIGKILL);
    int status = 0;
    while (waitpid(worker, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

namespace {

class ForkSpawner final : public Spawner {
public:
    ForkSpawner(Objective &objective, WorkerLimits limits) : objective_(objective), limits_(limits) {}

    Result<WorkerHandle> spawn() override
    {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            return fail(BTOPT_ERR_INTERNAL, "socketpair failed: {}", std::strerror(errno));
        std::fflush(nullptr); // or buffered output would be printed twice
        objective_.before_fork();
        const pid_t pid = fork();
        if (pid != 0)
            objective_.after_fork_parent();
        if (pid < 0) {
            close(sv[0]);
            close(sv[1]);
            return fail(BTOPT_ERR_INTERNAL, "fork failed: {}", std::strerror(errno));
        }
        if (pid == 0)
            run_child(sv[1], sv[0]);
        lead_own_group(pid);
        close(sv[1]);
        open_.insert(sv[0]);
        return WorkerHandle{pid, sv[0]};
    }

    WorkerExit retire(const WorkerHandle &worker, bool kill) override
    {
        close(worker.fd);
        open_.erase(worker.fd);
        return describe_exit(end_worker_group(worker.pid, kill));
    }

private:
    [[noreturn]] void run_child(int fd, int parent_end)
    {
        objective_.after_fork_child();
        lead_own_group(0);
        close(parent_end);
        for (int other : open_) // other workers' sockets: they must see EOF when the coordinator closes them
            close(other);
        prepare_worker(limits_);
        serve_tasks(fd, objective_, limits_.answer_each);
        _exit(0);
    }

    Objective &objective_;
    WorkerLimits limits_;
    std::set<int> open_;
};

} // namespace

std::unique_ptr<Spawner> make_fork_spawner(Objective &objective, WorkerLimits limits)
{
    return std::make_unique<ForkSpawner>(objective, limits);
}

} // namespace btopt::internal
