// The prototype evaluation (proto_eval.hpp) built for x86-64-v3 (AVX2, FMA),
// under its own namespace: what function multiversioning (target_clones) of
// the kit's kernels would give. btopt-bench-kit calls it only when the CPU
// has AVX2 and FMA; the interface is plain pointers, so no inline function
// of this file is shared with the baseline build.
#define BENCH_PROTO_NS proto_v3
#include "proto_eval.hpp"

namespace bench::proto_v3_api {

void *prepare(const double *closes, std::size_t n)
{
    return new proto_v3::Prepared(proto_v3::prepare(std::span<const double>(closes, n)));
}

double evaluate_sharpe(const void *prepared, std::size_t fast, std::size_t slow, std::int8_t *positions)
{
    const auto &d = *static_cast<const proto_v3::Prepared *>(prepared);
    const std::span<btopt::kit::Position> pos(positions, d.closes.size());
    proto_v3::signal(d, fast, slow, pos);
    return proto_v3::metrics(d, pos).sharpe;
}

void release(void *prepared) { delete static_cast<proto_v3::Prepared *>(prepared); }

} // namespace bench::proto_v3_api
