#include "dashboard/frozen.hpp"

#include "dashboard/assets.hpp"
#include "dashboard/equity.hpp"
#include "dashboard/queries.hpp"

#include <fmt/format.h>

#include <cmath>
#include <ctime>
#include <stdexcept>
#include <string_view>

namespace btopt::cli::dashboard {
namespace {

using Json = nlohmann::json;

std::string_view asset(std::string_view name)
{
    for (const Asset &a : assets())
        if (name == a.name)
            return a.content();
    throw std::logic_error(fmt::format("the dashboard has no asset {}", name));
}

void replace_once(std::string &text, std::string_view what, std::string_view with)
{
    const std::size_t at = text.find(what);
    if (at == std::string::npos)
        throw std::logic_error(fmt::format("index.html lacks {}", what));
    text.replace(at, what.size(), with);
}

// JSON inside <script>: a "</script" in a string would end the element
// early; in JSON strings "<\/" reads as "</" (and "</" occurs only in strings).
std::string json_in_script(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        out += text[i];
        if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/')
            out += '\\';
    }
    return out;
}

// A script inlined as it is: it must not hold what ends or escapes the element.
std::string_view script_text(std::string_view name)
{
    const std::string_view text = asset(name);
    for (std::string_view bad : {"</script", "</SCRIPT", "<!--"})
        if (text.find(bad) != std::string_view::npos)
            throw std::logic_error(fmt::format("{} holds {}: it cannot be inlined in the report", name, bad));
    return text;
}

// The trials as rows of [number, status, score, seconds, reused, error,
// parameters (choices by index), metrics]: the page rebuilds what /api/table
// and /api/trial answer, and filters and sorts them itself.
Json compact_trials(const Run &run)
{
    const auto number = [](double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); };
    Json rows = Json::array();
    for (std::size_t i = 0; i < run.trials.size(); ++i) {
        const Trial &t = run.trials[i];
        Json row = {t.number, name_of(t.status), number(t.score), t.seconds, t.reused ? 1 : 0, t.error};
        for (std::size_t k = 0; k < run.params.size(); ++k)
            row.push_back(run.params[k].kind == "int" && std::isfinite(run.param(k, i))
                              ? Json(static_cast<std::int64_t>(run.param(k, i)))
                              : number(run.param(k, i)));
        for (std::size_t m = 0; m < run.metrics.size(); ++m)
            row.push_back(number(run.metric(m, i)));
        rows.push_back(std::move(row));
    }
    return rows;
}

// The score heatmap of every pair of parameters (x before y in the space's
// order): the page transposes one for (y, x), and takes another metric's
// value from the trial each cell names, as the server does.
Json heatmaps(const Run &run)
{
    Json all = Json::object();
    for (std::size_t i = 0; i < run.params.size(); ++i)
        for (std::size_t j = i + 1; j < run.params.size(); ++j)
            all[run.params[i].name + "\n" + run.params[j].name] =
                heatmap(run, run.params[i].name, run.params[j].name, "score");
    return all;
}

double now_seconds()
{
    return static_cast<double>(std::time(nullptr));
}

} // namespace

std::string frozen_page(const Run &run, const std::string &study_path, const ReportExtras &extras)
{
    const Json data = {
        {"written", now_seconds()},
        {"runs", {{"study", study_path}, {"runs", Json::array({run.header})}}},
        {"summary", summary(run, now_seconds())},
        {"convergence", convergence(run)},
        {"provenance", provenance(run)},
        {"slices", slices(run, "score")},
        {"best", best_trials(run, 500)},
        {"heatmaps", heatmaps(run)},
        {"heatmap", {{"x", extras.heatmap_x}, {"y", extras.heatmap_y}}},
        {"trials", compact_trials(run)},
        {"selection", extras.selection},
        {"equity", run.best ? trial_equity(run, run.trials[*run.best].number) : Json{{"missing", "no trial succeeded"}}},
    };
    std::string page(asset("index.html"));
    replace_once(page, R"(<link rel="stylesheet" href="dashboard.css?token={{token}}">)",
                 fmt::format("<style>\n{}</style>", asset("dashboard.css")));
    // Inline scripts cannot wait (defer) for the page: they go at the end of
    // the body, ECharts first, then the run, which the page's script reads.
    replace_once(page, R"(<script src="echarts.min.js?token={{token}}" defer></script>)", "");
    replace_once(page, R"(<script src="dashboard.js?token={{token}}" defer></script>)", "");
    replace_once(page, "</body>",
                 fmt::format("<script>\n{}\n</script>\n<script type=\"application/json\" id=\"btopt-report\">{}</script>\n"
                             "<script>\n{}\n</script>\n</body>",
                             script_text("echarts.min.js"),
                             json_in_script(data.dump(-1, ' ', false, Json::error_handler_t::replace)),
                             script_text("dashboard.js")));
    replace_once(page, R"(<a href="ECHARTS-LICENSE.txt?token={{token}}">Apache ECharts 6.1.0</a>)",
                 "Apache ECharts 6.1.0");
    replace_once(page, "served by this btopt", "written into this file by btopt");
    return page;
}

} // namespace btopt::cli::dashboard
