// The thread executor: a pool of threads in this process sharing one queue.
// Each worker takes a batch of tasks at a time (batch_size, or automatic:
// about two milliseconds of them, at most a share of the queue, so cheap
// objectives do not fight over the lock and slow ones still spread over
// every worker).
#include "executor.hpp"

#include "../core/ring.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace btopt::internal {
namespace {

constexpr std::size_t max_auto_batch = 1024;
constexpr double auto_batch_seconds = 2e-3;
constexpr double refill_seconds = 5e-3;
// How long collect() waits before giving the caller a chance to notice a cancellation.
constexpr auto collect_wait = std::chrono::milliseconds(50);

class ThreadExecutor final : public Executor {
public:
    ThreadExecutor(Objective &objective, const Options &options, unsigned workers)
        : objective_(objective), batch_(static_cast<std::size_t>(options.batch_size)), workers_(workers)
    {
        threads_.reserve(workers);
        for (unsigned w = 0; w < workers; ++w)
            threads_.emplace_back([this] { work(); });
    }

    ~ThreadExecutor() override
    {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        work_ready_.notify_all();
        for (auto &thread : threads_)
            thread.join();
    }

    std::size_t capacity() const override
    {
        return workers_ * std::max<std::size_t>(4 * (batch_ > 0 ? batch_ : max_auto_batch), 32);
    }

    void submit(std::vector<Task> &tasks) override
    {
        {
            std::lock_guard lock(mutex_);
            in_flight_ += tasks.size();
            for (Task &task : tasks)
                queue_.push_back(std::move(task));
        }
        tasks.clear();
        work_ready_.notify_all();
    }

    void collect(std::vector<Outcome> &out) override
    {
        std::unique_lock lock(mutex_);
        done_ready_.wait_for(lock, collect_wait, [this] { return !done_.empty() || in_flight_ == 0; });
        in_flight_ -= done_.size();
        for (Outcome &o : done_)
            out.push_back(std::move(o));
        done_.clear();
    }

    void cancel() override
    {
        std::lock_guard lock(mutex_);
        cancelled_.store(true);
        while (!queue_.empty())
            done_.push_back(cancelled_outcome(queue_.pop_front()));
        done_ready_.notify_all();
    }

    unsigned workers() const override { return workers_; }

private:
    std::size_t take_count() const
    {
        if (batch_ > 0)
            return std::min(batch_, queue_.size());
        // One at a time until tasks have been timed.
        const double by_time = seconds_per_task_ > 0 ? auto_batch_seconds / seconds_per_task_ : 1.0;
        const double share = static_cast<double>(queue_.size()) / (2.0 * workers_);
        return static_cast<std::size_t>(std::clamp(std::min(by_time, share), 1.0, double{max_auto_batch}));
    }

    // The coordinator sleeps until the queue runs low: half empty, or down to
    // a few milliseconds of work. Waking it for every batch costs it a
    // wake-up each time, taken from a worker's core, and it only needs the
    // outcomes to refill (it also looks every collect_wait, for progress).
    std::size_t refill_level() const
    {
        const std::size_t half = capacity() / 2;
        if (seconds_per_task_ <= 0)
            return half;
        return static_cast<std::size_t>(std::min(static_cast<double>(half), refill_seconds / seconds_per_task_));
    }

    // A running mean of evaluation times, for the automatic batch; under the lock.
    void time_batch(const std::vector<Outcome> &outcomes)
    {
        double total = 0.0;
        for (const Outcome &o : outcomes)
            total += o.seconds;
        const double mean = std::max(total / static_cast<double>(outcomes.size()), 1e-9);
        seconds_per_task_ = seconds_per_task_ > 0 ? 0.8 * seconds_per_task_ + 0.2 * mean : mean;
    }

    void work()
    {
        std::vector<Task> batch;
        std::vector<Outcome> outcomes;
        Evaluator evaluate(objective_);
        for (;;) {
            {
                std::unique_lock lock(mutex_);
                work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
                if (stopping_)
                    return;
                batch.clear();
                for (std::size_t n = take_count(); n > 0; --n)
                    batch.push_back(queue_.pop_front());
            }
            outcomes.clear();
            evaluate.restart();
            for (const Task &task : batch)
                outcomes.push_back(is_cancelled() ? cancelled_outcome(task) : evaluate(task));
            bool wake;
            {
                std::lock_guard lock(mutex_);
                time_batch(outcomes);
                for (Outcome &outcome : outcomes)
                    done_.push_back(std::move(outcome));
                wake = queue_.size() <= refill_level();
            }
            if (wake)
                done_ready_.notify_one();
        }
    }

    bool is_cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

    Objective &objective_;
    std::size_t batch_;
    unsigned workers_;
    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable work_ready_, done_ready_;
    Ring<Task> queue_;
    std::vector<Outcome> done_;
    std::size_t in_flight_ = 0;
    double seconds_per_task_ = 0.0; // 0 until the first batch is timed
    std::atomic<bool> cancelled_{false};
    bool stopping_ = false;
};

} // namespace

std::unique_ptr<Executor> make_thread_executor(Objective &objective, const Options &options, unsigned workers)
{
    return std::make_unique<ThreadExecutor>(objective, options, workers);
}

} // namespace btopt::internal
