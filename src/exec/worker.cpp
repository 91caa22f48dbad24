#include "worker.hpp"

#include "executor.hpp"
#include "wire.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

namespace btopt::internal {
namespace {

// The allocation-failure and crash paths must not allocate: the outcomes not
// yet sent wait in a fixed buffer, and the memory answer is built ahead.
int task_fd = -1;
// The worker's own pid: a process a plugin forks inherits the handlers
// below, and must never speak for the worker.
pid_t worker_pid = -1;
std::uint64_t current_task = 0;
std::string memory_message;
char memory_answer[512];

constexpr std::size_t unsent_capacity = 64 * 1024;
char unsent[unsent_capacity];
// Bytes of whole outcomes in `unsent`. Whoever sends them takes the count
// first, so a crash handler running in another thread (a plugin's own)
// never sends the same outcomes twice. Lock-free, so safe in a handler.
std::atomic<std::size_t> unsent_size{0};
static_assert(std::atomic<std::size_t>::is_always_lock_free);

void send_unsent()
{
    if (const std::size_t n = unsent_size.exchange(0); n > 0)
        wire::write_all(task_fd, unsent, n);
}

// Built ahead: a handler must not allocate.
char crashing_notice[64];
char leaving_notice[64];
std::size_t notice_size = 0;

void build_notices()
{
    std::string bytes;
    wire::append_notice(bytes, wire::Notice::Crashing);
    notice_size = bytes.size();
    std::memcpy(crashing_notice, bytes.data(), notice_size);
    bytes.clear();
    wire::append_notice(bytes, wire::Notice::Leaving);
    std::memcpy(leaving_notice, bytes.data(), notice_size);
}
static_assert(sizeof crashing_notice >= 40, "a notice is an outcome with no metrics and no error");

void on_out_of_memory()
{
    if (getpid() != worker_pid) { // a plugin's own child: the usual std::bad_alloc
        std::set_new_handler(nullptr);
        return;
    }
    send_unsent();
    // Patch the trial number into the answer built in prepare_worker, send
    // it, say nothing else was running, leave.
    std::memcpy(memory_answer, &current_task, sizeof current_task);
    wire::write_all(task_fd, memory_answer, memory_message.size());
    wire::write_all(task_fd, leaving_notice, notice_size);
    _exit(exit_code::out_of_memory);
}

// A crash: send the outcomes finished before it and say so, then die of the
// same signal (the handler is reset on entry, so the fault repeats or the
// raise lands). In a process a plugin forked, only the dying.
void on_crash(int sig)
{
    if (getpid() == worker_pid) {
        send_unsent();
        wire::write_all(task_fd, crashing_notice, notice_size);
    }
    std::raise(sig);
}

// The coordinator's "stop now" at a cancel: send what is finished, leave.
void on_stop(int)
{
    if (getpid() != worker_pid) // a plugin's own child: not ours to answer for
        _exit(exit_code::done);
    send_unsent();
    _exit(exit_code::done);
}

void install_crash_handler()
{
    // Its own stack, so a stack overflow in the objective still gets here.
    static char stack[64 * 1024];
    const stack_t alternate{.ss_sp = stack, .ss_flags = 0, .ss_size = sizeof stack};
    sigaltstack(&alternate, nullptr);
    struct sigaction action {};
    action.sa_handler = on_crash;
    action.sa_flags = SA_RESETHAND | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (int sig : crash_signals)
        sigaction(sig, &action, nullptr);
    struct sigaction stop {};
    stop.sa_handler = on_stop;
    sigemptyset(&stop.sa_mask);
    sigaction(stop_signal, &stop, nullptr);
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

// Queues an encoded outcome behind the unsent ones; false when the socket failed.
bool queue_outcome(const std::string &bytes)
{
    if (unsent_size.load() + bytes.size() > unsent_capacity) {
        send_unsent();
        if (bytes.size() > unsent_capacity) // a huge error text: straight out
            return wire::write_all(task_fd, bytes.data(), bytes.size());
    }
    // The bytes first, then the count that makes a crash handler send them.
    std::memcpy(unsent + unsent_size.load(), bytes.data(), bytes.size());
    unsent_size.fetch_add(bytes.size());
    return true;
}

// Reads whatever tasks have arrived without waiting: the worker looks for
// more work each time it answers, so its queue refills while it works.
bool read_waiting(int fd, std::string &in)
{
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n > 0) {
            in.append(buffer, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTSOCK);
    }
}

// A high descriptor for the task socket, close-on-exec; `fd` itself when
// none is free.
int move_high(int fd)
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur < 64)
        return fd;
    const int floor = static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 4096) - 32);
    const int high = fcntl(fd, F_DUPFD_CLOEXEC, floor);
    if (high < 0)
        return fd;
    close(fd);
    return high;
}

} // namespace

void prepare_worker(const WorkerLimits &limits)
{
    worker_pid = getpid();
    const pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) // the parent died before the line above took effect
        _exit(exit_code::refused);
    std::signal(SIGINT, SIG_IGN); // Ctrl-C goes to the coordinator, which stops the workers itself
    // A crash must kill the worker, so the coordinator sees the signal: a
    // host's own crash handler (inherited through fork) would run host code here.
    for (int sig : crash_signals)
        std::signal(sig, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
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

void serve_tasks(int fd, Objective &objective, bool answer_each)
{
    fd = move_high(fd);
    task_fd = fd;
    build_notices();
    install_crash_handler();
    std::string ready;
    wire::append_notice(ready, wire::Notice::Ready);
    if (!wire::write_all(fd, ready.data(), ready.size()))
        return;
    std::string in, encoded;
    std::vector<Task> tasks;
    std::size_t next = 0, parsed = 0, unsent_count = 0;
    BarRange range{}; // the coordinator says when its tasks trade another
    Evaluator evaluate(objective, CLOCK_PROCESS_CPUTIME_ID); // this process is the worker: its threads all count
    for (;;) {
        while (wire::take_batch(in, parsed, tasks, range)) {
        }
        in.erase(0, std::exchange(parsed, 0));
        if (next >= 256 && next < tasks.size()) { // a steady stream never runs dry: drop the done ones
            tasks.erase(tasks.begin(), tasks.begin() + static_cast<std::ptrdiff_t>(next));
            next = 0;
        }
        if (next == tasks.size()) {
            // Nothing left to evaluate: send what is done, then wait for more.
            send_unsent();
            unsent_count = 0;
            tasks.clear();
            next = 0;
            if (wire::read_some(fd, in) <= 0)
                return;
            evaluate.restart();
            continue;
        }
        const Task &task = tasks[next++];
        current_task = task.number;
        encoded.clear();
        wire::append_outcome(encoded, evaluate(task));
        if (!queue_outcome(encoded))
            return;
        // Answer once as many are done as are still queued: the coordinator
        // then refills this worker while it works through the other half.
        if (answer_each || ++unsent_count >= tasks.size() - next) {
            send_unsent();
            unsent_count = 0;
            if (!read_waiting(fd, in))
                return;
            evaluate.restart();
        }
    }
}

void refuse_tasks(int fd, const std::string &why)
{
    std::string bytes;
    wire::append_notice(bytes, wire::Notice::InitFailed, why);
    wire::write_all(fd, bytes.data(), bytes.size());
}

} // namespace btopt::internal
