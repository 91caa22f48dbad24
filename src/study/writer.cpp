#include "writer.hpp"

#include "schema.hpp"

#include "../core/space_json.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

namespace btopt::internal {
namespace {

using Json = nlohmann::ordered_json;

// How often the writer thread commits, and how many rows wake it sooner or
// (far more) make the coordinator wait for it.
constexpr auto commit_every = std::chrono::milliseconds(200);
constexpr std::size_t wake_at_rows = 1 << 15;
constexpr std::size_t most_pending_rows = 1 << 17; // ~35 MB of rows (twice: one queue filling, one being written)

// The study's writer lock: an open-file-description lock on one byte far past
// any byte SQLite locks, so it never interferes with SQLite's own locking,
// and it goes away with the process however it ends.
constexpr off_t lock_byte = off_t{1} << 40;

Result<void> check_writable(const std::string &path)
{
    if (::access(path.c_str(), F_OK) == 0 && ::access(path.c_str(), W_OK) != 0)
        return fail(BTOPT_ERR_IO,
                    "study '{}' is read-only: a run records every trial in it; make it writable, or read it with "
                    "btopt export",
                    path);
    std::filesystem::path folder = std::filesystem::path(path).parent_path();
    if (folder.empty())
        folder = ".";
    if (::access(folder.c_str(), W_OK) != 0)
        return fail(BTOPT_ERR_IO, "study '{}': its folder '{}' is not writable (SQLite keeps a -wal file beside it): {}",
                    path, folder.string(), std::strerror(errno));
    return {};
}

const char *run_status_of(btopt_status status)
{
    switch (status) {
    case BTOPT_OK:
        return "finished";
    case BTOPT_ERR_CANCELLED:
        return "cancelled";
    case BTOPT_ERR_OBJECTIVE:
        return "stopped";
    default:
        return "failed";
    }
}

} // namespace

Result<std::unique_ptr<StudyWriter>> StudyWriter::open(const std::string &path, const RunDescription &run)
{
    if (auto writable = check_writable(path); !writable)
        return tl::unexpected(writable.error());
    auto provenance = describe_provenance(run);
    if (!provenance)
        return tl::unexpected(provenance.error());
    std::unique_ptr<StudyWriter> w(new StudyWriter);
    w->path_ = path;
    w->space_ = *run.space;
    w->lookup_key_.emplace(w->space_);
    w->insert_key_.emplace(w->space_);
    auto db = sql::Db::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!db)
        return tl::unexpected(db.error());
    w->db_ = std::move(*db);
    auto has_schema = study::check_study(w->db_, true);
    if (!has_schema)
        return tl::unexpected(has_schema.error());
    if (auto locked = w->take_lock(); !locked)
        return tl::unexpected(locked.error());
    // A 64 MiB page cache: the pages a run appends to and the index it
    // searches stay in memory, not behind pread and pwrite. (No mmap: mapped
    // pages of a large study would count as the run's memory.)
    if (auto ok = w->db_.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;");
        !ok)
        return tl::unexpected(ok.error());
    if (!*has_schema)
        if (auto created = study::create_schema(w->db_); !created)
            return tl::unexpected(created.error());
    if (auto begun = w->begin_run(run, *provenance); !begun)
        return tl::unexpected(begun.error());
    w->thread_ = std::thread([raw = w.get()] { raw->write_loop(); });
    return w;
}

Result<void> StudyWriter::take_lock()
{
    lock_fd_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
    if (lock_fd_ < 0)
        return fail(BTOPT_ERR_IO, "study '{}': cannot open it: {}", path_, std::strerror(errno));
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    lock.l_start = lock_byte;
    lock.l_len = 1;
    if (::fcntl(lock_fd_, F_OFD_SETLK, &lock) == 0)
        return {};
    if (errno != EAGAIN && errno != EACCES)
        return fail(BTOPT_ERR_IO, "study '{}': cannot lock it for writing: {}", path_, std::strerror(errno));
    std::string holder = "another process";
    if (auto who = db_.prepare("SELECT host, pid, started FROM writer WHERE id = 1"); who)
        if (auto row = who->step(); row && *row)
            holder = fmt::format("pid {} on host {} (since {})", who->integer(1), who->text(0), who->text(2));
    return fail(BTOPT_ERR_IO,
                "study '{}' is being written by another run: {}. Wait for it to end, or use another study file",
                path_, holder);
}

Result<void> StudyWriter::begin_run(const RunDescription &run, const Provenance &provenance)
{
    const std::string started = utc_now();
    auto stale = db_.prepare("UPDATE runs SET status = 'interrupted', message = 'the process ended before the run "
                             "did (killed, or the machine stopped)' WHERE status = 'running'");
    if (!stale)
        return tl::unexpected(stale.error());
    if (auto ok = stale->run(); !ok)
        return ok;
    auto writer = db_.prepare("INSERT OR REPLACE INTO writer(id, host, pid, started) VALUES (1, ?, ?, ?)");
    if (!writer)
        return tl::unexpected(writer.error());
    writer->bind(1, std::string_view(provenance.record.value("host", ""))).bind(2, std::int64_t{getpid()}).bind(3, started);
    if (auto ok = writer->run(); !ok)
        return ok;

    const std::string identity = provenance.identity.dump();
    identity_key_ = hash_text(identity);
    auto last = db_.prepare("SELECT identity, id FROM runs ORDER BY id DESC LIMIT 1");
    if (!last)
        return tl::unexpected(last.error());
    auto row = last->step();
    if (!row)
        return tl::unexpected(row.error());
    const bool resume = run.options->study_mode == "resume";
    if (*row && resume) {
        const auto stored = Json::parse(last->text(0), nullptr, false);
        const std::string differences = identity_differences(provenance.identity, stored);
        if (!differences.empty())
            return fail(BTOPT_ERR_INVALID_ARGUMENT,
                        "study '{}' holds runs of a different setup (its last run is run {}): {}. Use a new study "
                        "file, or study_mode 'new' (btopt run --study-mode new) to record this run without reusing "
                        "the study's outcomes",
                        path_, last->integer(1), differences);
    }
    reuse_ = *row && resume;

    record_ = Json{{"study", path_}};
    for (const auto &[key, value] : provenance.record.items())
        record_[key] = value;
    auto insert = db_.prepare(
        "INSERT INTO runs(started, status, identity, identity_key, provenance, space, metric_names, algorithm, "
        "objective, direction, backend, workers, seed) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!insert)
        return tl::unexpected(insert.error());
    insert->bind(1, started)
        .bind(2, identity)
        .bind(3, identity_key_)
        .bind(4, record_.dump())
        .bind(5, space_to_json(space_))
        .bind(6, Json(run.metric_names).dump())
        .bind(7, run.algorithm)
        .bind(8, run.objective)
        .bind(9, std::string_view(run.options->direction == Direction::Maximize ? "maximize" : "minimize"))
        .bind(10, run.backend)
        .bind(11, std::int64_t{run.workers})
        .bind(12, run.options->random_seed);
    if (auto ok = insert->run(); !ok)
        return ok;
    run_id_ = db_.last_insert_id();
    record_["run"] = run_id_;

    auto inserter = db_.prepare("INSERT INTO trials(run, number, point, key, vals, score, metrics, status, error, "
                                "seconds, reused) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!inserter)
        return tl::unexpected(inserter.error());
    insert_ = std::move(*inserter);
    if (reuse_)
        return open_reader();
    return {};
}

// The lookups of a run that reuses: one read transaction for the whole run
// (the outcomes it reuses were stored before it began), a replay of the
// latest earlier run of the same identity, and an index on the point's hash
// for points the replay does not hold (a widened grid, another seed).
Result<void> StudyWriter::open_reader()
{
    if (auto indexed = db_.exec("CREATE INDEX IF NOT EXISTS trials_by_key ON trials(key)"); !indexed)
        return indexed;
    auto reader = sql::Db::open(path_, SQLITE_OPEN_READONLY);
    if (!reader)
        return tl::unexpected(reader.error());
    reader_ = std::move(*reader);
    if (auto ok = reader_.exec("PRAGMA cache_size = -32768; BEGIN"); !ok)
        return ok;
    auto lookup = reader_.prepare(
        "SELECT t.status, t.score, t.metrics, t.error, t.seconds FROM trials t JOIN runs r ON r.id = t.run "
        "WHERE t.key = ?4 AND t.point = ?1 AND r.identity_key = ?2 AND t.run <> ?3 AND t.status IN ('ok', 'failed') "
        "LIMIT 1");
    if (!lookup)
        return tl::unexpected(lookup.error());
    lookup_ = std::move(*lookup);
    auto replay = reader_.prepare(
        "SELECT t.status, t.score, t.metrics, t.error, t.seconds, t.number, t.point FROM trials t WHERE t.run = "
        "(SELECT max(id) FROM runs WHERE identity_key = ?1 AND id <> ?2) ORDER BY t.number");
    if (!replay)
        return tl::unexpected(replay.error());
    replay_ = std::move(*replay);
    replay_->bind(1, identity_key_).bind(2, run_id_);
    auto first = replay_->step();
    if (!first)
        return tl::unexpected(first.error());
    replay_row_ = *first;
    return {};
}

StudyWriter::~StudyWriter()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
        thread_.join();
    lookup_.reset();
    replay_.reset();
    insert_.reset();
    reader_ = sql::Db();
    db_ = sql::Db();
    // Only now: closing a descriptor of the file drops the POSIX locks SQLite holds on it.
    if (lock_fd_ >= 0)
        ::close(lock_fd_);
}

namespace {

// The outcome in columns status, score, metrics, error, seconds of a row.
Outcome outcome_of(const sql::Statement &q)
{
    Outcome o;
    o.evaluation.status = study::status_named(q.text(0)).value_or(TrialStatus::Failed);
    o.evaluation.score = q.null(1) ? std::numeric_limits<double>::quiet_NaN() : q.real(1);
    const auto metrics = q.blob(2);
    o.evaluation.metrics.resize(metrics.size() / sizeof(double));
    if (!metrics.empty())
        std::memcpy(o.evaluation.metrics.data(), metrics.data(), o.evaluation.metrics.size() * sizeof(double));
    o.evaluation.error = q.text(3);
    o.seconds = q.real(4);
    return o;
}

bool reusable(const sql::Statement &q)
{
    const auto status = q.text(0);
    return status == "ok" || status == "failed";
}

} // namespace

std::optional<Outcome> StudyWriter::stored(std::uint64_t number, std::span<const Value> point)
{
    if (!reuse_)
        return std::nullopt;
    const std::string &key = lookup_key_->text(point);
    sql::Statement &replay = *replay_;
    while (replay_row_ && static_cast<std::uint64_t>(replay.integer(5)) < number) {
        auto next = replay.step();
        if (!next)
            set_failure(next.error());
        replay_row_ = next && *next;
    }
    if (replay_row_ && static_cast<std::uint64_t>(replay.integer(5)) == number && replay.text(6) == key &&
        reusable(replay))
        return outcome_of(replay);
    sql::Statement &q = *lookup_;
    q.bind(1, key).bind(2, identity_key_).bind(3, run_id_).bind(4, study::PointKey::hash(key));
    auto row = q.step();
    std::optional<Outcome> found;
    if (!row)
        set_failure(row.error());
    else if (*row)
        found = outcome_of(q);
    q.reset();
    return found;
}

void StudyWriter::record(std::uint64_t number, std::span<const Value> point, const Evaluation &e, double seconds,
                         bool reused)
{
    std::unique_lock lock(mutex_);
    if (pending_.size() >= most_pending_rows)
        drained_.wait(lock, [this] { return pending_.size() < most_pending_rows || stopping_; });
    pending_.push_back(Row{number, Point(point.begin(), point.end()), e, seconds, reused});
    if (pending_.size() == wake_at_rows)
        wake_.notify_one();
}

std::optional<Error> StudyWriter::failure() const
{
    std::lock_guard lock(mutex_);
    return failure_;
}

void StudyWriter::set_failure(const Error &error)
{
    std::lock_guard lock(mutex_);
    if (!failure_)
        failure_ = error;
}

void StudyWriter::write_loop()
{
    std::vector<Row> rows;
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait_for(lock, commit_every, [this] { return stopping_ || pending_.size() >= wake_at_rows; });
        if (pending_.empty()) {
            if (stopping_)
                return;
            continue;
        }
        rows.clear();
        rows.swap(pending_);
        const bool failed = failure_.has_value();
        lock.unlock();
        drained_.notify_all();
        if (!failed)
            if (auto written = write_rows(rows); !written)
                set_failure(written.error());
        lock.lock();
    }
}

Result<void> StudyWriter::write_rows(std::vector<Row> &rows)
{
    auto written = insert_rows(rows);
    if (!written)
        written.error().message = fmt::format("{} (the trials committed before are kept; the study is intact)",
                                              written.error().message);
    return written;
}

Result<void> StudyWriter::insert_rows(std::vector<Row> &rows)
{
    if (auto begun = db_.exec("BEGIN"); !begun)
        return begun;
    sql::Statement &s = *insert_;
    for (const Row &r : rows) {
        const Evaluation &e = r.evaluation;
        const std::string &key = insert_key_->text({r.point.data(), r.point.size()});
        s.bind(1, run_id_)
            .bind(2, static_cast<std::int64_t>(r.number))
            .bind(3, key)
            .bind(4, study::PointKey::hash(key))
            .bind_blob(5, r.point.data(), r.point.size() * sizeof(Value))
            .bind(6, e.score)
            .bind_blob(7, e.metrics.data(), e.metrics.size() * sizeof(double))
            .bind(8, std::string_view(trial_status_name(e.status)))
            .bind(9, e.error)
            .bind(10, r.seconds)
            .bind(11, std::int64_t{r.reused});
        if (auto ok = s.run(); !ok) {
            (void)db_.exec("ROLLBACK");
            return ok;
        }
    }
    if (auto committed = db_.exec("COMMIT"); !committed) {
        (void)db_.exec("ROLLBACK");
        return committed;
    }
    return {};
}

Result<void> StudyWriter::finish(btopt_status status, const std::string &message, RunResult &result)
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
        thread_.join();
    const std::optional<Error> failed = failure();
    const std::string ended = utc_now();
    const std::string final_status = failed ? "failed" : run_status_of(status);
    std::uint64_t n_trials = 0;
    for (auto n : result.status_counts)
        n_trials += n;
    record_["ended"] = ended;
    record_["status"] = final_status;
    auto update = db_.prepare("UPDATE runs SET ended = ?, status = ?, message = ?, n_trials = ?, evaluated = ?, "
                              "reused = ?, wall_seconds = ?, eval_seconds = ?, provenance = ? WHERE id = ?");
    if (!update)
        return tl::unexpected(failed.value_or(update.error()));
    update->bind(1, ended)
        .bind(2, final_status)
        .bind(3, failed ? failed->message : message)
        .bind(4, static_cast<std::int64_t>(n_trials))
        .bind(5, static_cast<std::int64_t>(result.evaluated - result.reused))
        .bind(6, static_cast<std::int64_t>(result.reused))
        .bind(7, result.wall_seconds)
        .bind(8, result.eval_seconds)
        .bind(9, record_.dump())
        .bind(10, run_id_);
    auto updated = update->run();
    (void)db_.exec("DELETE FROM writer");
    // Readers of the study need no index; the next run that reuses builds it again.
    lookup_.reset();
    replay_.reset();
    reader_ = sql::Db();
    (void)db_.exec("DROP INDEX IF EXISTS trials_by_key");
    result.provenance = record_.dump();
    if (failed)
        return tl::unexpected(*failed);
    return updated;
}

} // namespace btopt::internal
