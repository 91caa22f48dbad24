#include "support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace kit_test {

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "btopt-kit-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& name, std::string_view text) const {
    const auto file = path_ / name;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) throw std::runtime_error("cannot write " + file.string());
    return file;
}

std::optional<std::filesystem::path> shared_data_dir() {
    const char* env = std::getenv("BTOPT_SHARED_DATA");
    const std::filesystem::path dir = env != nullptr && *env != '\0' ? env : BTOPT_KIT_SHARED_DATA;
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return dir;
    return std::nullopt;
}

bool close_rel(double a, double b, double tol) {
    return std::abs(a - b) <= tol * std::max({1.0, std::abs(a), std::abs(b)});
}

std::uint64_t fnv1a(std::span<const std::byte> bytes) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const std::byte b : bytes) h = (h ^ std::to_integer<std::uint64_t>(b)) * 0x100000001b3ULL;
    return h;
}

namespace {

// A 64-bit LCG: the top bits as a double in [0, 1).
double next_uniform(std::uint64_t& state) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) * 0x1p-53;
}

}  // namespace

std::vector<double> random_walk(std::size_t n, std::uint64_t seed, double step, double start) {
    std::vector<double> closes(n);
    double c = start;
    for (double& x : closes) {
        x = c;
        c *= std::exp((2.0 * next_uniform(seed) - 1.0) * step);  // no drift in log price
    }
    return closes;
}

std::vector<btopt::kit::Position> random_positions(std::size_t n, std::uint64_t seed) {
    std::vector<btopt::kit::Position> positions(n);
    btopt::kit::Position held = 0;
    for (auto& p : positions) {
        if (next_uniform(seed) < 0.2) held = static_cast<btopt::kit::Position>(static_cast<int>(next_uniform(seed) * 3.0) - 1);
        p = held;
    }
    return positions;
}

std::vector<btopt::kit::Isa> supported_isas() {
    std::vector<btopt::kit::Isa> isas;
    for (const auto isa : {btopt::kit::Isa::Baseline, btopt::kit::Isa::X86_64_V3, btopt::kit::Isa::X86_64_V4})
        if (btopt::kit::isa_supported(isa)) isas.push_back(isa);
    return isas;
}

}  // namespace kit_test
