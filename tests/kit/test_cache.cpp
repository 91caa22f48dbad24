// load_bars and its column cache: reuse, rebuild on change, distrust of damaged caches.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

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
    TempDir dir;
    const auto csv = dir.write("p.csv", kCsv);
    const auto parsed = load_csv(csv);
    REQUIRE(parsed.has_value());
    LoadInfo info;
    REQUIRE(load_bars(csv, {}, &info).has_value());
    CHECK(info.source == BarSource::Parsed);
    CHECK(info.cache_path == dir.path() / ".p.csv.btoptcache");
    CHECK(std::filesystem::exists(info.cache_path));
    CHECK(load_source(csv, *parsed) == BarSource::Cache);
    CHECK(load_source(csv, *parsed) == BarSource::Cache);
}

TEST_CASE("cache: mapped bars stay valid after the cache file is replaced or removed") {
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
    TempDir dir;
    const auto csv = dir.write("p.csv", kCsv);
    REQUIRE(load_bars(csv).has_value());
    dir.write("p.csv", std::string(kCsv) + "2020-01-07,13,15,12,14,13.5,4000\n");
    const auto longer = load_csv(csv);
    REQUIRE(longer.has_value());
    CHECK(load_source(csv, *longer) == BarSource::Parsed);
    CHECK(load_source(csv, *longer) == BarSource::Cache);
}

TEST_CASE("cache: an edit keeping size and mtime is still seen (content fingerprint)") {
    TempDir dir;
    const auto csv = dir.write("p.csv", kCsv);
    REQUIRE(load_bars(csv).has_value());
    const auto mtime = std::filesystem::last_write_time(csv);
    std::string edited = kCsv;
    edited.replace(edited.find("3000"), 4, "3001");
    dir.write("p.csv", edited);
    std::filesystem::last_write_time(csv, mtime);
    const auto reparsed = load_csv(csv);
    REQUIRE(reparsed.has_value());
    CHECK(reparsed->volume()[2] == 3001.0);
    CHECK(load_source(csv, *reparsed) == BarSource::Parsed);
}

TEST_CASE("cache: a damaged cache is never trusted") {
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
    TempDir dir;
    const auto csv = dir.write("s.csv", "Date;Close\n2020-01-01;2.5\n");
    REQUIRE(load_bars(csv, {.csv = {.delimiter = ';'}, .use_cache = true, .cache_dir = {}}).has_value());
    const auto with_comma = load_bars(csv);
    REQUIRE_FALSE(with_comma.has_value());
    CHECK(with_comma.error().starts_with(csv.string() + ":1: no date column"));
}

TEST_CASE("cache: where the cache lives") {
    TempDir dir;
    const auto csv = dir.write("p.csv", kCsv);
    const auto parsed = load_csv(csv);
    REQUIRE(parsed.has_value());

    SUBCASE("use_cache = false writes nothing") {
        LoadInfo info;
        REQUIRE(load_bars(csv, {.csv = {}, .use_cache = false, .cache_dir = {}}, &info).has_value());
        CHECK(info.cache_path.empty());
        CHECK_FALSE(std::filesystem::exists(dir.path() / ".p.csv.btoptcache"));
    }
    SUBCASE("an explicit cache folder is created and used") {
        const LoadOptions options{.csv = {}, .use_cache = true, .cache_dir = dir.path() / "caches" / "deeper"};
        CHECK(load_source(csv, *parsed, options) == BarSource::Parsed);
        CHECK(load_source(csv, *parsed, options) == BarSource::Cache);
        const auto where = cache_path_for(csv, options);
        REQUIRE(where.has_value());
        CHECK(where->parent_path() == options.cache_dir);
        CHECK(where->filename().string().starts_with("p.csv."));
        CHECK(std::filesystem::exists(*where));
        CHECK_FALSE(std::filesystem::exists(dir.path() / ".p.csv.btoptcache"));
    }
    SUBCASE("a read-only folder sends the cache to BTOPT_CACHE_DIR, or nowhere") {
        TempDir cache_home;
        std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
        ::unsetenv("BTOPT_CACHE_DIR");
        CHECK_FALSE(cache_path_for(csv).has_value());
        CHECK(load_source(csv, *parsed) == BarSource::Parsed);
        ::setenv("BTOPT_CACHE_DIR", cache_home.path().c_str(), 1);
        const auto where = cache_path_for(csv);
        CHECK(load_source(csv, *parsed) == BarSource::Parsed);
        CHECK(load_source(csv, *parsed) == BarSource::Cache);
        ::unsetenv("BTOPT_CACHE_DIR");
        REQUIRE(where.has_value());
        CHECK(where->parent_path() == cache_home.path());
        CHECK_FALSE(std::filesystem::exists(dir.path() / ".p.csv.btoptcache"));
        std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all);
    }
}

TEST_CASE("cache: errors of the CSV come through load_bars") {
    TempDir dir;
    const auto missing = load_bars(dir.path() / "none.csv");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().starts_with((dir.path() / "none.csv").string() + ": cannot open: "));
    const auto bad = load_bars(dir.write("b.csv", "Date,Close\n2020-01-01,x\n"));
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error() == (dir.path() / "b.csv").string() + ":2: field 'Close' is not a number: 'x'");
    CHECK_FALSE(std::filesystem::exists(dir.path() / ".b.csv.btoptcache"));
}
