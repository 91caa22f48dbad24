// Loading bars through a binary column cache, so that the second and later
// loads of a CSV map a file instead of parsing text.
//
// The cache is a private format of this library (see src/kit/cache_file.hpp):
// a 128-byte header, then the timestamps and each present column as raw
// native-endian arrays. It is mapped read-only and shared (MAP_SHARED), so
// forked workers that load the same file share its pages, and the returned
// Bars point into the mapping without a copy.
//
// When a cache is used: its header must name this format version and byte
// order, carry a valid header checksum, match the file's size, and record the
// CSV's current size, modification time (ns) and a checksum of the CSV's first
// and last 4 KiB, plus the same CSV options; and the checksum of the column
// bytes must match. Anything else means the cache is rebuilt from the CSV
// (written to a temporary file, then renamed over the old one, so readers
// never see a half-written cache). Failing to write a cache is not an error:
// the parsed bars are returned and LoadInfo::cache_note says why.
// Known limit: an edit that keeps the CSV's size, its first and last 4 KiB and
// its mtime (within the file system's timestamp granularity) is not noticed.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "btopt/kit/bars.hpp"

namespace btopt::kit {

struct LoadOptions {
    CsvOptions csv;
    bool use_cache = true;
    // Where to keep caches. Empty: next to the CSV as ".<name>.btoptcache" when
    // the CSV's folder is writable (a folder without any write permission bit
    // counts as read-only, even for root), else in $BTOPT_CACHE_DIR when set,
    // else nowhere (the CSV is parsed every time). In a cache folder the file
    // is "<name>.<hash of the CSV's absolute path>.btoptcache"; the folder is
    // created when missing.
    std::filesystem::path cache_dir;
};

enum class BarSource { Parsed, Cache };

// What load_bars did, for diagnostics and tests.
struct LoadInfo {
    BarSource source = BarSource::Parsed;
    std::filesystem::path cache_path;  // empty when no cache location applies
    std::string cache_note;            // why a cache was not used or not written; empty otherwise
};

// The bars of a CSV file (see load_csv for the format and its errors),
// through the cache when possible. `info`, when not null, receives LoadInfo.
[[nodiscard]] tl::expected<Bars, std::string> load_bars(const std::filesystem::path& csv_path,
                                                        const LoadOptions& options = {},
                                                        LoadInfo* info = nullptr);

// Where load_bars keeps the cache of `csv_path` under `options`, if anywhere.
[[nodiscard]] std::optional<std::filesystem::path> cache_path_for(const std::filesystem::path& csv_path,
                                                                  const LoadOptions& options = {});

}  // namespace btopt::kit
