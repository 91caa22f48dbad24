#include "schema.hpp"

#include <nlohmann/json.hpp>

#include <xxhash.h>

#include <charconv>
#include <iterator>

namespace btopt::internal::study {

Result<bool> check_study(sql::Db &db, bool may_be_empty)
{
    const auto not_sqlite = [&db] {
        return fail(BTOPT_ERR_IO, "'{}' is not a btopt study (not an SQLite database)", db.path());
    };
    auto tables = db.prepare("SELECT count(*) FROM sqlite_master");
    if (!tables)
        return (sqlite3_errcode(db.get()) & 0xff) == SQLITE_NOTADB ? not_sqlite() : tl::unexpected(tables.error());
    auto stepped = tables->step();
    if (!stepped || !*stepped)
        return (sqlite3_errcode(db.get()) & 0xff) == SQLITE_NOTADB ? not_sqlite() : tl::unexpected(db.error("cannot read it"));
    const bool empty = tables->integer(0) == 0;
    auto pragmas = db.prepare("SELECT (SELECT application_id FROM pragma_application_id), "
                              "(SELECT user_version FROM pragma_user_version)");
    if (!pragmas)
        return tl::unexpected(pragmas.error());
    if (auto row = pragmas->step(); !row || !*row)
        return tl::unexpected(db.error("cannot read its header"));
    const auto app = pragmas->integer(0), version = pragmas->integer(1);
    if (empty && app == 0) {
        if (!may_be_empty)
            return fail(BTOPT_ERR_IO, "'{}' is not a btopt study (an empty database)", db.path());
        return false;
    }
    if (app != application_id)
        return fail(BTOPT_ERR_IO, "'{}' is not a btopt study (an SQLite database of another application)", db.path());
    if (version < oldest_readable_schema)
        return fail(BTOPT_ERR_UNSUPPORTED,
                    "study '{}' was written by an older btopt (study schema {}, one SQLite row per trial; this btopt "
                    "reads schema {} and later): export its runs with the btopt that wrote it (btopt export), and "
                    "record new runs in a new study file",
                    db.path(), version, oldest_readable_schema);
    if (version > schema_version)
        return fail(BTOPT_ERR_UNSUPPORTED,
                    "study '{}' was written by a newer btopt (study schema {}; this btopt reads schema {} and older): "
                    "upgrade btopt",
                    db.path(), version, schema_version);
    return true;
}

Result<void> create_schema(sql::Db &db)
{
    return db.exec(fmt::format(R"(
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS writer(id INTEGER PRIMARY KEY CHECK (id = 1), host TEXT, pid INTEGER, started TEXT);
CREATE TABLE IF NOT EXISTS runs(
  id INTEGER PRIMARY KEY, started TEXT NOT NULL, ended TEXT, status TEXT NOT NULL, message TEXT,
  identity TEXT NOT NULL, identity_key TEXT NOT NULL, provenance TEXT NOT NULL,
  space TEXT NOT NULL, metric_names TEXT NOT NULL, algorithm TEXT, objective TEXT, direction TEXT,
  backend TEXT, workers INTEGER, seed INTEGER, n_trials INTEGER, evaluated INTEGER, reused INTEGER,
  wall_seconds REAL, eval_seconds REAL, first_bar INTEGER, end_bar INTEGER);
CREATE TABLE IF NOT EXISTS chunks(
  run INTEGER NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL, count INTEGER NOT NULL,
  trials BLOB NOT NULL, PRIMARY KEY (run, first));
PRAGMA application_id = {};
PRAGMA user_version = {};
COMMIT;)",
                               application_id, schema_version));
}

Result<void> upgrade_schema(sql::Db &db)
{
    // In one transaction that first takes the write lock, so the version read
    // is the version changed.
    if (auto begun = db.exec("BEGIN IMMEDIATE"); !begun)
        return begun;
    auto version = db.prepare("SELECT user_version FROM pragma_user_version");
    if (!version)
        return tl::unexpected(version.error());
    auto row = version->step();
    if (!row || !*row) {
        (void)db.exec("ROLLBACK");
        return tl::unexpected(db.error("cannot read its header"));
    }
    const auto from = version->integer(0);
    version->reset();
    const std::string steps = from == 2 ? fmt::format("ALTER TABLE runs ADD COLUMN first_bar INTEGER; "
                                                      "ALTER TABLE runs ADD COLUMN end_bar INTEGER; "
                                                      "PRAGMA user_version = {};",
                                                      schema_version)
                                        : std::string();
    if (auto ok = db.exec(steps + "COMMIT"); !ok) {
        (void)db.exec("ROLLBACK");
        return ok;
    }
    return {};
}

PointKey::PointKey(const Space &space) : space_(&space)
{
    for (const Parameter &p : space.parameters()) {
        names_.push_back(nlohmann::json(p.name).dump() + ": ");
        auto &quoted = choices_.emplace_back();
        for (const std::string &choice : p.choices)
            quoted.push_back(nlohmann::json(choice).dump());
    }
}

const std::string &PointKey::text(std::span<const Value> point)
{
    text_.assign("{");
    char number[32];
    for (std::size_t k = 0; k < names_.size(); ++k) {
        if (k > 0)
            text_.append(", ");
        text_.append(names_[k]);
        switch (space_->parameters()[k].kind) {
        case Kind::Int:
            text_.append(number, static_cast<std::size_t>(std::to_chars(number, number + sizeof number, point[k].i).ptr - number));
            break;
        case Kind::Float:
            text_.append(number, static_cast<std::size_t>(std::to_chars(number, number + sizeof number, point[k].f).ptr - number));
            break;
        case Kind::Choice:
            text_.append(choices_[k][static_cast<std::size_t>(point[k].i)]);
            break;
        }
    }
    text_.push_back('}');
    return text_;
}

std::int64_t PointKey::hash(std::string_view text)
{
    return static_cast<std::int64_t>(XXH3_64bits(text.data(), text.size()));
}

} // namespace btopt::internal::study
