// A thin RAII layer over SQLite's C API: a connection and prepared statements,
// with errors as Result values naming the study file.
#pragma once

#include "../core/error.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace btopt::internal::sql {

class Statement;

class Db {
public:
    // flags: SQLITE_OPEN_READONLY or SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE.
    static Result<Db> open(const std::string &path, int flags);
    Db() = default;

    // Runs statements without results; BTOPT_ERR_IO naming the file on failure.
    Result<void> exec(const std::string &sql);
    Result<Statement> prepare(std::string_view sql);
    std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_.get()); }
    const std::string &path() const { return path_; }
    sqlite3 *get() const { return db_.get(); }
    // The error of the last call, as a sentence naming the study.
    Error error(std::string_view what) const;
    // Closes the connection (its statements must be gone first), saying
    // whether SQLite closed it cleanly; the Db is empty afterwards either way.
    // Going out of scope closes it too, ignoring the result: for error paths.
    Result<void> close();

private:
    struct Close {
        void operator()(sqlite3 *db) const { (void)sqlite3_close_v2(db); }
    };
    std::unique_ptr<sqlite3, Close> db_;
    std::string path_;
};

class Statement {
public:
    Statement(const Db &db, sqlite3_stmt *stmt) : db_(&db), stmt_(stmt) {}

    Statement &bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(stmt_.get(), i, v)); }
    Statement &bind(int i, double v) { return check(sqlite3_bind_double(stmt_.get(), i, v)); }
    Statement &bind(int i, std::string_view v)
    {
        return check(sqlite3_bind_text(stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    Statement &bind_blob(int i, const void *data, std::size_t bytes)
    {
        return check(sqlite3_bind_blob(stmt_.get(), i, data, static_cast<int>(bytes), SQLITE_TRANSIENT));
    }
    Statement &bind_null(int i) { return check(sqlite3_bind_null(stmt_.get(), i)); }

    // True with a row to read, false when done; an error otherwise.
    Result<bool> step();
    // Steps to the end (a statement without results) and resets for reuse.
    Result<void> run();
    void reset()
    {
        sqlite3_reset(stmt_.get());
        sqlite3_clear_bindings(stmt_.get());
    }

    std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
    double real(int col) const { return sqlite3_column_double(stmt_.get(), col); }
    bool null(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }
    std::string_view text(int col) const
    {
        const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(stmt_.get(), col));
        return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col)))
                 : std::string_view();
    }
    std::span<const std::byte> blob(int col) const
    {
        const auto *p = static_cast<const std::byte *>(sqlite3_column_blob(stmt_.get(), col));
        return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col))};
    }

private:
    Statement &check(int rc)
    {
        if (rc != SQLITE_OK && bind_error_ == SQLITE_OK)
            bind_error_ = rc;
        return *this;
    }
    struct Finalize {
        void operator()(sqlite3_stmt *s) const { sqlite3_finalize(s); }
    };
    const Db *db_;
    std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
    int bind_error_ = SQLITE_OK;
};

} // namespace btopt::internal::sql
