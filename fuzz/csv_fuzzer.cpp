// libFuzzer target: the CSV bar reader answers every input with bars or a
// message naming file:line, never a crash, a hang or undefined behaviour.
// Each input is the whole file, handed over through an in-memory file (a
// memfd is a regular file, as the loader demands).
#include "btopt/kit/bars.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

const std::string &memory_file()
{
    static const std::string path = [] {
        const int fd = ::memfd_create("btopt-fuzz.csv", MFD_CLOEXEC);
        if (fd < 0)
            std::abort();
        return "/proc/self/fd/" + std::to_string(fd);
    }();
    return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string &path = memory_file();
    const int fd = std::stoi(path.substr(path.rfind('/') + 1));
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size))
        std::abort();
    const auto bars = btopt::kit::load_csv(path);
    if (bars) { // what loads is consistent: increasing timestamps, every close a price
        const auto ts = bars->timestamps();
        for (std::size_t i = 1; i < ts.size(); ++i)
            if (ts[i] <= ts[i - 1])
                std::abort();
        for (const double close : bars->close())
            if (!(close > 0))
                std::abort();
    } else if (bars.error().rfind(path, 0) != 0) { // every message names the file
        std::abort();
    }
    return 0;
}
