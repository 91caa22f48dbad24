// The study file: an SQLite database in WAL mode. Schema version 3:
//   writer(id = 1, host, pid, started)   who holds the study for writing
//   runs(id, started, ended, status, message, identity, identity_key,
//        provenance, space, metric_names, algorithm, objective, direction,
//        backend, workers, seed, n_trials, evaluated, reused, wall_seconds,
//        eval_seconds, first_bar, end_bar)
//   chunks(run, first, last, count, trials)  primary key (run, first)
// A chunk holds consecutive trials of a run, numbered first..last, as one
// blob (chunk.hpp); the metric names are stored once, in the run's row.
// Values and metrics are raw bytes, so a stored run reads back bit for bit.
// first_bar..end_bar (end excluded) are the bars the run's trials traded
// (options start/end, a walk-forward window); both NULL: all of them. The
// bars are not part of the identity (runs on other bars belong in the same
// study: a walk-forward's windows) but of the reuse key: an outcome is reused
// only by a run of the same identity on the same bars.
// Reused outcomes are looked up through the latest earlier run of the same
// identity and bars, read in trial order, and for other points through an index on
// the hash of the point's text (PointKey) that a reusing run builds in its
// own temporary database, so a run that reuses nothing appends chunks only.
// Schema 3 added first_bar and end_bar, and trial status 5 (infeasible): a
// btopt of schema 2 refuses a study it cannot read (its chunks may hold that
// status) as one of a newer btopt. A schema-2 study is read as it is (all
// its runs on all bars; a run that had options start/end kept them in its
// identity's config, so no later run reuses it) and upgraded in place when a
// run is next recorded in it. Schema 1 (one row per trial, btopt before
// studies were chunked) is refused with a message saying so.
#pragma once

#include "sqlite.hpp"

#include "../core/trial.hpp"

#include <optional>
#include <vector>

namespace btopt::internal::study {

constexpr std::int32_t application_id = 0x6274'6f70; // "btop"
constexpr std::int32_t schema_version = 3;
constexpr std::int32_t oldest_readable_schema = 2;

// Checks that `db` is a btopt study this btopt can read (or an empty file,
// when `may_be_empty`). Returns whether it holds the schema yet.
Result<bool> check_study(sql::Db &db, bool may_be_empty);
// Creates the tables in an empty study.
Result<void> create_schema(sql::Db &db);
// Brings a study of an older readable schema to this one (a writer, holding
// the study, before it records a run). Nothing to do on a current one.
Result<void> upgrade_schema(sql::Db &db);

// The point as the study keys it, and that text's XXH3-64.
class PointKey {
public:
    explicit PointKey(const Space &space);
    const std::string &text(std::span<const Value> point); // valid until the next call
    static std::int64_t hash(std::string_view text);

private:
    const Space *space_ = nullptr;
    std::vector<std::string> names_; // "name": , quoted
    std::vector<std::vector<std::string>> choices_;
    std::string text_;
};

} // namespace btopt::internal::study
