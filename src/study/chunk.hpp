// How a study stores trials (schema 2): a run's trials, in trial order, in
// rows of the `chunks` table, each holding up to `chunk_trials` consecutive
// trials as one blob. One SQLite row per trial cost ~4.5 µs; one row per
// chunk costs SQLite almost nothing per trial, so what is left is copying
// the trial's bytes.
//
// A trial in a chunk, in the machine's byte order (a study is not moved
// between machines of different endianness):
//   u64 number | f64 score | f64 seconds | u32 metric count | u32 error bytes
//   | u8 status | u8 reused | point values (dims × 16 bytes) | metrics (f64
//   each) | error text
// The metric names are stored once, in the run's row.
#pragma once

#include "sqlite.hpp"

#include "../core/trial.hpp"

#include <functional>
#include <span>
#include <string>

namespace btopt::internal::study {

constexpr std::size_t chunk_trials = 1024;
constexpr std::size_t chunk_bytes = 256 * 1024; // a chunk ends at whichever comes first

// One trial read from a chunk; its spans point into the chunk.
struct StoredTrial {
    std::uint64_t number = 0;
    TrialStatus status = TrialStatus::Ok;
    bool reused = false;
    double score = 0.0;
    double seconds = 0.0;
    std::span<const std::byte> values; // the point, dims × sizeof(Value)
    std::span<const std::byte> metrics; // doubles
    std::string_view error;

    void point_into(Point &point) const;
    void evaluation_into(Evaluation &e) const;
};

void append_trial(std::string &chunk, std::uint64_t number, std::span<const Value> point, const Evaluation &e,
                  double seconds, bool reused);

// The trial at `offset` of a chunk, moving offset past it; false when the
// bytes there are not a trial of `dims` values (a damaged study).
bool read_trial(std::span<const std::byte> chunk, std::size_t &offset, std::size_t dims, StoredTrial &out);

using TrialVisit = std::function<Result<void>(const StoredTrial &)>;

// Visits every trial of `run` numbered above `after` (-1: all), in trial
// order, within the caller's transaction. `db` may be any connection to the
// study (the dashboard holds its own); `path` names it in errors.
Result<void> for_each_trial(sqlite3 *db, const std::string &path, std::int64_t run, std::int64_t after,
                            std::size_t dims, const TrialVisit &visit);

} // namespace btopt::internal::study
