#include "reader.hpp"

#include "chunk.hpp"
#include "schema.hpp"

#include "../core/space_json.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cmath>
#include <cstring>

namespace btopt::internal {
namespace {

using Json = nlohmann::ordered_json;

Result<sql::Db> open_study(const std::string &path)
{
    if (::access(path.c_str(), F_OK) != 0)
        return fail(BTOPT_ERR_NOT_FOUND, "study '{}' does not exist", path);
    auto db = sql::Db::open(path, SQLITE_OPEN_READONLY);
    if (!db)
        return tl::unexpected(db.error());
    if (auto checked = study::check_study(*db, false); !checked)
        return tl::unexpected(checked.error());
    return db;
}

// The run's header: everything but its trials.
Result<RunResult> read_run_header(sql::Db &db, std::int64_t &run)
{
    auto q = db.prepare(run > 0 ? "SELECT id, space, metric_names, algorithm, objective, direction, backend, workers, "
                                  "seed, wall_seconds, provenance, status FROM runs WHERE id = ?"
                                : "SELECT id, space, metric_names, algorithm, objective, direction, backend, workers, "
                                  "seed, wall_seconds, provenance, status FROM runs ORDER BY id DESC LIMIT 1");
    if (!q)
        return tl::unexpected(q.error());
    if (run > 0)
        q->bind(1, run);
    auto row = q->step();
    if (!row)
        return tl::unexpected(row.error());
    if (!*row)
        return run > 0 ? fail(BTOPT_ERR_NOT_FOUND, "study '{}' has no run {}", db.path(), run)
                       : fail(BTOPT_ERR_NOT_FOUND, "study '{}' holds no run yet", db.path());
    run = q->integer(0);
    auto space = space_from_json(std::string(q->text(1)));
    if (!space)
        return tl::unexpected(space.error());
    RunResult r;
    r.space = std::make_shared<const Space>(std::move(*space));
    r.info.metric_names = Json::parse(q->text(2), nullptr, false).get<std::vector<std::string>>();
    r.info.algorithm = q->text(3);
    r.info.objective = q->text(4);
    r.info.direction = q->text(5) == "minimize" ? Direction::Minimize : Direction::Maximize;
    r.info.backend = q->text(6);
    r.info.workers = static_cast<unsigned>(q->integer(7));
    r.info.seed = q->integer(8);
    r.wall_seconds = q->null(9) ? 0.0 : q->real(9);
    Json provenance = Json::parse(q->text(10), nullptr, false);
    if (provenance.is_object()) {
        provenance["status"] = std::string(q->text(11));
        if (provenance.contains("plugin") && provenance["plugin"].is_object())
            r.info.plugin = provenance["plugin"].value("name", "");
    }
    r.provenance = provenance.dump();
    return r;
}

Result<void> for_each_trial(sql::Db &db, std::int64_t run, const RunResult &r, const study::TrialVisit &visit)
{
    const study::Layout layout(*r.space);
    return study::for_each_trial(db.get(), db.path(), run, -1, layout, visit);
}

Result<void> read_trials(sql::Db &db, std::int64_t run, RunResult &r)
{
    const std::size_t dims = r.space->size();
    TrialTable table(r.info.direction, 0, dims, r.info.metric_names.size());
    Point point(dims);
    Evaluation e;
    auto read = for_each_trial(db, run, r, [&](const study::StoredTrial &t) -> Result<void> {
        t.point_into(point);
        t.evaluation_into(e);
        table.record(t.number, {point.data(), dims}, e, t.seconds, t.reused);
        r.reused += t.reused ? 1 : 0;
        return {};
    });
    if (!read)
        return read;
    table.finish(r);
    return {};
}

// The run's counts, times and best trial (the first of the best score).
Result<void> read_summary(sql::Db &db, std::int64_t run, RunResult &r)
{
    const bool maximize = r.info.direction == Direction::Maximize;
    Point point;
    Evaluation e;
    std::optional<study::StoredTrial> best;
    double best_score = 0.0;
    r.trials = Trials(r.space->size(), r.info.metric_names.size());
    auto read = for_each_trial(db, run, r, [&](const study::StoredTrial &t) -> Result<void> {
        ++r.status_counts[static_cast<std::size_t>(t.status)];
        r.reused += t.reused ? 1 : 0;
        r.eval_seconds += t.reused ? 0.0 : t.seconds;
        r.evaluated += t.status != TrialStatus::Cancelled ? 1 : 0;
        if (t.status == TrialStatus::Ok && !std::isnan(t.score) &&
            (!best || (maximize ? t.score > best_score : t.score < best_score))) {
            best_score = t.score;
            t.point_into(point);
            t.evaluation_into(e);
            r.trials = Trials(r.space->size(), r.info.metric_names.size());
            r.trials.append(t.number, {point.data(), point.size()}, e, t.seconds);
            best = t;
        }
        return {};
    });
    if (!read)
        return read;
    if (best)
        r.best = 0;
    return {};
}

// Every trial of the run, in trial order, straight from the study.
TrialFeed trial_feed(sql::Db &db, std::int64_t run, const RunResult &r)
{
    return [&db, run, &r](const TrialVisitor &visit) -> Result<void> {
        Point point(r.space->size());
        Evaluation e; // the metrics copied out: a blob's doubles need not be aligned
        return for_each_trial(db, run, r, [&](const study::StoredTrial &t) -> Result<void> {
            t.point_into(point);
            t.evaluation_into(e);
            visit(TrialView{.number = t.number,
                            .point = {point.data(), point.size()},
                            .status = t.status,
                            .score = t.score,
                            .metrics = {e.metrics.data(), e.metrics.size()},
                            .error = e.error,
                            .seconds = t.seconds});
            return {};
        });
    };
}

} // namespace

Result<void> export_study_run(const std::string &path, std::int64_t run, const std::string &json, const std::string &csv)
{
    auto db = open_study(path);
    if (!db)
        return tl::unexpected(db.error());
    if (auto begun = db->exec("BEGIN"); !begun)
        return begun;
    auto written = [&]() -> Result<void> {
        auto header = read_run_header(*db, run);
        if (!header)
            return tl::unexpected(header.error());
        if (auto summary = read_summary(*db, run, *header); !summary)
            return summary;
        const TrialFeed feed = trial_feed(*db, run, *header);
        if (!json.empty())
            if (auto ok = write_json(*header, json, feed); !ok)
                return ok;
        if (!csv.empty())
            if (auto ok = write_csv(*header, csv, feed); !ok)
                return ok;
        return {};
    }();
    (void)db->exec("COMMIT");
    return written;
}

Result<std::vector<std::int64_t>> study_runs(const std::string &path)
{
    auto db = open_study(path);
    if (!db)
        return tl::unexpected(db.error());
    auto q = db->prepare("SELECT id FROM runs ORDER BY id");
    if (!q)
        return tl::unexpected(q.error());
    std::vector<std::int64_t> ids;
    for (auto row = q->step(); row; row = q->step()) {
        if (!*row)
            return ids;
        ids.push_back(q->integer(0));
    }
    return tl::unexpected(db->error("cannot list its runs"));
}

Result<RunResult> load_study_run(const std::string &path, std::int64_t run)
{
    auto db = open_study(path);
    if (!db)
        return tl::unexpected(db.error());
    // One read transaction: the header and the trials are of the same moment.
    if (auto begun = db->exec("BEGIN"); !begun)
        return tl::unexpected(begun.error());
    auto result = read_run_header(*db, run);
    if (result)
        if (auto read = read_trials(*db, run, *result); !read)
            result = tl::unexpected(read.error());
    (void)db->exec("COMMIT");
    return result;
}

} // namespace btopt::internal
