// The MPI backend (libbtopt-mpi.so). The same program runs on every rank.
// Rank 0 runs the search and owns the trial table: its executor hands
// batches to the other ranks. Every other rank serves batches with its own
// process pool (the process executor: a crash costs one point, never a rank)
// until rank 0 says stop. Ranks get work as they run low, in batches sized to
// about 50 ms of their own evaluations, so a slow machine does not hold up
// the run. Between ranks travel the same plain bytes as between a
// coordinator and its workers (wire.hpp).
#include "wire.hpp"

#include "../plugin/plugin_objective.hpp"
#include "../run/launch.hpp"

// The C API only: the deprecated C++ bindings would need libmpi_cxx.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <thread>

namespace btopt::internal {
namespace {

enum Tag : int { tasks_tag = 1, outcomes_tag = 2, cancel_tag = 3, stop_tag = 4, ready_tag = 5 };

constexpr auto collect_wait = std::chrono::milliseconds(50);
constexpr auto idle_sleep = std::chrono::microseconds(200);
constexpr double seconds_per_message = 0.05;

void finalize_mpi()
{
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized)
        MPI_Finalize();
}

void ensure_mpi()
{
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized)
        return;
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    std::atexit(finalize_mpi); // we started MPI, so we end it
}

void send_bytes(int to, int tag, const std::string &bytes)
{
    MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD);
}

std::string receive_bytes(int from, int tag, MPI_Status *status = nullptr)
{
    MPI_Status probe;
    MPI_Probe(from, tag, MPI_COMM_WORLD, &probe);
    int size = 0;
    MPI_Get_count(&probe, MPI_BYTE, &size);
    std::string bytes(static_cast<std::size_t>(size), '\0');
    MPI_Recv(bytes.data(), size, MPI_BYTE, probe.MPI_SOURCE, probe.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (status)
        *status = probe;
    return bytes;
}

// A message from `from` (any source with MPI_ANY_SOURCE) if one is waiting.
std::optional<std::string> poll_bytes(int from, MPI_Status &status)
{
    int waiting = 0;
    MPI_Iprobe(from, MPI_ANY_TAG, MPI_COMM_WORLD, &waiting, &status);
    if (!waiting)
        return std::nullopt;
    return receive_bytes(status.MPI_SOURCE, status.MPI_TAG);
}

std::string host_name()
{
    char name[MPI_MAX_PROCESSOR_NAME] = "";
    int length = 0;
    MPI_Get_processor_name(name, &length);
    return name;
}

// ---- the other ranks -------------------------------------------------------

RunOutcome empty_outcome(const RunPlan &plan, int rank)
{
    RunOutcome outcome;
    outcome.result.space = plan.space;
    outcome.result.info.algorithm = plan.algorithm;
    outcome.result.info.backend = "mpi";
    outcome.result.info.rank = rank;
    return outcome;
}

// Serves batches from rank 0 with this rank's process pool until told to stop.
// Rank 0 never lists the plugin's bars: each rank resolved the run's range
// (start, end) itself, and rank 0's tasks trade it until it says otherwise.
void serve_batches(Executor &executor, BarRange run_range)
{
    std::size_t in_flight = 0;
    std::string out;
    std::vector<Task> batch;
    std::vector<Outcome> outcomes;
    BarRange range = run_range;
    for (bool stop = false; !stop;) {
        MPI_Status status;
        bool heard = false;
        while (auto bytes = poll_bytes(0, status)) {
            heard = true;
            if (status.MPI_TAG == tasks_tag) {
                std::size_t at = 0;
                while (at < bytes->size() && wire::take_batch(*bytes, at, batch, range)) {
                }
                in_flight += batch.size();
                executor.submit(batch);
            } else if (status.MPI_TAG == cancel_tag) {
                executor.cancel();
            } else if (status.MPI_TAG == stop_tag) {
                stop = true;
            }
        }
        if (in_flight > 0) {
            out.clear();
            outcomes.clear();
            executor.collect(outcomes);
            for (const Outcome &o : outcomes) {
                wire::append_outcome(out, o);
                --in_flight;
            }
            if (!out.empty())
                send_bytes(0, outcomes_tag, out);
        } else if (!heard) {
            std::this_thread::sleep_for(idle_sleep);
        }
    }
}

Result<RunOutcome> serve_rank(const RunPlan &plan, int rank)
{
    Assembly a;
    const std::atomic<bool> never_cancelled{false}; // a rank stops when rank 0 says so, after its setup
    Result<void> ready = resolve_jobs(plan.options.n_jobs).and_then([&](unsigned workers) {
        return assemble(plan, "process", workers, a, never_cancelled);
    });
    // READY: "<status> <workers> <host>\n<message>"; status 0 means ok.
    send_bytes(0, ready_tag,
               ready ? fmt::format("0 {} {}\n", a.executor->workers(), host_name())
                     : fmt::format("{} 0 {}\n{}", static_cast<int>(ready.error().code), host_name(),
                                   ready.error().message));
    int go = 0;
    MPI_Bcast(&go, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (go)
        serve_batches(*a.executor, a.range);
    return empty_outcome(plan, rank);
}

// ---- rank 0 ----------------------------------------------------------------

struct RemoteRank {
    int rank = 0;
    unsigned workers = 0;
    std::size_t in_flight = 0;
    double seconds_per_task = 0.0; // running average of its evaluations
    BarRange range{};              // the range its next task trades unless told another (wire::append_range)
};

class MpiExecutor final : public Executor {
public:
    MpiExecutor(std::vector<RemoteRank> ranks, const Options &options)
        : ranks_(std::move(ranks)), batch_(static_cast<std::size_t>(options.batch_size))
    {
    }

    ~MpiExecutor() override
    {
        for (const RemoteRank &r : ranks_)
            send_bytes(r.rank, stop_tag, {});
    }

    std::size_t capacity() const override { return std::max<std::size_t>(workers() * 256, 1024); }

    unsigned workers() const override
    {
        unsigned total = 0;
        for (const RemoteRank &r : ranks_)
            total += r.workers;
        return total;
    }

    void submit(std::vector<Task> &tasks) override
    {
        for (Task &t : tasks)
            queue_.push_back(std::move(t));
        tasks.clear();
        dispatch();
    }

    void collect(std::vector<Outcome> &out) override
    {
        dispatch();
        const auto until = std::chrono::steady_clock::now() + collect_wait;
        while (done_.empty() && busy() && std::chrono::steady_clock::now() < until) {
            if (!receive_outcomes())
                std::this_thread::sleep_for(idle_sleep);
        }
        dispatch();
        for (Outcome &o : done_)
            out.push_back(std::move(o));
        done_.clear();
    }

    void cancel() override
    {
        cancelled_ = true;
        for (const Task &task : queue_)
            done_.push_back(cancelled_outcome(task));
        queue_.clear();
        for (const RemoteRank &r : ranks_)
            if (r.in_flight > 0)
                send_bytes(r.rank, cancel_tag, {});
    }

private:
    bool busy() const
    {
        return std::any_of(ranks_.begin(), ranks_.end(), [](const RemoteRank &r) { return r.in_flight > 0; });
    }

    // Tasks per message for a rank: batch_size, or about 50 ms of its work.
    std::size_t batch_for(const RemoteRank &r) const
    {
        if (batch_ > 0)
            return batch_ * r.workers;
        const double per_task = r.seconds_per_task > 0 ? r.seconds_per_task / r.workers : 0.0;
        const double fit = per_task > 0 ? seconds_per_message / per_task : 4.0 * r.workers;
        return std::clamp<std::size_t>(static_cast<std::size_t>(fit), r.workers, 4096);
    }

    // A rank asks for work when it runs low: below one message of work in flight.
    void dispatch()
    {
        if (cancelled_)
            return;
        std::string bytes;
        for (RemoteRank &r : ranks_) {
            const std::size_t batch = batch_for(r);
            while (!queue_.empty() && r.in_flight < 2 * batch) {
                std::size_t n = 1; // one message, one range
                while (n < std::min(batch, queue_.size()) && queue_[n].range == queue_.front().range)
                    ++n;
                const auto end = queue_.begin() + static_cast<std::ptrdiff_t>(n);
                bytes.clear();
                if (r.range != queue_.front().range) {
                    r.range = queue_.front().range;
                    wire::append_range(bytes, r.range);
                }
                wire::append_batch(bytes, queue_.begin(), end);
                queue_.erase(queue_.begin(), end);
                send_bytes(r.rank, tasks_tag, bytes);
                r.in_flight += n;
            }
        }
    }

    bool receive_outcomes()
    {
        MPI_Status status;
        auto bytes = poll_bytes(MPI_ANY_SOURCE, status);
        if (!bytes)
            return false;
        auto r = std::find_if(ranks_.begin(), ranks_.end(), [&](const RemoteRank &x) { return x.rank == status.MPI_SOURCE; });
        std::size_t at = 0;
        for (Outcome outcome; wire::take_outcome(*bytes, at, outcome) == wire::Parsed::Complete;) {
            --r->in_flight;
            if (outcome.evaluation.status != TrialStatus::Cancelled)
                r->seconds_per_task = r->seconds_per_task > 0 ? 0.8 * r->seconds_per_task + 0.2 * outcome.seconds
                                                              : outcome.seconds;
            done_.push_back(std::move(outcome));
        }
        return true;
    }

    std::vector<RemoteRank> ranks_;
    std::size_t batch_;
    std::deque<Task> queue_;
    std::vector<Outcome> done_;
    bool cancelled_ = false;
};

// Every rank reports whether it could load the plugin and start its pool;
// nobody evaluates anything unless all of them could.
Result<std::vector<RemoteRank>> gather_ready(int size)
{
    std::vector<RemoteRank> ranks;
    std::string failures;
    btopt_status code = BTOPT_OK;
    for (int r = 1; r < size; ++r) {
        const std::string text = receive_bytes(r, ready_tag);
        const std::size_t newline = text.find('\n');
        int status = 0;
        unsigned workers = 0;
        char host[256] = "";
        std::sscanf(text.substr(0, newline).c_str(), "%d %u %255s", &status, &workers, host);
        if (status != 0) {
            code = code == BTOPT_OK ? static_cast<btopt_status>(status) : code;
            failures += fmt::format("{}rank {} on {}: {}", failures.empty() ? "" : "; ", r, host,
                                    text.substr(newline + 1));
        }
        ranks.push_back(RemoteRank{r, workers, 0, 0.0});
    }
    int go = failures.empty() ? 1 : 0;
    MPI_Bcast(&go, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!go)
        return fail(code, "{}", failures);
    return ranks;
}

Result<RunOutcome> coordinate_ranks(const RunPlan &plan, const std::atomic<bool> &cancel, int size)
{
    auto ranks = gather_ready(size);
    if (!ranks)
        return tl::unexpected(ranks.error());
    auto search = make_search(plan.algorithm, *plan.space, plan.options);
    if (!search)
        return tl::unexpected(search.error());
    MpiExecutor executor(std::move(*ranks), plan.options);
    RunInfo info{.algorithm = plan.algorithm,
                 .backend = "mpi",
                 .objective = plan.plugin ? plan.plugin->metrics[find_metric(*plan.plugin, plan.metric).value_or(0)]
                                          : plan.host_objective->name(),
                 .direction = plan.options.direction,
                 .seed = plan.options.random_seed,
                 .workers = executor.workers(),
                 .metric_names = plan.plugin ? plan.plugin->metrics : std::vector<std::string>{}};
    return coordinate(RunRequest{.space = plan.space,
                                 .search = **search,
                                 .executor = executor,
                                 .options = plan.options,
                                 .info = std::move(info),
                                 .progress = plan.progress,
                                 .cancel = cancel});
}

Result<RunOutcome> launch_mpi(const RunPlan &plan, const std::atomic<bool> &cancel)
{
    ensure_mpi();
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size < 2)
        return fail(BTOPT_ERR_INVALID_ARGUMENT,
                    "the MPI backend needs at least 2 ranks: rank 0 runs the search and the others evaluate "
                    "(start it with mpirun -np N, N >= 2)");
    return rank == 0 ? coordinate_ranks(plan, cancel, size) : serve_rank(plan, rank);
}

} // namespace
} // namespace btopt::internal

extern "C" __attribute__((visibility("default"))) void btopt_mpi_launch(const btopt::internal::RunPlan *plan,
                                                                       const std::atomic<bool> *cancel,
                                                                       btopt::internal::Result<btopt::internal::RunOutcome> *out)
{
    *out = btopt::internal::launch_mpi(*plan, *cancel);
}
