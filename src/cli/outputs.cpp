#include "outputs.hpp"

#include "errors.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace btopt::cli {

namespace {

namespace fs = std::filesystem;

// The folder a new file at `path` goes into must exist and take files.
void check_folder(const Output &o)
{
    const fs::path path(o.path);
    const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::error_code ec;
    if (!fs::exists(folder, ec))
        throw UsageError(fmt::format("{} {}: the folder '{}' does not exist", o.flag, o.path, folder.string()));
    if (!fs::is_directory(folder, ec))
        throw UsageError(fmt::format("{} {}: '{}' is not a folder", o.flag, o.path, folder.string()));
    const bool exists = fs::exists(path, ec);
    if (exists ? ::access(path.c_str(), W_OK) != 0 : ::access(folder.c_str(), W_OK | X_OK) != 0)
        throw UsageError(fmt::format("{} {}: cannot write {}: {}", o.flag, o.path,
                                     exists ? "the file" : fmt::format("in the folder '{}'", folder.string()),
                                     std::strerror(errno)));
}

// The same file under any spelling ("x", "./x", "/dir/x", a link to it).
std::string identity(const std::string &path)
{
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(fs::absolute(path), ec);
    return ec ? path : canonical.string();
}

bool is_regular_or_new(const std::string &path)
{
    std::error_code ec;
    const auto status = fs::status(path, ec);
    return !fs::exists(status) || fs::is_regular_file(status);
}

void copy_file_to(const std::string &from, std::FILE *to, const Output &o)
{
    std::ifstream in(from, std::ios::binary);
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0)
        if (std::fwrite(buffer, 1, static_cast<std::size_t>(in.gcount()), to) != static_cast<std::size_t>(in.gcount()))
            throw RunError(fmt::format("{} {}: cannot write: {}", o.flag, o.path, std::strerror(errno)));
    if (std::fflush(to) != 0)
        throw RunError(fmt::format("{} {}: cannot write: {}", o.flag, o.path, std::strerror(errno)));
}

} // namespace

std::vector<Output> requested_outputs(const RunOptions &o)
{
    std::vector<Output> outputs;
    for (const auto &[flag, path] : {std::pair{"--json", &o.json}, {"--csv", &o.csv}, {"--report", &o.report}})
        if (!path->empty())
            outputs.push_back(Output{flag, *path});
    return outputs;
}

bool stdout_taken(const RunOptions &options)
{
    for (const Output &o : requested_outputs(options))
        if (o.path == "-")
            return true;
    return false;
}

void check_outputs(const RunOptions &options)
{
    std::vector<std::pair<std::string, const Output *>> seen;
    const std::vector<Output> outputs = requested_outputs(options);
    for (const Output &o : outputs) {
        if (o.path == "-" && o.flag == "--report")
            throw UsageError("--report -: a report is an HTML file; give a FILE.html (\"-\" is for --json and --csv)");
        std::error_code ec;
        if (o.path != "-" && fs::is_directory(o.path, ec))
            throw UsageError(fmt::format("{} {}: that is a folder; give a file name", o.flag, o.path));
        if (o.path != "-" && is_regular_or_new(o.path))
            check_folder(o);
        const std::string id = o.path == "-" ? "-" : identity(o.path);
        for (const auto &[other_id, other] : seen)
            if (other_id == id)
                throw UsageError(fmt::format("{} {} and {} {}: both write {}; give each output its own path",
                                             other->flag, other->path, o.flag, o.path,
                                             id == "-" ? "to stdout" : "the same file"));
        seen.emplace_back(id, &o);
    }
}

void deliver(const Output &output, const std::function<void(const std::string &path)> &write)
{
    if (output.path != "-" && is_regular_or_new(output.path)) {
        write(output.path);
        return;
    }
    std::string temporary = (fs::temp_directory_path() / "btopt-output-XXXXXX").string();
    const int fd = ::mkstemp(temporary.data());
    if (fd < 0)
        throw RunError(fmt::format("{} {}: cannot make a temporary file: {}", output.flag, output.path,
                                   std::strerror(errno)));
    ::close(fd);
    struct Remove {
        std::string path;
        ~Remove() { std::remove(path.c_str()); }
    } remove{temporary};
    write(temporary);
    if (output.path == "-") {
        copy_file_to(temporary, stdout, output);
        return;
    }
    std::FILE *target = std::fopen(output.path.c_str(), "wb");
    if (!target)
        throw RunError(fmt::format("{} {}: cannot open: {}", output.flag, output.path, std::strerror(errno)));
    struct Close {
        std::FILE *f;
        ~Close() { std::fclose(f); }
    } close{target};
    copy_file_to(temporary, target, output);
}

} // namespace btopt::cli
