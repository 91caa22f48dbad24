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

// How often the writer thread commits, and how many bytes of sealed chunks
// wake it sooner or (more) make the coordinator wait for it.
constexpr auto commit_every = std::chrono::milliseconds(200);
constexpr std::size_t wake_at_bytes = std::size_t{4} << 20;
constexpr std::size_t most_pending_bytes = std::size_t{16} << 20; // twice: one queue filling, one being written

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
    w->space_json_ = space_to_json(w->space_);
    w->lookup_key_.emplace(w->space_);
    w->layout_.emplace(w->space_);
    auto db = sql::Db::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!db)
        return tl::unexpected(db.error());
    w->db_ = std::move(*db);
    auto has_schema = study::check_study(w->db_, true);
    if (!has_schema)
        return tl::unexpected(has_schema.error());
    if (auto locked = w->take_lock(); !locked)
        return tl::unexpected(locked.error());
    // 64 KiB pages for a new study (a chunk of trials spans a few, not
    // dozens: far fewer writes and reads of the WAL and its checkpoints) and
    // an 8 MiB page cache: a run only appends chunks. (No mmap: mapped pages
    // of a large study would count as the run's memory.) A new study is set
    // up without syncing (six fdatasyncs, tens of ms on a busy disk): until
    // it holds a trial, a power cut can lose nothing but the empty file.
    const char *setup = *has_schema ? "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -8192;"
                                    : "PRAGMA page_size = 65536; PRAGMA synchronous = OFF; PRAGMA journal_mode = WAL; "
                                      "PRAGMA cache_size = -8192;";
    if (auto ok = w->db_.exec(setup); !ok)
        return tl::unexpected(ok.error());
    if (!*has_schema) {
        if (auto created = study::create_schema(w->db_); !created)
            return tl::unexpected(created.error());
        if (auto ok = w->db_.exec("PRAGMA synchronous = NORMAL"); !ok)
            return tl::unexpected(ok.error());
    } else if (auto upgraded = study::upgrade_schema(w->db_); !upgraded) {
        return tl::unexpected(upgraded.error());
    }
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

    bars_ = run.bars;
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
        "objective, direction, backend, workers, seed, first_bar, end_bar) "
        "VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!insert)
        return tl::unexpected(insert.error());
    insert->bind(1, started)
        .bind(2, identity)
        .bind(3, identity_key_)
        .bind(4, record_.dump())
        .bind(5, space_json_)
        .bind(6, Json(run.metric_names).dump())
        .bind(7, run.algorithm)
        .bind(8, run.objective)
        .bind(9, std::string_view(run.options->direction == Direction::Maximize ? "maximize" : "minimize"))
        .bind(10, run.backend)
        .bind(11, std::int64_t{run.workers})
        .bind(12, run.options->random_seed);
    bind_bars(*insert, 13);
    if (auto ok = insert->run(); !ok)
        return ok;
    run_id_ = db_.last_insert_id();
    record_["run"] = run_id_;

    auto inserter = db_.prepare("INSERT INTO chunks(run, first, last, count, trials) VALUES (?, ?, ?, ?, ?)");
    if (!inserter)
        return tl::unexpected(inserter.error());
    insert_ = std::move(*inserter);
    if (reuse_)
        return open_reader();
    return {};
}

// The run's bars at parameters `at` and `at + 1` (first_bar, end_bar): NULL
// for all of them, so `IS` matches runs on all bars too.
void StudyWriter::bind_bars(sql::Statement &s, int at) const
{
    if (bars_.whole()) {
        s.bind_null(at).bind_null(at + 1);
        return;
    }
    s.bind(at, static_cast<std::int64_t>(bars_.first)).bind(at + 1, static_cast<std::int64_t>(bars_.end));
}

// The lookups of a run that reuses: one read transaction for the whole run
// (the outcomes it reuses were stored before it began), a replay of the
// latest earlier run of the same identity, and (built when first needed) an
// index on the point's hash for points the replay does not hold.
Result<void> StudyWriter::open_reader()
{
    auto reader = sql::Db::open(path_, SQLITE_OPEN_READONLY);
    if (!reader)
        return tl::unexpected(reader.error());
    reader_ = std::move(*reader);
    if (auto ok = reader_.exec("PRAGMA cache_size = -8192; PRAGMA temp_store = FILE; BEGIN"); !ok)
        return ok;
    auto latest = reader_.prepare(
        "SELECT max(id) FROM runs WHERE identity_key = ?1 AND id <> ?2 AND first_bar IS ?3 AND end_bar IS ?4");
    if (!latest)
        return tl::unexpected(latest.error());
    latest->bind(1, identity_key_).bind(2, run_id_);
    bind_bars(*latest, 3);
    if (auto row = latest->step(); !row)
        return tl::unexpected(row.error());
    replay_run_ = latest->integer(0);
    auto replay = reader_.prepare("SELECT trials FROM chunks WHERE run = ? ORDER BY first");
    if (!replay)
        return tl::unexpected(replay.error());
    replay_ = std::move(*replay);
    replay_->bind(1, replay_run_);
    auto first = replay_next();
    if (!first)
        return tl::unexpected(first.error());
    return {};
}

Result<StudyWriter::StoredSpace *> StudyWriter::stored_space(std::int64_t run)
{
    if (auto it = stored_spaces_.find(run); it != stored_spaces_.end())
        return &it->second;
    auto q = reader_.prepare("SELECT space FROM runs WHERE id = ?");
    if (!q)
        return tl::unexpected(q.error());
    q->bind(1, run);
    if (auto row = q->step(); !row || !*row)
        return fail(BTOPT_ERR_IO, "study '{}' is damaged: run {} has trials but no row", path_, run);
    auto space = space_from_json(std::string(q->text(0)));
    if (!space)
        return tl::unexpected(space.error());
    StoredSpace stored;
    stored.same_as_ours = q->text(0) == space_json_;
    stored.space = std::make_unique<Space>(std::move(*space));
    stored.key = std::make_unique<study::PointKey>(*stored.space);
    stored.layout = std::make_unique<study::Layout>(*stored.space);
    return &stored_spaces_.emplace(run, std::move(stored)).first->second;
}

// Whether a stored trial of `run` is at this point (keyed by `key`, its text).
Result<bool> StudyWriter::same_point(std::int64_t run, const study::StoredTrial &trial, std::span<const Value> point,
                                     const std::string &key)
{
    auto stored = stored_space(run);
    if (!stored)
        return tl::unexpected(stored.error());
    if ((*stored)->same_as_ours)
        return trial.is(point);
    trial.point_into(scratch_point_);
    return (*stored)->key->text({scratch_point_.data(), scratch_point_.size()}) == key;
}

// Moves the replay to its next trial; false past its last.
Result<bool> StudyWriter::replay_next()
{
    while (replay_offset_ >= replay_chunk_.size()) {
        auto row = replay_->step();
        if (!row)
            return tl::unexpected(row.error());
        if (!*row)
            return replay_row_ = false;
        replay_chunk_ = replay_->blob(0);
        replay_offset_ = 0;
    }
    auto stored = stored_space(replay_run_);
    if (!stored)
        return tl::unexpected(stored.error());
    if (!study::read_trial(replay_chunk_, replay_offset_, *(*stored)->layout, replay_trial_))
        return fail(BTOPT_ERR_IO, "study '{}' is damaged: a chunk of trials of run {} does not fit the run's space",
                    path_, replay_run_);
    return replay_row_ = true;
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
    key_lookup_.reset();
    chunk_lookup_.reset();
    replay_.reset();
    insert_.reset();
    reader_ = sql::Db();
    db_ = sql::Db();
    // Only now: closing a descriptor of the file drops the POSIX locks SQLite holds on it.
    if (lock_fd_ >= 0)
        ::close(lock_fd_);
}

namespace {

// An infeasible trial ended ok: the coordinator judges its metrics against
// this run's `require` again, so a changed requirement changes its status.
bool reusable(TrialStatus status)
{
    return status == TrialStatus::Ok || status == TrialStatus::Failed || status == TrialStatus::Infeasible;
}

Outcome outcome_of(const study::StoredTrial &trial)
{
    Outcome o;
    trial.evaluation_into(o.evaluation);
    o.seconds = trial.seconds;
    return o;
}

} // namespace

Result<std::optional<Outcome>> StudyWriter::replayed(std::uint64_t number, std::span<const Value> point,
                                                     const std::string &key)
{
    while (replay_row_ && replay_trial_.number < number)
        if (auto next = replay_next(); !next)
            return tl::unexpected(next.error());
    if (!replay_row_ || replay_trial_.number != number || !reusable(replay_trial_.status))
        return std::nullopt;
    auto same = same_point(replay_run_, replay_trial_, point, key);
    if (!same)
        return tl::unexpected(same.error());
    return *same ? std::optional(outcome_of(replay_trial_)) : std::nullopt;
}

// Every reusable trial of every earlier run of this identity, oldest first,
// by the hash of its point's text (as this run keys points), in the reader's
// temporary database: gone when the run ends.
Result<void> StudyWriter::build_key_index()
{
    key_index_built_ = true;
    if (auto ok = reader_.exec("CREATE TEMP TABLE point_keys(key INTEGER NOT NULL, run INTEGER NOT NULL, "
                               "first INTEGER NOT NULL, offset INTEGER NOT NULL)");
        !ok)
        return ok;
    auto runs = reader_.prepare(
        "SELECT id FROM runs WHERE identity_key = ? AND id <> ? AND first_bar IS ? AND end_bar IS ? ORDER BY id");
    auto chunks = reader_.prepare("SELECT first, trials FROM chunks WHERE run = ? ORDER BY first");
    auto insert = reader_.prepare("INSERT INTO point_keys(key, run, first, offset) VALUES (?, ?, ?, ?)");
    if (!runs || !chunks || !insert)
        return tl::unexpected(reader_.error("cannot index its points"));
    runs->bind(1, identity_key_).bind(2, run_id_);
    bind_bars(*runs, 3);
    std::vector<std::int64_t> ids;
    for (auto row = runs->step(); row && *row; row = runs->step())
        ids.push_back(runs->integer(0));
    study::StoredTrial trial;
    for (std::int64_t run : ids) {
        auto stored = stored_space(run);
        if (!stored)
            return tl::unexpected(stored.error());
        chunks->bind(1, run);
        for (auto row = chunks->step(); row && *row; row = chunks->step()) {
            const auto chunk = chunks->blob(1);
            for (std::size_t offset = 0, at = 0; offset < chunk.size(); at = offset) {
                if (!study::read_trial(chunk, offset, *(*stored)->layout, trial))
                    return fail(BTOPT_ERR_IO, "study '{}' is damaged: a chunk of trials of run {} does not fit the "
                                "run's space", path_, run);
                if (!reusable(trial.status))
                    continue;
                trial.point_into(scratch_point_);
                const std::string &text = (*stored)->key->text({scratch_point_.data(), scratch_point_.size()});
                insert->bind(1, study::PointKey::hash(text))
                    .bind(2, run)
                    .bind(3, chunks->integer(0))
                    .bind(4, static_cast<std::int64_t>(at));
                if (auto ok = insert->run(); !ok)
                    return ok;
            }
        }
        chunks->reset();
    }
    if (auto ok = reader_.exec("CREATE INDEX temp.point_keys_by_key ON point_keys(key)"); !ok)
        return ok;
    auto lookup = reader_.prepare("SELECT run, first, offset FROM point_keys WHERE key = ? ORDER BY rowid");
    auto chunk = reader_.prepare("SELECT trials FROM chunks WHERE run = ? AND first = ?");
    if (!lookup || !chunk)
        return tl::unexpected(reader_.error("cannot index its points"));
    key_lookup_ = std::move(*lookup);
    chunk_lookup_ = std::move(*chunk);
    return {};
}

Result<std::optional<Outcome>> StudyWriter::looked_up(std::span<const Value> point, const std::string &key)
{
    if (!key_index_built_)
        if (auto built = build_key_index(); !built)
            return tl::unexpected(built.error());
    sql::Statement &q = *key_lookup_;
    q.bind(1, study::PointKey::hash(key));
    std::optional<Outcome> found;
    study::StoredTrial trial;
    for (auto row = q.step(); !found; row = q.step()) {
        if (!row)
            return tl::unexpected(row.error());
        if (!*row)
            break;
        const std::int64_t run = q.integer(0), first = q.integer(1);
        if (run != looked_up_run_ || first != looked_up_first_) {
            chunk_lookup_->bind(1, run).bind(2, first);
            auto chunk = chunk_lookup_->step();
            if (!chunk || !*chunk)
                return fail(BTOPT_ERR_IO, "study '{}': a chunk of run {} went missing while reading it", path_, run);
            const auto bytes = chunk_lookup_->blob(0);
            looked_up_chunk_.assign(reinterpret_cast<const char *>(bytes.data()), bytes.size());
            chunk_lookup_->reset();
            looked_up_run_ = run;
            looked_up_first_ = first;
        }
        auto stored = stored_space(run);
        if (!stored)
            return tl::unexpected(stored.error());
        auto offset = static_cast<std::size_t>(q.integer(2));
        if (!study::read_trial(std::as_bytes(std::span(looked_up_chunk_)), offset, *(*stored)->layout, trial))
            return fail(BTOPT_ERR_IO, "study '{}' is damaged: a chunk of trials of run {} does not fit the run's space",
                        path_, run);
        auto same = same_point(run, trial, point, key);
        if (!same)
            return tl::unexpected(same.error());
        if (*same)
            found = outcome_of(trial);
    }
    q.reset();
    return found;
}

std::optional<Outcome> StudyWriter::stored(std::uint64_t number, std::span<const Value> point)
{
    if (!reuse_)
        return std::nullopt;
    const std::string &key = lookup_key_->text(point);
    auto found = replayed(number, point, key);
    if (found && !*found)
        found = looked_up(point, key);
    if (!found) {
        set_failure(found.error());
        return std::nullopt;
    }
    return *found;
}

void StudyWriter::record(std::uint64_t number, std::span<const Value> point, const Evaluation &e, double seconds,
                         bool reused)
{
    std::unique_lock lock(mutex_);
    if (pending_bytes_ >= most_pending_bytes)
        drained_.wait(lock, [this] { return pending_bytes_ < most_pending_bytes || stopping_; });
    if (filling_.count == 0)
        filling_.first = number;
    study::append_trial(filling_.bytes, *layout_, number, point, e, seconds, reused);
    ++recorded_;
    filling_.last = number;
    if (++filling_.count == study::chunk_trials || filling_.bytes.size() >= study::chunk_bytes) {
        seal_chunk();
        if (pending_bytes_ >= wake_at_bytes)
            wake_.notify_one();
    }
}

// Moves the filling chunk to the writer's queue (mutex_ held).
void StudyWriter::seal_chunk()
{
    pending_bytes_ += filling_.bytes.size();
    pending_.push_back(std::move(filling_));
    filling_ = Chunk{};
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

void StudyWriter::recorded_all()
{
    close_reader(); // its snapshot, taken when the run began, would hold the checkpoint back
    {
        std::lock_guard lock(mutex_);
        // A run of one chunk or less leaves its few pages to the close's
        // checkpoint (or the next one's): two syncs for nothing, measured as
        // much of a walk-forward's time, whose window runs are small. The
        // run's end syncs the WAL either way (record_end).
        checkpoint_wanted_ = recorded_ > study::chunk_trials;
    }
    wake_.notify_all();
}

// The reuse lookups' connection (coordinator thread): not needed once every
// trial is recorded.
void StudyWriter::close_reader()
{
    key_lookup_.reset();
    chunk_lookup_.reset();
    replay_.reset();
    reader_ = sql::Db(); // and its temporary index
}

void StudyWriter::write_loop()
{
    std::vector<Chunk> chunks;
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait_for(lock, commit_every,
                       [this] { return stopping_ || checkpoint_wanted_ || pending_bytes_ >= wake_at_bytes; });
        if (filling_.count > 0) // every commit holds every trial recorded so far
            seal_chunk();
        if (pending_.empty()) {
            if (checkpoint_wanted_) {
                checkpoint_wanted_ = false;
                lock.unlock();
                checkpoint();
                lock.lock();
                continue;
            }
            if (stopping_)
                return;
            continue;
        }
        chunks.clear();
        chunks.swap(pending_);
        pending_bytes_ = 0;
        const bool failed = failure_.has_value();
        lock.unlock();
        drained_.notify_all();
        if (!failed)
            if (auto written = write_chunks(chunks); !written)
                set_failure(written.error());
        lock.lock();
    }
}

// Copies the WAL into the study file and syncs both (synchronous = NORMAL
// syncs only here): the bulk of what closing the study would do. Passive: a
// reader (a dashboard) may hold part of it back; the study's close then
// checkpoints the rest. A failure here changes nothing on disk that the
// close's own checkpoint would not do again, so it is not the run's.
void StudyWriter::checkpoint()
{
    (void)db_.exec("PRAGMA wal_checkpoint(PASSIVE)");
}

Result<void> StudyWriter::write_chunks(std::vector<Chunk> &chunks)
{
    auto written = insert_chunks(chunks);
    if (!written)
        written.error().message = fmt::format("{} (the trials committed before are kept; the study is intact)",
                                              written.error().message);
    return written;
}

Result<void> StudyWriter::insert_chunks(std::vector<Chunk> &chunks)
{
    if (auto begun = db_.exec("BEGIN"); !begun)
        return begun;
    sql::Statement &s = *insert_;
    for (const Chunk &c : chunks) {
        s.bind(1, run_id_)
            .bind(2, static_cast<std::int64_t>(c.first))
            .bind(3, static_cast<std::int64_t>(c.last))
            .bind(4, static_cast<std::int64_t>(c.count))
            .bind_blob(5, c.bytes.data(), c.bytes.size());
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

// The run's row at its end, and the writer lock's row gone, in one commit.
// synchronous = FULL: that commit syncs the WAL, so the end is durable
// however the study is closed (a reader such as the dashboard holding the
// study open makes SQLite skip the close's checkpoint and its sync).
Result<void> StudyWriter::record_end(const std::string &status, const std::string &message, const RunResult &result)
{
    std::uint64_t n_trials = 0;
    for (auto n : result.status_counts)
        n_trials += n;
    if (auto ok = db_.exec("PRAGMA synchronous = FULL; BEGIN"); !ok)
        return ok;
    auto update = db_.prepare("UPDATE runs SET ended = ?, status = ?, message = ?, n_trials = ?, evaluated = ?, "
                              "reused = ?, wall_seconds = ?, eval_seconds = ?, provenance = ? WHERE id = ?");
    if (!update) {
        (void)db_.exec("ROLLBACK");
        return tl::unexpected(update.error());
    }
    update->bind(1, record_.value("ended", ""))
        .bind(2, status)
        .bind(3, message)
        .bind(4, static_cast<std::int64_t>(n_trials))
        .bind(5, static_cast<std::int64_t>(result.evaluated - result.reused))
        .bind(6, static_cast<std::int64_t>(result.reused))
        .bind(7, result.wall_seconds)
        .bind(8, result.eval_seconds)
        .bind(9, record_.dump())
        .bind(10, run_id_);
    auto ended = update->run().and_then([this] { return db_.exec("DELETE FROM writer; COMMIT"); });
    if (!ended)
        (void)db_.exec("ROLLBACK");
    return ended;
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
    const std::string final_status = failed ? "failed" : run_status_of(status);
    record_["ended"] = utc_now();
    record_["status"] = final_status;
    auto ended = record_end(final_status, failed ? failed->message : message, result);
    close_reader();
    insert_.reset();
    if (auto closed = db_.close(); ended && !closed)
        ended = closed;
    result.provenance = record_.dump();
    if (failed)
        return tl::unexpected(*failed);
    return ended;
}

} // namespace btopt::internal
