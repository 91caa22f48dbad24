#include "charts.hpp"

#include "text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace btopt::cli {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// ---- axes ------------------------------------------------------------------

std::vector<double> nice_ticks(double lo, double hi, int target)
{
    if (!(hi > lo)) {
        lo -= 1;
        hi += 1;
    }
    const double rough = (hi - lo) / target;
    double step = std::pow(10.0, std::floor(std::log10(rough)));
    if (const double r = rough / step; r > 5)
        step *= 10;
    else if (r > 2)
        step *= 5;
    else if (r > 1)
        step *= 2;
    std::vector<double> ticks;
    for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
        ticks.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
    return ticks;
}

std::string tick_text(double value, double step)
{
    const int decimals = std::clamp(static_cast<int>(-std::floor(std::log10(step) + 1e-9)), 0, 6);
    return fmt::format("{:.{}f}", value, decimals);
}

// A plotting area inside a viewBox, with its data ranges.
struct Frame {
    double width = 1000, height = 340;
    double left = 64, right = 20, top = 18, bottom = 44;
    double x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;

    double px(double x) const { return left + (x - x_lo) / (x_hi - x_lo) * (width - left - right); }
    double py(double y) const { return height - bottom - (y - y_lo) / (y_hi - y_lo) * (height - top - bottom); }

    // Gridlines, tick labels and axis titles.
    std::string axes(const std::string &x_title, const std::string &y_title) const
    {
        std::string svg;
        const auto xs = nice_ticks(x_lo, x_hi, 8), ys = nice_ticks(y_lo, y_hi, 6);
        const double x_step = xs.size() > 1 ? xs[1] - xs[0] : 1, y_step = ys.size() > 1 ? ys[1] - ys[0] : 1;
        for (double y : ys)
            svg += fmt::format(R"(<line class="grid" x1="{:.1f}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}"/>)"
                               R"(<text class="tick" x="{:.1f}" y="{:.1f}" text-anchor="end">{}</text>)",
                               left, width - right, py(y), py(y), left - 8, py(y) + 4, tick_text(y, y_step));
        for (double x : xs)
            svg += fmt::format(R"(<line class="grid minor" x1="{:.1f}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}"/>)"
                               R"(<text class="tick" x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)",
                               px(x), px(x), top, height - bottom, px(x), height - bottom + 18, tick_text(x, x_step));
        svg += fmt::format(R"(<line class="axis" x1="{:.1f}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}"/>)", left,
                           width - right, height - bottom, height - bottom);
        svg += fmt::format(R"(<text class="axis-title" x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)",
                           (left + width - right) / 2, height - 6, html_escape(x_title));
        svg += fmt::format(R"~(<text class="axis-title" transform="translate(14 {:.1f}) rotate(-90)" )~"
                           R"(text-anchor="middle">{}</text>)",
                           (top + height - bottom) / 2, html_escape(y_title));
        return svg;
    }

    std::string open(const std::string &css_class, const std::string &label) const
    {
        return fmt::format(R"(<svg class="chart {}" viewBox="0 0 {} {}" role="img" aria-label="{}">)", css_class,
                           width, height, html_escape(label));
    }
};

// Room for data that does not touch the frame's edges.
void pad(double &lo, double &hi, double fraction)
{
    if (!(hi > lo)) {
        const double d = std::max(std::fabs(lo) * 0.05, 1e-9);
        lo -= d;
        hi += d;
        return;
    }
    const double d = (hi - lo) * fraction;
    lo -= d;
    hi += d;
}

std::string polyline(const Frame &f, const std::vector<double> &ys, std::size_t stride, const std::string &css_class)
{
    std::string points;
    for (std::size_t i = 0; i < ys.size(); i += stride)
        points += fmt::format("{:.1f},{:.1f} ", f.px(static_cast<double>(i)), f.py(ys[i]));
    if ((ys.size() - 1) % stride != 0)
        points += fmt::format("{:.1f},{:.1f}", f.px(static_cast<double>(ys.size() - 1)), f.py(ys.back()));
    return fmt::format(R"(<polyline class="{}" points="{}"/>)", css_class, points);
}

} // namespace

std::string convergence_svg(const RunData &run, bool minimize)
{
    std::vector<double> scores, best;
    double so_far = nan;
    for (const TrialRow &t : run.trials) {
        const bool ok = t.status == BTOPT_TRIAL_OK;
        if (ok && (std::isnan(so_far) || (minimize ? t.score < so_far : t.score > so_far)))
            so_far = t.score;
        scores.push_back(ok ? t.score : nan);
        best.push_back(so_far);
    }
    Frame f;
    f.x_lo = 0;
    f.x_hi = std::max<double>(1, static_cast<double>(scores.size()) - 1);
    f.y_lo = std::numeric_limits<double>::infinity();
    f.y_hi = -f.y_lo;
    for (double s : scores)
        if (!std::isnan(s)) {
            f.y_lo = std::min(f.y_lo, s);
            f.y_hi = std::max(f.y_hi, s);
        }
    if (!std::isfinite(f.y_lo))
        return {};
    pad(f.y_lo, f.y_hi, 0.06);
    std::string svg = f.open("convergence", "best score against evaluations") + f.axes("evaluation", "score");
    const std::size_t stride = std::max<std::size_t>(1, scores.size() / 4000);
    for (std::size_t i = 0; i < scores.size(); i += stride)
        if (!std::isnan(scores[i]))
            svg += fmt::format(R"(<circle class="dot" cx="{:.1f}" cy="{:.1f}" r="2.2"/>)", f.px(static_cast<double>(i)),
                               f.py(scores[i]));
    // The best so far as a staircase that steps up (or down) at each improvement.
    std::string path;
    for (std::size_t i = 0; i < best.size(); ++i) {
        if (std::isnan(best[i]))
            continue;
        const double x = f.px(static_cast<double>(i)), y = f.py(best[i]);
        path += path.empty() ? fmt::format("M{:.1f},{:.1f}", x, y) : fmt::format(" H{:.1f} V{:.1f}", x, y);
    }
    path += fmt::format(" H{:.1f}", f.px(f.x_hi));
    svg += fmt::format(R"(<path class="line best" d="{}"/>)", path);
    svg += "</svg>";
    return svg;
}

std::string equity_svg(const std::vector<double> &equity, const std::vector<double> &hold)
{
    if (equity.size() < 2 || hold.size() != equity.size())
        return {};
    Frame f;
    f.x_lo = 0;
    f.x_hi = static_cast<double>(equity.size() - 1);
    f.y_lo = std::min(*std::min_element(equity.begin(), equity.end()), *std::min_element(hold.begin(), hold.end()));
    f.y_hi = std::max(*std::max_element(equity.begin(), equity.end()), *std::max_element(hold.begin(), hold.end()));
    pad(f.y_lo, f.y_hi, 0.04);
    std::string svg = f.open("equity", "equity of the best parameters and buy-and-hold") +
                      f.axes("bar", "equity (start = 1)");
    svg += fmt::format(R"(<line class="baseline" x1="{:.1f}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}"/>)", f.left,
                       f.width - f.right, f.py(1.0), f.py(1.0));
    const std::size_t stride = std::max<std::size_t>(1, equity.size() / 1500);
    // The strategy's area first, so both lines stay on top of it.
    std::string area = fmt::format("M{:.1f},{:.1f}", f.px(0), f.py(f.y_lo));
    for (std::size_t i = 0; i < equity.size(); i += stride)
        area += fmt::format(" L{:.1f},{:.1f}", f.px(static_cast<double>(i)), f.py(equity[i]));
    area += fmt::format(" L{:.1f},{:.1f} L{:.1f},{:.1f} Z", f.px(f.x_hi), f.py(equity.back()), f.px(f.x_hi), f.py(f.y_lo));
    svg += fmt::format(R"(<path class="area" d="{}"/>)", area);
    svg += polyline(f, hold, stride, "line hold");
    svg += polyline(f, equity, stride, "line strategy");
    svg += "</svg>";
    return svg;
}

} // namespace btopt::cli
