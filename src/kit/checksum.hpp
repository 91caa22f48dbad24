// Internal: a fast 64-bit hash for cache integrity checks (not cryptographic).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace btopt::kit::detail {

// xxHash64-style: four independent multiply-rotate lanes over 32-byte stripes,
// so the CPU hashes at memory speed (several GB/s) instead of the one byte per
// step of FNV-1a. Written here, not bit-compatible with xxHash.
class Hash64 {
public:
    static std::uint64_t of(std::span<const std::byte> data, std::uint64_t seed = 0) {
        const std::byte* p = data.data();
        const std::byte* const end = p + data.size();
        std::uint64_t h = 0;
        if (data.size() >= 32) {
            std::uint64_t lane[4] = {seed + kP1 + kP2, seed + kP2, seed, seed - kP1};
            for (; end - p >= 32; p += 32)
                for (int i = 0; i < 4; ++i) lane[i] = round(lane[i], load(p + 8 * i));
            h = rotl(lane[0], 1) + rotl(lane[1], 7) + rotl(lane[2], 12) + rotl(lane[3], 18);
            for (const auto l : lane) h = (h ^ round(0, l)) * kP1 + kP4;
        } else {
            h = seed + kP5;
        }
        h += data.size();
        for (; end - p >= 8; p += 8) h = rotl(h ^ round(0, load(p)), 27) * kP1 + kP4;
        for (; p < end; ++p) h = rotl(h ^ (std::to_integer<std::uint64_t>(*p) * kP5), 11) * kP1;
        return avalanche(h);
    }

private:
    static constexpr std::uint64_t kP1 = 0x9E3779B185EBCA87ULL;
    static constexpr std::uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
    static constexpr std::uint64_t kP3 = 0x165667B19E3779F9ULL;
    static constexpr std::uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
    static constexpr std::uint64_t kP5 = 0x27D4EB2F165667C5ULL;

    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    static std::uint64_t load(const std::byte* p) {
        std::uint64_t v = 0;
        std::memcpy(&v, p, sizeof v);  // unaligned-safe; compiles to one load
        return v;
    }
    static std::uint64_t round(std::uint64_t acc, std::uint64_t input) {
        return rotl(acc + input * kP2, 31) * kP1;
    }
    static std::uint64_t avalanche(std::uint64_t h) {
        h ^= h >> 33;
        h *= kP2;
        h ^= h >> 29;
        h *= kP3;
        return h ^ (h >> 32);
    }
};

}  // namespace btopt::kit::detail
