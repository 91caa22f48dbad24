// A study open for writing one run: the run's provenance, every trial as the
// coordinator records it (handed to a writer thread that commits a
// transaction a few times a second, so recording never waits on the disk),
// and the stored outcomes of earlier runs with the same identity on the same
// bars, for reuse.
// One writer at a time: a second is refused, naming the host and PID of the
// first.
#pragma once

#include "chunk.hpp"
#include "provenance.hpp"
#include "schema.hpp"
#include "sqlite.hpp"

#include "../core/result.hpp"
#include "../core/trial_store.hpp"

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace btopt::internal {

class StudyWriter final : public TrialStore {
public:
    // Opens (or creates) the study, takes it for writing, checks the run's
    // identity against the study's last run (in study_mode "resume") and
    // records the run as started.
    static Result<std::unique_ptr<StudyWriter>> open(const std::string &path, const RunDescription &run);
    ~StudyWriter() override;

    std::optional<Outcome> stored(std::uint64_t number, std::span<const Value> point) override;
    void record(std::uint64_t number, std::span<const Value> point, const Evaluation &e, double seconds,
                bool reused) override;
    // The writer thread commits the last trials and (for a run of more than
    // one chunk) checkpoints the WAL into the study file, its syncs included,
    // while the run goes on to its statistics: finish() is then left with the
    // run's end.
    void recorded_all() override;
    std::optional<Error> failure() const override;

    // Commits every trial and the run's end (status "finished", "cancelled",
    // "stopped" or "failed"), puts the provenance into the result and lets
    // the study go. The first storing error, if any.
    Result<void> finish(btopt_status status, const std::string &message, RunResult &result);

private:
    // Consecutive trials on their way to one row of the chunks table.
    struct Chunk {
        std::uint64_t first = 0, last = 0, count = 0;
        std::string bytes;
    };
    // An earlier run's space, to key its stored points as this run keys its own.
    struct StoredSpace {
        std::unique_ptr<Space> space;
        std::unique_ptr<study::PointKey> key;
        std::unique_ptr<study::Layout> layout;
        bool same_as_ours = false; // stored values compare byte for byte
    };

    StudyWriter() = default;
    Result<void> take_lock();
    Result<void> begin_run(const RunDescription &run, const Provenance &provenance);
    void bind_bars(sql::Statement &s, int at) const;
    Result<void> record_end(const std::string &status, const std::string &message, const RunResult &result);
    void seal_chunk();
    void write_loop();
    Result<void> write_chunks(std::vector<Chunk> &chunks);
    Result<void> insert_chunks(std::vector<Chunk> &chunks);
    void close_reader();
    void checkpoint();
    void set_failure(const Error &error);
    Result<void> open_reader();
    Result<StoredSpace *> stored_space(std::int64_t run);
    Result<bool> same_point(std::int64_t run, const study::StoredTrial &trial, std::span<const Value> point,
                            const std::string &key);
    Result<bool> replay_next();
    Result<std::optional<Outcome>> replayed(std::uint64_t number, std::span<const Value> point, const std::string &key);
    Result<void> build_key_index();
    Result<std::optional<Outcome>> looked_up(std::span<const Value> point, const std::string &key);

    std::string path_;
    sql::Db db_;     // written by the writer thread once it runs
    sql::Db reader_; // stored() looks up outcomes here, in the coordinator's thread
    std::optional<sql::Statement> insert_;
    // The trials of the latest earlier run of the same identity, read in
    // trial order beside the run: a resumed run asks for the same points in
    // the same order, so most outcomes come from here without a search.
    std::optional<sql::Statement> replay_;
    std::int64_t replay_run_ = 0;
    std::span<const std::byte> replay_chunk_; // the replay statement's current row
    std::size_t replay_offset_ = 0;
    study::StoredTrial replay_trial_;
    bool replay_row_ = false;
    // For points the replay does not hold (a widened grid, another seed): a
    // temporary index of every reusable stored point, by the hash of its
    // text, built when the first such point is asked for.
    bool key_index_built_ = false;
    std::optional<sql::Statement> key_lookup_, chunk_lookup_;
    std::string looked_up_chunk_;
    std::int64_t looked_up_run_ = -1, looked_up_first_ = -1;
    std::map<std::int64_t, StoredSpace> stored_spaces_;
    Point scratch_point_;
    int lock_fd_ = -1;
    Space space_;
    std::string space_json_;
    std::optional<study::PointKey> lookup_key_; // the coordinator thread's
    std::optional<study::Layout> layout_;
    std::int64_t run_id_ = 0;
    std::string identity_key_;
    BarRange bars_{}; // with the identity, what a reused outcome must share
    bool reuse_ = false;
    nlohmann::ordered_json record_;

    mutable std::mutex mutex_;
    std::condition_variable wake_, drained_;
    Chunk filling_;              // the chunk record() appends to
    std::vector<Chunk> pending_; // sealed, waiting for the writer thread
    std::size_t pending_bytes_ = 0;
    bool stopping_ = false;
    bool checkpoint_wanted_ = false; // set by recorded_all(), done and cleared by the writer thread
    std::uint64_t recorded_ = 0;     // trials recorded by this run
    std::optional<Error> failure_;
    std::thread thread_;
};

} // namespace btopt::internal
