// Helpers shared by the kit tests: temporary folders and files, the shared data folder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kit_test {

// A fresh folder under the system temp folder, removed with everything in it.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    // Writes `text` to a file in the folder and returns its path.
    std::filesystem::path write(const std::string& name, std::string_view text) const;

private:
    std::filesystem::path path_;
};

// $BTOPT_SHARED_DATA, else the folder configured at build time, if it exists.
std::optional<std::filesystem::path> shared_data_dir();

// |a - b| <= tol * max(1, |a|, |b|): relative, with an absolute floor near 0.
bool close_rel(double a, double b, double tol = 1e-9);

// FNV-1a of raw bytes, for pinning generated data.
std::uint64_t fnv1a(std::span<const std::byte> bytes);

}  // namespace kit_test
