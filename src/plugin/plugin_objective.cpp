#include "plugin_objective.hpp"

#include <cstring>
#include <limits>

namespace btopt::internal {

void plugin_values(const Space &space, const Point &point, std::vector<btopt_plugin_value> &out)
{
    out.resize(point.size());
    for (std::size_t k = 0; k < point.size(); ++k) {
        const Parameter &p = space.parameters()[k];
        out[k] = btopt_plugin_value{point[k].i, point[k].f,
                                    p.kind == Kind::Choice ? p.choices[static_cast<std::size_t>(point[k].i)].c_str()
                                                           : nullptr};
    }
}

Result<EquityCurves> equity_curve(const Plugin &plugin, const PluginState &state, const Space &space,
                                  const Point &point)
{
    if (!plugin.info().has_equity_curve)
        return fail(BTOPT_ERR_UNSUPPORTED, "plugin '{}' cannot report an equity curve", plugin.info().name);
    std::vector<btopt_plugin_value> values;
    plugin_values(space, point, values);
    char error[1024] = "";
    std::size_t count = 0;
    const auto call = [&](EquityCurves &c) {
        return plugin.descriptor().equity_curve(state.get(), values.data(), 0, c.equity.data(),
                                                c.buy_and_hold.data(), c.equity.size(), &count, error, sizeof error);
    };
    EquityCurves curves;
    int32_t status = call(curves);
    if (status == BTOPT_PLUGIN_OK) {
        curves.equity.resize(count);
        curves.buy_and_hold.resize(count);
        status = call(curves);
    }
    error[sizeof error - 1] = '\0';
    if (status != BTOPT_PLUGIN_OK)
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}' could not compute the equity curve: {}", plugin.info().name, error);
    // The bars' dates, for charts over time: when the plugin lists them (bar
    // ranges) and the curve has a value per bar; otherwise none, not an error.
    if (plugin.info().has_ranges)
        if (auto timeline = read_timeline(plugin, state); timeline && timeline->dates.size() == curves.equity.size())
            curves.dates = std::move(timeline->dates);
    return curves;
}

Result<Timeline> read_timeline(const Plugin &plugin, const PluginState &state)
{
    if (!plugin.info().has_ranges)
        return fail(BTOPT_ERR_UNSUPPORTED, "plugin '{}' cannot evaluate a range of bars", plugin.info().name);
    char error[1024] = "";
    std::size_t count = 0;
    Timeline t;
    int32_t status = plugin.descriptor().bars(state.get(), nullptr, 0, &count, error, sizeof error);
    if (status == BTOPT_PLUGIN_OK) {
        t.dates.resize(count);
        status = plugin.descriptor().bars(state.get(), t.dates.data(), t.dates.size(), &count, error, sizeof error);
    }
    error[sizeof error - 1] = '\0';
    if (status == BTOPT_PLUGIN_NO_DATES) {
        t.dates.clear();
        status = BTOPT_PLUGIN_OK;
    }
    if (status != BTOPT_PLUGIN_OK)
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}' could not list its bars: {}", plugin.info().name, error);
    if (!t.dates.empty() && t.dates.size() != count)
        return fail(BTOPT_ERR_PLUGIN, "plugin '{}' gave {} dates for {} bars", plugin.info().name, t.dates.size(),
                    count);
    t.bars = count;
    return t;
}

std::string timeline_to_bytes(const Timeline &timeline)
{
    std::string bytes(reinterpret_cast<const char *>(&timeline.bars), sizeof timeline.bars);
    if (!timeline.dates.empty())
        bytes.append(reinterpret_cast<const char *>(timeline.dates.data()), timeline.dates.size() * sizeof(std::int64_t));
    return bytes;
}

std::optional<Timeline> timeline_from_bytes(const std::string &bytes)
{
    Timeline t;
    if (bytes.size() < sizeof t.bars || (bytes.size() - sizeof t.bars) % sizeof(std::int64_t) != 0)
        return std::nullopt;
    std::memcpy(&t.bars, bytes.data(), sizeof t.bars);
    t.dates.resize((bytes.size() - sizeof t.bars) / sizeof(std::int64_t));
    if (!t.dates.empty()) // an empty vector's data() may be null, which memcpy must never get
        std::memcpy(t.dates.data(), bytes.data() + sizeof t.bars, t.dates.size() * sizeof(std::int64_t));
    if (!t.dates.empty() && t.dates.size() != t.bars)
        return std::nullopt;
    return t;
}

Evaluation PluginObjective::evaluate(const Point &point, std::uint64_t seed, BarRange range)
{
    // Per thread, so the thread backend can share one objective: no
    // allocation for the values after the first evaluation.
    thread_local std::vector<btopt_plugin_value> values;
    plugin_values(space_, point, values);
    Evaluation e;
    e.metrics.assign(plugin_.info().metrics.size(), std::numeric_limits<double>::quiet_NaN());
    char error[1024];
    error[0] = '\0'; // not the whole buffer: this runs once per evaluation
    const btopt_plugin_descriptor &d = plugin_.descriptor();
    const int32_t status = range.whole() ? d.evaluate(state_.get(), values.data(), seed, e.metrics.data(), error,
                                                      sizeof error)
                                         : d.evaluate_range(state_.get(), values.data(), seed, range.first,
                                                            range.end, e.metrics.data(), error, sizeof error);
    error[sizeof error - 1] = '\0';
    if (status != BTOPT_PLUGIN_OK) {
        e.status = TrialStatus::Failed;
        e.error = error[0] ? error : fmt::format("the plugin returned status {}", status);
    }
    e.score = e.metrics[metric_];
    return e;
}

Result<std::size_t> find_metric(const PluginInfo &info, const std::string &metric)
{
    if (metric.empty())
        return info.default_metric;
    for (std::size_t m = 0; m < info.metrics.size(); ++m)
        if (info.metrics[m] == metric)
            return m;
    std::string names;
    for (const std::string &m : info.metrics)
        names += (names.empty() ? "" : ", ") + m;
    return fail(BTOPT_ERR_INVALID_ARGUMENT, "plugin '{}' reports no metric '{}'; it reports: {}", info.name, metric,
                names);
}

} // namespace btopt::internal
