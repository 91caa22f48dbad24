// The MPI backend (libbtopt-mpi.so). The same program runs on every rank.
// Rank 0 runs the search and owns the trial table: its executor hands
// batches to the other ranks. Every other rank serves batches with its own
// process pool (the process executor: a crash costs one point, never a rank)
// until rank 0 says stop. Ranks get work as they run low, in batches sized to
// about 50 ms of their own evaluations, so a slow machine does not hold up
// the run. Between ranks travel the same plain bytes as between a
// coordinator and its workers (wire.hpp). Rank 0 records the study, if any.
// When a rank or its host is lost, mpirun ends the job (SIGTERM, then
// SIGKILL): rank 0 then must not wait on the lost rank, so it sends without
// blocking, gives up on points not handed back within stop_grace of a stop
// (unlike the process executor, whose running points finish), and closes
// the study before the SIGKILL (tests/mpi/across_hosts.py, kill and link).
#include "wire.hpp"

#include "../plugin/plugin_objective.hpp"
#include "../run/launch.hpp"

// The C API only: the deprecated C++ bindings would need libmpi_cxx.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <cstdarg>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <list>
#include <thread>
#include <unordered_set>

namespace btopt::internal {
namespace {

enum Tag : int { tasks_tag = 1, outcomes_tag = 2, stop_tag = 4, ready_tag = 5, stopped_tag = 6 };

constexpr auto collect_wait = std::chrono::milliseconds(50);
constexpr auto idle_sleep = std::chrono::microseconds(200);
constexpr double seconds_per_message = 0.05;
// After a stop, how long rank 0 waits for the points other ranks hold. Under
// mpirun a stop is mostly mpirun ending the job because a rank or its host
// was lost, and SIGKILL follows SIGTERM within a second
// (odls_base_sigkill_timeout): the trial table and the study must be closed
// before then, so points a rank does not hand back in time become cancelled
// trials, evaluated again by the next run.
constexpr auto stop_grace = std::chrono::milliseconds(300);
// How long rank 0 waits at the end for every rank to say it stopped.
constexpr auto stopped_wait = std::chrono::seconds(5);

void finalize_mpi()
{
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized)
        MPI_Finalize();
}

// OpenMPI's hooks for its help messages (opal/util/show_help.h), weak:
// absent under another MPI. In an OpenMPI 4 rank they send each message to
// mpirun and wait for its answer, with no time limit; when a rank dies, rank
// 0's TCP link to it says "peer hung up" through them, often just as mpirun
// starts ending the job and answers nobody until its SIGKILL. Rank 0 would
// hang there instead of naming the lost rank and closing the study.
extern "C" {
using ShowHelp = int (*)(const char *file, const char *topic, bool header, ...);
using ShowVhelp = int (*)(const char *file, const char *topic, bool header, va_list args);
extern ShowHelp opal_show_help __attribute__((weak));
extern ShowVhelp opal_show_vhelp __attribute__((weak));
char *opal_show_help_vstring(const char *file, const char *topic, bool header, va_list args) __attribute__((weak));
}

int print_help_here_v(const char *file, const char *topic, bool header, va_list args)
{
    if (char *text = opal_show_help_vstring(file, topic, header, args)) {
        std::fputs(text, stderr);
        std::free(text); // NOLINT: OpenMPI's malloc'ed string
    }
    return 0;
}

int print_help_here(const char *file, const char *topic, bool header, ...)
{
    va_list args;
    va_start(args, header);
    const int status = print_help_here_v(file, topic, header, args);
    va_end(args);
    return status;
}

// A rank's help messages go to its own stderr, which mpirun forwards, without
// waiting on mpirun: each rank prints its own (none are merged into
// "N more processes sent help message").
void print_mpi_help_here()
{
    if (&opal_show_help != nullptr && &opal_show_vhelp != nullptr && opal_show_help_vstring != nullptr) {
        opal_show_help = print_help_here;
        opal_show_vhelp = print_help_here_v;
    }
}

void ensure_mpi()
{
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
        int provided = 0;
        MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
        std::atexit(finalize_mpi); // we started MPI, so we end it
    }
    print_mpi_help_here();
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

// A point this rank's pool lost after the rank was told to stop (mpirun's
// SIGTERM reaches the pool's processes too) was cut short by the stop, not
// crashed by its plugin: like points given up on at a stop, it is cancelled,
// and a resumed study evaluates it again.
void mark_cut_short(Outcome &outcome, const std::atomic<bool> &stopping)
{
    if (outcome.evaluation.status == TrialStatus::Crashed && stopping.load()) {
        outcome.evaluation.status = TrialStatus::Cancelled;
        outcome.evaluation.error = "cut short: its rank was being stopped (" + outcome.evaluation.error + ")";
    }
}

// Serves batches from rank 0 with this rank's process pool until told to stop.
// Rank 0 never lists the plugin's bars: each rank resolved the run's range
// (start, end) itself, and rank 0's tasks trade it until it says otherwise.
// `stopping` is this rank's own stop (SIGTERM): rank 0 still says when to end.
void serve_batches(Executor &executor, BarRange run_range, const std::atomic<bool> &stopping)
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
            } else if (status.MPI_TAG == stop_tag) {
                stop = true;
            }
        }
        if (in_flight > 0) {
            out.clear();
            outcomes.clear();
            executor.collect(outcomes);
            for (Outcome &o : outcomes) {
                mark_cut_short(o, stopping);
                wire::append_outcome(out, o);
                --in_flight;
            }
            if (!out.empty())
                send_bytes(0, outcomes_tag, out);
        } else if (!heard) {
            std::this_thread::sleep_for(idle_sleep);
        }
    }
    send_bytes(0, stopped_tag, {});
}

Result<RunOutcome> serve_rank(const RunPlan &plan, int rank, const std::atomic<bool> &stopping)
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
        serve_batches(*a.executor, a.range, stopping);
    return empty_outcome(plan, rank);
}

// ---- rank 0 ----------------------------------------------------------------

// Rank 0's messages, sent without waiting: a blocking send to a rank that
// died (or whose host fell off the network) may never return, and rank 0
// must stay free to close the study when mpirun ends the job.
class Outbox {
public:
    void send(int to, int tag, std::string bytes)
    {
        Sent &sent = sending_.emplace_back(Sent{std::move(bytes), MPI_REQUEST_NULL});
        MPI_Isend(sent.bytes.data(), static_cast<int>(sent.bytes.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD,
                  &sent.request);
        reap();
    }

    // Waits until every message is sent, for at most `limit`.
    void drain(std::chrono::milliseconds limit)
    {
        const auto until = std::chrono::steady_clock::now() + limit;
        while (reap() && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(idle_sleep);
    }

    ~Outbox()
    {
        // MPI may still read a message that never left: its bytes must outlive us.
        if (!sending_.empty())
            new std::list<Sent>(std::move(sending_)); // NOLINT: leaked on purpose, at the end of a failed run
    }

private:
    struct Sent {
        std::string bytes;
        MPI_Request request;
    };

    // Forgets the sent messages; true while some are still on their way.
    bool reap()
    {
        std::erase_if(sending_, [](Sent &sent) {
            int done = 0;
            return MPI_Test(&sent.request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS || done;
        });
        return !sending_.empty();
    }

    std::list<Sent> sending_;
};

struct RemoteRank {
    int rank = 0;
    std::string host;
    unsigned workers = 0;
    std::unordered_set<std::uint64_t> in_flight; // the numbers of the trials it holds
    double seconds_per_task = 0.0;               // running average of its evaluations
    BarRange range{};                            // the range its next task trades unless told another (wire::append_range)
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
            outbox_.send(r.rank, stop_tag, {});
        // Each rank answers its stop once out of its loop. Until then what it
        // sends is taken and dropped: a rank still evaluating points given up
        // on at a stop may be blocked sending outcomes too big to go without
        // a receive, and would never read its stop (and MPI_Finalize would
        // wait for it).
        std::size_t stopped = 0;
        for (auto until = std::chrono::steady_clock::now() + stopped_wait;
             stopped < ranks_.size() && std::chrono::steady_clock::now() < until;) {
            MPI_Status status;
            if (!poll_bytes(MPI_ANY_SOURCE, status))
                std::this_thread::sleep_for(idle_sleep);
            else if (status.MPI_TAG == stopped_tag)
                ++stopped;
        }
        outbox_.drain(stop_grace);
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
        if (cancelled_ && std::chrono::steady_clock::now() > cancelled_at_ + stop_grace)
            give_up_in_flight();
        dispatch();
        for (Outcome &o : done_)
            out.push_back(std::move(o));
        done_.clear();
    }

    void cancel() override
    {
        if (!cancelled_)
            cancelled_at_ = std::chrono::steady_clock::now();
        cancelled_ = true;
        for (const Task &task : queue_)
            done_.push_back(cancelled_outcome(task));
        queue_.clear();
        // Nothing is sent now: a message to a rank that died would make rank 0
        // wait on OpenMPI's warning about it. The stop follows the study's close.
    }

private:
    bool busy() const
    {
        return std::any_of(ranks_.begin(), ranks_.end(), [](const RemoteRank &r) { return !r.in_flight.empty(); });
    }

    // The points still held by ranks that did not answer the stop in time.
    // Said on stderr because this is mostly the end of a job mpirun is
    // taking down, when rank 0 has no other way to name the rank it lost.
    void give_up_in_flight()
    {
        for (RemoteRank &r : ranks_) {
            if (!r.in_flight.empty())
                std::fprintf(stderr,
                             "btopt: rank %d on %s did not answer within %lld ms of the stop: its %zu unfinished "
                             "points are recorded as cancelled (a resumed study evaluates them)\n",
                             r.rank, r.host.c_str(), static_cast<long long>(stop_grace.count()), r.in_flight.size());
            for (std::uint64_t number : r.in_flight) {
                Outcome outcome = cancelled_outcome(Task{.number = number, .point = {}, .seed = 0});
                outcome.evaluation.error =
                    fmt::format("rank {} on {} did not hand it back within {} ms of the stop", r.rank, r.host,
                                stop_grace.count());
                done_.push_back(std::move(outcome));
            }
            r.in_flight.clear();
        }
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
        for (RemoteRank &r : ranks_) {
            const std::size_t batch = batch_for(r);
            while (!queue_.empty() && r.in_flight.size() < 2 * batch) {
                std::size_t n = 1; // one message, one range
                while (n < std::min(batch, queue_.size()) && queue_[n].range == queue_.front().range)
                    ++n;
                const auto end = queue_.begin() + static_cast<std::ptrdiff_t>(n);
                std::string bytes;
                if (r.range != queue_.front().range) {
                    r.range = queue_.front().range;
                    wire::append_range(bytes, r.range);
                }
                wire::append_batch(bytes, queue_.begin(), end);
                for (auto t = queue_.begin(); t != end; ++t)
                    r.in_flight.insert(t->number);
                queue_.erase(queue_.begin(), end);
                outbox_.send(r.rank, tasks_tag, std::move(bytes));
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
            if (r->in_flight.erase(outcome.number) == 0)
                continue; // given up on at the stop, already recorded as cancelled
            if (outcome.evaluation.status != TrialStatus::Cancelled)
                r->seconds_per_task = r->seconds_per_task > 0 ? 0.8 * r->seconds_per_task + 0.2 * outcome.seconds
                                                              : outcome.seconds;
            done_.push_back(std::move(outcome));
        }
        return true;
    }

    std::vector<RemoteRank> ranks_;
    Outbox outbox_;
    std::size_t batch_;
    std::deque<Task> queue_;
    std::vector<Outcome> done_;
    bool cancelled_ = false;
    std::chrono::steady_clock::time_point cancelled_at_;
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
        ranks.push_back(
            RemoteRank{.rank = r, .host = host, .workers = workers, .in_flight = {}, .seconds_per_task = 0.0});
    }
    int go = failures.empty() ? 1 : 0;
    MPI_Bcast(&go, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!go)
        return fail(code, "{}", failures);
    return ranks;
}

Result<RunOutcome> coordinate_ranks(const RunPlan &plan, const std::atomic<bool> &cancel, int size)
{
    // A message to a lost rank fails instead of aborting rank 0: mpirun ends
    // the job then, and rank 0 must live long enough to close the study.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    auto ranks = gather_ready(size);
    if (!ranks)
        return tl::unexpected(ranks.error());
    auto search = make_search(plan.algorithm, *plan.space, plan.options);
    if (!search)
        return tl::unexpected(search.error());
    MpiExecutor executor(std::move(*ranks), plan.options); // from here on, every way out stops the ranks
    RunInfo info{.algorithm = plan.algorithm,
                 .backend = "mpi",
                 .objective = plan.plugin ? plan.plugin->metrics[find_metric(*plan.plugin, plan.metric).value_or(0)]
                                          : plan.host_objective->name(),
                 .direction = plan.options.direction,
                 .seed = plan.options.random_seed,
                 .workers = executor.workers(),
                 .metric_names = plan.plugin ? plan.plugin->metrics : std::vector<std::string>{},
                 .plugin = plan.plugin ? plan.plugin->name : std::string()};
    auto study = open_study(plan, info); // rank 0 owns the trial table, so it alone records it
    if (!study)
        return tl::unexpected(study.error());
    auto outcome = coordinate(RunRequest{.space = plan.space,
                                         .search = **search,
                                         .executor = executor,
                                         .options = plan.options,
                                         .info = std::move(info),
                                         .progress = plan.progress,
                                         .progress_report = plan.progress_report,
                                         .cancel = cancel,
                                         .store = study->get()});
    if (outcome && *study)
        close_study(**study, *outcome);
    return outcome;
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
    return rank == 0 ? coordinate_ranks(plan, cancel, size) : serve_rank(plan, rank, cancel);
}

} // namespace
} // namespace btopt::internal

extern "C" __attribute__((visibility("default"))) void btopt_mpi_launch(const btopt::internal::RunPlan *plan,
                                                                       const std::atomic<bool> *cancel,
                                                                       btopt::internal::Result<btopt::internal::RunOutcome> *out)
{
    *out = btopt::internal::launch_mpi(*plan, *cancel);
}
