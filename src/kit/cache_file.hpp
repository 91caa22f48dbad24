// Internal: the column cache file format, and reading/writing it.
//
// Layout (native byte order, recorded in the header so a foreign cache is rejected;
// version 2 records the CSV's content hash where version 1 had its mtime):
//   [0, 128)   CacheHeader
//   [128, ...) timestamps: bar_count int64, then for each column present in
//              column_flags (bit i = Column i, in enum order) bar_count doubles.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <tl/expected.hpp>

#include "btopt/kit/bars.hpp"

namespace btopt::kit::detail {

// What a cache must agree with to stand for a CSV: its content.
struct CsvStamp {
    std::uint64_t size = 0;
    std::uint64_t hash_low = 0, hash_high = 0;  // XXH3-128 of every byte of the CSV, seeded with the delimiter
    std::uint32_t delimiter = 0;                // parsing options change the result too
    bool operator==(const CsvStamp&) const = default;
};

// Maps a cache and checks it against `stamp`. The error says why it cannot be
// used (missing, not a regular file of this user, writable by others,
// truncated, corrupt, stale); callers then rebuild it. Opened with O_NOFOLLOW
// and O_NONBLOCK, so a link or a FIFO planted under its name is refused, not
// followed or waited on.
tl::expected<Bars, std::string> map_cache(const std::filesystem::path& cache, const CsvStamp& stamp);

// Writes `bars` as the cache for `stamp`: an unnamed O_TMPFILE linked under
// its name once complete, so a write killed half-way leaves nothing behind
// (a mkstemp file renamed into place where the file system has no O_TMPFILE).
tl::expected<void, std::string> write_cache(const std::filesystem::path& cache, const Bars& bars,
                                            const CsvStamp& stamp);

}  // namespace btopt::kit::detail
