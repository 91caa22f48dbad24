// Loading bars through a binary column cache, so that the second and later
// loads of a CSV map a file instead of parsing text.
//
// The cache is a private format of this library (see src/kit/cache_file.hpp):
// a 128-byte header, then the timestamps and each present column as raw
// native-endian arrays. It is mapped read-only and shared (MAP_SHARED), so
// forked workers that load the same file share its pages, and the returned
// Bars point into the mapping without a copy.
//
// The cache is keyed by content: its name is the XXH3-128 hash of every byte
// of the CSV (seeded with the parsing options), and its header records the
// same hash, so an edited CSV never reuses an old cache, whatever its size
// and modification time say. When a cache is used: it must be a regular file
// (opened with O_NOFOLLOW and O_NONBLOCK: a link or a FIFO under its name is
// refused), owned by this user and not writable by others; its header must
// name this format version and byte order, carry a valid header checksum,
// match the file's size and record the CSV's hash and options; and the
// checksum of the column bytes must match. Anything else means the cache is
// rebuilt from the CSV: written to an unnamed O_TMPFILE and linked under its
// name once complete, so readers never see a half-written cache and a write
// killed half-way leaves nothing behind. Failing to write a cache is not an
// error: the parsed bars are returned and LoadInfo::cache_note says why.
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
    // Where to keep caches. Empty: the user's cache folder, $XDG_CACHE_HOME/btopt
    // (when that is an absolute path), else $HOME/.cache/btopt, else nowhere
    // (the CSV is parsed every time); never next to the data. The file is
    // "<32 hex digits of the content hash>.btoptcache"; the folder is created
    // when missing.
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
