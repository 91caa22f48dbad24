#include "study/writer.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

using namespace btopt::internal;

namespace {

// Trials in `copy`, a copy of the study file alone (no WAL beside it): what
// checkpoints have put into the file itself. 0 while it cannot be read.
std::int64_t trials_in_the_file(const std::filesystem::path &study, const std::filesystem::path &copy)
{
    std::error_code error;
    for (const char *suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(copy.string() + suffix, error);
    std::filesystem::copy_file(study, copy, error);
    if (error)
        return 0;
    auto db = sql::Db::open(copy.string(), SQLITE_OPEN_READWRITE);
    if (!db)
        return 0;
    auto count = db->prepare("SELECT coalesce(sum(count), 0) FROM chunks");
    if (!count)
        return 0;
    auto row = count->step();
    return row && *row ? count->integer(0) : 0;
}

} // namespace

TEST_CASE("once every trial is recorded, the study's writer puts them into the study file itself before the run's end")
{
    const auto dir = std::filesystem::temp_directory_path() / fmt::format("btopt-study-writer-{}", ::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto study = dir / "s.db";
    Space space;
    REQUIRE(space.add_int("a", 0, 9999, 1));
    Options options;
    RunDescription run;
    run.plugin_name = "test";
    run.objective = "score";
    run.space = &space;
    run.algorithm = "grid";
    run.backend = "inline";
    run.workers = 1;
    run.options = &options;
    auto writer = StudyWriter::open(study.string(), run);
    REQUIRE(writer);
    constexpr std::int64_t n = 5000;
    for (std::int64_t i = 0; i < n; ++i) {
        const Value point[] = {Value{i, 0.0}};
        (*writer)->record(static_cast<std::uint64_t>(i), point,
                          Evaluation{TrialStatus::Ok, static_cast<double>(i), {}, {}}, 0.001, false);
    }
    (*writer)->recorded_all();
    // The writer thread commits and checkpoints on its own, while the run
    // would compute its statistics: no finish() yet.
    std::int64_t in_file = 0;
    for (int tries = 0; tries < 200 && in_file != n; ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        in_file = trials_in_the_file(study, dir / "copy.db");
    }
    CHECK(in_file == n);

    RunResult result;
    result.status_counts[static_cast<std::size_t>(TrialStatus::Ok)] = n;
    result.evaluated = n;
    CHECK((*writer)->finish(BTOPT_OK, "", result));
    writer->reset();
    CHECK(trials_in_the_file(study, dir / "copy.db") == n);
    std::filesystem::remove_all(dir);
}
