#include "chunk.hpp"

#include <cstring>

namespace btopt::internal::study {
namespace {

constexpr std::size_t header_bytes = 8 + 8 + 8 + 4 + 4 + 1 + 1;

// A copy whose size the compiler knows: a few moves, not a call to memcpy
// (whose start-up costs more than copying 8 or 16 bytes).
template <class T> char *copy_fixed(char *out, const T &value)
{
    std::memcpy(out, &value, sizeof value);
    return out + sizeof value;
}

template <class T> T get(const std::byte *at)
{
    T value;
    std::memcpy(&value, at, sizeof value);
    return value;
}

} // namespace

void StoredTrial::point_into(Point &point) const
{
    point.resize(values.size() / sizeof(Value));
    if (!values.empty())
        std::memcpy(point.data(), values.data(), values.size());
}

void StoredTrial::evaluation_into(Evaluation &e) const
{
    e.status = status;
    e.score = score;
    e.metrics.resize(metrics.size() / sizeof(double));
    if (!metrics.empty())
        std::memcpy(e.metrics.data(), metrics.data(), metrics.size());
    e.error.assign(error);
}

void append_trial(std::string &chunk, std::uint64_t number, std::span<const Value> point, const Evaluation &e,
                  double seconds, bool reused)
{
    if (chunk.empty())
        chunk.reserve(chunk_bytes + 4096); // one allocation per chunk, not a growing string's copies
    const std::size_t at = chunk.size(), metrics = e.metrics.size() * sizeof(double);
    const std::size_t bytes = header_bytes + point.size_bytes() + metrics + e.error.size();
    // One resize, then copies of fixed size (inlined) where it can: a trial
    // is dozens of bytes, and a call per field cost more than the copying.
    chunk.resize_and_overwrite(at + bytes, [&](char *out, std::size_t size) {
        out += at;
        const auto n_metrics = static_cast<std::uint32_t>(e.metrics.size());
        const auto error_bytes = static_cast<std::uint32_t>(e.error.size());
        const std::uint8_t flags[2] = {static_cast<std::uint8_t>(e.status), static_cast<std::uint8_t>(reused)};
        std::memcpy(out, &number, 8);
        std::memcpy(out + 8, &e.score, 8);
        std::memcpy(out + 16, &seconds, 8);
        std::memcpy(out + 24, &n_metrics, 4);
        std::memcpy(out + 28, &error_bytes, 4);
        std::memcpy(out + 32, flags, 2);
        out += header_bytes;
        for (const Value &v : point)
            out = copy_fixed(out, v);
        for (const double m : e.metrics)
            out = copy_fixed(out, m);
        if (!e.error.empty())
            std::memcpy(out, e.error.data(), e.error.size());
        return size;
    });
}

bool read_trial(std::span<const std::byte> chunk, std::size_t &offset, std::size_t dims, StoredTrial &out)
{
    if (chunk.size() - offset < header_bytes)
        return false;
    const std::byte *at = chunk.data() + offset;
    out.number = get<std::uint64_t>(at);
    out.score = get<double>(at + 8);
    out.seconds = get<double>(at + 16);
    const auto n_metrics = get<std::uint32_t>(at + 24);
    const auto error_bytes = get<std::uint32_t>(at + 28);
    const auto status = get<std::uint8_t>(at + 32);
    out.reused = get<std::uint8_t>(at + 33) != 0;
    const std::size_t values = dims * sizeof(Value), metrics = std::size_t{n_metrics} * sizeof(double);
    if (status > static_cast<std::uint8_t>(TrialStatus::Cancelled) ||
        chunk.size() - offset - header_bytes < values + metrics + error_bytes)
        return false;
    out.status = static_cast<TrialStatus>(status);
    at += header_bytes;
    out.values = {at, values};
    out.metrics = {at + values, metrics};
    out.error = {reinterpret_cast<const char *>(at + values + metrics), error_bytes};
    offset += header_bytes + values + metrics + error_bytes;
    return true;
}

Result<void> for_each_trial(sqlite3 *db, const std::string &path, std::int64_t run, std::int64_t after,
                            std::size_t dims, const TrialVisit &visit)
{
    sqlite3_stmt *raw = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT trials FROM chunks WHERE run = ?1 AND last > ?2 ORDER BY first", -1, &raw,
                           nullptr) != SQLITE_OK)
        return fail(BTOPT_ERR_IO, "study '{}': cannot read its trials: {}", path, sqlite3_errmsg(db));
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt *)> q(raw, sqlite3_finalize);
    sqlite3_bind_int64(raw, 1, run);
    sqlite3_bind_int64(raw, 2, after);
    StoredTrial trial;
    for (;;) {
        const int rc = sqlite3_step(raw);
        if (rc == SQLITE_DONE)
            return {};
        if (rc != SQLITE_ROW)
            return fail(BTOPT_ERR_IO, "study '{}': cannot read its trials: {}", path, sqlite3_errmsg(db));
        const std::span chunk(static_cast<const std::byte *>(sqlite3_column_blob(raw, 0)),
                              static_cast<std::size_t>(sqlite3_column_bytes(raw, 0)));
        for (std::size_t offset = 0; offset < chunk.size();) {
            if (!read_trial(chunk, offset, dims, trial))
                return fail(BTOPT_ERR_IO, "study '{}' is damaged: a chunk of trials of run {} does not fit the run's space",
                            path, run);
            if (static_cast<std::int64_t>(trial.number) <= after)
                continue;
            if (auto visited = visit(trial); !visited)
                return visited;
        }
    }
}

} // namespace btopt::internal::study
