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

namespace btopt::internal {

WorkerExit describe_exit(int status)
{
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        return {fmt::format("signal {} ({})", sig, strsignal(sig)), false, is_crash_signal(sig)};
    }
    if (WIFEXITED(status)) // 3: the out-of-memory answer, sent with the rest
        return {fmt::format("exit status {}", WEXITSTATUS(status)), WEXITSTATUS(status) == 3, WEXITSTATUS(status) == 3};
    return {"stopped", false, false};
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
        const pid_t pid = fork();
        if (pid < 0) {
            close(sv[0]);
            close(sv[1]);
            return fail(BTOPT_ERR_INTERNAL, "fork failed: {}", std::strerror(errno));
        }
        if (pid == 0)
            run_child(sv[1], sv[0]);
        close(sv[1]);
        open_.insert(sv[0]);
        return WorkerHandle{pid, sv[0]};
    }

    WorkerExit retire(const WorkerHandle &worker, bool kill) override
    {
        close(worker.fd);
        open_.erase(worker.fd);
        if (kill)
            ::kill(worker.pid, SIGKILL);
        int status = 0;
        while (waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
        }
        return describe_exit(status);
    }

private:
    [[noreturn]] void run_child(int fd, int parent_end)
    {
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
