#include "walkforward.hpp"

#include "../core/rng.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <algorithm>
#include <map>

namespace btopt::internal {
namespace {

Result<void> refuse_what_walk_forward_cannot_do(const RunPlan &plan, const std::string &backend)
{
    if (auto ok = refuse_without_ranges(plan, "walk-forward windows"); !ok)
        return ok;
    if (backend == "mpi")
        return fail(BTOPT_ERR_UNSUPPORTED, "walk-forward runs on the inline, thread and process backends, not mpi yet");
    if (!plan.options.start.empty() || !plan.options.end.empty())
        return fail(BTOPT_ERR_INVALID_ARGUMENT,
                    "a walk-forward chooses its own bars (its windows): leave out options 'start' and 'end' "
                    "(--start, --end)");
    return {};
}

// Evaluates the tasks (taking them) through the executor the windows share;
// their outcomes, in any order.
std::vector<Outcome> evaluate_tasks(Executor &executor, std::vector<Task> &tasks, const std::atomic<bool> &cancel)
{
    std::vector<Outcome> out;
    const std::size_t count = tasks.size(); // submit takes the tasks
    if (count == 0)
        return out;
    executor.submit(tasks);
    while (out.size() < count) {
        if (cancel.load())
            executor.cancel();
        executor.collect(out);
    }
    return out;
}

// A study run that only evaluates given points on given bars (a window's
// validation or test), so a resumed walk-forward reuses them like any
// trial; without a study, the evaluations alone.
class PointsRun {
public:
    PointsRun(const RunPlan &plan, const RunInfo &info, std::string_view what) : plan_(plan), info_(info)
    {
        plan_.algorithm = what;
        info_.algorithm = what;
    }

    // The outcomes in the points' order: point i is trial i, seeded as trial i.
    Result<std::vector<Outcome>> evaluate(Executor &executor, const std::vector<Point> &points, BarRange bars,
                                          const std::atomic<bool> &cancel, EvaluationCounts &counts)
    {
        const auto started = std::chrono::steady_clock::now();
        auto study = open_study(plan_, info_, bars);
        if (!study)
            return tl::unexpected(study.error());
        StudyWriter *store = study->get();
        std::vector<Outcome> out(points.size());
        std::vector<bool> reused(points.size(), false);
        std::vector<Task> tasks;
        const auto run_seed = static_cast<std::uint64_t>(plan_.options.random_seed);
        for (std::size_t i = 0; i < points.size(); ++i) {
            if (auto stored = store ? store->stored(i, {points[i].data(), points[i].size()}) : std::nullopt) {
                out[i] = std::move(*stored);
                out[i].number = i;
                reused[i] = true;
                // Stored by a run that judged `require`: these evaluations do not.
                if (out[i].evaluation.status == TrialStatus::Infeasible)
                    out[i].evaluation.status = TrialStatus::Ok;
            } else {
                tasks.push_back(Task{i, points[i], trial_seed(run_seed, i), bars});
            }
        }
        for (Outcome &o : evaluate_tasks(executor, tasks, cancel))
            out[o.number] = std::move(o);
        RunOutcome run;
        run.status = cancel.load() ? BTOPT_ERR_CANCELLED : BTOPT_OK;
        for (std::size_t i = 0; i < points.size(); ++i) {
            const TrialStatus status = out[i].evaluation.status;
            ++run.result.status_counts[static_cast<std::size_t>(status)];
            run.result.evaluated += status != TrialStatus::Cancelled;
            run.result.reused += reused[i];
            run.result.eval_seconds += reused[i] ? 0.0 : out[i].seconds;
            if (store)
                store->record(i, {points[i].data(), points[i].size()}, out[i].evaluation, out[i].seconds, reused[i]);
        }
        counts.evaluated += run.result.evaluated - run.result.reused;
        counts.reused += run.result.reused;
        if (!store)
            return out;
        store->recorded_all();
        run.result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (run.status == BTOPT_ERR_CANCELLED)
            run.message = "cancelled";
        close_study(*store, run);
        if (run.status != BTOPT_OK && run.status != BTOPT_ERR_CANCELLED)
            return fail(run.status, "{}", run.message);
        return out;
    }

private:
    RunPlan plan_;
    RunInfo info_;
};

bool better(double a, double b, Direction d) { return d == Direction::Maximize ? a > b : a < b; }

// The rows of the best ok trials, best first (ties: the earlier trial).
std::vector<std::size_t> top_rows(const RunResult &r, std::size_t count)
{
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < r.trials.size(); ++i)
        if (r.trials.status(i) == TrialStatus::Ok)
            rows.push_back(i);
    // Ties by trial number, not row: a run with a study keeps only its best
    // trials, in an order of its own.
    std::sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
        if (better(r.trials.score(a), r.trials.score(b), r.info.direction))
            return true;
        return !better(r.trials.score(b), r.trials.score(a), r.info.direction) && r.trials.number(a) < r.trials.number(b);
    });
    rows.resize(std::min(rows.size(), count));
    return rows;
}

// With a validation period: the in-sample top points, each evaluated on the
// validation bars; the row of the best there (ties: the better in sample).
Result<std::size_t> validate(const RunResult &r, const Window &w, std::size_t index, Executor &executor,
                             PointsRun &validation, const std::atomic<bool> &cancel, WindowOutcome &wo)
{
    const std::vector<std::size_t> rows = top_rows(r, validation_candidates);
    std::vector<Point> points;
    for (std::size_t row : rows)
        points.emplace_back(r.trials.point(row).begin(), r.trials.point(row).end());
    auto evaluated = validation.evaluate(executor, points, w.validation, cancel, wo.counts);
    if (!evaluated)
        return tl::unexpected(evaluated.error());
    const std::vector<Outcome> &outcomes = *evaluated;
    std::optional<std::size_t> chosen;
    for (std::size_t i = 0; i < outcomes.size(); ++i)
        if (outcomes[i].evaluation.status == TrialStatus::Ok &&
            (!chosen || better(outcomes[i].evaluation.score, outcomes[*chosen].evaluation.score, r.info.direction)))
            chosen = i;
    if (cancel.load())
        return fail(BTOPT_ERR_CANCELLED, "walk-forward window {}: cancelled while validating", index + 1);
    if (!chosen)
        return fail(BTOPT_ERR_OBJECTIVE, "walk-forward window {}: none of its {} best train points succeeded on its "
                                         "validation bars",
                    index + 1, outcomes.size());
    wo.candidates = outcomes.size();
    wo.validation_score = outcomes[*chosen].evaluation.score;
    wo.validation = outcomes[*chosen].evaluation.metrics;
    return rows[*chosen];
}

// Searches one window's train bars (a run of the study, when there is one)
// and trades its best point on the test bars.
Result<WindowOutcome> run_window(const RunPlan &plan, const Window &w, std::size_t index, Assembly &a,
                                 const RunInfo &info, const std::atomic<bool> &cancel, RunOutcome &search_outcome)
{
    auto search = make_search(plan.algorithm, *plan.space, plan.options);
    if (!search)
        return tl::unexpected(search.error());
    auto study = open_study(plan, info, w.train);
    if (!study)
        return tl::unexpected(study.error());
    auto outcome = coordinate(RunRequest{.space = plan.space,
                                         .search = **search,
                                         .executor = *a.executor,
                                         .options = plan.options,
                                         .info = info,
                                         .progress = plan.progress,
                                         .progress_report = plan.progress_report,
                                         .cancel = cancel,
                                         .store = study->get(),
                                         .range = w.train});
    if (!outcome)
        return tl::unexpected(outcome.error());
    search_outcome = std::move(*outcome);
    if (*study)
        close_study(**study, search_outcome);
    study->reset(); // lets the study go: the window's validation and test are runs of their own
    WindowOutcome wo{.window = w};
    const RunResult &r = search_outcome.result;
    wo.trials = r.evaluated;
    wo.counts.evaluated = r.evaluated - r.reused;
    wo.counts.reused = r.reused;
    if (search_outcome.status != BTOPT_OK)
        return wo;
    if (!r.best)
        return fail(BTOPT_ERR_OBJECTIVE, "walk-forward window {}: no trial succeeded on its train bars", index + 1);
    std::size_t row = *r.best;
    if (!w.validation.whole()) {
        PointsRun validation(plan, info, "walkforward-validation");
        auto validated = validate(r, w, index, *a.executor, validation, cancel, wo);
        if (!validated && validated.error().code == BTOPT_ERR_CANCELLED) {
            search_outcome.status = BTOPT_ERR_CANCELLED; // the windows before it are kept
            search_outcome.message = "cancelled";
            return wo;
        }
        if (!validated)
            return tl::unexpected(validated.error());
        row = *validated;
    }
    const auto point = r.trials.point(row);
    wo.chosen.assign(point.begin(), point.end());
    wo.in_sample_score = r.trials.score(row);
    const auto metrics = r.trials.metrics(row);
    wo.in_sample.assign(metrics.begin(), metrics.end());
    auto tested = PointsRun(plan, info, "walkforward-test").evaluate(*a.executor, {wo.chosen}, w.test, cancel, wo.counts);
    if (!tested)
        return tl::unexpected(tested.error());
    if (cancel.load()) { // the test did not run to its end: the window is not done
        search_outcome.status = BTOPT_ERR_CANCELLED;
        search_outcome.message = "cancelled";
        return wo;
    }
    const Outcome &test = tested->front();
    wo.out_of_sample_status = test.evaluation.status;
    wo.out_of_sample_score = test.evaluation.score;
    wo.out_of_sample = test.evaluation.metrics;
    wo.out_of_sample_error = test.evaluation.error;
    return wo;
}

// Holds the study open from the first window's runs on. Each run's writer
// would otherwise close it as its last connection, which checkpoints it and
// deletes its WAL (with their syncs: measured, most of a small
// walk-forward's time); each run's end is synced by its own commit
// (StudyWriter::finish), so skipping that checkpoint loses nothing. Closing
// last, the hold checkpoints the study. Nothing held if it cannot be opened:
// only slower.
std::optional<sql::Db> hold_study(const std::string &path)
{
    auto db = sql::Db::open(path, SQLITE_OPEN_READWRITE);
    // A connection counts once it has read the study (and so mapped its WAL index).
    if (!db || !db->exec("SELECT count(*) FROM runs"))
        return std::nullopt;
    return std::move(*db);
}

} // namespace

Result<WalkForwardOutcome> walk_forward(const RunPlan &plan, const WindowSpec &spec, const std::atomic<bool> &cancel)
{
    const auto started = std::chrono::steady_clock::now();
    auto workers = resolve_jobs(plan.options.n_jobs);
    if (!workers)
        return tl::unexpected(workers.error());
    auto probe = make_search(plan.algorithm, *plan.space, plan.options);
    if (!probe)
        return tl::unexpected(probe.error());
    *workers = static_cast<unsigned>(std::min<std::uint64_t>(*workers, std::max<std::uint64_t>((*probe)->planned(), 1)));
    const std::string backend = choose_backend(plan, *workers);
    if (auto ok = refuse_what_walk_forward_cannot_do(plan, backend); !ok)
        return tl::unexpected(ok.error());
    // One plugin init and one executor for every window.
    Assembly a;
    if (auto ok = assemble(plan, backend, *workers, a, cancel); !ok)
        return tl::unexpected(ok.error());
    if (!a.timeline)
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}' did not list its bars, so no window can be placed", plan.plugin->name);
    auto windows = make_windows(*a.timeline, spec);
    if (!windows)
        return tl::unexpected(windows.error());
    WalkForwardOutcome wf{.info = run_info(plan, backend, a),
                          .space = plan.space,
                          .timeline = *a.timeline,
                          .spec = spec,
                          .study = plan.options.study};
    std::optional<sql::Db> hold;
    for (std::size_t i = 0; i < windows->size(); ++i) {
        RunOutcome searched;
        auto window = run_window(plan, (*windows)[i], i, a, wf.info, cancel, searched);
        if (!window)
            return tl::unexpected(window.error());
        if (!hold && !wf.study.empty())
            hold = hold_study(wf.study);
        wf.counts.evaluated += window->counts.evaluated;
        wf.counts.reused += window->counts.reused;
        if (searched.status != BTOPT_OK) {
            wf.status = searched.status;
            wf.message = fmt::format("walk-forward window {}: {}", i + 1, searched.message);
            break;
        }
        wf.windows.push_back(std::move(*window));
    }
    wf.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return wf;
}

namespace {

using Json = nlohmann::ordered_json;

Json range_json(const Timeline &t, const BarRange &r)
{
    Json j{{"first_bar", r.first}, {"last_bar", r.end - 1}};
    if (!t.dates.empty()) {
        j["start"] = date_text(t.dates[r.first]);
        j["end"] = date_text(t.dates[r.end - 1]);
    }
    return j;
}

Json metrics_json(const std::vector<std::string> &names, const Metrics &values)
{
    Json j = Json::object();
    for (std::size_t m = 0; m < names.size() && m < values.size(); ++m)
        j[names[m]] = std::isfinite(values[m]) ? Json(values[m]) : Json(nullptr);
    return j;
}

std::optional<std::size_t> metric_index(const RunInfo &info, std::string_view name)
{
    for (std::size_t m = 0; m < info.metric_names.size(); ++m)
        if (info.metric_names[m] == name)
            return m;
    return std::nullopt;
}

double mean(const std::vector<double> &v)
{
    double sum = 0.0;
    for (double x : v)
        sum += x;
    return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
}

double stdev(const std::vector<double> &v)
{
    if (v.size() < 2)
        return 0.0;
    const double m = mean(v);
    double sum = 0.0;
    for (double x : v)
        sum += (x - m) * (x - m);
    return std::sqrt(sum / static_cast<double>(v.size() - 1));
}

// Out of sample, the windows' test bars one after another: the equity at
// the end of each window (from its total_return) and the annualised return
// of them all (from each window's cagr over its returns: exact, since
// (1 + cagr)^n = (1 + total_return)^periods_per_year).
Json stitched_json(const WalkForwardOutcome &wf)
{
    const auto total = metric_index(wf.info, "total_return"), cagr = metric_index(wf.info, "cagr");
    Json j = Json::object();
    if (!total || !cagr)
        return j;
    double equity = 1.0, log_growth = 0.0, returns = 0.0;
    Json curve = Json::array();
    for (const WindowOutcome &w : wf.windows) {
        if (w.out_of_sample_status != TrialStatus::Ok)
            return Json{{"error", "a window's test failed: no stitched curve"}};
        const auto n = static_cast<double>(w.window.test.end - w.window.test.first - 1);
        equity *= 1.0 + w.out_of_sample[*total];
        log_growth += n * std::log1p(w.out_of_sample[*cagr]);
        returns += n;
        curve.push_back(Json{{"end", range_json(wf.timeline, w.window.test)["end"]}, {"last_bar", w.window.test.end - 1},
                             {"equity", equity}});
    }
    j["total_return"] = equity - 1.0;
    j["cagr"] = returns > 0 ? std::expm1(log_growth / returns) : 0.0;
    j["equity"] = std::move(curve);
    return j;
}

// Annualised out-of-sample return over the in-sample one: cagr when the
// plugin reports it, else the objective's score.
Json efficiency_json(const WalkForwardOutcome &wf, const Json &stitched)
{
    const auto cagr = metric_index(wf.info, "cagr");
    std::vector<double> in_sample, out_of_sample;
    for (const WindowOutcome &w : wf.windows) {
        in_sample.push_back(cagr ? w.in_sample[*cagr] : w.in_sample_score);
        out_of_sample.push_back(cagr ? w.out_of_sample[*cagr] : w.out_of_sample_score);
    }
    const double is = mean(in_sample);
    const double oos = cagr && stitched.contains("cagr") ? stitched["cagr"].get<double>() : mean(out_of_sample);
    return Json{{"metric", cagr ? "cagr" : wf.info.objective},
                {"in_sample", is},
                {"out_of_sample", oos},
                {"efficiency", is != 0.0 ? Json(oos / is) : Json(nullptr)}};
}

// Per parameter, how its chosen value moved from window to window.
Json stability_json(const WalkForwardOutcome &wf)
{
    Json j = Json::object();
    const auto &params = wf.space->parameters();
    for (std::size_t k = 0; k < params.size(); ++k) {
        std::vector<double> values;
        std::map<std::string, std::size_t> counts;
        std::size_t changes = 0;
        for (std::size_t i = 0; i < wf.windows.size(); ++i) {
            const Value &v = wf.windows[i].chosen[k];
            values.push_back(params[k].kind == Kind::Float ? v.f : static_cast<double>(v.i));
            ++counts[params[k].kind == Kind::Choice ? params[k].choices[static_cast<std::size_t>(v.i)]
                                                    : fmt::format("{}", values.back())];
            changes += i > 0 && values[i] != values[i - 1];
        }
        std::size_t most = 0;
        for (const auto &[value, count] : counts)
            most = std::max(most, count);
        Json p{{"distinct", counts.size()},
               {"changes", changes},
               {"most_common_share", wf.windows.empty() ? 0.0 : static_cast<double>(most) / static_cast<double>(wf.windows.size())}};
        if (params[k].kind != Kind::Choice) {
            const double m = mean(values), sd = stdev(values);
            p["mean"] = m;
            p["stdev"] = sd;
            p["cv"] = m != 0.0 ? Json(sd / std::abs(m)) : Json(nullptr);
        }
        j[params[k].name] = std::move(p);
    }
    return j;
}

Json params_json(const Space &space, const Point &point)
{
    Json j = Json::object();
    for (std::size_t k = 0; k < point.size(); ++k) {
        const Parameter &p = space.parameters()[k];
        j[p.name] = p.kind == Kind::Float  ? Json(point[k].f)
                    : p.kind == Kind::Int ? Json(point[k].i)
                                          : Json(p.choices[static_cast<std::size_t>(point[k].i)]);
    }
    return j;
}

std::string period_text(const Period &p)
{
    constexpr const char *units[] = {"", "d", "w", "m", "y"};
    return fmt::format("{}{}", p.count, units[static_cast<int>(p.unit)]);
}

} // namespace

std::string walk_forward_json(const WalkForwardOutcome &wf)
{
    Json windows = Json::array();
    for (std::size_t i = 0; i < wf.windows.size(); ++i) {
        const WindowOutcome &w = wf.windows[i];
        Json oos = metrics_json(wf.info.metric_names, w.out_of_sample);
        Json window{{"window", i + 1},
                    {"train", range_json(wf.timeline, w.window.train)},
                    {"test", range_json(wf.timeline, w.window.test)},
                    {"params", params_json(*wf.space, w.chosen)},
                    {"trials", w.trials},
                    {"in_sample_score", w.in_sample_score},
                    {"in_sample", metrics_json(wf.info.metric_names, w.in_sample)},
                    {"out_of_sample_status", trial_status_name(w.out_of_sample_status)},
                    {"out_of_sample_score", std::isfinite(w.out_of_sample_score) ? Json(w.out_of_sample_score) : Json(nullptr)},
                    {"out_of_sample", std::move(oos)}};
        if (!w.out_of_sample_error.empty())
            window["out_of_sample_error"] = w.out_of_sample_error;
        if (!w.window.validation.whole()) {
            window["validation"] = range_json(wf.timeline, w.window.validation);
            window["validation_candidates"] = w.candidates;
            window["validation_score"] = w.validation_score;
            window["validation_metrics"] = metrics_json(wf.info.metric_names, w.validation);
        }
        windows.push_back(std::move(window));
    }
    const Json stitched = stitched_json(wf);
    Json j{{"plugin", wf.info.plugin},
           {"algorithm", wf.info.algorithm},
           {"objective", wf.info.objective},
           {"direction", wf.info.direction == Direction::Maximize ? "maximize" : "minimize"},
           {"backend", wf.info.backend},
           {"n_jobs", wf.info.workers},
           {"train", period_text(wf.spec.train)},
           {"test", period_text(wf.spec.test)},
           {"step", period_text(wf.spec.step)},
           {"anchored", wf.spec.anchored},
           {"validation", wf.spec.validation ? Json(period_text(*wf.spec.validation)) : Json(nullptr)},
           {"status", btopt_status_name(wf.status)},
           {"wall_seconds", wf.seconds},
           {"study", wf.study.empty() ? Json(nullptr) : Json(wf.study)},
           {"n_evaluated", wf.counts.evaluated},
           {"n_reused", wf.counts.reused},
           {"windows", std::move(windows)},
           {"out_of_sample", stitched},
           {"walk_forward_efficiency", efficiency_json(wf, stitched)},
           {"parameter_stability", stability_json(wf)}};
    if (!wf.message.empty())
        j["message"] = wf.message;
    return j.dump(2);
}

} // namespace btopt::internal
