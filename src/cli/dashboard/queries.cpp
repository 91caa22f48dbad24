#include "dashboard/queries.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <muParser.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <numeric>

namespace btopt::cli::dashboard {
namespace {

using Json = nlohmann::json;

constexpr std::size_t most_scores = 2000;   // convergence scatter, evenly thinned
constexpr std::size_t most_rows = 500;      // one table page

// A double as JSON: NaN and infinities are null (JSON has no NaN).
Json number(double v)
{
    return std::isfinite(v) ? Json(v) : Json(nullptr);
}

// Seconds since the epoch of "2026-12-07T05:00:00Z"; NaN if not that.
double epoch_of(const Json &text)
{
    if (!text.is_string())
        return NAN;
    std::tm tm{};
    if (!strptime(text.get<std::string>().c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm))
        return NAN;
    return static_cast<double>(timegm(&tm));
}

// The column a name means: a parameter, a metric, or score, number, seconds.
struct Column {
    enum Kind { Param, Metric, Score, Number, Seconds } kind;
    std::size_t index = 0;
    // Trial i's value.
    double of(const Run &run, std::size_t i) const
    {
        switch (kind) {
        case Param:
            return run.param(index, i);
        case Metric:
            return run.metric(index, i);
        case Score:
            return run.scores[i];
        case Number:
            return static_cast<double>(run.trials[i].number);
        case Seconds:
            return run.trials[i].seconds;
        }
        return NAN;
    }
};

std::vector<std::string> column_names(const Run &run)
{
    std::vector<std::string> names{"number", "score", "seconds"};
    for (const Param &p : run.params)
        names.push_back(p.name);
    names.insert(names.end(), run.metrics.begin(), run.metrics.end());
    return names;
}

std::optional<Column> column_named(const Run &run, const std::string &name)
{
    for (std::size_t k = 0; k < run.params.size(); ++k)
        if (run.params[k].name == name)
            return Column{Column::Param, k};
    for (std::size_t k = 0; k < run.metrics.size(); ++k)
        if (run.metrics[k] == name)
            return Column{Column::Metric, k};
    if (name == "score")
        return Column{Column::Score};
    if (name == "number")
        return Column{Column::Number};
    if (name == "seconds")
        return Column{Column::Seconds};
    return std::nullopt;
}

Column require_column(const Run &run, const std::string &name, const char *what)
{
    if (auto c = column_named(run, name))
        return *c;
    throw BadQuery(fmt::format("{}: no column '{}' (columns: {})", what, name, fmt::join(column_names(run), ", ")));
}

// A filter over a trial's columns, compiled by muparser: comparisons, && and
// ||, arithmetic; a trial without a value (a failed one's metrics) is NaN
// there, and every comparison with NaN is false, so it does not match.
class Filter {
public:
    Filter(const Run &run, const std::string &text)
    {
        if (text.find_first_not_of(" \t") == std::string::npos)
            return;
        const auto names = column_names(run);
        values_.resize(names.size());
        parser_.emplace();
        try {
            for (std::size_t i = 0; i < names.size(); ++i) {
                columns_.push_back(*column_named(run, names[i]));
                if (names[i].find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
                    std::string::npos)
                    parser_->DefineVar(names[i], &values_[i]);
            }
            parser_->SetExpr(text);
            parser_->Eval(); // parses now: the error comes before any row
        } catch (const mu::Parser::exception_type &e) {
            throw BadQuery(fmt::format("filter '{}': {} (columns: {})", text, e.GetMsg(), fmt::join(names, ", ")));
        }
    }
    bool matches(const Run &run, std::size_t trial)
    {
        if (!parser_)
            return true;
        for (std::size_t i = 0; i < columns_.size(); ++i)
            values_[i] = columns_[i].of(run, trial);
        return parser_->Eval() != 0;
    }

private:
    std::optional<mu::Parser> parser_;
    std::vector<Column> columns_;
    std::vector<double> values_;
};

// The index of the parameter a heatmap axis names.
std::size_t param_named(const Run &run, const std::string &name)
{
    for (std::size_t k = 0; k < run.params.size(); ++k)
        if (run.params[k].name == name)
            return k;
    throw BadQuery(fmt::format("heatmap: no parameter '{}'", name));
}

// The trials of a heatmap cell or a slice's value.
struct Cell {
    std::optional<std::size_t> best; // the best ok trial by the objective
    std::uint64_t ok = 0, failed = 0, cancelled = 0, infeasible = 0; // infeasible: broke the option require
    const char *state() const
    {
        return ok ? "ok" : infeasible ? "infeasible" : failed ? "failed" : cancelled ? "cancelled" : "none";
    }
    void add(const Run &run, std::size_t i)
    {
        const State state = run.states[i];
        if (state == State::ok) {
            ++ok;
            if (!std::isnan(run.scores[i]) && (!best || run.better(run.scores[i], run.scores[*best])))
                best = i;
        } else if (state == State::cancelled)
            ++cancelled;
        else if (state == State::infeasible)
            ++infeasible;
        else
            ++failed; // failed, crashed, timeout
    }
};

std::string shell_quote(const std::string &word)
{
    if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,/:=+@%") ==
                             std::string::npos)
        return word;
    std::string quoted = "'";
    for (char c : word)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

} // namespace

Json trial_json(const Run &run, std::size_t i)
{
    const Trial &t = run.trials[i];
    Json params = Json::object(), metrics = Json::object();
    for (std::size_t k = 0; k < run.params.size(); ++k)
        params[run.params[k].name] = run.params[k].show(run.param(k, i));
    for (std::size_t m = 0; m < run.metrics.size(); ++m)
        metrics[run.metrics[m]] = number(run.metric(m, i));
    return {{"number", t.number}, {"status", name_of(t.status)}, {"score", number(t.score)}, {"params", params},
            {"metrics", metrics}, {"error", t.error}, {"seconds", t.seconds}, {"reused", t.reused}};
}

Json summary(const Run &run, double now)
{
    const double done = static_cast<double>(run.trials.size());
    const auto reused = static_cast<double>(run.reused);
    const bool running = run.header.value("status", "") == "running";
    const double started = epoch_of(run.header["started"]);
    const double ended = running ? now : epoch_of(run.header["ended"]);
    const Json &wall = run.header["wall_seconds"]; // exact once the run ended
    const double elapsed = !running && wall.is_number() ? wall.get<double>() : ended - started;
    // Evaluations per second of this run: reused trials were not evaluated.
    const double rate = elapsed > 0 ? (done - reused) / elapsed : NAN;
    const double planned = run.planned.value_or(NAN);
    Json params = Json::array();
    for (const Param &p : run.params)
        params.push_back({{"name", p.name}, {"kind", p.kind}, {"lo", p.lo}, {"hi", p.hi}, {"step", p.step},
                          {"choices", p.choices}});
    return {{"run", run.header},
            {"done", run.trials.size()},
            {"total", number(planned)},
            {"reused", reused},
            {"elapsed_seconds", number(elapsed)},
            {"evals_per_second", number(rate)},
            {"eta_seconds", running && rate > 0 && planned >= done ? number((planned - done) / rate) : Json(nullptr)},
            {"statuses", run.statuses},
            {"best", run.best ? trial_json(run, *run.best) : Json(nullptr)},
            {"objective", run.objective},
            {"direction", run.maximize ? "maximize" : "minimize"},
            {"params", params},
            {"metrics", run.metrics},
            {"columns", column_names(run)}};
}

Json trials_since(const Run &run, std::int64_t since, std::size_t limit)
{
    const auto first = std::upper_bound(run.trials.begin(), run.trials.end(), since,
                                        [](std::int64_t n, const Trial &t) { return n < t.number; });
    Json list = Json::array();
    for (auto i = static_cast<std::size_t>(first - run.trials.begin());
         i < run.trials.size() && list.size() < std::min(limit, most_rows); ++i)
        list.push_back(trial_json(run, i));
    return {{"trials", list}, {"last", run.trials.empty() ? -1 : run.trials.back().number}};
}

Json convergence(const Run &run)
{
    Json best = Json::array(), scores = Json::array();
    std::optional<double> so_far;
    const std::size_t stride = run.trials.size() / most_scores + 1;
    for (std::size_t i = 0; i < run.trials.size(); ++i) {
        const double score = run.scores[i];
        const bool scored = run.states[i] == State::ok && !std::isnan(score);
        if (scored && (!so_far || run.better(score, *so_far))) {
            so_far = score;
            best.push_back({run.trials[i].number, score});
        }
        if (scored && i % stride == 0)
            scores.push_back({run.trials[i].number, score});
    }
    if (so_far && !run.trials.empty())
        best.push_back({run.trials.back().number, *so_far}); // the line reaches the last trial
    return {{"best", best}, {"scores", scores}, {"objective", run.objective}};
}

Json heatmap(const Run &run, const std::string &x, const std::string &y, const std::string &metric)
{
    const std::size_t xi = param_named(run, x), yi = param_named(run, y);
    if (xi == yi)
        throw BadQuery("heatmap: choose two different parameters");
    const Column value = require_column(run, metric, "heatmap");
    const Axis &ax = run.axes[xi], &ay = run.axes[yi];
    const std::vector<CellIndex> &xs = run.cells[xi], &ys = run.cells[yi];
    std::vector<Cell> cells(ax.size() * ay.size());
    for (std::size_t i = 0; i < run.trials.size(); ++i)
        if (xs[i] != no_cell && ys[i] != no_cell)
            cells[ys[i] * ax.size() + xs[i]].add(run, i);
    Json list = Json::array();
    for (std::size_t cy = 0; cy < ay.size(); ++cy)
        for (std::size_t cx = 0; cx < ax.size(); ++cx) {
            const Cell &c = cells[cy * ax.size() + cx];
            const Trial *best = c.best ? &run.trials[*c.best] : nullptr;
            list.push_back({cx, cy, best ? number(value.of(run, *c.best)) : Json(nullptr), c.state(),
                            c.ok + c.failed + c.cancelled + c.infeasible,
                            best ? Json(best->number) : Json(nullptr)});
        }
    const auto best_on = [&](const std::vector<CellIndex> &on) { return on[*run.best] == no_cell ? 0 : on[*run.best]; };
    const Json best_cell = run.best ? Json{best_on(xs), best_on(ys)} : Json(nullptr);
    return {{"x", {{"name", x}, {"labels", ax.labels}, {"binned", ax.binned()}}},
            {"y", {{"name", y}, {"labels", ay.labels}, {"binned", ay.binned()}}},
            {"metric", metric},
            {"cells", list}, // [x index, y index, value, state, trials, best trial number]
            {"best", best_cell}};
}

Json slices(const Run &run, const std::string &metric)
{
    const Column value = require_column(run, metric, "slices");
    Json list = Json::array();
    for (std::size_t k = 0; k < run.params.size(); ++k) {
        const Axis &axis = run.axes[k];
        const std::vector<CellIndex> &on = run.cells[k];
        std::vector<Cell> cells(axis.size());
        for (std::size_t i = 0; i < run.trials.size(); ++i)
            if (on[i] != no_cell)
                cells[on[i]].add(run, i);
        Json points = Json::array();
        for (std::size_t i = 0; i < cells.size(); ++i)
            points.push_back({i, cells[i].best ? number(value.of(run, *cells[i].best)) : Json(nullptr),
                              cells[i].ok, cells[i].failed, cells[i].cancelled,
                              cells[i].best ? Json(run.trials[*cells[i].best].number) : Json(nullptr)});
        list.push_back({{"name", run.params[k].name}, {"labels", axis.labels}, {"binned", axis.binned()},
                        {"points", points}}); // [index, best value, ok, failed, cancelled, best trial number]
    }
    return {{"metric", metric}, {"params", list}};
}

Json best_trials(const Run &run, std::size_t limit)
{
    std::vector<std::size_t> ok;
    for (std::size_t i = 0; i < run.trials.size(); ++i)
        if (run.states[i] == State::ok && !std::isnan(run.scores[i]))
            ok.push_back(i);
    const std::size_t n = std::min({limit, ok.size(), most_scores});
    std::partial_sort(ok.begin(), ok.begin() + static_cast<std::ptrdiff_t>(n), ok.end(), [&](std::size_t a, std::size_t b) {
        return run.scores[a] == run.scores[b] ? a < b : run.better(run.scores[a], run.scores[b]);
    });
    Json rows = Json::array();
    for (std::size_t i = 0; i < n; ++i) {
        Json row = Json::array();
        for (std::size_t k = 0; k < run.params.size(); ++k)
            row.push_back(run.params[k].show(run.param(k, ok[i])));
        row.push_back(run.scores[ok[i]]);
        rows.push_back(std::move(row));
    }
    Json params = Json::array();
    for (const Param &p : run.params)
        params.push_back({{"name", p.name}, {"kind", p.kind}, {"choices", p.choices}, {"lo", p.lo}, {"hi", p.hi}});
    return {{"params", params}, {"objective", run.objective}, {"of", ok.size()}, {"rows", rows}};
}

Json table(const Run &run, const TableQuery &q)
{
    Filter filter(run, q.filter);
    const Column key = require_column(run, q.sort, "sort");
    // (sort key, trial index) of each matching trial: the key is read from
    // the trial once, and the ordering walks this compact array.
    std::vector<std::pair<double, std::size_t>> rows;
    rows.reserve(run.trials.size());
    for (std::size_t i = 0; i < run.trials.size(); ++i)
        if (filter.matches(run, i))
            rows.emplace_back(key.of(run, i), i);
    // Only the rows up to the page are put in order. NaN (no value) sorts
    // last either way; ties keep trial order.
    const std::size_t end = std::min(rows.size(), q.offset + std::min(q.limit, most_rows));
    const auto before = [&](const std::pair<double, std::size_t> &a, const std::pair<double, std::size_t> &b) {
        const double va = a.first, vb = b.first;
        if (std::isnan(va) || std::isnan(vb) || va == vb)
            return std::isnan(va) == std::isnan(vb) ? a.second < b.second : std::isnan(vb);
        return q.descending ? va > vb : va < vb;
    };
    const auto first = rows.begin() + static_cast<std::ptrdiff_t>(std::min(q.offset, rows.size()));
    if (first != rows.begin())
        std::nth_element(rows.begin(), first, rows.end(), before);
    std::partial_sort(first, rows.begin() + static_cast<std::ptrdiff_t>(end), rows.end(), before);
    Json page = Json::array();
    for (std::size_t i = q.offset; i < end; ++i)
        page.push_back(trial_json(run, rows[i].second));
    return {{"matched", rows.size()}, {"total", run.trials.size()}, {"offset", q.offset}, {"rows", page}};
}

Json trial_detail(const Run &run, std::int64_t number)
{
    const auto i = run.index_of(number);
    if (!i)
        throw BadQuery(fmt::format("run {} has no trial {} (yet)", run.id, number));
    return trial_json(run, *i);
}

Json provenance(const Run &run)
{
    std::vector<std::string> words;
    for (const Json &w : run.provenance.value("command_line", Json::array()))
        if (w.is_string())
            words.push_back(shell_quote(w.get<std::string>()));
    return {{"provenance", run.provenance}, {"run", run.header}, {"command", fmt::format("{}", fmt::join(words, " "))}};
}

} // namespace btopt::cli::dashboard
