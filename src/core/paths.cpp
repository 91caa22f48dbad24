#include "paths.hpp"

#include <btopt/btopt.h>

#include <dlfcn.h>

#include <filesystem>

namespace btopt::internal {

std::vector<std::string> library_dirs()
{
    std::vector<std::string> dirs;
    Dl_info info{};
    if (dladdr(reinterpret_cast<void *>(&btopt_abi_version), &info) != 0 && info.dli_fname) {
        // Canonical, so what users are shown reads lib/btopt/..., not bin/../lib/btopt/...
        std::error_code error;
        std::filesystem::path image = std::filesystem::weakly_canonical(info.dli_fname, error);
        dirs.push_back((error ? std::filesystem::path(info.dli_fname) : image).parent_path().string());
    }
#ifdef BTOPT_BUILD_LIB_DIR
    dirs.emplace_back(BTOPT_BUILD_LIB_DIR); // only in the unit tests: see src/CMakeLists.txt
#endif
    return dirs;
}

} // namespace btopt::internal
