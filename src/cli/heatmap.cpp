#include "heatmap.hpp"

#include "text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>

namespace btopt::cli {

namespace {

// ---- colour ----------------------------------------------------------------

// Viridis, sampled: perceptually even and readable by colour-blind people.
constexpr std::array<std::array<int, 3>, 10> viridis{{{68, 1, 84},
                                                      {72, 40, 120},
                                                      {62, 73, 137},
                                                      {49, 104, 142},
                                                      {38, 130, 142},
                                                      {31, 158, 137},
                                                      {53, 183, 121},
                                                      {110, 206, 88},
                                                      {181, 222, 43},
                                                      {253, 231, 37}}};

std::string colour(double t)
{
    t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * (viridis.size() - 1);
    const auto i = std::min(static_cast<std::size_t>(t), viridis.size() - 2);
    const double f = t - static_cast<double>(i);
    int rgb[3];
    for (std::size_t c = 0; c < 3; ++c)
        rgb[c] = static_cast<int>(std::lround(viridis[i][c] + f * (viridis[i + 1][c] - viridis[i][c])));
    return fmt::format("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]);
}

// ---- heatmap axes -------------------------------------------------------------

constexpr std::uint64_t max_axis_cells = 60;
constexpr std::size_t bins_for_wide_axes = 24;

// One axis of the heatmap: its cells' labels and which cell a value falls in.
struct Axis {
    std::string name;
    std::vector<std::string> labels;
    std::vector<std::string> titles; // "fast = 25" or "x in [0.1, 0.2)"
    std::function<std::optional<std::size_t>(const Value &)> locate;

    static Axis of(const ParamSpec &p)
    {
        Axis axis{p.name, {}, {}, {}};
        const std::uint64_t size = p.size();
        if (p.kind == BTOPT_PARAM_CHOICE) {
            axis.labels = p.choices;
            for (const auto &c : p.choices)
                axis.titles.push_back(fmt::format("{} = {}", p.name, c));
            axis.locate = [choices = p.choices](const Value &v) -> std::optional<std::size_t> {
                const auto *s = std::get_if<std::string>(&v);
                const auto found = s ? std::find(choices.begin(), choices.end(), *s) : choices.end();
                if (found == choices.end())
                    return std::nullopt;
                return static_cast<std::size_t>(found - choices.begin());
            };
        } else if (size > 0 && size <= max_axis_cells) {
            const bool is_int = p.kind == BTOPT_PARAM_INT;
            const double lo = is_int ? static_cast<double>(p.int_lo) : p.float_lo;
            const double step = is_int ? static_cast<double>(p.int_step) : (p.float_step > 0 ? p.float_step : 1.0);
            for (std::uint64_t k = 0; k < size; ++k) {
                const std::string text = is_int ? fmt::format("{}", p.int_lo + static_cast<std::int64_t>(k) * p.int_step)
                                                : fmt::format("{:g}", lo + static_cast<double>(k) * step);
                axis.labels.push_back(text);
                axis.titles.push_back(fmt::format("{} = {}", p.name, text));
            }
            axis.locate = [lo, step, size](const Value &v) -> std::optional<std::size_t> {
                const double k = std::round((value_number(v) - lo) / step);
                if (!(k >= 0 && k < static_cast<double>(size)))
                    return std::nullopt;
                return static_cast<std::size_t>(k);
            };
        } else {
            const bool is_int = p.kind == BTOPT_PARAM_INT;
            const double lo = is_int ? static_cast<double>(p.int_lo) : p.float_lo;
            const double hi = is_int ? static_cast<double>(p.int_hi) + 1 : p.float_hi;
            const std::size_t bins = bins_for_wide_axes;
            const double width = (hi - lo) / static_cast<double>(bins);
            for (std::size_t b = 0; b < bins; ++b) {
                const double a = lo + width * static_cast<double>(b), z = a + width;
                axis.labels.push_back(fmt::format("{:.3g}", a + width / 2));
                axis.titles.push_back(fmt::format("{} in [{:.4g}, {:.4g}{}", p.name, a, z, b + 1 == bins ? "]" : ")"));
            }
            axis.locate = [lo, width, bins](const Value &v) -> std::optional<std::size_t> {
                const double b = std::floor((value_number(v) - lo) / width);
                if (!(b >= 0))
                    return std::nullopt;
                return std::min(static_cast<std::size_t>(b), bins - 1);
            };
        }
        return axis;
    }

    // An axis of one cell, for a space of one parameter.
    static Axis single()
    {
        return Axis{"", {""}, {""}, [](const Value &) -> std::optional<std::size_t> { return 0; }};
    }
};

struct Cell {
    std::optional<std::size_t> best; // index into run.trials
    std::size_t ok = 0, other = 0;
};

std::size_t param_index(const RunData &run, const std::string &name)
{
    return static_cast<std::size_t>(std::find(run.param_names.begin(), run.param_names.end(), name) -
                                    run.param_names.begin());
}

// The other parameters of a trial, "period=10, upper=70", for a cell's title.
std::string others_text(const RunData &run, const TrialRow &t, std::size_t x, std::optional<std::size_t> y)
{
    std::vector<std::string> parts;
    for (std::size_t k = 0; k < run.param_names.size(); ++k)
        if (k != x && k != y)
            parts.push_back(fmt::format("{}={}", run.param_names[k], value_text(t.values[k])));
    return join(parts, ", ");
}

} // namespace

std::string heatmap_svg(const RunSettings &settings, const RunData &run)
{
    const auto spec = [&](const std::string &name) {
        return *std::find_if(settings.params.begin(), settings.params.end(),
                             [&](const ParamSpec &p) { return p.name == name; });
    };
    const Axis ax = Axis::of(spec(settings.heatmap_x));
    const Axis ay = settings.heatmap_y.empty() ? Axis::single() : Axis::of(spec(settings.heatmap_y));
    const std::size_t nx = ax.labels.size(), ny = ay.labels.size();
    const std::size_t kx = param_index(run, ax.name);
    const std::optional<std::size_t> ky =
        settings.heatmap_y.empty() ? std::nullopt : std::optional<std::size_t>(param_index(run, ay.name));
    const bool minimize = settings.options.minimize;

    std::vector<Cell> cells(nx * ny);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::size_t i = 0; i < run.trials.size(); ++i) {
        const TrialRow &t = run.trials[i];
        if (t.values.size() != run.param_names.size() || kx >= t.values.size())
            continue;
        const auto cx = ax.locate(t.values[kx]);
        const auto cy = ky ? ay.locate(t.values[*ky]) : std::optional<std::size_t>(0);
        if (!cx || !cy)
            continue;
        Cell &cell = cells[*cy * nx + *cx];
        if (t.status != BTOPT_TRIAL_OK) {
            ++cell.other;
            continue;
        }
        ++cell.ok;
        if (!cell.best || (minimize ? t.score < run.trials[*cell.best].score : t.score > run.trials[*cell.best].score))
            cell.best = i;
        lo = std::min(lo, t.score);
        hi = std::max(hi, t.score);
    }

    // Cells as big as fit 760 units across, numbers inside when there is room.
    const double label_w = ky ? 64 : 16, top = 8;
    const double cw = std::clamp(880.0 / static_cast<double>(nx), 10.0, 96.0);
    const double ch = std::clamp(cw * 0.5, 12.0, 40.0);
    const double grid_w = cw * static_cast<double>(nx), grid_h = ch * static_cast<double>(ny);
    const double width = std::max(label_w + grid_w + 16, label_w + 320 + 300), height = top + grid_h + 86;
    const bool numbers = cw >= 44 && ch >= 20;
    // Labels no closer than their own width (about 6.5 units a character at 11px).
    std::size_t longest = 1;
    for (const std::string &label : ax.labels)
        longest = std::max(longest, label.size());
    const std::size_t x_every = static_cast<std::size_t>(std::ceil((6.5 * static_cast<double>(longest) + 10) / cw));
    const std::size_t y_every = static_cast<std::size_t>(std::ceil(16.0 / ch));

    std::string svg = fmt::format(
        R"(<svg id="heatmap" class="chart heatmap" viewBox="0 0 {:.0f} {:.0f}" style="max-width:{:.0f}px" role="img" )"
        R"(aria-label="{} over {}{}">)",
        width, height, width, html_escape(settings.objective), html_escape(ax.name),
        ky ? " and " + html_escape(ay.name) : std::string());
    svg += R"~(<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">)~"
           R"(<rect width="6" height="6" class="hatch-bg"/><line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern>)"
           R"(<linearGradient id="scale">)";
    for (std::size_t s = 0; s < viridis.size(); ++s)
        svg += fmt::format(R"(<stop offset="{:.3f}" stop-color="{}"/>)",
                           static_cast<double>(s) / static_cast<double>(viridis.size() - 1),
                           colour(static_cast<double>(s) / static_cast<double>(viridis.size() - 1)));
    svg += "</linearGradient></defs>";

    std::optional<std::pair<std::size_t, std::size_t>> best_cell;
    for (std::size_t row = 0; row < ny; ++row) {
        // Row 0 (the lowest value) at the bottom, as on a plot.
        const double y = top + grid_h - ch * static_cast<double>(row + 1);
        for (std::size_t col = 0; col < nx; ++col) {
            const Cell &cell = cells[row * nx + col];
            const double x = label_w + cw * static_cast<double>(col);
            std::string where = ax.titles[col];
            if (ky)
                where += ", " + ay.titles[row];
            std::string title, css = "cell", fill;
            std::string inner;
            if (cell.best) {
                const TrialRow &t = run.trials[*cell.best];
                const double norm = hi > lo ? (t.score - lo) / (hi - lo) : 1.0;
                const double goodness = minimize ? 1.0 - norm : norm;
                fill = colour(goodness);
                title = fmt::format("{}\n{} {}", where, settings.objective, number_text(t.score));
                if (cell.ok + cell.other > 1) {
                    const std::string others = others_text(run, t, kx, ky);
                    title += fmt::format(" (best of {} trials{}{})", cell.ok + cell.other, others.empty() ? "" : ", at ",
                                         others);
                }
                title += fmt::format("\ntrial {}", t.number);
                if (run.best && *cell.best == *run.best)
                    best_cell = {col, row};
                if (numbers)
                    inner = fmt::format(R"(<text class="cell-value{}" x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)",
                                        goodness > 0.62 ? " on-light" : "", x + cw / 2, y + ch / 2 + 4,
                                        fmt::format("{:.2f}", t.score));
            } else if (cell.other > 0) {
                css += " failed";
                title = fmt::format("{}\nno successful trial ({} did not finish ok)", where, cell.other);
            } else {
                css += " empty";
                title = fmt::format("{}\nnot evaluated (excluded by a constraint, or not drawn)", where);
            }
            svg += fmt::format(R"(<rect class="{}" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}"{}>)"
                               R"(<title>{}</title></rect>{})",
                               css, x + 0.5, y + 0.5, cw - 1, ch - 1,
                               fill.empty() ? std::string() : fmt::format(R"( fill="{}")", fill), html_escape(title),
                               inner);
        }
        if (ky && row % y_every == 0)
            svg += fmt::format(R"(<text class="tick" x="{:.1f}" y="{:.1f}" text-anchor="end">{}</text>)", label_w - 6,
                               y + ch / 2 + 4, html_escape(ay.labels[row]));
    }
    if (best_cell)
        svg += fmt::format(R"(<rect class="best-ring" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" rx="2"/>)",
                           label_w + cw * static_cast<double>(best_cell->first) - 1,
                           top + grid_h - ch * static_cast<double>(best_cell->second + 1) - 1, cw + 2, ch + 2);
    for (std::size_t col = 0; col < nx; col += x_every)
        svg += fmt::format(R"(<text class="tick" x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)",
                           label_w + cw * (static_cast<double>(col) + 0.5), top + grid_h + 16,
                           html_escape(ax.labels[col]));
    svg += fmt::format(R"(<text class="axis-title" x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)",
                       label_w + grid_w / 2, top + grid_h + 36, html_escape(ax.name));
    if (ky)
        svg += fmt::format(R"~(<text class="axis-title" transform="translate(12 {:.1f}) rotate(-90)" )~"
                           R"(text-anchor="middle">{}</text>)",
                           top + grid_h / 2, html_escape(ay.name));

    // The colour scale: worse on the left, better on the right.
    const double ly = top + grid_h + 50, lw = std::min(grid_w, 280.0), lx = label_w;
    if (hi >= lo) {
        svg += fmt::format(R"~(<rect class="legend-bar" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="10" rx="3" fill="url(#scale)"/>)~",
                           lx, ly, lw);
        svg += fmt::format(R"(<text class="tick" x="{:.1f}" y="{:.1f}">{}</text>)"
                           R"(<text class="tick" x="{:.1f}" y="{:.1f}" text-anchor="end">{}</text>)"
                           R"(<text class="tick" x="{:.1f}" y="{:.1f}">{}: brighter is better</text>)",
                           lx, ly + 24, number_text(minimize ? hi : lo), lx + lw, ly + 24, number_text(minimize ? lo : hi),
                           lx + lw + 12, ly + 9, html_escape(settings.objective));
    }
    svg += fmt::format(R"(<rect class="cell-key empty" x="{:.1f}" y="{:.1f}" width="12" height="10"/>)"
                       R"(<text class="tick" x="{:.1f}" y="{:.1f}">not evaluated</text>)"
                       R"(<rect class="cell-key failed" x="{:.1f}" y="{:.1f}" width="12" height="10"/>)"
                       R"(<text class="tick" x="{:.1f}" y="{:.1f}">no successful trial</text>)",
                       lx + lw + 12, ly + 16, lx + lw + 30, ly + 25, lx + lw + 130, ly + 16, lx + lw + 148, ly + 25);
    svg += "</svg>";
    return svg;
}

} // namespace btopt::cli
