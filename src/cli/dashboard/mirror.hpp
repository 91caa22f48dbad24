// The dashboard's copy of a study: its runs and, for the runs the page looks
// at, every trial, read from the SQLite file over a read-only connection of
// its own (never the run's) and brought up to date by one poller thread.
// Reads only: the connection is opened SQLITE_OPEN_READONLY with query_only.
#pragma once

#include "dashboard/axis.hpp"

#include <nlohmann/json.hpp>

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

namespace btopt::cli::dashboard {

// How a trial ended: the study's status byte (src/study/chunk.hpp).
enum class State : std::uint8_t { ok, failed, crashed, timeout, cancelled, infeasible };
inline constexpr const char *state_names[] = {"ok", "failed", "crashed", "timeout", "cancelled", "infeasible"};
inline const char *name_of(State s) { return state_names[static_cast<std::size_t>(s)]; }

struct Trial {
    std::int64_t number = 0;
    State status = State::ok;
    double score;       // NaN: none
    // Its parameters and metrics are the run's columns (Run::param, Run::metric).
    std::string error;
    double seconds = 0;
    bool reused = false;
};

struct Run {
    std::int64_t id = 0;
    nlohmann::json header; // status, started, ended, algorithm, ...: the runs row
    nlohmann::json provenance;
    std::vector<Param> params;
    std::vector<Axis> axes; // one per parameter
    // The metrics shown, without those named "btopt." (what the selection-bias
    // statistics read, docs/VALIDATION.md: the summaries leave them out too),
    // and the stored index of each.
    std::vector<std::string> metrics, constraints;
    std::vector<std::size_t> stored_metric;
    std::string objective;
    bool maximize = true;
    std::optional<double> planned; // the trials the run will make, when it can be told
    std::vector<Trial> trials;     // in trial order
    // cells[k][i]: trial i's cell on axes[k], found once as the trial
    // arrives; a redraw walks these small columns, not the trials.
    std::vector<std::vector<CellIndex>> cells;
    // Each trial's status and score again, as columns: what the walks over
    // every trial read (heatmap, slices, convergence, table), contiguous.
    std::vector<State> states;
    std::vector<double> scores;
    // values[c][i]: trial i's parameter c (a choice: its index), then from
    // c = params.size() its metrics (NaN: not reported). Columns, so that a
    // sort or a filter over a million trials reads only what it names.
    std::vector<std::vector<double>> values;
    double param(std::size_t k, std::size_t trial) const { return values[k][trial]; }
    double metric(std::size_t m, std::size_t trial) const { return values[params.size() + m][trial]; }
    // The index of trial `number`, if the run has it (yet).
    std::optional<std::size_t> index_of(std::int64_t number) const;
    // A copy of the run with trial i as its only trial.
    Run only(std::size_t i) const;
    std::optional<std::size_t> best;
    std::map<std::string, std::uint64_t> statuses;
    std::uint64_t reused = 0; // trials whose outcome an earlier run supplied

    bool better(double a, double b) const { return maximize ? a > b : a < b; }
};

// Many readers, one writer: the page's requests are answered in parallel
// (server.cpp's thread pool), each under a shared lock of the mirror; the
// writer (the poller's refresh, or the first request for a run) reads SQLite
// holding only update_, and takes the lock exclusively just to append what it
// read. So a redraw's requests neither wait for each other nor for the disk.
class Mirror {
public:
    // A study that does not exist yet (a run about to create it) is waited for.
    explicit Mirror(std::string path) : path_(std::move(path)) {}
    ~Mirror();
    Mirror(const Mirror &) = delete;
    Mirror &operator=(const Mirror &) = delete;

    // Reads what was committed since the last call. Returns an error sentence
    // for a file that is not a readable btopt study; "" otherwise.
    std::string refresh();
    // Calls f(run) under a shared lock (f only reads): run 0 is the last one;
    // nullptr when absent. The first call for a run reads its trials.
    template <class F> auto with_run(std::int64_t id, F &&f)
    {
        for (;;) {
            {
                std::shared_lock lock(mutex_);
                const Run *run = find_run(id);
                if (!run || watched_.contains(run->id))
                    return f(run);
            }
            watch(id);
        }
    }
    nlohmann::json runs() const;
    // Blocks until the study changed after `seen` (or the timeout); returns the new version.
    std::uint64_t wait_change(std::uint64_t seen, std::chrono::milliseconds timeout);
    const std::string &path() const { return path_; }

private:
    struct Batch; // the trials one refresh read for one run
    std::string open_db();
    std::vector<Run> read_runs() const;
    Batch read_trials(const Run &run) const;
    void apply(std::vector<Run> fresh, std::vector<Batch> batches);
    void watch(std::int64_t id);
    const Run *find_run(std::int64_t id) const;

    std::string path_;
    // Held by the one writer: db_ is used, and runs_ and watched_ are
    // changed, only under it (changes also under mutex_, exclusively).
    std::mutex update_;
    sqlite3 *db_ = nullptr;
    mutable std::shared_mutex mutex_;
    std::map<std::int64_t, Run> runs_;
    std::set<std::int64_t> watched_; // runs whose trials are kept
    // The version counts the changes; the event streams wait on it.
    mutable std::mutex version_mutex_;
    std::condition_variable changed_;
    std::uint64_t version_ = 0;
};

} // namespace btopt::cli::dashboard
