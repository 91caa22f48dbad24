// The process executor: workers in their own processes, fed batches over
// sockets. A worker that dies costs only the task it was evaluating (marked
// crashed with the signal); one past eval_timeout is killed (timeout); the
// tasks queued behind either go to other workers, and the worker is replaced.
#include "executor.hpp"
#include "spawner.hpp"
#include "../core/ring.hpp"
#include "wire.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <unordered_set>

namespace btopt::internal {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t max_auto_batch = 64;
// Tasks each worker holds at least, whatever the batch size, when they are
// short: it answers when half are done, so it works through the other half
// while the coordinator refills it, and one round trip is shared by several
// tasks. About a millisecond of work is enough for that; holding more long
// tasks would only leave one worker busy at the end while another waits.
constexpr std::size_t most_held_short = 16;
constexpr double held_seconds = 1e-3;
constexpr auto collect_wait = std::chrono::milliseconds(50);
constexpr auto stop_wait = std::chrono::milliseconds(500); // for workers' finished outcomes at a cancel

// A descriptor that polls readable once the process has exited (Linux 5.3),
// or -1 where the kernel has none: then a death shows only as EOF on the
// worker's socket, which a child the worker forked may hold open.
int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#else
    (void)pid;
    return -1;
#endif
}

struct Slot {
    WorkerHandle handle;
    int pidfd = -1;      // readable once the worker has exited (open_pidfd)
    Ring<Task> assigned; // sent, not answered; the front one is running
    Clock::time_point started;  // when the front one started
    std::string in;
    std::size_t parsed = 0; // bytes of `in` already taken
    bool probing = false;   // it holds one suspect task and gets nothing else until it answers
    bool crashing = false;  // it said its crash handler ran (wire::Notice::Crashing)
    bool leaving = false;   // it said it answered every task it started (wire::Notice::Leaving)
    bool ready = false;     // it said it is set up (wire::Notice::Ready): its tasks' clock runs
    Clock::time_point spawned = Clock::now(); // for init_timeout until it is ready
    BarRange range{};       // the range its next task trades unless told another (wire::append_range)
};

class ProcessExecutor final : public Executor {
public:
    ProcessExecutor(std::unique_ptr<Spawner> spawner, const Options &options, unsigned workers)
        : spawner_(std::move(spawner)), batch_(static_cast<std::size_t>(options.batch_size)),
          timeout_(options.eval_timeout), init_timeout_(options.init_timeout), answer_each_(options.eval_timeout > 0),
          memory_capped_(options.max_memory > 0), workers_(workers)
    {
    }

    ~ProcessExecutor() override { shut_down(); }

    std::vector<std::string> shut_down() override
    {
        // Every idle worker is told first, so their finishes run side by side
        // and the grace periods overlap. A busy one is killed: no word of it.
        std::vector<std::string> problems;
        for (Slot &slot : slots_)
            if (slot.assigned.empty())
                shutdown(slot.handle.fd, SHUT_RDWR);
        for (Slot &slot : slots_) {
            const bool busy = !slot.assigned.empty();
            const WorkerExit exit = retire(slot, busy);
            if (!busy && !exit.clean)
                problems.push_back("a worker " + exit.text + " while running the plugin's finish");
        }
        slots_.clear();
        if (auto problem = spawner_->shut_down())
            problems.push_back(std::move(*problem));
        return problems;
    }

    Result<void> start()
    {
        for (unsigned w = 0; w < workers_; ++w) {
            auto handle = spawner_->spawn();
            if (!handle)
                return tl::unexpected(handle.error());
            Slot &slot = slots_.emplace_back();
            slot.handle = *handle;
            slot.pidfd = open_pidfd(handle->pid);
            slot.started = Clock::now();
        }
        return {};
    }

    std::size_t capacity() const override
    {
        return workers_ * std::max(4 * (batch_ > 0 ? batch_ : max_auto_batch), 2 * most_held_short);
    }
    unsigned workers() const override { return workers_; }
    std::optional<Error> failure() const override { return failure_; }

    void submit(std::vector<Task> &tasks) override
    {
        for (Task &task : tasks)
            queue_.push_back(std::move(task));
        tasks.clear();
        dispatch();
    }

    void collect(std::vector<Outcome> &out) override
    {
        dispatch();
        if (done_.empty() && busy())
            wait_and_read();
        check_timeouts();
        prune();
        dispatch();
        for (Outcome &o : done_)
            out.push_back(std::move(o));
        done_.clear();
    }

    void cancel() override
    {
        cancelled_ = true;
        for (auto *tasks : {&suspects_, &queue_})
            while (!tasks->empty())
                done_.push_back(cancelled_outcome(tasks->pop_front()));
        collect_finished_before_stop();
        for (Slot &slot : slots_) {
            if (slot.assigned.empty())
                continue;
            retire(slot, true);
            while (!slot.assigned.empty())
                done_.push_back(cancelled_outcome(slot.assigned.pop_front()));
            slot.handle = {};
        }
        prune();
    }

private:
    // At a cancel: every busy worker is told to send what it finished and
    // leave (stop_signal); what arrives within stop_wait is kept.
    void collect_finished_before_stop()
    {
        for (Slot &slot : slots_)
            if (!slot.assigned.empty())
                ::kill(slot.handle.pid, stop_signal);
        const auto deadline = Clock::now() + stop_wait;
        for (Slot &slot : slots_) {
            while (!slot.assigned.empty() && Clock::now() < deadline) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
                pollfd fd{slot.handle.fd, POLLIN, 0};
                if (poll(&fd, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 1))) <= 0 ||
                    wire::read_some(slot.handle.fd, slot.in) <= 0)
                    break;
                if (read_available(slot))
                    break; // it broke the protocol: what it sent after is not trusted
            }
            read_available(slot);
        }
    }

    void prune() { std::erase_if(slots_, [](const Slot &s) { return s.handle.pid < 0; }); }

    bool busy() const
    {
        return std::any_of(slots_.begin(), slots_.end(), [](const Slot &s) { return !s.assigned.empty(); });
    }

    std::size_t batch_for_worker() const
    {
        if (batch_ > 0)
            return batch_;
        // With eval_timeout, once tasks are known to be long (a timeout
        // teaches that), a worker holds few: hanging tasks queued behind one
        // another in one worker would time out one after another.
        if (timeout_ > 0 && seconds_per_task_ > held_seconds)
            return 1;
        return std::clamp<std::size_t>(queue_.size() / (2 * std::max<std::size_t>(slots_.size(), 1)), 1,
                                       max_auto_batch);
    }

    // Keeps each worker supplied: messages of `batch` tasks, at least
    // least_held() tasks (two batches when they are more) in hand, all its
    // new messages in one write.
    void dispatch()
    {
        if (cancelled_)
            return;
        for (Slot &slot : slots_) {
            slot.probing = slot.probing && !slot.assigned.empty();
            if (!suspects_.empty() && slot.assigned.empty())
                probe(slot);
            // While there are suspects, a busy worker gets nothing more: it
            // drains, and takes the next suspect.
            if (slot.probing || !suspects_.empty())
                continue;
            const std::size_t batch = batch_for_worker();
            const std::size_t held = std::max(2 * batch, least_held());
            message_.clear();
            while (!queue_.empty() && slot.assigned.size() < held) {
                const std::size_t n = tasks_of_one_range(std::min(batch, queue_.size()));
                if (slot.assigned.empty())
                    slot.started = Clock::now();
                tell_range(slot, queue_[0].range);
                wire::append_batch_size(message_, n);
                for (std::size_t t = 0; t < n; ++t) {
                    Task &task = slot.assigned.push_back_slot();
                    task = queue_.pop_front();
                    wire::append_task(message_, task);
                }
            }
            if (!message_.empty())
                wire::write_all(slot.handle.fd, message_.data(), message_.size()); // a failure: the read side finds the death
        }
    }

    // How many of the first `most` queued tasks trade the first one's range:
    // one batch holds one range.
    std::size_t tasks_of_one_range(std::size_t most) const
    {
        std::size_t n = 1;
        while (n < most && queue_[n].range == queue_[0].range)
            ++n;
        return n;
    }

    // Appends a range message to message_ when the worker's range is another.
    void tell_range(Slot &slot, const BarRange &range)
    {
        if (slot.range == range)
            return;
        wire::append_range(message_, range);
        slot.range = range;
    }

    // Two until tasks have been timed, then about held_seconds of them.
    std::size_t least_held() const
    {
        if (seconds_per_task_ <= 0)
            return 2;
        return static_cast<std::size_t>(std::clamp(held_seconds / seconds_per_task_, 2.0, double{most_held_short}));
    }

    // Gives an idle worker one suspect task, alone.
    void probe(Slot &slot)
    {
        slot.assigned.push_back(suspects_.pop_front());
        slot.started = Clock::now();
        slot.probing = true;
        message_.clear();
        tell_range(slot, slot.assigned.front().range);
        wire::append_batch_size(message_, 1);
        wire::append_task(message_, slot.assigned.front());
        wire::write_all(slot.handle.fd, message_.data(), message_.size());
    }

    // Waits for answers on the workers' sockets and for their deaths on
    // their pidfds: a worker that died while a child it forked holds its
    // socket open never reads as EOF.
    void wait_and_read()
    {
        const std::size_t n = slots_.size();
        std::vector<pollfd> fds;
        std::vector<pid_t> pids;
        for (const Slot &slot : slots_) {
            fds.push_back(pollfd{slot.handle.fd, POLLIN, 0});
            pids.push_back(slot.handle.pid);
        }
        for (const Slot &slot : slots_)
            fds.push_back(pollfd{slot.pidfd, POLLIN, 0}); // a negative fd is ignored by poll
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(collect_wait);
        if (timeout_ > 0)
            wait = std::min(wait, time_to_next_deadline());
        if (poll(fds.data(), fds.size(), static_cast<int>(std::max<std::int64_t>(wait.count(), 1))) <= 0)
            return;
        for (std::size_t i = 0; i < n; ++i)
            if (fds[i].revents != 0)
                read_from(i);
        for (std::size_t i = 0; i < n; ++i) // a slot read_from replaced has another pid
            if (fds[n + i].revents != 0 && slots_[i].handle.pid == pids[i])
                exited(slots_[i]);
    }

    // The worker has exited but its socket may stay open: take what it sent
    // before, then it is gone as if its socket had closed.
    void exited(Slot &slot)
    {
        for (;;) {
            pollfd fd{slot.handle.fd, POLLIN, 0};
            if (poll(&fd, 1, 0) <= 0 || wire::read_some(slot.handle.fd, slot.in) <= 0)
                break;
        }
        settle(slot, /*gone=*/true);
    }

    // Closes the worker's pidfd and hands it to the spawner to end.
    WorkerExit retire(Slot &slot, bool kill)
    {
        if (slot.pidfd >= 0)
            close(slot.pidfd);
        slot.pidfd = -1;
        return spawner_->retire(slot.handle, kill);
    }

    std::chrono::milliseconds time_to_next_deadline() const
    {
        auto next = std::chrono::milliseconds::max();
        const auto limit = std::chrono::duration<double>(timeout_);
        for (const Slot &slot : slots_)
            if (slot.ready && !slot.assigned.empty()) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    slot.started + std::chrono::duration_cast<Clock::duration>(limit) - Clock::now());
                next = std::min(next, left);
            }
        return next;
    }

    // Takes every complete answer the worker has sent, in the order it was
    // given the tasks. Says how the worker broke the protocol, if it did:
    // an outcome for a trial it was not due to answer, or a malformed one.
    std::optional<std::string> read_available(Slot &slot)
    {
        std::optional<std::string> broken;
        while (const auto number = wire::peek_number(slot.in, slot.parsed)) {
            if (*number != wire::notice_number && (slot.assigned.empty() || *number != slot.assigned.front().number)) {
                broken = slot.assigned.empty()
                             ? fmt::format("it sent an outcome for trial {} with no task in hand", *number)
                             : fmt::format("it sent an outcome for trial {} while trial {} was due", *number,
                                           slot.assigned.front().number);
                break;
            }
            Outcome &o = done_.emplace_back();
            const wire::Parsed parsed = wire::take_outcome(slot.in, slot.parsed, o);
            if (parsed == wire::Parsed::Complete && o.number == wire::notice_number) {
                note(slot, static_cast<wire::Notice>(o.evaluation.status), std::move(o.evaluation.error));
                done_.pop_back();
                continue;
            }
            if (parsed != wire::Parsed::Complete) {
                done_.pop_back();
                if (parsed == wire::Parsed::Invalid)
                    broken = fmt::format("it sent a malformed outcome for trial {}", *number);
                break;
            }
            slot.assigned.drop_front();
            slot.started = Clock::now();
            if (o.evaluation.status != TrialStatus::Cancelled)
                time_task(o.seconds);
        }
        slot.in.erase(0, std::exchange(slot.parsed, 0));
        return broken;
    }

    void note(Slot &slot, wire::Notice notice, std::string why)
    {
        slot.crashing = slot.crashing || notice == wire::Notice::Crashing;
        slot.leaving = slot.leaving || notice == wire::Notice::Leaving;
        if (notice == wire::Notice::Ready) {
            slot.ready = true;
            slot.started = Clock::now(); // the tasks sent ahead start now, not when they were sent
        }
        if (notice == wire::Notice::InitFailed && !failure_)
            failure_ = Error{BTOPT_ERR_PLUGIN, std::move(why)};
    }

    void time_task(double seconds)
    {
        seconds = std::max(seconds, 1e-9); // never 0: 0 means "not timed yet"
        seconds_per_task_ = seconds_per_task_ > 0 ? 0.9 * seconds_per_task_ + 0.1 * seconds : seconds;
    }

    void read_from(std::size_t i)
    {
        Slot &slot = slots_[i];
        settle(slot, /*gone=*/wire::read_some(slot.handle.fd, slot.in) <= 0);
    }

    // Takes what the worker sent: one that broke the protocol is killed, one
    // that is gone (its socket closed, or it exited) is replaced.
    void settle(Slot &slot, bool gone)
    {
        if (const auto broken = read_available(slot)) {
            retire(slot, true);
            replace(slot, WorkerExit{"broke the worker protocol (" + *broken + ") and was killed"}, TrialStatus::Crashed);
        } else if (gone) {
            replace(slot, retire(slot, false), TrialStatus::Crashed);
        }
    }

    void check_timeouts()
    {
        check_init_timeouts();
        if (timeout_ <= 0)
            return;
        const auto limit = std::chrono::duration<double>(timeout_);
        for (Slot &slot : slots_)
            if (slot.handle.pid >= 0 && slot.ready && !slot.assigned.empty() && Clock::now() - slot.started > limit) {
                read_available(slot); // a broken answer changes nothing: the worker goes anyway
                retire(slot, true);
                time_task(timeout_); // the pacing learns that tasks can be this long
                replace(slot, WorkerExit{fmt::format("ran past eval_timeout ({} s) and its worker was killed", timeout_)},
                        TrialStatus::Timeout);
            }
    }

    // A worker whose (per-worker) init runs past init_timeout fails the run.
    void check_init_timeouts()
    {
        if (init_timeout_ <= 0 || failure_)
            return;
        const auto limit = std::chrono::duration<double>(init_timeout_);
        for (Slot &slot : slots_)
            if (slot.handle.pid >= 0 && !slot.ready && Clock::now() - slot.spawned > limit) {
                failure_ = Error{BTOPT_ERR_PLUGIN, fmt::format("a worker's plugin init did not finish within "
                                                               "init_timeout ({} s)", init_timeout_)};
                retire(slot, true);
                slot.handle = {};
            }
    }

    // The worker is gone: blame its running task, re-queue the rest in
    // order, and start a new worker in its place. The running task is the
    // first one not answered when the worker said its crash handler ran (or
    // when it answers each task at once, or held one); when it left without a
    // word (a plain exit, SIGKILL) with several in hand, its tasks become
    // suspects. None is blamed when it said it answered every task it started
    // (out of memory) -- once per task, so a forged word cannot loop a task for ever.
    void replace(Slot &slot, const WorkerExit &exit, TrialStatus status)
    {
        if (failure_) { // the run fails: nothing to blame, nobody to start
            slot.handle = {};
            return;
        }
        const bool none_running = slot.leaving && !slot.assigned.empty() && spared_.insert(slot.assigned.front().number).second;
        const bool known = slot.crashing || slot.leaving || answer_each_ || slot.assigned.size() <= 1;
        if (!known)
            while (!slot.assigned.empty())
                suspects_.push_back(slot.assigned.pop_front());
        if (!slot.assigned.empty() && !none_running)
            done_.push_back(blamed(slot, exit, status));
        // The rest go first, ahead of the queue (a rare path: copying the queue is fine).
        while (!queue_.empty())
            slot.assigned.push_back(queue_.pop_front());
        std::swap(queue_, slot.assigned);
        slot.in.clear();
        slot.parsed = 0;
        slot.crashing = slot.leaving = slot.ready = false;
        auto fresh = spawner_->spawn();
        if (fresh) {
            slot.handle = *fresh;
            slot.pidfd = open_pidfd(fresh->pid);
            slot.spawned = Clock::now();
            return;
        }
        // No replacement: the others carry on (prune() drops this slot); with
        // none left, the queue cannot run.
        slot.handle = {};
        if (std::all_of(slots_.begin(), slots_.end(), [](const Slot &s) { return s.handle.pid < 0; }))
            for (auto *tasks : {&suspects_, &queue_})
                while (!tasks->empty())
                    done_.push_back(Outcome{tasks->pop_front().number,
                                            Evaluation{TrialStatus::Crashed, 0.0,
                                                       "no worker could be started: " + fresh.error().message, {}},
                                            0.0});
    }

    // The outcome of the task a worker was running when it went.
    Outcome blamed(Slot &slot, const WorkerExit &exit, TrialStatus status)
    {
        Outcome o{.number = slot.assigned.front().number, .evaluation = {}, .seconds = 0.0};
        o.evaluation.status = status;
        if (status == TrialStatus::Timeout)
            o.evaluation.error = "the evaluation " + exit.text;
        else
            o.evaluation.error = "the worker evaluating it " + exit.text +
                                 (memory_capped_ && exit.text.find("signal") != std::string::npos
                                      ? " (probably over max_memory_per_worker)"
                                      : "");
        o.seconds = std::chrono::duration<double>(Clock::now() - slot.started).count();
        slot.assigned.drop_front();
        return o;
    }

    std::unique_ptr<Spawner> spawner_;
    std::size_t batch_;
    double timeout_;
    double init_timeout_; // seconds a worker may take to say it is ready (a per-worker init)
    bool answer_each_; // the workers send each outcome at once (WorkerLimits::answer_each)
    bool memory_capped_; // max_memory_per_worker is set: a crash may be an allocation past it
    double seconds_per_task_ = 0.0; // a running mean of evaluation times; 0 until the first
    unsigned workers_;
    std::vector<Slot> slots_;
    Ring<Task> queue_;
    // Tasks of a worker that died without saying which one it was running:
    // each is evaluated again alone, so the next death names its task.
    Ring<Task> suspects_;
    std::vector<Outcome> done_;
    std::unordered_set<std::uint64_t> spared_; // tasks once re-queued unblamed after a worker said it was leaving
    std::string message_; // reused for every write
    bool cancelled_ = false;
    std::optional<Error> failure_;
};

} // namespace

Result<std::unique_ptr<Executor>> make_process_executor(std::unique_ptr<Spawner> spawner, const Options &options,
                                                        unsigned workers)
{
    auto executor = std::make_unique<ProcessExecutor>(std::move(spawner), options, workers);
    if (auto started = executor->start(); !started)
        return tl::unexpected(started.error());
    return std::unique_ptr<Executor>(std::move(executor));
}

} // namespace btopt::internal
