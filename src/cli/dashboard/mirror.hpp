// The dashboard's copy of a study: its runs and, for the runs the page looks
// at, every trial, read from the SQLite file over a read-only connection of
// its own (never the run's) and brought up to date by one poller thread.
// Reads only: the connection is opened SQLITE_OPEN_READONLY with query_only.
#pragma once

#include <nlohmann/json.hpp>

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace btopt::cli::dashboard {

struct Trial {
    std::int64_t number = 0;
    std::string status; // ok, failed, crashed, timeout, cancelled
    double score;       // NaN: none
    std::vector<double> params;  // a value; a choice: its index
    std::vector<double> metrics; // NaN: not reported
    std::string error;
    double seconds = 0;
    bool reused = false;
};

struct Param {
    std::string name, kind; // int, float, choice
    double lo = 0, hi = 0, step = 0;
    std::vector<std::string> choices;
    // Its grid values (choices: their indexes); empty for a continuous range.
    std::vector<double> grid() const;
    // A value as the user writes it: 5, 0.25, "sma".
    nlohmann::json show(double value) const;
};

struct Run {
    std::int64_t id = 0;
    nlohmann::json header; // status, started, ended, algorithm, ...: the runs row
    nlohmann::json provenance;
    std::vector<Param> params;
    // The metrics shown, without those named "btopt." (what the selection-bias
    // statistics read, docs/VALIDATION.md: the summaries leave them out too),
    // and the stored index of each.
    std::vector<std::string> metrics, constraints;
    std::vector<std::size_t> metric_columns;
    std::string objective;
    bool maximize = true;
    std::optional<double> planned; // the trials the run will make, when it can be told
    std::vector<Trial> trials;     // in trial order
    std::optional<std::size_t> best;
    std::map<std::string, std::uint64_t> statuses;

    bool better(double a, double b) const { return maximize ? a > b : a < b; }
};

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
    // Calls f(run) under the lock: run 0 is the last one; nullptr when absent.
    template <class F> auto with_run(std::int64_t id, F &&f)
    {
        std::unique_lock lock(mutex_);
        return f(find_run(id));
    }
    nlohmann::json runs() const;
    // Blocks until the study changed after `seen` (or the timeout); returns the new version.
    std::uint64_t wait_change(std::uint64_t seen, std::chrono::milliseconds timeout);
    std::uint64_t version() const;
    const std::string &path() const { return path_; }

private:
    std::string open_db();
    void read_runs();
    void read_trials(Run &run);
    const Run *find_run(std::int64_t id);

    std::string path_;
    sqlite3 *db_ = nullptr;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::uint64_t version_ = 0;
    std::map<std::int64_t, Run> runs_;
    std::vector<std::int64_t> watched_; // runs whose trials are kept
};

} // namespace btopt::cli::dashboard
