// Internal: opening a data file to read it, the one place that refuses what
// is not a regular file. O_NONBLOCK: opening a FIFO with no writer would wait
// for ever (and Ctrl-C would not stop a worker blocked there); a pipe or a
// device is refused with words instead.
#pragma once

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <tl/expected.hpp>

namespace btopt::kit::detail {

// A read-only descriptor of the regular file at `path` (the caller closes it).
inline tl::expected<int, std::string> open_regular(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return tl::make_unexpected(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return tl::make_unexpected(fmt::format(
            "{}: not a regular file (a FIFO, pipe or device): save the data to a file and give that", path.string()));
    }
    return fd;
}

}  // namespace btopt::kit::detail
