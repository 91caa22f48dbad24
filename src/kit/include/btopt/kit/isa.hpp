// Which instruction set the kit's hot loops (the metrics, sma_crossover on
// WindowSums) run on. The library is built for baseline x86-64; those loops
// are also built for x86-64-v3 (AVX2) and x86-64-v4 (AVX-512), and the best one
// the CPU has is picked on first use. Every variant performs the same
// floating-point operations in the same order (no fused multiply-add, fixed
// accumulator lanes), so results are bit-identical whichever runs: a machine
// never changes a result, only its speed.
//
// The environment variable BTOPT_KIT_ISA (baseline, x86-64-v3 or x86-64-v4)
// picks the variant on first use instead, if the CPU runs it: for measuring a
// plugin, whose own copy of the kit use_isa cannot reach.
#pragma once

#include <cstdint>

namespace btopt::kit {

enum class Isa : std::uint8_t { Baseline, X86_64_V3, X86_64_V4 };

// "baseline", "x86-64-v3" or "x86-64-v4".
[[nodiscard]] const char* isa_name(Isa isa) noexcept;

// True when this CPU can run the variant.
[[nodiscard]] bool isa_supported(Isa isa) noexcept;

// The variant in use now (the best supported one unless use_isa chose another).
[[nodiscard]] Isa active_isa() noexcept;

// For tests and benchmarks: run `isa` from now on, in every thread. Returns
// false and changes nothing when the CPU cannot run it.
bool use_isa(Isa isa) noexcept;

}  // namespace btopt::kit
