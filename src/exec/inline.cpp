// The inline executor evaluates on the thread that called run: the reference
// every other executor must match, and the choice for n_jobs = 1.
#include "executor.hpp"

#include <deque>

namespace btopt::internal {
namespace {

class InlineExecutor final : public Executor {
public:
    InlineExecutor(Objective &objective, const Options &options)
        : evaluate_(objective), batch_(options.batch_size > 0 ? static_cast<std::size_t>(options.batch_size) : 1)
    {
    }

    std::size_t capacity() const override { return std::max<std::size_t>(batch_, 64); }
    void submit(std::vector<Task> &tasks) override
    {
        for (Task &task : tasks)
            queue_.push_back(std::move(task));
        tasks.clear();
    }

    void collect(std::vector<Outcome> &out) override
    {
        evaluate_.restart();
        for (std::size_t n = 0; n < batch_ && !queue_.empty(); ++n) {
            out.push_back(cancelled_ ? cancelled_outcome(queue_.front()) : evaluate_(queue_.front()));
            queue_.pop_front();
        }
    }

    void cancel() override { cancelled_ = true; }
    unsigned workers() const override { return 1; }

private:
    Evaluator evaluate_;
    std::size_t batch_;
    std::deque<Task> queue_;
    bool cancelled_ = false;
};

} // namespace

std::unique_ptr<Executor> make_inline_executor(Objective &objective, const Options &options)
{
    return std::make_unique<InlineExecutor>(objective, options);
}

} // namespace btopt::internal
