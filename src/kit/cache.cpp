#include "btopt/kit/cache.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <span>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "cache_file.hpp"
#include "checksum.hpp"

namespace btopt::kit {
namespace {

constexpr std::size_t kFingerprintBytes = 4096;

// Size, mtime and a hash of the first and last 4 KiB: catches most edits that
// keep size and mtime (same-second rewrites, restored timestamps) for the cost
// of two small reads, where hashing the whole CSV would cost what parsing costs.
tl::expected<detail::CsvStamp, std::string> stamp_csv(const std::filesystem::path& csv, char delimiter) {
    const int fd = ::open(csv.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return tl::make_unexpected(fmt::format("{}: cannot open: {}", csv.string(), std::strerror(errno)));
    struct stat st {};
    std::array<std::byte, 2 * kFingerprintBytes> edge{};
    ssize_t head = -1, tail = 0;
    if (::fstat(fd, &st) == 0) {
        const auto size = static_cast<std::size_t>(st.st_size);
        head = ::pread(fd, edge.data(), std::min(size, kFingerprintBytes), 0);
        if (size > kFingerprintBytes) {
            const std::size_t from = std::max(size - kFingerprintBytes, kFingerprintBytes);
            tail = ::pread(fd, edge.data() + kFingerprintBytes, size - from, static_cast<off_t>(from));
        }
    }
    const int err = errno;
    ::close(fd);
    if (head < 0 || tail < 0)
        return tl::make_unexpected(fmt::format("{}: cannot read: {}", csv.string(), std::strerror(err)));
    detail::CsvStamp stamp;
    stamp.size = static_cast<std::uint64_t>(st.st_size);
    stamp.mtime_ns = std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
    stamp.fingerprint = detail::Hash64::of(edge);
    stamp.delimiter = static_cast<unsigned char>(delimiter);
    return stamp;
}

// access() alone says yes to root everywhere; a folder without any write bit
// (like a read-only shared data folder) is meant to stay untouched.
bool folder_is_writable(const std::filesystem::path& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
    return (st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) != 0 && ::access(dir.c_str(), W_OK) == 0;
}

// In a shared cache folder, the name carries a hash of the CSV's absolute path
// so that two CSVs with the same name in different folders do not collide.
std::filesystem::path keyed_name(const std::filesystem::path& csv) {
    std::error_code ec;
    const std::string where = std::filesystem::absolute(csv, ec).lexically_normal().string();
    const std::uint64_t key = detail::Hash64::of(std::as_bytes(std::span{where.data(), where.size()}));
    return fmt::format("{}.{:016x}.btoptcache", csv.filename().string(), key);
}

}  // namespace

std::optional<std::filesystem::path> cache_path_for(const std::filesystem::path& csv_path,
                                                    const LoadOptions& options) {
    if (!options.use_cache) return std::nullopt;
    if (!options.cache_dir.empty()) return options.cache_dir / keyed_name(csv_path);
    const std::filesystem::path folder = csv_path.has_parent_path() ? csv_path.parent_path() : ".";
    if (folder_is_writable(folder)) return folder / ("." + csv_path.filename().string() + ".btoptcache");
    if (const char* env = std::getenv("BTOPT_CACHE_DIR"); env != nullptr && *env != '\0')
        return std::filesystem::path{env} / keyed_name(csv_path);
    return std::nullopt;
}

tl::expected<Bars, std::string> load_bars(const std::filesystem::path& csv_path, const LoadOptions& options,
                                          LoadInfo* info) {
    LoadInfo local;
    LoadInfo& out = info != nullptr ? *info : local;
    out = LoadInfo{};
    const auto cache = cache_path_for(csv_path, options);
    if (!cache) return load_csv(csv_path, options.csv);
    out.cache_path = *cache;

    const auto stamp = stamp_csv(csv_path, options.csv.delimiter);
    if (!stamp) return tl::make_unexpected(stamp.error());
    if (auto mapped = detail::map_cache(*cache, *stamp)) {
        out.source = BarSource::Cache;
        return mapped;
    } else {
        out.cache_note = fmt::format("cache {} not used: {}", cache->string(), mapped.error());
    }

    auto bars = load_csv(csv_path, options.csv);
    if (!bars) return bars;
    // Only a cache of the CSV we actually parsed: skip it if the file changed meanwhile.
    const auto after = stamp_csv(csv_path, options.csv.delimiter);
    if (!after || *after != *stamp) {
        out.cache_note += "; not rebuilt: the CSV changed while it was read";
    } else if (auto written = detail::write_cache(*cache, *bars, *stamp); !written) {
        out.cache_note += "; not rebuilt: " + written.error();
    }
    return bars;
}

}  // namespace btopt::kit
