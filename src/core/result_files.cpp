// JSON and CSV files of a run. The JSON schema is documented in docs/RESULTS.md.
#include "result.hpp"

#include <nlohmann/json.hpp>

#include <numeric>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>

namespace btopt::internal {
namespace {

using Json = nlohmann::ordered_json;

Json number_or_null(double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); }

Json params_json(const Space &space, std::span<const Value> point)
{
    Json params = Json::object();
    for (std::size_t k = 0; k < space.size(); ++k) {
        const Parameter &p = space.parameters()[k];
        switch (p.kind) {
        case Kind::Int:
            params[p.name] = point[k].i;
            break;
        case Kind::Float:
            params[p.name] = point[k].f;
            break;
        case Kind::Choice:
            params[p.name] = p.choices[static_cast<std::size_t>(point[k].i)];
            break;
        }
    }
    return params;
}

Json metrics_json(const RunInfo &info, std::span<const double> values)
{
    Json metrics = Json::object();
    for (std::size_t m = 0; m < info.metric_names.size() && m < values.size(); ++m)
        metrics[info.metric_names[m]] = number_or_null(values[m]);
    return metrics;
}

Json trial_json(const RunResult &r, std::size_t i)
{
    const Trials &t = r.trials;
    const bool ok = t.status(i) == TrialStatus::Ok;
    return Json{{"id", t.number(i)},
                {"params", params_json(*r.space, t.point(i))},
                {"score", ok ? number_or_null(t.score(i)) : Json(nullptr)},
                {"metrics", metrics_json(r.info, t.metrics(i))},
                {"status", trial_status_name(t.status(i))},
                {"error", t.error(i)},
                {"seconds", t.seconds(i)}};
}

Json run_json(const RunResult &r)
{
    Json trials = Json::array();
    for (std::size_t i = 0; i < r.trials.size(); ++i)
        trials.push_back(trial_json(r, i));
    const auto best = r.best;
    return Json{{"algorithm", r.info.algorithm},
                {"objective", r.info.objective},
                {"direction", r.info.direction == Direction::Maximize ? "maximize" : "minimize"},
                {"n_jobs", r.info.workers},
                {"backend", r.info.backend},
                {"seed", r.info.seed},
                {"best_params", best ? params_json(*r.space, r.trials.point(*best)) : Json(nullptr)},
                {"best_score", best ? number_or_null(r.trials.score(*best)) : Json(nullptr)},
                {"best_metrics", best ? metrics_json(r.info, r.trials.metrics(*best)) : Json(nullptr)},
                {"n_trials", std::accumulate(r.status_counts.begin(), r.status_counts.end(), std::uint64_t{0})},
                {"wall_seconds", r.wall_seconds},
                {"eval_seconds", r.eval_seconds},
                {"speedup", r.speedup()},
                {"trials", std::move(trials)}};
}

std::string csv_field(const std::string &text)
{
    if (text.find_first_of(",\"\n\r") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

std::string csv_number(double x) { return std::isfinite(x) ? fmt::format("{}", x) : std::string(); }

std::string csv_value(const Parameter &p, const Value &v)
{
    switch (p.kind) {
    case Kind::Int:
        return std::to_string(v.i);
    case Kind::Float:
        return fmt::format("{}", v.f);
    case Kind::Choice:
        return csv_field(p.choices[static_cast<std::size_t>(v.i)]);
    }
    return {};
}

void write_csv_rows(std::ostream &out, const RunResult &r)
{
    out << "id";
    for (const Parameter &p : r.space->parameters())
        out << ',' << csv_field(p.name);
    out << ",score";
    for (const std::string &m : r.info.metric_names)
        out << ',' << csv_field(m);
    out << ",status,seconds,error\n";
    const Trials &t = r.trials;
    for (std::size_t i = 0; i < t.size(); ++i) {
        out << t.number(i);
        const auto point = t.point(i);
        for (std::size_t k = 0; k < r.space->size(); ++k)
            out << ',' << csv_value(r.space->parameters()[k], point[k]);
        const bool ok = t.status(i) == TrialStatus::Ok;
        out << ',' << (ok ? csv_number(t.score(i)) : std::string());
        const auto metrics = t.metrics(i);
        for (std::size_t m = 0; m < r.info.metric_names.size(); ++m)
            out << ',' << (m < metrics.size() ? csv_number(metrics[m]) : std::string());
        out << ',' << trial_status_name(t.status(i)) << ',' << t.seconds(i) << ',' << csv_field(t.error(i)) << '\n';
    }
}

template <class Write>
Result<void> write_file(const std::string &path, Write write)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        return fail(BTOPT_ERR_IO, "cannot write '{}': {}", path, std::strerror(errno));
    write(out);
    out.flush();
    if (!out)
        return fail(BTOPT_ERR_IO, "writing '{}' failed: {}", path, std::strerror(errno));
    return {};
}

} // namespace

Result<void> write_json(const RunResult &result, const std::string &path)
{
    return write_file(path, [&](std::ostream &out) { out << run_json(result).dump(2) << '\n'; });
}

Result<void> write_csv(const RunResult &result, const std::string &path)
{
    return write_file(path, [&](std::ostream &out) { write_csv_rows(out, result); });
}

} // namespace btopt::internal
