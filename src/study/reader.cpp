#include "reader.hpp"

#include "schema.hpp"

#include "../core/space_json.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

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

// Reads one row of `SELECT number, vals, status, score, metrics, error,
// seconds, reused` into e and point.
Result<void> read_trial_row(const sql::Db &db, const sql::Statement &q, std::int64_t run, Point &point, Evaluation &e)
{
    const auto vals = q.blob(1);
    const auto status = study::status_named(q.text(2));
    if (vals.size() != point.size() * sizeof(Value) || !status)
        return fail(BTOPT_ERR_IO, "study '{}' is damaged: trial {} of run {} does not fit the run's space", db.path(),
                    q.integer(0), run);
    std::memcpy(point.data(), vals.data(), vals.size());
    e.status = *status;
    e.score = q.null(3) ? std::numeric_limits<double>::quiet_NaN() : q.real(3);
    const auto metrics = q.blob(4);
    e.metrics.resize(metrics.size() / sizeof(double));
    if (!metrics.empty())
        std::memcpy(e.metrics.data(), metrics.data(), e.metrics.size() * sizeof(double));
    e.error = q.text(5);
    return {};
}

Result<void> read_trials(sql::Db &db, std::int64_t run, RunResult &r)
{
    auto q = db.prepare("SELECT number, vals, status, score, metrics, error, seconds, reused FROM trials "
                        "WHERE run = ? ORDER BY number");
    if (!q)
        return tl::unexpected(q.error());
    q->bind(1, run);
    const std::size_t dims = r.space->size();
    TrialTable table(r.info.direction, 0, dims, r.info.metric_names.size());
    Point point(dims);
    Evaluation e;
    for (;;) {
        auto row = q->step();
        if (!row)
            return tl::unexpected(row.error());
        if (!*row)
            break;
        if (auto read = read_trial_row(db, *q, run, point, e); !read)
            return read;
        const bool reused = q->integer(7) != 0;
        table.record(static_cast<std::uint64_t>(q->integer(0)), {point.data(), dims}, e, q->real(6), reused);
        r.reused += reused ? 1 : 0;
    }
    table.finish(r);
    return {};
}

// The run's counts, times and best trial, from the study alone.
Result<void> read_summary(sql::Db &db, std::int64_t run, RunResult &r)
{
    auto counts = db.prepare("SELECT status, count(*), sum(reused), total(CASE WHEN reused = 0 THEN seconds END) "
                             "FROM trials WHERE run = ? GROUP BY status");
    if (!counts)
        return tl::unexpected(counts.error());
    counts->bind(1, run);
    for (auto row = counts->step();; row = counts->step()) {
        if (!row)
            return tl::unexpected(row.error());
        if (!*row)
            break;
        const auto status = study::status_named(counts->text(0));
        if (!status)
            return fail(BTOPT_ERR_IO, "study '{}' is damaged: a trial of run {} has status '{}'", db.path(), run,
                        counts->text(0));
        r.status_counts[static_cast<std::size_t>(*status)] = static_cast<std::uint64_t>(counts->integer(1));
        r.reused += static_cast<std::uint64_t>(counts->integer(2));
        r.eval_seconds += counts->real(3);
        if (*status != TrialStatus::Cancelled)
            r.evaluated += static_cast<std::uint64_t>(counts->integer(1));
    }
    auto best = db.prepare(fmt::format("SELECT number, vals, status, score, metrics, error, seconds FROM trials "
                                       "WHERE run = ? AND status = 'ok' ORDER BY score {}, number LIMIT 1",
                                       r.info.direction == Direction::Maximize ? "DESC" : "ASC"));
    if (!best)
        return tl::unexpected(best.error());
    best->bind(1, run);
    auto row = best->step();
    if (!row)
        return tl::unexpected(row.error());
    r.trials = Trials(r.space->size(), r.info.metric_names.size());
    if (*row) {
        Point point(r.space->size());
        Evaluation e;
        if (auto read = read_trial_row(db, *best, run, point, e); !read)
            return read;
        r.trials.append(static_cast<std::uint64_t>(best->integer(0)), {point.data(), point.size()}, e, best->real(6));
        r.best = 0;
    }
    return {};
}

// Every trial of the run, in trial order, straight from the study.
TrialFeed trial_feed(sql::Db &db, std::int64_t run, const RunResult &r)
{
    return [&db, run, &r](const TrialVisitor &visit) -> Result<void> {
        auto q = db.prepare("SELECT number, vals, status, score, metrics, error, seconds FROM trials WHERE run = ? "
                            "ORDER BY number");
        if (!q)
            return tl::unexpected(q.error());
        q->bind(1, run);
        Point point(r.space->size());
        Evaluation e;
        for (;;) {
            auto row = q->step();
            if (!row)
                return tl::unexpected(row.error());
            if (!*row)
                return {};
            if (auto read = read_trial_row(db, *q, run, point, e); !read)
                return read;
            visit(TrialView{.number = static_cast<std::uint64_t>(q->integer(0)),
                            .point = {point.data(), point.size()},
                            .status = e.status,
                            .score = e.score,
                            .metrics = {e.metrics.data(), e.metrics.size()},
                            .error = e.error,
                            .seconds = q->real(6)});
        }
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
