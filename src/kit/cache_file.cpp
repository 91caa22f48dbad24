#include "cache_file.hpp"

#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <memory>
#include <span>
#include <type_traits>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gsl/util>

#include "checksum.hpp"

namespace btopt::kit::detail {
namespace {

constexpr std::array<char, 8> kMagic{'B', 'T', 'O', 'P', 'T', 'B', 'C', '\n'};
constexpr std::uint32_t kVersion = 2;
constexpr std::uint32_t kByteOrder = 0x01020304;  // reads differently on a machine of the other order

struct CacheHeader {
    std::array<char, 8> magic;
    std::uint32_t version;
    std::uint32_t byte_order;
    std::uint64_t file_size;
    std::uint64_t bar_count;
    std::uint32_t column_flags;
    std::uint32_t delimiter;
    std::uint64_t csv_size;
    std::uint64_t csv_hash_low;
    std::uint64_t csv_hash_high;
    std::uint64_t data_checksum;
    std::array<std::uint64_t, 6> reserved;
    std::uint64_t header_checksum;  // of the 120 bytes before it
};
static_assert(sizeof(CacheHeader) == 128 && std::is_trivially_copyable_v<CacheHeader>);
constexpr std::size_t kChecked = offsetof(CacheHeader, header_checksum);

std::uint64_t header_checksum(const CacheHeader& h) {
    return Hash64::of(std::as_bytes(std::span{reinterpret_cast<const char*>(&h), kChecked}));
}

std::uint64_t expected_size(std::uint64_t bars, std::uint32_t flags) {
    return sizeof(CacheHeader) + bars * 8 * (1 + static_cast<std::uint64_t>(std::popcount(flags)));
}

// The checksum chains the per-column hashes, so writer and reader can hash
// column by column without the columns being adjacent in memory.
class DataChecksum {
public:
    void add(std::span<const std::byte> column) { value_ = Hash64::of(column, value_ + 0x9E3779B97F4A7C15ULL); }
    [[nodiscard]] std::uint64_t value() const { return value_; }

private:
    std::uint64_t value_ = 0;
};

// Owns one read-only mapping; Bars keep it alive through a shared_ptr.
class Mapping {
public:
    Mapping(void* addr, std::size_t length) : addr_(addr), length_(length) {}
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
    ~Mapping() { ::munmap(addr_, length_); }
    [[nodiscard]] const std::byte* data() const { return static_cast<const std::byte*>(addr_); }

private:
    void* addr_;
    std::size_t length_;
};

// Maps `length` bytes of an open file read-only and shared.
tl::expected<std::shared_ptr<Mapping>, std::string> map_file(int fd, std::size_t length) {
    // MAP_POPULATE: the checksum reads every page anyway; one call maps them all.
    void* addr = ::mmap(nullptr, length, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
    if (addr == MAP_FAILED) return tl::make_unexpected(fmt::format("cannot map: {}", std::strerror(errno)));
    return std::make_shared<Mapping>(addr, length);
}

tl::expected<void, std::string> check_header(const CacheHeader& h, std::uint64_t length, const CsvStamp& stamp) {
    if (h.magic != kMagic) return tl::make_unexpected("not a btopt cache (bad magic)");
    if (h.version != kVersion || h.byte_order != kByteOrder)
        return tl::make_unexpected("written by another format version or byte order");
    if (header_checksum(h) != h.header_checksum) return tl::make_unexpected("corrupt header (checksum)");
    const bool has_close = (h.column_flags >> static_cast<unsigned>(Column::Close)) & 1U;
    if (h.file_size != length || h.bar_count > length / 8 || !has_close ||
        h.column_flags >> kColumnCount != 0 || expected_size(h.bar_count, h.column_flags) != length)
        return tl::make_unexpected("truncated or inconsistent size");
    const CsvStamp recorded{h.csv_size, h.csv_hash_low, h.csv_hash_high, h.delimiter};
    if (recorded != stamp) return tl::make_unexpected("stale (the CSV or the options changed)");
    return {};
}

// Opens the cache and reads its header, before mapping anything: a stale or
// foreign cache costs one small read, not a mapping of the whole file.
tl::expected<std::pair<CacheHeader, std::shared_ptr<Mapping>>, std::string> open_cache(
    const std::filesystem::path& path, const CsvStamp& stamp) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0) return tl::make_unexpected(fmt::format("cannot open: {}", std::strerror(errno)));
    const auto closer = gsl::finally([fd] { ::close(fd); });  // a mapping outlives its descriptor
    struct stat st {};
    CacheHeader header{};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return tl::make_unexpected("not a regular file");
    // Someone else's file, or one others may write, could have been planted or
    // edited to change this user's results: never trusted.
    if (st.st_uid != ::geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return tl::make_unexpected("owned by another user or writable by others");
    if (st.st_size < static_cast<off_t>(sizeof header) ||
        ::pread(fd, &header, sizeof header, 0) != static_cast<ssize_t>(sizeof header))
        return tl::make_unexpected("truncated (shorter than its header)");
    const auto length = static_cast<std::uint64_t>(st.st_size);
    if (auto ok = check_header(header, length, stamp); !ok) return tl::make_unexpected(std::move(ok.error()));
    auto mapping = map_file(fd, static_cast<std::size_t>(length));
    if (!mapping) return tl::make_unexpected(std::move(mapping.error()));
    return std::pair{header, std::move(*mapping)};
}

}  // namespace

// Every column byte is checksummed, not a sample: for a 1,000,000-bar cache
// (56 MB, in the page cache) the whole load measured 10-30 ms on a busy 2-core
// machine, most of it the hash at about 4 GB/s, against about 750 ms to parse
// the CSV. A sampled checksum would save those milliseconds but miss damage
// between the samples, and the pages read here are the ones the strategies
// read next anyway.
tl::expected<Bars, std::string> map_cache(const std::filesystem::path& cache, const CsvStamp& stamp) {
    auto opened = open_cache(cache, stamp);
    if (!opened) return tl::make_unexpected(std::move(opened.error()));
    auto& [header, mapping] = *opened;

    const auto n = static_cast<std::size_t>(header.bar_count);
    const std::byte* cursor = mapping->data() + sizeof(CacheHeader);
    DataChecksum checksum;
    auto take = [&](std::size_t bytes) {
        const std::span<const std::byte> column{cursor, bytes};
        checksum.add(column);
        cursor += bytes;
        return column.data();
    };
    // The mapping is page-aligned and every array starts at a multiple of 8 bytes.
    const auto* timestamps = reinterpret_cast<const std::int64_t*>(take(n * 8));
    Bars::ColumnViews views{};
    for (std::size_t c = 0; c < kColumnCount; ++c)
        if ((header.column_flags >> c) & 1U) views[c] = {reinterpret_cast<const double*>(take(n * 8)), n};
    if (checksum.value() != header.data_checksum) return tl::make_unexpected("corrupt columns (checksum)");
    return Bars::view(std::move(mapping), {timestamps, n}, views);
}

namespace {

// Writes all of `bytes`, retrying short writes.
bool write_all(int fd, std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
        const ssize_t done = ::write(fd, bytes.data(), bytes.size());
        if (done < 0 && errno == EINTR) continue;
        if (done <= 0) return false;
        bytes = bytes.subspan(static_cast<std::size_t>(done));
    }
    return true;
}

CacheHeader make_header(const Bars& bars, const CsvStamp& stamp) {
    CacheHeader h{};
    h.magic = kMagic;
    h.version = kVersion;
    h.byte_order = kByteOrder;
    h.bar_count = bars.size();
    for (std::size_t c = 0; c < kColumnCount; ++c)
        if (bars.has(static_cast<Column>(c))) h.column_flags |= 1U << c;
    h.file_size = expected_size(h.bar_count, h.column_flags);
    h.delimiter = stamp.delimiter;
    h.csv_size = stamp.size;
    h.csv_hash_low = stamp.hash_low;
    h.csv_hash_high = stamp.hash_high;
    DataChecksum checksum;
    checksum.add(std::as_bytes(bars.timestamps()));
    for (std::size_t c = 0; c < kColumnCount; ++c)
        if (bars.has(static_cast<Column>(c))) checksum.add(std::as_bytes(bars.column(static_cast<Column>(c))));
    h.data_checksum = checksum.value();
    h.header_checksum = header_checksum(h);
    return h;
}

bool write_body(int fd, const Bars& bars, const CacheHeader& header) {
    if (!write_all(fd, std::as_bytes(std::span{&header, 1}))) return false;
    if (!write_all(fd, std::as_bytes(bars.timestamps()))) return false;
    for (std::size_t c = 0; c < kColumnCount; ++c)
        if (bars.has(static_cast<Column>(c)) && !write_all(fd, std::as_bytes(bars.column(static_cast<Column>(c)))))
            return false;
    return true;
}

}  // namespace

namespace {

// Gives the complete unnamed file `fd` the name `cache`, replacing what was
// there (a stale or damaged cache). EEXIST: a concurrent writer of the same
// content won the race, which is as good.
int link_into_place(int fd, const std::filesystem::path& cache) {
    if (::unlink(cache.c_str()) != 0 && errno != ENOENT) return errno;
    const std::string self = fmt::format("/proc/self/fd/{}", fd);
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, cache.c_str(), AT_SYMLINK_FOLLOW) != 0 && errno != EEXIST)
        return errno;
    return 0;
}

// Where the file system has no O_TMPFILE: a named temporary file renamed over.
int write_named(const std::filesystem::path& cache, const Bars& bars, const CsvStamp& stamp) {
    std::string temp = cache.string() + ".tmp.XXXXXX";  // unique per writer: concurrent loads do not collide
    const int fd = ::mkstemp(temp.data());
    if (fd < 0) return errno;
    int why = write_body(fd, bars, make_header(bars, stamp)) ? 0 : (errno != 0 ? errno : EIO);
    ::fchmod(fd, 0644);
    if (::close(fd) != 0 && why == 0) why = errno;
    if (why == 0 && ::rename(temp.c_str(), cache.c_str()) != 0) why = errno;
    if (why != 0) ::unlink(temp.c_str());
    return why;
}

}  // namespace

tl::expected<void, std::string> write_cache(const std::filesystem::path& cache, const Bars& bars,
                                            const CsvStamp& stamp) {
    std::error_code ec;
    std::filesystem::create_directories(cache.parent_path(), ec);  // an error shows when the file is made
    // 0644: other users reading the same data may share the cache (they check the owner).
    const int fd = ::open(cache.parent_path().c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    int why = 0;
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        why = write_named(cache, bars, stamp);
    } else if (fd < 0) {
        why = errno;
    } else {
        if (!write_body(fd, bars, make_header(bars, stamp))) why = errno != 0 ? errno : EIO;
        if (why == 0) why = link_into_place(fd, cache);
        ::close(fd);  // unlinked or never named: nothing is left behind
    }
    if (why != 0) return tl::make_unexpected(fmt::format("cannot write {}: {}", cache.string(), std::strerror(why)));
    return {};
}

}  // namespace btopt::kit::detail
