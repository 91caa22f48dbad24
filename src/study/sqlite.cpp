#include "sqlite.hpp"

namespace btopt::internal::sql {

Result<Db> Db::open(const std::string &path, int flags)
{
    sqlite3 *raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    Db db;
    db.db_.reset(raw);
    db.path_ = path;
    if (rc != SQLITE_OK)
        return tl::unexpected(db.error("cannot open it"));
    sqlite3_extended_result_codes(raw, 1);
    // A reader waits for a writer's commit instead of failing at once.
    sqlite3_busy_timeout(raw, 5000);
    return db;
}

Error Db::error(std::string_view what) const
{
    const int rc = db_ ? sqlite3_errcode(db_.get()) : SQLITE_CANTOPEN;
    const char *text = db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
    std::string hint;
    // A write past `ulimit -f` or onto a full disk surfaces as FULL or as a
    // failed write, depending on how much of it the system took.
    if ((rc & 0xff) == SQLITE_FULL || rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC)
        hint = " (the disk may be full, or a file size limit was reached)";
    else if ((rc & 0xff) == SQLITE_NOTADB)
        hint = " (the file is not a btopt study)";
    else if ((rc & 0xff) == SQLITE_READONLY)
        hint = " (the study is read-only)";
    return Error{BTOPT_ERR_IO, fmt::format("study '{}': {}: {}{}", path_, what, text, hint)};
}

Result<void> Db::close()
{
    if (!db_)
        return {};
    // Any error is reported; the Db lets go of the connection either way
    // (close_v2 keeps one with statements still open until they go). What
    // the close itself writes (its last checkpoint) is not reported by
    // SQLite: the writer makes the run's end durable before it (writer.cpp).
    sqlite3 *raw = db_.release();
    if (const int rc = sqlite3_close_v2(raw); rc != SQLITE_OK)
        return fail(BTOPT_ERR_IO, "study '{}': closing it failed: {}", path_, sqlite3_errstr(rc));
    return {};
}

Result<void> Db::exec(const std::string &sql)
{
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
        return tl::unexpected(error("writing it failed"));
    return {};
}

Result<Statement> Db::prepare(std::string_view sql)
{
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                           nullptr) != SQLITE_OK)
        return tl::unexpected(error("cannot read it"));
    return Statement(*this, stmt);
}

Result<bool> Statement::step()
{
    if (bind_error_ != SQLITE_OK)
        return tl::unexpected(Error{BTOPT_ERR_INTERNAL, fmt::format("study '{}': binding a value failed: {}",
                                                                    db_->path(), sqlite3_errstr(bind_error_))});
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    return tl::unexpected(db_->error("reading or writing it failed"));
}

Result<void> Statement::run()
{
    auto stepped = step();
    for (; stepped && *stepped; stepped = step()) {
    }
    reset();
    if (!stepped)
        return tl::unexpected(stepped.error());
    return {};
}

} // namespace btopt::internal::sql
