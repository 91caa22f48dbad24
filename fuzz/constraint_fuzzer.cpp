// libFuzzer target: a constraint is compiled or refused with a message, never
// a crash; a compiled one is a condition whose fast path (single comparisons)
// agrees with muparser on every point of a small space.
#include "core/constraints.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

using namespace btopt::internal;

const Space &space()
{
    static const Space s = [] {
        Space made;
        if (!made.add_int("fast", -3, 3, 1) || !made.add_int("slow", 0, 4, 2) || !made.add_float("x", -1, 1, 0.5) ||
            !made.add_choice("mode", {"a", "b"}))
            std::abort();
        return made;
    }();
    return s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size > 256)
        return 0; // long expressions only slow muparser down
    const std::string expression(reinterpret_cast<const char *>(data), size);
    auto compiled = Constraints::compile(space(), {expression});
    if (!compiled) {
        if (compiled.error().message.empty())
            std::abort();
        return 0;
    }
    // The same expression through muparser alone ("+ 0" is not a bare operand).
    auto general = Constraints::compile(space(), {"0 + " + expression});
    for (std::uint64_t i = 0; i < *space().cardinality(); ++i) {
        const Point p = space().decode(i);
        const bool allowed = compiled->allow(p);
        if (general && general->allow(p) != allowed && expression.find_first_of("&|") == std::string::npos)
            std::abort();
    }
    (void)count_valid(space(), *compiled);
    return 0;
}
