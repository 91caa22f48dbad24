#include "paths.hpp"

#include <btopt/btopt.h>

#include <dlfcn.h>

#include <filesystem>

namespace btopt::internal {

std::vector<std::string> library_dirs()
{
    std::vector<std::string> dirs;
    Dl_info info{};
    if (dladdr(reinterpret_cast<void *>(&btopt_abi_version), &info) != 0 && info.dli_fname)
        dirs.push_back(std::filesystem::path(info.dli_fname).parent_path().string());
#ifdef BTOPT_BUILD_LIB_DIR
    dirs.emplace_back(BTOPT_BUILD_LIB_DIR); // only in the unit tests: see src/CMakeLists.txt
#endif
    return dirs;
}

} // namespace btopt::internal
