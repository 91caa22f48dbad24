// A file written whole or not at all: the bytes go to a temporary file in the
// same folder, which replaces the target only once everything is written and
// synced. A failure (a full disk, `ulimit -f`) leaves the old file untouched.
#pragma once

#include "error.hpp"

#include <string>
#include <string_view>

namespace btopt::internal {

class OutputFile {
public:
    // Creates the temporary file next to `path`.
    static Result<OutputFile> create(const std::string &path);

    OutputFile(OutputFile &&other) noexcept;
    OutputFile &operator=(OutputFile &&) = delete;
    ~OutputFile(); // removes the temporary file unless committed

    // Buffered; errors surface at the next flush or at commit.
    void append(std::string_view text)
    {
        buffer_.append(text);
        if (buffer_.size() >= flush_at)
            flush();
    }
    void append(char c)
    {
        buffer_.push_back(c);
        if (buffer_.size() >= flush_at)
            flush();
    }
    std::string &buffer() { return buffer_; } // for formatting in place; flush_if_full afterwards
    void flush_if_full()
    {
        if (buffer_.size() >= flush_at)
            flush();
    }
    // Writes what is left, syncs and renames the file into place.
    Result<void> commit();

private:
    OutputFile(std::string path, std::string temp, int fd);
    void flush();

    static constexpr std::size_t flush_at = 1 << 20;
    std::string path_, temp_;
    int fd_ = -1;
    int error_ = 0; // the first errno of a failed write
    std::string buffer_;
};

} // namespace btopt::internal
