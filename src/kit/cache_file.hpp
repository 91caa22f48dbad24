// Internal: the column cache file format, and reading/writing it.
//
// Layout (native byte order, recorded in the header so a foreign cache is rejected):
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

// What a cache must agree with to stand for a CSV.
struct CsvStamp {
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::uint64_t fingerprint = 0;  // hash of the CSV's first and last 4 KiB
    std::uint32_t delimiter = 0;    // parsing options change the result too
    bool operator==(const CsvStamp&) const = default;
};

// Maps a cache and checks it against `stamp`. The error says why it cannot be
// used (missing, truncated, corrupt, stale); callers then rebuild it.
tl::expected<Bars, std::string> map_cache(const std::filesystem::path& cache, const CsvStamp& stamp);

// Writes `bars` as the cache for `stamp`, atomically (temporary file + rename).
tl::expected<void, std::string> write_cache(const std::filesystem::path& cache, const Bars& bars,
                                            const CsvStamp& stamp);

}  // namespace btopt::kit::detail
