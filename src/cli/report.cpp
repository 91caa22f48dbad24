#include "report.hpp"

#include "errors.hpp"
#include "handles.hpp"

#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace btopt::cli {
namespace {

using Json = nlohmann::json;

void write_whole(const std::string &path, const std::string &text, const std::string &what)
{
    std::string temporary = path + ".tmp-XXXXXX";
    const int fd = ::mkstemp(temporary.data());
    if (fd < 0)
        throw RunError(fmt::format("{}: cannot write beside it: {}", what, std::strerror(errno)));
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const int error = errno;
            ::close(fd);
            std::remove(temporary.c_str());
            throw RunError(fmt::format("{}: cannot write the file: {}", what, std::strerror(error)));
        }
        done += static_cast<std::size_t>(n);
    }
    ::fchmod(fd, 0644);
    if (::close(fd) != 0 || std::rename(temporary.c_str(), path.c_str()) != 0) {
        const int error = errno;
        std::remove(temporary.c_str());
        throw RunError(fmt::format("{}: cannot write the file: {}", what, std::strerror(error)));
    }
}

} // namespace

Json selection_json(const btopt_result *result)
{
    btopt_selection s{};
    s.struct_size = sizeof s;
    if (btopt_result_selection(result, &s) != BTOPT_OK)
        return nullptr;
    Json out = {{"note", btopt_result_selection_note(result)}, {"n_trials", s.n_trials}};
    if (s.has_sharpe)
        out.update({{"dsr", s.dsr}, {"psr", s.psr}, {"n_returns", s.n_returns}});
    if (s.has_pbo)
        out.update({{"pbo", s.pbo}, {"pbo_blocks", s.pbo_blocks}, {"pbo_splits", s.pbo_splits},
                    {"pbo_all_splits", s.pbo_all_splits}});
    return out;
}

void write_report(const std::string &study, std::int64_t run, const std::string &path, const std::string &flag,
                  const dashboard::ReportExtras &extras)
{
    dashboard::Mirror mirror(study);
    if (std::string error = mirror.refresh(); !error.empty())
        throw RunError(error);
    const std::string page = mirror.with_run(run, [&](const dashboard::Run *found) -> std::string {
        if (!found)
            throw RunError(run ? fmt::format("study '{}' has no run {}", study, run)
                               : fmt::format("study '{}' holds no run yet", study));
        return dashboard::frozen_page(*found, std::filesystem::path(study).filename().string(), extras);
    });
    write_whole(path, page, fmt::format("{} {}", flag, path));
}

CLI::App *add_report_command(CLI::App &app, ReportOptions &o)
{
    CLI::App *cmd = app.add_subcommand(
        "report", "Write a study's run as one self-contained HTML file: the dashboard's page, frozen (also while a run "
                  "is writing the study)");
    cmd->add_option("STUDY", o.study, "a study file written with btopt run --study")->required();
    cmd->add_option("--report", o.report, "the HTML file to write")->required()->type_name("FILE.html");
    cmd->add_option("--run", o.run, "the run to write (default: the last)")->check(CLI::PositiveNumber)->type_name("N");
    return cmd;
}

int report_command(const ReportOptions &o)
{
    if (::access(o.study.c_str(), F_OK) != 0)
        throw RunError(fmt::format("study '{}' does not exist", o.study));
    dashboard::ReportExtras extras;
    btopt_result *raw = nullptr;
    if (btopt_study_open(&raw, o.study.c_str(), o.run) == BTOPT_OK) {
        const ResultHandle result(raw);
        extras.selection = selection_json(raw);
    }
    write_report(o.study, o.run, o.report, "--report", extras);
    fmt::print("Wrote {}\n", o.report);
    return exit_ok;
}

} // namespace btopt::cli
