#include "dashboard/mirror.hpp"

#include <fmt/format.h>
#include <muParser.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>

namespace btopt::cli::dashboard {
namespace {

using Json = nlohmann::json;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
// The schema this dashboard reads (src/study/schema.hpp: application_id, schema_version).
constexpr std::int64_t study_application_id = 0x6274'6f70; // "btop"
constexpr std::int64_t newest_schema = 3;
// Grids up to this many points are counted against their constraints for the
// planned total; a larger one says its size before constraints.
constexpr double most_points_counted = 4e6;

struct Statement {
    sqlite3_stmt *stmt = nullptr;
    Statement(sqlite3 *db, const char *sql) { sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr); }
    ~Statement() { sqlite3_finalize(stmt); }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;
    bool row() { return stmt && sqlite3_step(stmt) == SQLITE_ROW; }
    std::string text(int col) const
    {
        const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(stmt, col));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt, col))) : std::string();
    }
    Json value(int col) const
    {
        switch (sqlite3_column_type(stmt, col)) {
        case SQLITE_INTEGER:
            return sqlite3_column_int64(stmt, col);
        case SQLITE_FLOAT:
            return sqlite3_column_double(stmt, col);
        case SQLITE_NULL:
            return nullptr;
        default:
            return text(col);
        }
    }
};

std::vector<Param> params_of(const Json &space)
{
    std::vector<Param> params;
    for (const Json &p : space.value("parameters", Json::array())) {
        Param param;
        param.name = p.value("name", "");
        param.kind = p.value("kind", "");
        if (param.kind == "choice") {
            param.choices = p.value("choices", std::vector<std::string>{});
            param.hi = static_cast<double>(param.choices.size()) - 1;
        } else {
            param.lo = p.value("lo", 0.0);
            param.hi = p.value("hi", 0.0);
            param.step = p.value("step", 0.0);
        }
        params.push_back(std::move(param));
    }
    return params;
}

// Grid points meeting every constraint (evaluated with muparser, as the library does).
std::optional<double> feasible_points(const std::vector<Param> &params, const std::vector<std::string> &constraints)
{
    double size = 1;
    for (const Param &p : params)
        size *= static_cast<double>(p.grid().size());
    if (size == 0)
        return std::nullopt;
    if (constraints.empty() || size > most_points_counted)
        return size;
    std::vector<double> values(params.size());
    std::vector<mu::Parser> parsers(constraints.size());
    try {
        for (std::size_t c = 0; c < constraints.size(); ++c) {
            for (std::size_t k = 0; k < params.size(); ++k)
                if (params[k].kind != "choice")
                    parsers[c].DefineVar(params[k].name, &values[k]);
            parsers[c].SetExpr(constraints[c]);
        }
        std::vector<std::vector<double>> grids;
        for (const Param &p : params)
            grids.push_back(p.grid());
        std::vector<std::size_t> at(params.size(), 0);
        double count = 0;
        for (;;) {
            for (std::size_t k = 0; k < params.size(); ++k)
                values[k] = grids[k][at[k]];
            bool ok = true;
            for (auto &parser : parsers)
                ok = ok && parser.Eval() != 0;
            count += ok ? 1 : 0;
            std::size_t k = params.size();
            while (k > 0 && ++at[k - 1] == grids[k - 1].size())
                at[--k] = 0;
            if (k == 0)
                return count;
        }
    } catch (const mu::Parser::exception_type &) {
        return size; // the library checked them when the run began; this one is only a count
    }
}

// Trials the run makes: its count once it ended; else what its search plans
// (a grid: its points that meet the constraints; random, bayesian, cmaes:
// the iterations; genetic: population times generations, an upper bound).
std::optional<double> planned_trials(const Run &run)
{
    if (run.header.value("status", "") != "running" && run.header["n_trials"].is_number())
        return run.header["n_trials"].get<double>();
    const Json options = run.provenance.value("options", Json::object());
    const std::string algorithm = run.header.value("algorithm", "");
    if (algorithm == "grid")
        return feasible_points(run.params, run.constraints);
    if (algorithm == "genetic")
        return options.value("population_size", 0.0) * options.value("n_generations", 0.0);
    if (options.contains("n_iterations"))
        return options.value("n_iterations", 0.0);
    return std::nullopt;
}

Run run_of(const Statement &q)
{
    Run run;
    run.id = sqlite3_column_int64(q.stmt, 0);
    static constexpr const char *columns[] = {"id",        "started", "ended",   "status",   "message",
                                              "algorithm", "objective", "direction", "backend", "workers",
                                              "seed",      "n_trials", "evaluated", "reused",  "wall_seconds"};
    for (int c = 0; c < static_cast<int>(std::size(columns)); ++c)
        run.header[columns[c]] = q.value(c);
    run.provenance = Json::parse(q.text(15), nullptr, false);
    const Json space = Json::parse(q.text(16), nullptr, false);
    run.params = params_of(space);
    for (const Param &p : run.params)
        run.axes.push_back(axis_of(p));
    run.cells.resize(run.params.size());
    run.constraints = space.value("constraints", std::vector<std::string>{});
    const Json stored = Json::parse(q.text(17), nullptr, false);
    for (std::size_t m = 0; stored.is_array() && m < stored.size(); ++m)
        if (stored[m].is_string() && !stored[m].get<std::string>().starts_with("btopt.")) {
            run.metrics.push_back(stored[m].get<std::string>());
            run.stored_metric.push_back(m);
        }
    run.objective = run.header.value("objective", "");
    run.maximize = run.header.value("direction", "") != "minimize";
    return run;
}

template <class T> T read_at(const unsigned char *at)
{
    T value;
    std::memcpy(&value, at, sizeof value);
    return value;
}

bool read_varint(const unsigned char *chunk, std::size_t size, std::size_t &offset, std::uint64_t &v)
{
    v = 0;
    for (unsigned shift = 0; offset < size && shift < 64; shift += 7) {
        const std::uint64_t byte = chunk[offset++];
        v |= (byte & 0x7f) << shift;
        if (byte < 0x80)
            return true;
    }
    return false;
}

// The trial at `offset` of a chunk of stored trials, moving offset past it;
// false if the bytes there are not one. The layout's home is
// src/study/chunk.hpp: varint number, u8 status (+ 0x80 when reused), varint
// metric count, varint error bytes, f64 score, f64 seconds, per parameter an
// int64 (an int, a choice's index) or a double (a float), the metrics, the
// error text.
// Its parameters and shown metrics go to `row` (the run's columns, in order).
bool trial_of(const unsigned char *chunk, std::size_t size, std::size_t &offset, const Run &run, Trial &t,
              std::vector<double> &row)
{
    std::uint64_t number = 0, n_metrics = 0, error_bytes = 0;
    if (!read_varint(chunk, size, offset, number) || offset >= size)
        return false;
    const unsigned flags = chunk[offset++];
    if (!read_varint(chunk, size, offset, n_metrics) || !read_varint(chunk, size, offset, error_bytes))
        return false;
    const std::size_t values = run.params.size() * 8, left = size - offset;
    if ((flags & 0x7f) >= std::size(state_names) || left < 16 + values || n_metrics > (left - 16 - values) / 8 ||
        error_bytes > left - 16 - values - 8 * n_metrics)
        return false;
    const unsigned char *at = chunk + offset;
    t.number = static_cast<std::int64_t>(number);
    t.status = static_cast<State>(flags & 0x7f);
    t.reused = (flags & 0x80) != 0;
    t.score = read_at<double>(at);
    t.seconds = read_at<double>(at + 8);
    at += 16;
    const std::size_t n_params = run.params.size();
    row.assign(n_params + run.metrics.size(), nan);
    for (std::size_t k = 0; k < n_params; ++k)
        row[k] = run.params[k].kind == "float" ? read_at<double>(at + 8 * k)
                                               : static_cast<double>(read_at<std::int64_t>(at + 8 * k));
    // Only the metrics the page shows (stored_metric: their places among the stored ones).
    for (std::size_t m = 0; m < run.stored_metric.size(); ++m)
        if (run.stored_metric[m] < n_metrics)
            std::memcpy(&row[n_params + m], at + values + 8 * run.stored_metric[m], sizeof(double));
    t.error.assign(reinterpret_cast<const char *>(at + values + 8 * n_metrics), error_bytes);
    offset += 16 + values + 8 * n_metrics + error_bytes;
    return true;
}

} // namespace

Mirror::~Mirror()
{
    sqlite3_close_v2(db_);
}

std::string Mirror::open_db()
{
    if (::access(path_.c_str(), F_OK) != 0)
        return ""; // not yet: a run is about to create it
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        std::string error = fmt::format("cannot open study '{}': {}", path_, sqlite3_errmsg(db));
        sqlite3_close_v2(db);
        return error;
    }
    sqlite3_busy_timeout(db, 1000);
    sqlite3_exec(db, "PRAGMA query_only = 1", nullptr, nullptr, nullptr);
    Statement header(db, "SELECT (SELECT application_id FROM pragma_application_id), "
                         "(SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master)");
    if (!header.row()) {
        std::string error = fmt::format("'{}' is not a btopt study ({})", path_, sqlite3_errmsg(db));
        sqlite3_close_v2(db);
        return error;
    }
    const auto app = sqlite3_column_int64(header.stmt, 0), schema = sqlite3_column_int64(header.stmt, 1);
    const auto tables = sqlite3_column_int64(header.stmt, 2);
    std::string error;
    if (tables == 0 && app == 0)
        error = ""; // a run just created it and is writing its schema
    else if (app != study_application_id)
        error = fmt::format("'{}' is not a btopt study (an SQLite database of another application)", path_);
    else if (schema > newest_schema)
        error = fmt::format("study '{}' was written by a newer btopt (study schema {}): upgrade btopt", path_, schema);
    else {
        db_ = db;
        return "";
    }
    sqlite3_close_v2(db);
    return error;
}

struct Mirror::Batch {
    std::int64_t run = 0;
    std::vector<Trial> trials;
    std::vector<std::vector<double>> values; // as Run::values
};

std::string Mirror::refresh()
{
    std::lock_guard update(update_);
    if (!db_)
        if (std::string error = open_db(); !error.empty() || !db_)
            return error;
    // One read transaction: the runs and their trials of one moment.
    sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
    std::vector<Run> fresh = read_runs();
    std::vector<Batch> batches;
    for (std::int64_t id : watched_)
        if (auto it = runs_.find(id); it != runs_.end())
            batches.push_back(read_trials(it->second));
    sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    apply(std::move(fresh), std::move(batches));
    return "";
}

// The runs that are new or whose row changed (status, end, counts). Reads
// runs_ without mutex_: only the holder of update_ changes it.
std::vector<Run> Mirror::read_runs() const
{
    Statement q(db_, "SELECT id, started, ended, status, message, algorithm, objective, direction, backend, workers, "
                     "seed, n_trials, evaluated, reused, wall_seconds, provenance, space, metric_names FROM runs");
    std::vector<Run> fresh;
    while (q.row()) {
        Run run = run_of(q);
        const auto it = runs_.find(run.id);
        if (it != runs_.end() && it->second.header == run.header)
            continue;
        run.planned = planned_trials(run); // a grid's constraints counted: outside the lock
        fresh.push_back(std::move(run));
    }
    return fresh;
}

// The trials committed after the last one the mirror holds of the run.
Mirror::Batch Mirror::read_trials(const Run &run) const
{
    Statement q(db_, "SELECT trials FROM chunks WHERE run = ? AND last > ? ORDER BY first");
    const std::int64_t last = run.trials.empty() ? -1 : run.trials.back().number;
    sqlite3_bind_int64(q.stmt, 1, run.id);
    sqlite3_bind_int64(q.stmt, 2, last);
    Batch batch{run.id, {}, std::vector<std::vector<double>>(run.params.size() + run.metrics.size())};
    while (q.row()) {
        const auto *chunk = static_cast<const unsigned char *>(sqlite3_column_blob(q.stmt, 0));
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(q.stmt, 0));
        Trial t;
        std::vector<double> row;
        for (std::size_t offset = 0; offset < size && trial_of(chunk, size, offset, run, t, row);) {
            if (t.number <= (batch.trials.empty() ? last : batch.trials.back().number))
                continue;
            batch.trials.push_back(std::move(t));
            for (std::size_t c = 0; c < row.size(); ++c)
                batch.values[c].push_back(row[c]);
        }
    }
    return batch;
}

namespace {

// Appends to `to` what `from` holds; moves it when `to` is empty (the first
// read of a large run: no copy).
template <class T> void extend(std::vector<T> &to, std::vector<T> &&from)
{
    if (to.empty()) {
        to = std::move(from);
        return;
    }
    if (to.capacity() < to.size() + from.size())
        to.reserve(std::max(to.size() + from.size(), 2 * to.capacity()));
    std::move(from.begin(), from.end(), std::back_inserter(to));
}

// Appends trials read from the study to the run's, counting them.
void append(Run &run, std::vector<Trial> trials, std::vector<std::vector<double>> values)
{
    std::optional<double> best;
    if (run.best)
        best = run.scores[*run.best];
    for (std::size_t j = 0; j < trials.size(); ++j) {
        const Trial &t = trials[j];
        ++run.statuses[name_of(t.status)];
        run.reused += t.reused ? 1 : 0;
        for (std::size_t k = 0; k < run.axes.size(); ++k)
            run.cells[k].push_back(run.axes[k].cell_of(values[k][j]));
        run.states.push_back(t.status);
        run.scores.push_back(t.score);
        if (t.status == State::ok && !std::isnan(t.score) && (!best || run.better(t.score, *best))) {
            best = t.score;
            run.best = run.trials.size() + j;
        }
    }
    extend(run.trials, std::move(trials));
    run.values.resize(values.size());
    for (std::size_t c = 0; c < values.size(); ++c)
        extend(run.values[c], std::move(values[c]));
}

} // namespace

// What a read found, made visible to the readers at once.
void Mirror::apply(std::vector<Run> fresh, std::vector<Batch> batches)
{
    const bool changed = !fresh.empty() || std::any_of(batches.begin(), batches.end(),
                                                       [](const Batch &b) { return !b.trials.empty(); });
    if (!changed)
        return;
    {
        std::unique_lock lock(mutex_);
        for (Run &run : fresh) {
            auto it = runs_.find(run.id);
            if (it == runs_.end()) {
                runs_.emplace(run.id, std::move(run));
                continue;
            }
            it->second.header = std::move(run.header);
            it->second.provenance = std::move(run.provenance);
            it->second.planned = run.planned;
        }
        for (Batch &batch : batches)
            append(runs_.at(batch.run), std::move(batch.trials), std::move(batch.values));
    }
    {
        std::lock_guard lock(version_mutex_);
        ++version_;
    }
    changed_.notify_all();
}

// Keeps the trials of run `id` (0: the last run) from now on, reading those
// committed so far.
void Mirror::watch(std::int64_t id)
{
    std::lock_guard update(update_);
    const Run *run = find_run(id);
    if (!run || watched_.contains(run->id))
        return;
    sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
    std::vector<Batch> batches;
    batches.push_back(read_trials(*run));
    sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    const std::int64_t watched = run->id;
    apply({}, std::move(batches));
    // Only now: a reader that finds the run watched finds its trials.
    std::unique_lock lock(mutex_);
    watched_.insert(watched);
}

std::optional<std::size_t> Run::index_of(std::int64_t number) const
{
    const auto it = std::lower_bound(trials.begin(), trials.end(), number,
                                     [](const Trial &t, std::int64_t n) { return t.number < n; });
    if (it == trials.end() || it->number != number)
        return std::nullopt;
    return static_cast<std::size_t>(it - trials.begin());
}

Run Run::only(std::size_t i) const
{
    Run one;
    one.id = id;
    one.header = header;
    one.provenance = provenance;
    one.params = params;
    one.axes = axes;
    one.metrics = metrics;
    one.constraints = constraints;
    one.stored_metric = stored_metric;
    one.objective = objective;
    one.maximize = maximize;
    std::vector<std::vector<double>> row;
    for (const auto &column : values)
        row.push_back({column[i]});
    one.cells.resize(params.size());
    append(one, {trials[i]}, std::move(row));
    return one;
}

const Run *Mirror::find_run(std::int64_t id) const
{
    if (runs_.empty())
        return nullptr;
    auto it = id == 0 ? std::prev(runs_.end()) : runs_.find(id);
    return it == runs_.end() ? nullptr : &it->second;
}

nlohmann::json Mirror::runs() const
{
    std::shared_lock lock(mutex_);
    Json list = Json::array();
    for (const auto &[id, run] : runs_)
        list.push_back(run.header);
    return list;
}

std::uint64_t Mirror::wait_change(std::uint64_t seen, std::chrono::milliseconds timeout)
{
    std::unique_lock lock(version_mutex_);
    changed_.wait_for(lock, timeout, [&] { return version_ != seen; });
    return version_;
}

} // namespace btopt::cli::dashboard
