// How a study stores trials (schemas 2 and 3): a run's trials, in trial order, in
// rows of the `chunks` table, each holding up to `chunk_trials` consecutive
// trials as one blob. One SQLite row per trial cost ~4.5 µs; one row per
// chunk costs SQLite almost nothing per trial, so what is left is copying
// the trial's bytes.
//
// A trial in a chunk, in the machine's byte order (a study is not moved
// between machines of different endianness); varint = LEB128:
//   varint number | u8 status, + 0x80 when reused | varint metric count |
//   varint error bytes | f64 score | f64 seconds | per parameter 8 bytes: an
//   int64 (an int, a choice's index) or a f64 (a float) | metrics (f64 each)
//   | error text
// Two integer parameters and no metrics: 39 bytes. The metric names are
// stored once, in the run's row. Bytes matter: a fast run writes each one
// twice (the WAL, then its checkpoint).
#pragma once

#include "sqlite.hpp"

#include "../core/trial.hpp"

#include <functional>
#include <span>
#include <string>
#include <vector>

namespace btopt::internal::study {

constexpr std::size_t chunk_trials = 4096;
constexpr std::size_t chunk_bytes = 256 * 1024; // a chunk ends at whichever comes first

// Which of a point's values are floats: what the chunk stores of each.
struct Layout {
    explicit Layout(const Space &space);
    std::vector<bool> floats;
};

// One trial read from a chunk; its spans point into the chunk.
struct StoredTrial {
    std::uint64_t number = 0;
    TrialStatus status = TrialStatus::Ok;
    bool reused = false;
    double score = 0.0;
    double seconds = 0.0;
    std::span<const std::byte> values; // the point, 8 bytes a parameter
    const Layout *layout = nullptr;
    std::span<const std::byte> metrics; // doubles
    std::string_view error;

    void point_into(Point &point) const;
    // Whether this is `point` (its int or float values, by the layout).
    bool is(std::span<const Value> point) const;
    void evaluation_into(Evaluation &e) const;
};

void append_trial(std::string &chunk, const Layout &layout, std::uint64_t number, std::span<const Value> point,
                  const Evaluation &e, double seconds, bool reused);

// The trial at `offset` of a chunk, moving offset past it; false when the
// bytes there are not a trial of the layout (a damaged study).
bool read_trial(std::span<const std::byte> chunk, std::size_t &offset, const Layout &layout, StoredTrial &out);

using TrialVisit = std::function<Result<void>(const StoredTrial &)>;

// Visits every trial of `run` numbered above `after` (-1: all), in trial
// order, within the caller's transaction. `db` may be any connection to the
// study (the dashboard holds its own); `path` names it in errors.
Result<void> for_each_trial(sqlite3 *db, const std::string &path, std::int64_t run, std::int64_t after,
                            const Layout &layout, const TrialVisit &visit);

} // namespace btopt::internal::study
