#include "coordinator.hpp"

#include "../analysis/selection.hpp"
#include "../core/requirement.hpp"
#include "../core/rng.hpp"
#include "../core/trial_window.hpp"

#include <chrono>
#include <limits>

namespace btopt::internal {
namespace {

// A proposed point waiting for its outcome, in the reorder window.
struct Pending {
    Point point;
    std::optional<Outcome> outcome;
    bool reused = false; // the outcome came from the store
};

class Coordinator {
public:
    Coordinator(RunRequest &request, Requirement requirement)
        : r_(request), requirement_(std::move(requirement)), table_(request.options.direction, request.options.kept_trials(),
                              request.space->size(), request.info.metric_names.size(), request.search.planned())
    {
    }

    Result<RunOutcome> run()
    {
        for (;;) {
            if (r_.cancel.load() && outcome_.status == BTOPT_OK)
                stop(BTOPT_ERR_CANCELLED, "the run was cancelled");
            if (r_.store && outcome_.status == BTOPT_OK)
                if (auto failed = r_.store->failure())
                    stop(failed->code, failed->message);
            if (outcome_.status == BTOPT_OK && !out_of_time_ && budget_spent())
                stop_on_budget();
            if (outcome_.status == BTOPT_OK && !out_of_time_)
                if (auto filled = fill(); !filled)
                    return tl::unexpected(filled.error());
            if (in_flight_ == 0) {
                if (outcome_.status != BTOPT_OK || out_of_time_ || r_.search.finished())
                    break;
                continue; // the search had nothing to say until now; ask again
            }
            outcomes_.clear();
            r_.executor.collect(outcomes_);
            if (auto failure = r_.executor.failure())
                return tl::unexpected(*failure);
            if (auto received = receive(); !received)
                return tl::unexpected(received.error());
        }
        if (outcome_.status == BTOPT_OK && !window_.empty())
            return fail(BTOPT_ERR_INTERNAL, "the run ended with trials {} to {} proposed but never recorded",
                        window_.front_number(), window_.next_number() - 1);
        report_final_total();
        report_trials(/*last=*/true);
        if (r_.store)
            r_.store->recorded_all();
        if (outcome_.status == BTOPT_ERR_CANCELLED)
            outcome_.message = fmt::format("the run was cancelled after {} evaluations", table_.evaluated());
        // A budget that ran out while the last trials ran, costing none, ended nothing.
        outcome_.result.stopped_on_budget =
            outcome_.status == BTOPT_OK && out_of_time_ && (cut_ > 0 || !r_.search.finished());
        if (outcome_.result.stopped_on_budget)
            outcome_.message = fmt::format("the max_seconds budget of {} s ran out after {} evaluations",
                                           r_.options.max_seconds, table_.evaluated());
        outcome_.result.space = r_.space;
        outcome_.result.info = r_.info;
        outcome_.result.reused = reused_;
        table_.finish(outcome_.result);
        outcome_.result.selection = analysis::selection_stats(outcome_.result, r_.options);
        outcome_.result.wall_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        return std::move(outcome_);
    }

private:
    // Keeps the executor supplied up to its capacity. A point the store
    // already holds an outcome for is not evaluated: its outcome waits in the
    // window like any other, so the search hears it in trial order. The
    // window is bounded, so a run that reuses much never holds much.
    Result<void> fill()
    {
        const std::size_t capacity = r_.executor.capacity();
        const std::size_t window_limit = capacity + 4096;
        while (in_flight_ < capacity && window_.size() < window_limit && !r_.search.finished()) {
            points_.clear();
            if (auto asked = r_.search.ask(std::min(capacity - in_flight_, window_limit - window_.size()), points_); !asked)
                return asked;
            if (points_.empty())
                break;
            for (const Point &point : points_) {
                const std::uint64_t number = window_.next_number();
                Pending &pending = window_.open();
                pending.point = point;
                pending.outcome.reset();
                pending.reused = false;
                if (auto stored = r_.store ? r_.store->stored(number, {point.data(), point.size()}) : std::nullopt) {
                    stored->number = number;
                    pending.outcome = std::move(*stored);
                    pending.reused = true;
                    ++finished_;
                    continue;
                }
                tasks_.push_back(Task{number, point, trial_seed(static_cast<std::uint64_t>(r_.options.random_seed), number),
                                      r_.range});
            }
            in_flight_ += tasks_.size();
            if (!tasks_.empty())
                r_.executor.submit(tasks_);
            record_ready();
        }
        return {};
    }

    // An executor hands back each trial in flight once, with a status it
    // may have; anything else is a defect in it (a worker's lies are caught
    // by its executor, which knows the worker), never a result.
    Result<void> check(const Outcome &outcome) const
    {
        const std::uint64_t n = outcome.number;
        if (!window_.waiting(n))
            return fail(BTOPT_ERR_INTERNAL, "the executor returned trial {}, which is not in flight", n);
        const auto status = static_cast<std::int32_t>(outcome.evaluation.status);
        if (status < 0 || status > static_cast<std::int32_t>(last_executor_status))
            return fail(BTOPT_ERR_INTERNAL, "the executor returned trial {} with status {}", n, status);
        return {};
    }

    // Records the outcomes at the front of the window that are ready.
    void record_ready()
    {
        window_.release_ready(
            [this](std::uint64_t, Pending &pending) { record(pending.point, *pending.outcome, pending.reused); });
    }

    Result<void> receive()
    {
        for (Outcome &outcome : outcomes_) {
            if (auto valid = check(outcome); !valid)
                return valid;
            finished_ += outcome.evaluation.status != TrialStatus::Cancelled;
            --in_flight_;
            if (outcome.number == window_.front_number()) { // the next in trial order: record it as it is
                record(window_.front().point, outcome, false);
                window_.pop();
            } else {
                window_.waiting(outcome.number)->outcome = std::move(outcome);
            }
            record_ready();
        }
        // Progress counts every finished evaluation, even one waiting behind a
        // slow earlier trial to be recorded, and beats at least every quarter
        // second, so a host that can only react in the callback (a cancel, a
        // Ctrl-C in Python) never waits long.
        if (!outcomes_.empty() || std::chrono::steady_clock::now() - last_report_ > heartbeat)
            report_progress();
        report_trials(/*last=*/false);
        return {};
    }

    // The total is the planned number while the run goes on; once it has
    // stopped (cancelled, or a failed trial), only what finished will ever
    // finish, so a progress bar ends where the work did.
    std::uint64_t total() const
    {
        return outcome_.status == BTOPT_OK && !out_of_time_ ? std::max(r_.search.planned(), finished_) : finished_;
    }

    // max_seconds counts from the coordinator's start: the first proposal,
    // once the workers (and a plugin's init) are up.
    bool budget_spent() const
    {
        return r_.options.max_seconds > 0 &&
               std::chrono::steady_clock::now() - start_ >= std::chrono::duration<double>(r_.options.max_seconds);
    }

    // Nothing more is proposed; the executor ends what is in flight as on a
    // cancel (queued trials come back cancelled, record() says why). The run
    // still ends ok: the budget is the user's, not a failure.
    void stop_on_budget()
    {
        out_of_time_ = true;
        r_.executor.cancel();
    }

    void report_progress()
    {
        last_report_ = std::chrono::steady_clock::now();
        if (!r_.progress)
            return;
        reported_total_ = total();
        reported_done_ = finished_;
        r_.progress(finished_, reported_total_, table_.best_score().value_or(std::numeric_limits<double>::quiet_NaN()));
    }

    // The report per recorded trial: called after each record (and each
    // collect, for the beat), it reports at once with progress_interval 0;
    // else it waits until the interval has passed since its last report. It
    // beats while nothing is recorded, as report_progress does. The last
    // report always comes.
    void report_trials(bool last)
    {
        if (!r_.progress_report)
            return;
        const auto now = std::chrono::steady_clock::now();
        const auto since = now - last_trials_report_;
        const auto interval = std::chrono::duration<double>(r_.options.progress_interval);
        const bool due = unreported_ ? since >= interval : since >= std::max<std::chrono::duration<double>>(interval, heartbeat);
        if (!last && !due)
            return;
        last_trials_report_ = now;
        ProgressReport report;
        report.done = table_.evaluated();
        report.total = total();
        for (std::size_t s = 0; s < trial_status_count; ++s)
            report.by_status[s] = table_.status_count(static_cast<TrialStatus>(s));
        report.reused = reused_;
        report.best_score = table_.best_score().value_or(std::numeric_limits<double>::quiet_NaN());
        report.elapsed_seconds = std::chrono::duration<double>(now - start_).count();
        report.evaluations_per_second =
            report.elapsed_seconds > 0 ? static_cast<double>(report.done - reused_) / report.elapsed_seconds : 0.0;
        report.trial = unreported_ ? static_cast<std::int64_t>(last_recorded_) : -1;
        unreported_ = false;
        r_.progress_report(report);
    }

    // A search that stopped early (genetic on a used-up space) learns so only
    // after its last batch, and a stopped run's total shrinks: say the true
    // numbers once more.
    void report_final_total()
    {
        if (total() != reported_total_ || finished_ != reported_done_)
            report_progress();
    }

    // An ok trial that breaks `require` is infeasible. A stored outcome is
    // judged again, so a study resumed with another requirement (or none)
    // judges by this run's.
    void judge(Evaluation &e) const
    {
        if (e.status != TrialStatus::Ok && e.status != TrialStatus::Infeasible)
            return;
        e.status = requirement_.met(e.score, {e.metrics.data(), e.metrics.size()}) ? TrialStatus::Ok
                                                                                   : TrialStatus::Infeasible;
    }

    // Called in trial order: what makes the search, the best and the first
    // error the same for every executor and worker count. An infeasible
    // trial is no error to the run.
    void record(const Point &point, Outcome &o, bool reused)
    {
        judge(o.evaluation);
        const TrialStatus status = o.evaluation.status;
        const bool unstarted = out_of_time_ && status == TrialStatus::Cancelled;
        cut_ += unstarted ? 1 : 0;
        if (unstarted)
            o.evaluation.error = fmt::format("not evaluated: the run's max_seconds budget of {} s ran out first",
                                             r_.options.max_seconds);
        if (outcome_.status == BTOPT_OK) {
            tell_search(r_.search, status, o.evaluation.score, r_.options.direction);
            if (status != TrialStatus::Ok && status != TrialStatus::Infeasible && !unstarted && !r_.options.ignore_errors)
                stop(BTOPT_ERR_OBJECTIVE, fmt::format("trial {} at {} {}: {}", o.number, r_.space->describe(point),
                                                      status == TrialStatus::Failed ? "failed" : "did not finish",
                                                      o.evaluation.error));
        }
        table_.record(o.number, {point.data(), point.size()}, o.evaluation, o.seconds, reused);
        if (!reused)
            table_.add_cpu(o.cpu_cost);
        if (r_.store)
            r_.store->record(o.number, {point.data(), point.size()}, o.evaluation, o.seconds, reused);
        reused_ += reused ? 1 : 0;
        last_recorded_ = o.number;
        unreported_ = true;
        report_trials(/*last=*/false);
    }

    void stop(btopt_status status, std::string message)
    {
        outcome_.status = status;
        outcome_.message = std::move(message);
        r_.executor.cancel();
    }

    RunRequest &r_;
    Requirement requirement_;
    TrialTable table_;
    RunOutcome outcome_;
    TrialWindow<Pending> window_; // proposed, not yet recorded
    std::vector<Point> points_;     // reused: what the search proposes
    std::vector<Task> tasks_;       // reused: what goes to the executor
    std::vector<Outcome> outcomes_; // reused: what comes back
    std::size_t in_flight_ = 0;
    std::uint64_t reported_total_ = 0;
    std::uint64_t reported_done_ = 0;
    std::uint64_t finished_ = 0; // evaluations finished (not cancelled) or outcomes reused, recorded or not yet
    std::uint64_t reused_ = 0;   // recorded outcomes that came from the store
    const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_report_ = start_;
    std::chrono::steady_clock::time_point last_trials_report_ = start_;
    std::uint64_t last_recorded_ = 0; // the trial recorded last
    bool unreported_ = false;         // trials were recorded since the last report_trials
    bool out_of_time_ = false;        // max_seconds ran out: nothing more is proposed
    std::uint64_t cut_ = 0;           // trials the budget left unevaluated
    static constexpr auto heartbeat = std::chrono::milliseconds(250);
};

} // namespace

Result<RunOutcome> coordinate(RunRequest request)
{
    auto requirement = Requirement::compile(request.options.require, request.info.metric_names);
    if (!requirement)
        return tl::unexpected(requirement.error());
    return Coordinator(request, std::move(*requirement)).run();
}

} // namespace btopt::internal
