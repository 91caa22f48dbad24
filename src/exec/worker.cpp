#include "worker.hpp"

#include "executor.hpp"
#include "wire.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

namespace btopt::internal {
namespace {

// The allocation-failure path must not allocate: its answer is built ahead.
int task_fd = -1;
std::uint64_t current_task = 0;
std::string memory_message;
char memory_answer[512];

void on_out_of_memory()
{
    // Patch the trial number into the answer built in prepare_worker, send it, leave.
    std::memcpy(memory_answer, &current_task, sizeof current_task);
    wire::write_all(task_fd, memory_answer, memory_message.size());
    _exit(3);
}

void build_memory_answer(std::uint64_t max_memory)
{
    Outcome o;
    o.evaluation.status = TrialStatus::Failed;
    o.evaluation.error = fmt::format("the evaluation needed more than max_memory_per_worker ({} bytes)", max_memory);
    memory_message.clear();
    wire::append_outcome(memory_message, o);
    std::memcpy(memory_answer, memory_message.data(), std::min(memory_message.size(), sizeof memory_answer));
}

} // namespace

void prepare_worker(const WorkerLimits &limits)
{
    const pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) // the parent died before the line above took effect
        _exit(1);
    std::signal(SIGINT, SIG_IGN); // Ctrl-C goes to the coordinator, which stops the workers itself
    // A crash must kill the worker, so the coordinator sees the signal: a
    // host's own crash handler (inherited through fork) would run host code here.
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM})
        std::signal(sig, SIG_DFL);
    if (limits.threads > 0) {
        const std::string n = std::to_string(limits.threads);
        for (const char *var : {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"})
            setenv(var, n.c_str(), 1);
    }
    if (limits.max_memory > 0) {
        build_memory_answer(limits.max_memory);
        const rlimit cap{limits.max_memory, limits.max_memory};
        setrlimit(RLIMIT_AS, &cap);
        std::set_new_handler(on_out_of_memory);
    }
}

void serve_tasks(int fd, Objective &objective)
{
    task_fd = fd;
    std::string in, out;
    for (;;) {
        auto batch = wire::take_batch(in);
        if (!batch) {
            if (wire::read_some(fd, in) <= 0)
                return;
            continue;
        }
        for (const Task &task : *batch) {
            current_task = task.number;
            out.clear();
            wire::append_outcome(out, evaluate_task(objective, task));
            if (!wire::write_all(fd, out.data(), out.size()))
                return;
        }
    }
}

} // namespace btopt::internal
