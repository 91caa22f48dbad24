#include "chunk.hpp"

#include <cstring>

namespace btopt::internal::study {
namespace {

constexpr std::size_t most_varint_bytes = 10;

// A copy whose size the compiler knows: a few moves, not a call to memcpy
// (whose start-up costs more than copying 8 bytes).
template <class T> char *copy_fixed(char *out, const T &value)
{
    std::memcpy(out, &value, sizeof value);
    return out + sizeof value;
}

char *put_varint(char *out, std::uint64_t v)
{
    while (v >= 0x80) {
        *out++ = static_cast<char>((v & 0x7f) | 0x80);
        v >>= 7;
    }
    *out++ = static_cast<char>(v);
    return out;
}

template <class T> T get(const std::byte *at)
{
    T value;
    std::memcpy(&value, at, sizeof value);
    return value;
}

// False when the bytes end first or it is too long.
bool get_varint(std::span<const std::byte> chunk, std::size_t &offset, std::uint64_t &v)
{
    v = 0;
    for (unsigned shift = 0; offset < chunk.size() && shift < 64; shift += 7) {
        const auto byte = std::to_integer<std::uint64_t>(chunk[offset++]);
        v |= (byte & 0x7f) << shift;
        if (byte < 0x80)
            return true;
    }
    return false;
}

} // namespace

Layout::Layout(const Space &space)
{
    for (const Parameter &p : space.parameters())
        floats.push_back(p.kind == Kind::Float);
}

void StoredTrial::point_into(Point &point) const
{
    const std::size_t dims = layout->floats.size();
    point.resize(dims);
    for (std::size_t k = 0; k < dims; ++k)
        point[k] = layout->floats[k] ? Value{.f = get<double>(values.data() + 8 * k)}
                                     : Value{.i = get<std::int64_t>(values.data() + 8 * k)};
}

bool StoredTrial::is(std::span<const Value> point) const
{
    const std::size_t dims = layout->floats.size();
    if (point.size() != dims)
        return false;
    for (std::size_t k = 0; k < dims; ++k) {
        const void *ours = layout->floats[k] ? static_cast<const void *>(&point[k].f) : &point[k].i;
        if (std::memcmp(values.data() + 8 * k, ours, 8) != 0) // bits: -0.0 is not 0.0, as in the point's text
            return false;
    }
    return true;
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

void append_trial(std::string &chunk, const Layout &layout, std::uint64_t number, std::span<const Value> point,
                  const Evaluation &e, double seconds, bool reused)
{
    if (chunk.empty())
        chunk.reserve(chunk_bytes + 4096); // one allocation per chunk, not a growing string's copies
    const std::size_t at = chunk.size();
    const std::size_t most = 3 * most_varint_bytes + 1 + 16 + 8 * point.size() + 8 * e.metrics.size() + e.error.size();
    // One resize to the most it can take, then copies of fixed size (inlined)
    // where it can: a trial is dozens of bytes, and a call per field cost
    // more than the copying.
    chunk.resize_and_overwrite(at + most, [&](char *begin, std::size_t) {
        char *out = put_varint(begin + at, number);
        *out++ = static_cast<char>(static_cast<std::uint8_t>(e.status) | (reused ? 0x80 : 0));
        out = put_varint(out, e.metrics.size());
        out = put_varint(out, e.error.size());
        out = copy_fixed(out, e.score);
        out = copy_fixed(out, seconds);
        for (std::size_t k = 0; k < point.size(); ++k)
            out = layout.floats[k] ? copy_fixed(out, point[k].f) : copy_fixed(out, point[k].i);
        for (const double m : e.metrics)
            out = copy_fixed(out, m);
        if (!e.error.empty())
            std::memcpy(out, e.error.data(), e.error.size());
        return static_cast<std::size_t>(out + e.error.size() - begin);
    });
}

bool read_trial(std::span<const std::byte> chunk, std::size_t &offset, const Layout &layout, StoredTrial &out)
{
    std::uint64_t number = 0, n_metrics = 0, error_bytes = 0;
    if (!get_varint(chunk, offset, number) || offset >= chunk.size())
        return false;
    const auto flags = std::to_integer<std::uint8_t>(chunk[offset++]);
    if (!get_varint(chunk, offset, n_metrics) || !get_varint(chunk, offset, error_bytes))
        return false;
    const std::size_t values = 8 * layout.floats.size();
    const std::size_t left = chunk.size() - offset;
    if ((flags & 0x7f) > static_cast<std::uint8_t>(TrialStatus::Infeasible) || left < 16 + values ||
        n_metrics > (left - 16 - values) / 8 || error_bytes > left - 16 - values - 8 * n_metrics)
        return false;
    const std::byte *at = chunk.data() + offset;
    out.number = number;
    out.status = static_cast<TrialStatus>(flags & 0x7f);
    out.reused = (flags & 0x80) != 0;
    out.score = get<double>(at);
    out.seconds = get<double>(at + 8);
    out.layout = &layout;
    out.values = {at + 16, values};
    out.metrics = {at + 16 + values, 8 * n_metrics};
    out.error = {reinterpret_cast<const char *>(at + 16 + values + 8 * n_metrics), error_bytes};
    offset += 16 + values + 8 * n_metrics + error_bytes;
    return true;
}

Result<void> for_each_trial(sqlite3 *db, const std::string &path, std::int64_t run, std::int64_t after,
                            const Layout &layout, const TrialVisit &visit)
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
            if (!read_trial(chunk, offset, layout, trial))
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
