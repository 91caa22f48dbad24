// Helpers shared by the kit tests: temporary folders and files, the shared data folder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

#include "btopt/kit/isa.hpp"
#include "btopt/kit/metrics.hpp"

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

// Every metric of `got` within `tol` (relative) of `want`; trades and exposure exactly.
inline void check_metrics_close(const btopt::kit::Metrics& got, const btopt::kit::Metrics& want, double tol = 1e-9) {
    CHECK(close_rel(got.sharpe, want.sharpe, tol));
    CHECK(close_rel(got.sortino, want.sortino, tol));
    CHECK(close_rel(got.total_return, want.total_return, tol));
    CHECK(close_rel(got.cagr, want.cagr, tol));
    CHECK(close_rel(got.max_drawdown, want.max_drawdown, tol));
    CHECK(got.trades == want.trades);
    CHECK(got.exposure == want.exposure);
}

// FNV-1a of raw bytes, for pinning generated data.
std::uint64_t fnv1a(std::span<const std::byte> bytes);

// A cheap multiplicative random walk from `start` (closes[t] = closes[t-1] *
// exp(u * step), u uniform in [-1, 1)): long series in little time.
std::vector<double> random_walk(std::size_t n, std::uint64_t seed, double step = 0.02, double start = 100.0);

// Positions in {-1, 0, 1} that hold for a few bars, then change (reversals too).
std::vector<btopt::kit::Position> random_positions(std::size_t n, std::uint64_t seed);

// The instruction sets this CPU runs (see btopt/kit/isa.hpp).
std::vector<btopt::kit::Isa> supported_isas();

// Puts back the instruction set that was active when it was made.
class IsaGuard {
public:
    IsaGuard() : isa_(btopt::kit::active_isa()) {}
    ~IsaGuard() { btopt::kit::use_isa(isa_); }
    IsaGuard(const IsaGuard&) = delete;
    IsaGuard& operator=(const IsaGuard&) = delete;

private:
    btopt::kit::Isa isa_;
};

}  // namespace kit_test
