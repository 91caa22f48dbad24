#include "btopt/kit/cache.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <gsl/util>

#define XXH_INLINE_ALL  // the implementation inline from Debian's libxxhash-dev header: nothing to link
#include <xxhash.h>

#include "cache_file.hpp"
#include "regular_file.hpp"

namespace btopt::kit {
namespace {

// The CSV's content, hashed whole with XXH3-128 (several GB/s, so far less
// than parsing costs): any edited byte gives another key, whatever the size
// and modification time say.
tl::expected<detail::CsvStamp, std::string> stamp_csv(const std::filesystem::path& csv, char delimiter) {
    const auto opened = detail::open_regular(csv);
    if (!opened) return tl::make_unexpected(opened.error());
    const int fd = *opened;
    const auto closer = gsl::finally([fd] { ::close(fd); });
    XXH3_state_t* state = XXH3_createState();
    if (state == nullptr) return tl::make_unexpected(fmt::format("{}: out of memory", csv.string()));
    const auto release = gsl::finally([state] { XXH3_freeState(state); });
    XXH3_128bits_reset_withSeed(state, static_cast<unsigned char>(delimiter));
    std::vector<char> chunk(1 << 20);
    std::uint64_t size = 0;
    for (;;) {
        const ssize_t got = ::read(fd, chunk.data(), chunk.size());
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return tl::make_unexpected(fmt::format("{}: cannot read: {}", csv.string(), std::strerror(errno)));
        if (got == 0) break;
        XXH3_128bits_update(state, chunk.data(), static_cast<std::size_t>(got));
        size += static_cast<std::uint64_t>(got);
    }
    const XXH128_hash_t hash = XXH3_128bits_digest(state);
    return detail::CsvStamp{size, hash.low64, hash.high64, static_cast<unsigned char>(delimiter)};
}

// An absolute folder from the environment, or nothing (the XDG rule: a
// relative $XDG_CACHE_HOME is ignored).
std::optional<std::filesystem::path> absolute_env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || value[0] != '/') return std::nullopt;
    return std::filesystem::path(value);
}

// The user's cache folder: never next to the data.
std::optional<std::filesystem::path> cache_folder(const LoadOptions& options) {
    if (!options.use_cache) return std::nullopt;
    if (!options.cache_dir.empty()) return options.cache_dir;
    if (const auto xdg = absolute_env("XDG_CACHE_HOME")) return *xdg / "btopt";
    if (const auto home = absolute_env("HOME")) return *home / ".cache" / "btopt";
    return std::nullopt;
}

// The content is the key: the same bytes anywhere share one cache.
std::filesystem::path cache_name(const detail::CsvStamp& stamp) {
    return fmt::format("{:016x}{:016x}.btoptcache", stamp.hash_high, stamp.hash_low);
}

}  // namespace

std::optional<std::filesystem::path> cache_path_for(const std::filesystem::path& csv_path,
                                                    const LoadOptions& options) {
    const auto folder = cache_folder(options);
    if (!folder) return std::nullopt;
    const auto stamp = stamp_csv(csv_path, options.csv.delimiter);
    if (!stamp) return std::nullopt;
    return *folder / cache_name(*stamp);
}

tl::expected<Bars, std::string> load_bars(const std::filesystem::path& csv_path, const LoadOptions& options,
                                          LoadInfo* info) {
    LoadInfo local;
    LoadInfo& out = info != nullptr ? *info : local;
    out = LoadInfo{};
    const auto folder = cache_folder(options);
    if (!folder) return load_csv(csv_path, options.csv);

    const auto stamp = stamp_csv(csv_path, options.csv.delimiter);
    if (!stamp) return tl::make_unexpected(stamp.error());
    const std::filesystem::path cache = *folder / cache_name(*stamp);
    out.cache_path = cache;
    if (auto mapped = detail::map_cache(cache, *stamp)) {
        out.source = BarSource::Cache;
        return mapped;
    } else {
        out.cache_note = fmt::format("cache {} not used: {}", cache.string(), mapped.error());
    }

    auto bars = load_csv(csv_path, options.csv);
    if (!bars) return bars;
    // Only a cache of the CSV we actually parsed: skip it if the file changed meanwhile.
    const auto after = stamp_csv(csv_path, options.csv.delimiter);
    if (!after || *after != *stamp) {
        out.cache_note += "; not rebuilt: the CSV changed while it was read";
    } else if (auto written = detail::write_cache(cache, *bars, *stamp); !written) {
        out.cache_note += "; not rebuilt: " + written.error();
    }
    return bars;
}

}  // namespace btopt::kit
