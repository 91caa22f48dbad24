// load_bars and its column cache: reuse, rebuild on change, distrust of damaged caches.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "btopt/kit/cache.hpp"
#include "support.hpp"

using namespace btopt::kit;
using kit_test::TempDir;

namespace {

const char* const kCsv =
    "Date,Open,High,Low,Close,Adj Close,Volume\n"
    "2020-01-02,10,12,9,11,10.5,1000\n"
    "2020-01-03,11,13,10,12,11.5,2000\n"
    "2020-01-06,12,14,11,13,12.5,3000\n";

bool same_bars(const Bars& a, const Bars& b) {
    if (!std::ranges::equal(a.timestamps(), b.timestamps())) return false;
    for (std::size_t c = 0; c < kColumnCount; ++c)
        if (!std::ranges::equal(a.column(static_cast<Column>(c)), b.column(static_cast<Column>(c)))) return false;
    return true;
}

// Loads and returns where the bars came from; the bars must equal `expected`.
BarSource load_source(const std::filesystem::path& csv, const Bars& expected, const LoadOptions& options = {}) {
    LoadInfo info;
    const auto bars = load_bars(csv, options, &info);
    if (!bars) FAIL(bars.error());  // the message only when there is one
    CHECK(same_bars(*bars, expected));
    return info.source;
}

// Points $XDG_CACHE_HOME at a folder of its own while it lives, so a test
// never reads or writes the user's real cache.
class CacheHome {
public:
    CacheHome() {
        if (const char* old = std::getenv("XDG_CACHE_HOME")) old_ = old;
        ::setenv("XDG_CACHE_HOME", home_.path().c_str(), 1);
    }
    ~CacheHome() {
        if (old_) ::setenv("XDG_CACHE_HOME", old_->c_str(), 1);
        else ::unsetenv("XDG_CACHE_HOME");
    }
    CacheHome(const CacheHome&) = delete;
    CacheHome& operator=(const CacheHome&) = delete;
    [[nodiscard]] std::filesystem::path folder() const { return home_.path() / "btopt"; }
    // Every file in the cache folder.
    [[nodiscard]] std::vector<std::string> files() const {
        std::vector<std::string> names;
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(folder(), ec))
            names.push_back(entry.path().filename().string());
        return names;
    }

private:
    TempDir home_;
    std::optional<std::string> old_;
};

// A CSV of n daily bars, each price in its bar.
std::string long_csv(int n) {
    std::string text = "Date,Open,High,Low,Close,Volume\n";
    for (int i = 0; i < n; ++i)
        text += fmt::format("{:04}-{:02}-{:02},10,12,9,{}.{:02},{}\n", 2000 + i / 336, 1 + (i / 28) % 12,
                            1 + i % 28, 10 + i % 2, i % 100, 1000 + i);
    return text;
}

void overwrite_byte(const std::filesystem::path& file, std::streamoff offset) {
    std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
    io.seekg(offset);
    const char old = static_cast<char>(io.get());
    io.seekp(offset);
    io.put(static_cast<char>(old ^ 0x5A));
    REQUIRE(io.good());
}

}  // namespace

TEST_CASE("cache: first load parses and writes the cache, second load maps it") {
    CacheHome home;
    TempDir dir;
    const auto csv = dir.write("p.csv", kCsv);
    const auto parsed = load_csv(csv);
    REQUIRE(parsed.has_value());
    LoadInfo info;
    REQUIRE(load_bars(csv, {}, &info).has_value());
    CHECK(info.source == BarSource::Parsed);
    // In the user's cache folder, named by the content; nothing next to the data.
    CHECK(info.cache_path.parent_path() == home.folder());
    CHECK(info.cache_path.filename().string().size() == 32 + std::string(".btoptcache").size());
    CHECK(std::filesystem::exists(info.cache_path));
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);
    CHECK(load_source(csv, *parsed) == BarSource::Cache);
    CHECK(load_source(csv, *parsed) == BarSource::Cache);
}

TEST_CASE("cache: mapped bars stay valid after the cache file is replaced or removed") {
    CacheHome home;
    TempDir dir;
    const auto csv = dir.write("p.csv", kCsv);
    REQUIRE(load_bars(csv).has_value());
    Bars copy;
    {
        LoadInfo info;
        const auto mapped = load_bars(csv, {}, &info);
        REQUIRE(info.source == BarSource::Cache);
        copy = *mapped;  // shares the mapping
        std::filesystem::remove(info.cache_path);
    }
    CHECK(copy.size() == 3);
    CHECK(copy.close()[2] == 13.0);
    CHECK(copy.adj_close()[0] == 10.5);
}

TEST_CASE("cache: a modified CSV is parsed again, then cached again") {
    CacheHome home;
    TempDir dir;
    const auto csv = dir.write("p.csv", kCsv);
    REQUIRE(load_bars(csv).has_value());
    dir.write("p.csv", std::string(kCsv) + "2020-01-07,13,15,12,14,13.5,4000\n");
    const auto longer = load_csv(csv);
    REQUIRE(longer.has_value());
    CHECK(load_source(csv, *longer) == BarSource::Parsed);
    CHECK(load_source(csv, *longer) == BarSource::Cache);
}

TEST_CASE("cache: an edit in the middle keeping size, mtime, first and last lines is seen (content key)") {
    CacheHome home;
    TempDir dir;
    const std::string text = long_csv(2000);  // about 60 KB: the edit is far from both ends
    const auto csv = dir.write("p.csv", text);
    REQUIRE(load_bars(csv).has_value());
    const auto mtime = std::filesystem::last_write_time(csv);
    std::string edited = text;
    const auto close_at = edited.find(",10.", edited.size() / 2);  // only a close is written "10.xx"
    REQUIRE(close_at != std::string::npos);
    edited[close_at + 2] = '1';  // 10.xx becomes 11.xx: same size, still inside its bar (9 to 12)
    dir.write("p.csv", edited);
    std::filesystem::last_write_time(csv, mtime);  // touch -r: the old stamp
    const auto reparsed = load_csv(csv);
    REQUIRE(reparsed.has_value());
    CHECK(load_source(csv, *reparsed) == BarSource::Parsed);
    CHECK(load_source(csv, *reparsed) == BarSource::Cache);
    CHECK(home.files().size() == 2);  // one cache per content
}

TEST_CASE("cache: a planted cache is never opened, followed or waited on") {
    CacheHome home;
    TempDir dir, elsewhere;
    const auto csv = dir.write("p.csv", kCsv);
    const auto parsed = load_csv(csv);
    REQUIRE(parsed.has_value());
    const auto cache = *cache_path_for(csv);
    std::filesystem::create_directories(home.folder());
    const auto planted = [&](auto&& plant) {
        std::filesystem::remove(cache);
        plant();
        LoadInfo info;
        const auto bars = load_bars(csv, {}, &info);
        REQUIRE(bars.has_value());
        CHECK(same_bars(*bars, *parsed));
        CHECK(info.source == BarSource::Parsed);
        return info.cache_note;
    };
    SUBCASE("a FIFO: refused at once, not waited on") {
        CHECK(planted([&] { REQUIRE(::mkfifo(cache.c_str(), 0600) == 0); }).find("regular") != std::string::npos);
    }
    SUBCASE("a symbolic link to a valid cache of the same content") {
        const LoadOptions other{.csv = {}, .use_cache = true, .cache_dir = elsewhere.path()};
        REQUIRE(load_bars(csv, other).has_value());
        const auto real = *cache_path_for(csv, other);
        REQUIRE(std::filesystem::exists(real));
        CHECK(planted([&] { std::filesystem::create_symlink(real, cache); }).find("cannot open") != std::string::npos);
    }
    SUBCASE("a cache others may write") {
        CHECK(planted([&] {
                  REQUIRE(load_bars(csv).has_value());
                  std::filesystem::permissions(cache, std::filesystem::perms::others_write,
                                               std::filesystem::perm_options::add);
              }).find("writable by others") != std::string::npos);
    }
    if (::geteuid() == 0) {
        SUBCASE("a cache owned by another user") {
            CHECK(planted([&] {
                      REQUIRE(load_bars(csv).has_value());
                      REQUIRE(::chown(cache.c_str(), 65534, 65534) == 0);
                  }).find("another user") != std::string::npos);
        }
    }
    // The planted file is replaced by a real cache, used from then on.
    CHECK(load_source(csv, *parsed) == BarSource::Cache);
    CHECK(home.files().size() == 1);  // no temporary file left behind
}

TEST_CASE("cache: a data file that is not a regular file is refused, not waited on") {
    CacheHome home;
    TempDir dir;
    const auto fifo = dir.path() / "p.csv";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    for (const bool use_cache : {true, false}) {
        const auto bars = load_bars(fifo, {.csv = {}, .use_cache = use_cache, .cache_dir = {}});
        REQUIRE_FALSE(bars.has_value());
        CHECK(bars.error() == fifo.string() +
                                  ": not a regular file (a FIFO, pipe or device): save the data to a file and give that");
    }
}

TEST_CASE("cache: a damaged cache is never trusted") {
    CacheHome home;
    TempDir dir;
    const auto csv = dir.write("p.csv", kCsv);
    const auto parsed = load_csv(csv);
    REQUIRE(parsed.has_value());
    const auto cache = *cache_path_for(csv);
    REQUIRE(load_bars(csv).has_value());
    const auto size = static_cast<std::uintmax_t>(std::filesystem::file_size(cache));
    const auto damage = [&](auto&& how) {
        REQUIRE(load_bars(csv).has_value());
        REQUIRE(load_source(csv, *parsed) == BarSource::Cache);
        how();
        LoadInfo info;
        const auto bars = load_bars(csv, {}, &info);
        REQUIRE(bars.has_value());
        CHECK(same_bars(*bars, *parsed));
        CHECK(info.source == BarSource::Parsed);
        return info.cache_note;
    };
    SUBCASE("truncated") {
        CHECK(damage([&] { std::filesystem::resize_file(cache, size - 8); }).find("size") != std::string::npos);
    }
    SUBCASE("shorter than a header") {
        CHECK(damage([&] { std::filesystem::resize_file(cache, 20); }).find("truncated") != std::string::npos);
    }
    SUBCASE("empty") { damage([&] { std::filesystem::resize_file(cache, 0); }); }
    SUBCASE("bad magic") {
        CHECK(damage([&] { overwrite_byte(cache, 0); }).find("magic") != std::string::npos);
    }
    SUBCASE("flipped byte in the header (bar count)") {
        CHECK(damage([&] { overwrite_byte(cache, 24); }).find("checksum") != std::string::npos);
    }
    SUBCASE("flipped byte in the columns") {
        CHECK(damage([&] { overwrite_byte(cache, 128 + 8 * 3 + 5); }).find("columns") != std::string::npos);
    }
    SUBCASE("replaced by garbage of the right size") {
        damage([&] {
            std::ofstream(cache, std::ios::binary | std::ios::trunc) << std::string(size, 'x');
        });
    }
    // After any of these the cache is rebuilt and used again.
    CHECK(load_source(csv, *parsed) == BarSource::Cache);
}

TEST_CASE("cache: other parsing options do not reuse the cache") {
    CacheHome home;
    TempDir dir;
    const auto csv = dir.write("s.csv", "Date;Close\n2020-01-01;2.5\n");
    REQUIRE(load_bars(csv, {.csv = {.delimiter = ';'}, .use_cache = true, .cache_dir = {}}).has_value());
    const auto with_comma = load_bars(csv);
    REQUIRE_FALSE(with_comma.has_value());
    CHECK(with_comma.error().starts_with(csv.string() + ":1: no date column"));
}

TEST_CASE("cache: where the cache lives") {
    CacheHome home;
    TempDir dir;
    const auto csv = dir.write("p.csv", kCsv);
    const auto parsed = load_csv(csv);
    REQUIRE(parsed.has_value());

    SUBCASE("use_cache = false writes nothing") {
        LoadInfo info;
        REQUIRE(load_bars(csv, {.csv = {}, .use_cache = false, .cache_dir = {}}, &info).has_value());
        CHECK(info.cache_path.empty());
        CHECK(home.files().empty());
    }
    SUBCASE("an explicit cache folder is created and used") {
        const LoadOptions options{.csv = {}, .use_cache = true, .cache_dir = dir.path() / "caches" / "deeper"};
        CHECK(load_source(csv, *parsed, options) == BarSource::Parsed);
        CHECK(load_source(csv, *parsed, options) == BarSource::Cache);
        const auto where = cache_path_for(csv, options);
        REQUIRE(where.has_value());
        CHECK(where->parent_path() == options.cache_dir);
        CHECK(std::filesystem::exists(*where));
        CHECK(home.files().empty());
    }
    SUBCASE("without XDG_CACHE_HOME: ~/.cache/btopt; without HOME either: nowhere") {
        TempDir user_home;
        const std::string old_home = std::getenv("HOME") ? std::getenv("HOME") : "";
        ::unsetenv("XDG_CACHE_HOME");
        ::setenv("HOME", user_home.path().c_str(), 1);
        const auto where = cache_path_for(csv);
        ::unsetenv("HOME");
        const auto nowhere = cache_path_for(csv);
        CHECK(load_source(csv, *parsed) == BarSource::Parsed);
        ::setenv("HOME", old_home.c_str(), 1);
        REQUIRE(where.has_value());
        CHECK(where->parent_path() == user_home.path() / ".cache" / "btopt");
        CHECK_FALSE(nowhere.has_value());
    }
    SUBCASE("a read-only data folder is no obstacle: the cache is not there") {
        std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
        CHECK(load_source(csv, *parsed) == BarSource::Parsed);
        CHECK(load_source(csv, *parsed) == BarSource::Cache);
        std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all);
    }
}

TEST_CASE("cache: errors of the CSV come through load_bars") {
    CacheHome home;
    TempDir dir;
    const auto missing = load_bars(dir.path() / "none.csv");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().starts_with((dir.path() / "none.csv").string() + ": cannot open: "));
    const auto bad = load_bars(dir.write("b.csv", "Date,Close\n2020-01-01,x\n"));
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error() == (dir.path() / "b.csv").string() + ":2: field 'Close' is not a number: 'x'");
    CHECK(home.files().empty());
}
