// A study open for writing one run: the run's provenance, every trial as the
// coordinator records it (handed to a writer thread that commits a
// transaction a few times a second, so recording never waits on the disk),
// and the stored outcomes of earlier runs with the same identity, for reuse.
// One writer at a time: a second is refused, naming the host and PID of the
// first.
#pragma once

#include "provenance.hpp"
#include "schema.hpp"
#include "sqlite.hpp"

#include "../core/result.hpp"
#include "../core/trial_store.hpp"

#include <chrono>
#include <condition_variable>
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
    std::optional<Error> failure() const override;

    // Commits every trial and the run's end (status "finished", "cancelled",
    // "stopped" or "failed"), puts the provenance into the result and lets
    // the study go. The first storing error, if any.
    Result<void> finish(btopt_status status, const std::string &message, RunResult &result);

private:
    struct Row {
        std::uint64_t number;
        Point point;
        Evaluation evaluation;
        double seconds;
        bool reused;
    };

    StudyWriter() = default;
    Result<void> take_lock();
    Result<void> begin_run(const RunDescription &run, const Provenance &provenance);
    void write_loop();
    Result<void> write_rows(std::vector<Row> &rows);
    Result<void> insert_rows(std::vector<Row> &rows);
    void set_failure(const Error &error);
    Result<void> open_reader();

    std::string path_;
    sql::Db db_;     // written by the writer thread once it runs
    sql::Db reader_; // stored() looks up outcomes here, in the coordinator's thread
    std::optional<sql::Statement> lookup_, insert_;
    // The trials of the latest earlier run of the same identity, read in
    // trial order beside the run: a resumed run asks for the same points in
    // the same order, so most outcomes come from here without a search.
    std::optional<sql::Statement> replay_;
    bool replay_row_ = false;
    int lock_fd_ = -1;
    Space space_;
    std::optional<study::PointKey> lookup_key_, insert_key_; // one per thread
    std::int64_t run_id_ = 0;
    std::string identity_key_;
    bool reuse_ = false;
    nlohmann::ordered_json record_;

    mutable std::mutex mutex_;
    std::condition_variable wake_, drained_;
    std::vector<Row> pending_;
    bool stopping_ = false;
    bool writing_ = false;
    std::optional<Error> failure_;
    std::thread thread_;
};

} // namespace btopt::internal
