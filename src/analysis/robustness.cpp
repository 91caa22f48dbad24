// The grid is laid out densely (the last parameter fastest, as the grid
// search numbers it), each cell holding its trial's score turned so that
// higher is better, or +inf where no successful trial is; the worst over a
// box of neighbours is a minimum filter applied along one axis at a time.
#include "robustness.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace btopt::internal::analysis {
namespace {

constexpr double missing = std::numeric_limits<double>::infinity();

// The grid step index of one coordinate.
std::uint64_t step_index(const Parameter &p, const Value &v)
{
    switch (p.kind) {
    case Kind::Int:
        return static_cast<std::uint64_t>((v.i - p.int_lo) / p.int_step);
    case Kind::Float:
        return static_cast<std::uint64_t>(std::llround((v.f - p.float_lo) / p.float_step));
    case Kind::Choice:
        return static_cast<std::uint64_t>(v.i);
    }
    return 0;
}

struct Layout {
    std::vector<std::uint64_t> sizes, strides;
    std::uint64_t cells = 1;
};

std::optional<Layout> layout(const Space &space, std::size_t trials, std::string &note)
{
    constexpr std::uint64_t most_cells = std::uint64_t{1} << 25; // 256 MB of scores
    Layout l;
    for (const Parameter &p : space.parameters()) {
        const auto size = p.size();
        if (!size)
            return std::nullopt; // a continuous parameter: not a grid
        l.sizes.push_back(*size);
        if (l.cells > most_cells / *size) {
            note = "the neighbourhood scores are not computed: the grid has more than 33,554,432 points";
            return std::nullopt;
        }
        l.cells *= *size;
    }
    if (l.cells > 64 * static_cast<std::uint64_t>(trials) + 4096) {
        note = fmt::format("the neighbourhood scores are not computed: the run tried {} of the grid's {} points",
                           trials, l.cells);
        return std::nullopt;
    }
    l.strides.assign(l.sizes.size(), 1);
    for (std::size_t d = l.sizes.size(); d-- > 1;)
        l.strides[d - 1] = l.strides[d] * l.sizes[d];
    return l;
}

std::uint64_t cell_of(const Space &space, const Layout &l, std::span<const Value> point)
{
    std::uint64_t cell = 0;
    for (std::size_t d = 0; d < point.size(); ++d)
        cell += step_index(space.parameters()[d], point[d]) * l.strides[d];
    return cell;
}

// In place: each cell becomes the minimum over the cells within `radius` along axis d.
void min_filter(std::vector<double> &grid, const Layout &l, std::size_t d, std::uint64_t radius)
{
    const std::uint64_t n = l.sizes[d], stride = l.strides[d];
    std::vector<double> line(n);
    // The first cells of the lines along d: `stride` consecutive cells at the start of each block of n * stride.
    for (std::uint64_t block = 0; block < l.cells; block += n * stride)
        for (std::uint64_t base = block; base < block + stride; ++base) {
            for (std::uint64_t j = 0; j < n; ++j)
                line[j] = grid[base + j * stride];
            for (std::uint64_t j = 0; j < n; ++j) {
                const std::uint64_t lo = j >= radius ? j - radius : 0, hi = std::min(n - 1, j + radius);
                grid[base + j * stride] = *std::min_element(line.begin() + static_cast<std::ptrdiff_t>(lo),
                                                            line.begin() + static_cast<std::ptrdiff_t>(hi + 1));
            }
        }
}

std::vector<Sensitivity> sensitivity(const std::vector<double> &scores, const Layout &l, std::uint64_t best_cell)
{
    std::vector<Sensitivity> out(l.sizes.size());
    for (std::size_t d = 0; d < l.sizes.size(); ++d) {
        const std::uint64_t base = best_cell - (best_cell / l.strides[d] % l.sizes[d]) * l.strides[d];
        Sensitivity &s = out[d];
        s.min_score = HUGE_VAL;
        s.max_score = -HUGE_VAL;
        for (std::uint64_t j = 0; j < l.sizes[d]; ++j) {
            const double score = scores[base + j * l.strides[d]];
            if (std::isnan(score))
                continue;
            s.min_score = std::min(s.min_score, score);
            s.max_score = std::max(s.max_score, score);
            ++s.points;
        }
    }
    return out;
}

} // namespace

std::optional<RobustStats> robustness(const RunResult &result, std::uint32_t radius, std::string &note)
{
    if (result.info.algorithm != "grid" || !result.best || !result.space)
        return std::nullopt;
    const Trials &trials = result.trials;
    const auto l = layout(*result.space, trials.size(), note);
    if (!l)
        return std::nullopt;
    const double sign = result.info.direction == Direction::Maximize ? 1.0 : -1.0;
    std::vector<double> worst(l->cells, missing), scores(l->cells, std::nan(""));
    std::vector<std::uint64_t> cells(trials.size());
    for (std::size_t i = 0; i < trials.size(); ++i) {
        cells[i] = cell_of(*result.space, *l, trials.point(i));
        if (trials.status(i) == TrialStatus::Ok) {
            worst[cells[i]] = sign * trials.score(i);
            scores[cells[i]] = trials.score(i);
        }
    }
    for (std::size_t d = 0; d < l->sizes.size(); ++d)
        min_filter(worst, *l, d, radius);
    RobustStats r;
    r.radius = radius;
    r.robust_row = *result.best;
    for (std::size_t i = 0; i < trials.size(); ++i) // rows are in trial order: ties go to the lower number
        if (trials.status(i) == TrialStatus::Ok && worst[cells[i]] > worst[cells[r.robust_row]])
            r.robust_row = i;
    r.robust_score = sign * worst[cells[r.robust_row]];
    r.best_neighbourhood = sign * worst[cells[*result.best]];
    r.sensitivity = sensitivity(scores, *l, cells[*result.best]);
    return r;
}

} // namespace btopt::internal::analysis
