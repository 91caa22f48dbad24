// JSON and CSV files of a run, streamed: each trial is formatted straight into
// the output buffer (no document tree), so writing costs well under a
// microsecond and no memory per trial. The JSON schema is docs/RESULTS.md.
#include "output_file.hpp"
#include "result.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <iterator>
#include <numeric>

namespace btopt::internal {
namespace {

// Appends text as a JSON string: quotes, escapes, and invalid UTF-8 replaced
// by U+FFFD so that the file always parses.
void json_string(std::string &out, std::string_view text)
{
    out.push_back('"');
    const auto *s = reinterpret_cast<const unsigned char *>(text.data());
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n;) {
        const unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
            ++i;
        } else if (c < 0x20) {
            constexpr const char *named[] = {"\\b", "\\t", "\\n", nullptr, "\\f", "\\r"};
            const char *name = c >= 8 && c <= 13 ? named[c - 8] : nullptr;
            if (name)
                out.append(name);
            else
                fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
            ++i;
        } else if (c < 0x80) {
            out.push_back(static_cast<char>(c));
            ++i;
        } else {
            // A well-formed multi-byte sequence is copied; anything else becomes U+FFFD.
            const std::size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
            bool valid = len > 0 && i + len <= n;
            for (std::size_t k = 1; valid && k < len; ++k)
                valid = (s[i + k] & 0xc0) == 0x80;
            if (valid && len == 3)
                valid = !(c == 0xe0 && s[i + 1] < 0xa0) && !(c == 0xed && s[i + 1] >= 0xa0);
            if (valid && len == 4)
                valid = !(c == 0xf0 && s[i + 1] < 0x90) && !(c == 0xf4 && s[i + 1] >= 0x90);
            if (valid) {
                out.append(text.substr(i, len));
                i += len;
            } else {
                out.append("\xef\xbf\xbd");
                ++i;
            }
        }
    }
    out.push_back('"');
}

// Integers and doubles with std::to_chars: the shortest text that reads back
// to the same bits, several times faster than a format string per number.
void append_int(std::string &out, std::int64_t x)
{
    char text[24];
    out.append(text, static_cast<std::size_t>(std::to_chars(text, text + sizeof text, x).ptr - text));
}

void append_double(std::string &out, double x)
{
    char text[32];
    out.append(text, static_cast<std::size_t>(std::to_chars(text, text + sizeof text, x).ptr - text));
}

// A finite double, with ".0" on integral values so that readers keep it a
// float; else null.
void json_number(std::string &out, double x)
{
    if (!std::isfinite(x)) {
        out.append("null");
        return;
    }
    const std::size_t start = out.size();
    append_double(out, x);
    if (out.find_first_of(".e", start) == std::string::npos)
        out.append(".0");
}

// The metrics a file holds, by index: all but those named "btopt.", which
// only the selection-bias statistics read (docs/VALIDATION.md). The kit
// reports 33 of them, which would make a file several times larger; the
// result and the study keep them.
std::vector<std::size_t> written_metrics(const RunInfo &info)
{
    std::vector<std::size_t> written;
    for (std::size_t m = 0; m < info.metric_names.size(); ++m)
        if (!info.metric_names[m].starts_with("btopt."))
            written.push_back(m);
    return written;
}

// The parts of a trial's JSON that are the same for every trial.
struct JsonKeys {
    std::vector<std::string> params;  // "name": 
    std::vector<std::size_t> metrics; // written_metrics
    std::vector<std::string> metric_keys; // "name": , one per written metric
    std::vector<std::vector<std::string>> choices; // per parameter, each choice quoted
};

JsonKeys json_keys(const RunResult &r)
{
    JsonKeys keys;
    keys.metrics = written_metrics(r.info);
    for (const Parameter &p : r.space->parameters()) {
        std::string key;
        json_string(key, p.name);
        keys.params.push_back(key + ": ");
        auto &quoted = keys.choices.emplace_back();
        for (const std::string &choice : p.choices)
            json_string(quoted.emplace_back(), choice);
    }
    for (const std::size_t m : keys.metrics) {
        std::string key;
        json_string(key, r.info.metric_names[m]);
        keys.metric_keys.push_back(key + ": ");
    }
    return keys;
}

void json_params(std::string &out, const Space &space, const JsonKeys &keys, std::span<const Value> point)
{
    out.push_back('{');
    for (std::size_t k = 0; k < space.size(); ++k) {
        if (k > 0)
            out.append(", ");
        out.append(keys.params[k]);
        switch (space.parameters()[k].kind) {
        case Kind::Int:
            append_int(out, point[k].i);
            break;
        case Kind::Float:
            json_number(out, point[k].f);
            break;
        case Kind::Choice:
            out.append(keys.choices[k][static_cast<std::size_t>(point[k].i)]);
            break;
        }
    }
    out.push_back('}');
}

void json_metrics(std::string &out, const JsonKeys &keys, std::span<const double> values)
{
    out.push_back('{');
    for (std::size_t k = 0; k < keys.metrics.size() && keys.metrics[k] < values.size(); ++k) {
        if (k > 0)
            out.append(", ");
        out.append(keys.metric_keys[k]);
        json_number(out, values[keys.metrics[k]]);
    }
    out.push_back('}');
}

void json_trial(std::string &out, const Space &space, const JsonKeys &keys, const TrialView &t)
{
    out.append("{\"id\": ");
    append_int(out, static_cast<std::int64_t>(t.number));
    out.append(", \"params\": ");
    json_params(out, space, keys, t.point);
    out.append(", \"score\": ");
    if (has_score(t.status))
        json_number(out, t.score);
    else
        out.append("null");
    out.append(", \"metrics\": ");
    json_metrics(out, keys, t.metrics);
    out.append(", \"status\": \"");
    out.append(trial_status_name(t.status));
    out.append("\", \"error\": ");
    json_string(out, t.error);
    out.append(", \"seconds\": ");
    json_number(out, t.seconds);
    out.push_back('}');
}

// The selection-bias statistics (docs/VALIDATION.md); a statistic that could
// not be computed is null, and "note" says why.
void json_selection(std::string &out, const SelectionStats &s, const Space &space, const Trials &trials, bool best)
{
    const auto number = [&](std::string_view name, bool has, double x) {
        fmt::format_to(std::back_inserter(out), "\"{}\": ", name);
        json_number(out, has ? x : NAN);
        out.append(", ");
    };
    const auto count = [&](std::string_view name, bool has, std::uint64_t x) {
        if (has)
            fmt::format_to(std::back_inserter(out), "\"{}\": {}, ", name, x);
        else
            fmt::format_to(std::back_inserter(out), "\"{}\": null, ", name);
    };
    const SharpeStats &h = s.sharpe;
    const OverfitStats &o = s.overfit;
    out.append("{");
    number("psr", s.has_sharpe, h.psr);
    number("dsr", s.has_sharpe, h.dsr);
    number("sharpe_per_return", s.has_sharpe, h.sharpe);
    number("expected_max_sharpe", s.has_sharpe, h.expected_max);
    number("sharpe_variance", s.has_sharpe, h.sharpe_variance);
    count("n_trials", s.has_sharpe, h.trials);
    count("n_returns", s.has_sharpe, h.returns);
    number("skewness", s.has_sharpe, h.skewness);
    number("kurtosis", s.has_sharpe, h.kurtosis);
    number("pbo", s.has_overfit, o.pbo);
    number("pbo_logit_mean", s.has_overfit, o.logit_mean);
    count("pbo_blocks", s.has_overfit, o.blocks);
    count("pbo_strategies", s.has_overfit, o.strategies);
    count("pbo_splits", s.has_overfit, o.combinations);
    count("pbo_all_splits", s.has_overfit, o.all_combinations);
    const RobustStats &r = s.robust;
    count("robust_radius", s.has_robust, r.radius);
    // A result streamed from a study holds only its best trial: rows past it are not there.
    const bool robust = s.has_robust && r.robust_row < trials.size();
    count("robust_trial", robust, robust ? trials.number(r.robust_row) : 0);
    number("robust_score", s.has_robust, r.robust_score);
    number("best_neighbourhood", s.has_robust, r.best_neighbourhood);
    const bool chosen = best && s.chosen_row < trials.size();
    count("chosen_trial", chosen, chosen ? trials.number(s.chosen_row) : 0);
    out.append("\"sensitivity\": ");
    if (!s.has_robust)
        out.append("null, ");
    else {
        out.append("{");
        for (std::size_t k = 0; k < r.sensitivity.size(); ++k) {
            json_string(out, space.parameters()[k].name);
            out.append(": {\"min_score\": ");
            json_number(out, r.sensitivity[k].min_score);
            out.append(", \"max_score\": ");
            json_number(out, r.sensitivity[k].max_score);
            fmt::format_to(std::back_inserter(out), ", \"points\": {}}}{}", r.sensitivity[k].points,
                           k + 1 < r.sensitivity.size() ? ", " : "");
        }
        out.append("}, ");
    }
    out.append("\"note\": ");
    json_string(out, s.note);
    out.append("}");
}

// Every key before "trials", one per line.
void json_header(std::string &out, const RunResult &r, const JsonKeys &keys)
{
    const auto key = [&out](std::string_view name) { fmt::format_to(std::back_inserter(out), "  \"{}\": ", name); };
    const auto text = [&](std::string_view name, std::string_view value) {
        key(name);
        json_string(out, value);
        out.append(",\n");
    };
    out.append("{\n");
    if (!r.info.plugin.empty())
        text("plugin", r.info.plugin);
    text("algorithm", r.info.algorithm);
    text("objective", r.info.objective);
    text("direction", r.info.direction == Direction::Maximize ? "maximize" : "minimize");
    fmt::format_to(std::back_inserter(out), "  \"n_jobs\": {},\n", r.info.workers);
    text("backend", r.info.backend);
    fmt::format_to(std::back_inserter(out), "  \"seed\": {},\n", r.info.seed);
    const auto best = r.best ? std::optional(trial_view(r.trials, *r.best)) : std::nullopt;
    key("best_params");
    if (best)
        json_params(out, *r.space, keys, best->point);
    else
        out.append("null");
    out.append(",\n");
    key("best_score");
    json_number(out, best ? best->score : NAN);
    out.append(",\n");
    key("best_metrics");
    if (best)
        json_metrics(out, keys, best->metrics);
    else
        out.append("null");
    out.append(",\n");
    fmt::format_to(std::back_inserter(out), "  \"n_trials\": {},\n",
                   std::accumulate(r.status_counts.begin(), r.status_counts.end(), std::uint64_t{0}));
    key("wall_seconds");
    json_number(out, r.wall_seconds);
    out.append(",\n");
    key("eval_seconds");
    json_number(out, r.eval_seconds);
    out.append(",\n");
    key("speedup");
    json_number(out, r.speedup());
    out.append(",\n");
    key("efficiency");
    json_number(out, r.efficiency());
    out.append(",\n");
    key("speedup_cpu_share");
    json_number(out, r.cpu_share());
    out.append(",\n");
    key("selection");
    json_selection(out, r.selection, *r.space, r.trials, r.best.has_value());
    out.append(",\n");
    if (!r.provenance.empty()) {
        fmt::format_to(std::back_inserter(out), "  \"n_reused\": {},\n", r.reused);
        key("provenance");
        out.append(r.provenance);
        out.append(",\n");
    }
}

void csv_field(std::string &out, std::string_view text)
{
    if (text.find_first_of(",\"\n\r") == std::string::npos) {
        out.append(text);
        return;
    }
    out.push_back('"');
    for (char c : text) {
        if (c == '"')
            out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

void csv_number(std::string &out, double x)
{
    if (std::isfinite(x))
        append_double(out, x);
}

void csv_header(std::string &out, const RunResult &r, std::span<const std::size_t> metrics)
{
    out.append("id");
    for (const Parameter &p : r.space->parameters()) {
        out.push_back(',');
        csv_field(out, p.name);
    }
    out.append(",score");
    for (const std::size_t m : metrics) {
        out.push_back(',');
        csv_field(out, r.info.metric_names[m]);
    }
    out.append(",status,seconds,error\n");
}

void csv_row(std::string &out, const RunResult &r, std::span<const std::size_t> metrics, const TrialView &t)
{
    append_int(out, static_cast<std::int64_t>(t.number));
    for (std::size_t k = 0; k < r.space->size(); ++k) {
        const Parameter &p = r.space->parameters()[k];
        out.push_back(',');
        switch (p.kind) {
        case Kind::Int:
            append_int(out, t.point[k].i);
            break;
        case Kind::Float:
            append_double(out, t.point[k].f);
            break;
        case Kind::Choice:
            csv_field(out, p.choices[static_cast<std::size_t>(t.point[k].i)]);
            break;
        }
    }
    out.push_back(',');
    if (has_score(t.status))
        csv_number(out, t.score);
    for (const std::size_t m : metrics) {
        out.push_back(',');
        if (m < t.metrics.size())
            csv_number(out, t.metrics[m]);
    }
    out.push_back(',');
    out.append(trial_status_name(t.status));
    out.push_back(',');
    append_double(out, t.seconds);
    out.push_back(',');
    csv_field(out, t.error);
    out.push_back('\n');
}

// The trials of `result`, or of `feed` when one is given.
Result<void> each_trial(const RunResult &result, const TrialFeed &feed, const TrialVisitor &visit)
{
    if (feed)
        return feed(visit);
    for (std::size_t i = 0; i < result.trials.size(); ++i)
        visit(trial_view(result.trials, i));
    return {};
}

} // namespace

TrialView trial_view(const Trials &trials, std::size_t i)
{
    return TrialView{.number = trials.number(i),
                     .point = trials.point(i),
                     .status = trials.status(i),
                     .score = trials.score(i),
                     .metrics = trials.metrics(i),
                     .error = trials.error(i),
                     .seconds = trials.seconds(i)};
}

Result<void> write_json(const RunResult &result, const std::string &path, const TrialFeed &feed)
{
    auto file = OutputFile::create(path);
    if (!file)
        return tl::unexpected(file.error());
    const JsonKeys keys = json_keys(result);
    std::string &out = file->buffer();
    json_header(out, result, keys);
    out.append("  \"trials\": [");
    bool first = true;
    auto streamed = each_trial(result, feed, [&](const TrialView &t) {
        out.append(first ? "\n    " : ",\n    ");
        first = false;
        json_trial(out, *result.space, keys, t);
        file->flush_if_full();
    });
    if (!streamed)
        return streamed;
    out.append(first ? "]\n}\n" : "\n  ]\n}\n");
    return file->commit();
}

Result<void> write_csv(const RunResult &result, const std::string &path, const TrialFeed &feed)
{
    auto file = OutputFile::create(path);
    if (!file)
        return tl::unexpected(file.error());
    std::string &out = file->buffer();
    const std::vector<std::size_t> metrics = written_metrics(result.info);
    csv_header(out, result, metrics);
    auto streamed = each_trial(result, feed, [&](const TrialView &t) {
        csv_row(out, result, metrics, t);
        file->flush_if_full();
    });
    if (!streamed)
        return streamed;
    return file->commit();
}

} // namespace btopt::internal
