#include "output_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace btopt::internal {

Result<OutputFile> OutputFile::create(const std::string &path)
{
    static std::atomic<unsigned> counter{0};
    const std::filesystem::path target(path);
    if (std::error_code ec; std::filesystem::is_directory(target, ec))
        return fail(BTOPT_ERR_IO, "cannot write '{}': it is a folder", path);
    // Dot-prefixed, unique to this process and call, in the same folder so
    // that the rename is atomic. 0666 so the umask decides, as for any file.
    const std::string temp =
        (target.parent_path() / fmt::format(".{}.{}.{}.tmp", target.filename().string(), getpid(), counter++)).string();
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0)
        return fail(BTOPT_ERR_IO, "cannot write '{}': {}", path, std::strerror(errno));
    return OutputFile(path, temp, fd);
}

OutputFile::OutputFile(std::string path, std::string temp, int fd)
    : path_(std::move(path)), temp_(std::move(temp)), fd_(fd)
{
    buffer_.reserve(flush_at + 4096);
}

OutputFile::OutputFile(OutputFile &&other) noexcept
    : path_(std::move(other.path_)), temp_(std::move(other.temp_)), fd_(std::exchange(other.fd_, -1)),
      error_(other.error_), buffer_(std::move(other.buffer_))
{
}

OutputFile::~OutputFile()
{
    if (fd_ >= 0) {
        ::close(fd_);
        ::unlink(temp_.c_str());
    }
}

void OutputFile::flush()
{
    const char *data = buffer_.data();
    std::size_t left = buffer_.size();
    while (left > 0 && error_ == 0) {
        const ssize_t n = ::write(fd_, data, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            error_ = n < 0 ? errno : ENOSPC;
            break;
        }
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    buffer_.clear();
}

Result<void> OutputFile::commit()
{
    flush();
    if (error_ == 0 && ::fsync(fd_) != 0)
        error_ = errno;
    if (error_ != 0)
        return fail(BTOPT_ERR_IO, "writing '{}' failed: {} (the file was left as it was)", path_, std::strerror(error_));
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0 || ::rename(temp_.c_str(), path_.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp_.c_str());
        return fail(BTOPT_ERR_IO, "writing '{}' failed: {} (the file was left as it was)", path_, std::strerror(err));
    }
    return {};
}

} // namespace btopt::internal
