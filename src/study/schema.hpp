// The study file: an SQLite database in WAL mode. Schema version 1:
//   writer(id = 1, host, pid, started)   who holds the study for writing
//   runs(id, started, ended, status, message, identity, identity_key,
//        provenance, space, metric_names, algorithm, objective, direction,
//        backend, workers, seed, n_trials, evaluated, reused, wall_seconds,
//        eval_seconds)
//   trials(run, number, point, key, vals, score, metrics, status, error,
//          seconds, reused)               primary key (run, number)
// `point` is the point as JSON ({"fast": 10, "slow": 50}, floats in their
// shortest exact form): what a reused outcome is looked up by, through `key`
// (its XXH3-64). The index on `key` (trials_by_key) exists only while a run
// reuses outcomes: built in one sort when it starts, dropped when it ends,
// so a run that reuses nothing appends to one B-tree only. `vals` holds
// the point's values as raw bytes and `metrics` the metrics as raw doubles,
// so a stored run reads back bit for bit.
#pragma once

#include "sqlite.hpp"

#include "../core/trial.hpp"

#include <optional>
#include <vector>

namespace btopt::internal::study {

constexpr std::int32_t application_id = 0x6274'6f70; // "btop"
constexpr std::int32_t schema_version = 1;

// Checks that `db` is a btopt study this btopt can read (or an empty file,
// when `may_be_empty`). Returns whether it holds the schema yet.
Result<bool> check_study(sql::Db &db, bool may_be_empty);
// Creates the tables in an empty study.
Result<void> create_schema(sql::Db &db);

// A trial status from its stored name ("ok", "failed", ...).
std::optional<TrialStatus> status_named(std::string_view name);

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
