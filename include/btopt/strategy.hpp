// Writing a strategy plugin in C++: a small class and one macro.
//
//   class SmaCrossover {
//   public:
//       static btopt::strategy::Schema schema() {
//           return {.name = "sma_crossover", .version = "1.0", .description = "...",
//                   .params = {btopt::strategy::Int("fast", 10, 50, 5), btopt::strategy::Int("slow", 50, 200, 25)},
//                   .constraints = {"fast < slow"},
//                   .metrics = {"sharpe", "max_drawdown"}, .objective = "sharpe",
//                   .lower_is_better = {"max_drawdown"},
//                   .config = std::vector{btopt::strategy::ConfigText("data", "", "CSV file of bars"),
//                              btopt::strategy::ConfigNumber("commission", 0, 0, 1, "fraction per trade")}};
//       }
//       explicit SmaCrossover(const btopt::strategy::Config &config);        // init: load data; throw to refuse
//       void evaluate(const btopt::strategy::Point &p, std::uint64_t seed,
//                     std::span<double> metrics);                             // throw to fail the trial
//       // optional, for reports:
//       void equity_curve(const btopt::strategy::Point &p, std::uint64_t seed,
//                         std::vector<double> &equity, std::vector<double> &buy_and_hold);
//       // optional, for bar ranges (walk-forward, start/end): all three or none.
//       std::size_t bar_count() const;                   // the bars init loaded
//       std::vector<std::int64_t> bar_dates() const;     // days since 1970-01-01, one per bar; empty: no dates
//       void evaluate_range(const btopt::strategy::Point &p, std::uint64_t seed, std::size_t first,
//                           std::size_t end, std::span<double> metrics); // trade bars first..end-1 only
//   };
//   BTOPT_STRATEGY(SmaCrossover)
//
// The macro exports btopt_plugin_entry with a descriptor built from the schema
// (include/btopt/plugin.h); exceptions are caught at the plugin boundary and
// become error texts. The plugin never links against libbtopt.
#pragma once

#include <btopt/plugin.h>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace btopt::strategy {

struct Param {
    std::string name;
    int32_t kind = BTOPT_PLUGIN_PARAM_INT;
    int64_t int_lo = 0, int_hi = 0, int_step = 1;
    double float_lo = 0.0, float_hi = 0.0, float_step = 0.0;
    std::vector<std::string> choices{};
    bool window = false; // a look-back in bars (see Window); never seen by the host
    double domain_lo = -HUGE_VAL, domain_hi = HUGE_VAL; // the values it may take at all

    // The values this parameter may take at all, e.g. Int("lower", 10, 40, 5).domain(0, 100):
    // the host refuses a searched range outside them before anything runs.
    Param domain(double lo, double hi) &&
    {
        domain_lo = lo;
        domain_hi = hi;
        return std::move(*this);
    }
};

inline Param Int(std::string name, int64_t lo, int64_t hi, int64_t step = 1)
{
    return Param{std::move(name), BTOPT_PLUGIN_PARAM_INT, lo, hi, step};
}

// An integer parameter that is a look-back window in bars: a strategy can
// refuse a point whose window is longer than its data (see plugins/backtest.hpp).
inline Param Window(std::string name, int64_t lo, int64_t hi, int64_t step = 1)
{
    Param p = Int(std::move(name), lo, hi, step).domain(1, HUGE_VAL);
    p.window = true;
    return p;
}

inline Param Float(std::string name, double lo, double hi, double step = 0.0)
{
    return Param{std::move(name), BTOPT_PLUGIN_PARAM_FLOAT, 0, 0, 1, lo, hi, step};
}

inline Param Choice(std::string name, std::vector<std::string> choices)
{
    return Param{std::move(name), BTOPT_PLUGIN_PARAM_CHOICE, 0, 0, 1, 0.0, 0.0, 0.0, std::move(choices)};
}

// One config key init understands (btopt_plugin_config_key): the host
// refuses any other key, and a value of the wrong type or out of range,
// before anything runs. Config::number and friends read the values.
struct ConfigKey {
    std::string name;
    int32_t type = BTOPT_PLUGIN_CONFIG_STRING;
    std::string default_value{}; // as text, for `btopt describe`
    double lo = -HUGE_VAL, hi = HUGE_VAL;
    std::vector<std::string> choices{};
    std::string doc{};
};

inline ConfigKey ConfigText(std::string name, std::string default_value, std::string doc)
{
    return ConfigKey{std::move(name), BTOPT_PLUGIN_CONFIG_STRING, std::move(default_value), -HUGE_VAL, HUGE_VAL, {},
                     std::move(doc)};
}

inline ConfigKey ConfigNumber(std::string name, double default_value, double lo, double hi, std::string doc)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", default_value);
    return ConfigKey{std::move(name), BTOPT_PLUGIN_CONFIG_NUMBER, text, lo, hi, {}, std::move(doc)};
}

inline ConfigKey ConfigInteger(std::string name, int64_t default_value, double lo, double hi, std::string doc)
{
    return ConfigKey{std::move(name), BTOPT_PLUGIN_CONFIG_INTEGER, std::to_string(default_value), lo, hi, {},
                     std::move(doc)};
}

inline ConfigKey ConfigChoice(std::string name, std::vector<std::string> choices, std::string doc)
{
    std::string first = choices.empty() ? "" : choices.front();
    return ConfigKey{std::move(name), BTOPT_PLUGIN_CONFIG_CHOICE, std::move(first), 0.0, 0.0, std::move(choices),
                     std::move(doc)};
}

struct Schema {
    std::string name;
    std::string version = "1.0";
    std::string description{};
    std::vector<Param> params{};
    std::vector<std::string> constraints{};
    std::vector<std::string> metrics{};
    std::string objective{}; // one of metrics; empty: the first
    bool init_per_worker = false;
    std::vector<std::string> lower_is_better{}; // metrics where lower is better (max_drawdown): minimised by themselves
    // The keys init understands (a ConfigChoice's first choice is its default).
    // Unset: not declared, every key reaches init unchecked; an empty list:
    // init takes no config and every key is refused.
    std::optional<std::vector<ConfigKey>> config{};
};

// The key=value configuration given to init.
class Config {
public:
    explicit Config(const btopt_plugin_config &c) : c_(c) {}
    // The value of `key`, or `fallback` when it was not given.
    std::string get(std::string_view key, std::string fallback = {}) const
    {
        for (size_t i = 0; i < c_.count; ++i)
            if (key == c_.keys[i])
                return c_.values[i];
        return fallback;
    }
    bool has(std::string_view key) const
    {
        for (size_t i = 0; i < c_.count; ++i)
            if (key == c_.keys[i])
                return true;
        return false;
    }
    double number(std::string_view key, double fallback) const
    {
        if (!has(key))
            return fallback;
        const std::string text = get(key);
        try {
            size_t used = 0;
            const double value = std::stod(text, &used);
            if (used == text.size())
                return value;
        } catch (const std::exception &) {
        }
        throw std::invalid_argument("config '" + std::string(key) + "' = '" + text + "' is not a number");
    }

private:
    const btopt_plugin_config &c_;
};

// One point, in the schema's parameter order.
class Point {
public:
    Point(const btopt_plugin_value *values, const std::vector<Param> &params) : values_(values), params_(params) {}
    int64_t integer(size_t k) const { return values_[k].i; }
    double real(size_t k) const { return values_[k].f; }
    std::string_view choice(size_t k) const { return values_[k].s; }
    int64_t integer(std::string_view name) const { return values_[index(name)].i; }
    double real(std::string_view name) const { return values_[index(name)].f; }
    std::string_view choice(std::string_view name) const { return values_[index(name)].s; }

private:
    size_t index(std::string_view name) const
    {
        for (size_t k = 0; k < params_.size(); ++k)
            if (params_[k].name == name)
                return k;
        throw std::out_of_range("no parameter '" + std::string(name) + "'");
    }
    const btopt_plugin_value *values_;
    const std::vector<Param> &params_;
};

namespace detail {

template <class S>
concept HasRanges = requires(const S &s, S &m, const Point &p, std::span<double> metrics) {
    { s.bar_count() } -> std::convertible_to<std::size_t>;
    { s.bar_dates() } -> std::convertible_to<std::vector<std::int64_t>>;
    m.evaluate_range(p, uint64_t{}, std::size_t{}, std::size_t{}, metrics);
};

template <class S>
concept HasEquityCurve = requires(S &s, const Point &p, std::vector<double> &v) { s.equity_curve(p, uint64_t{}, v, v); };

inline void copy_error(const char *what, char *error, size_t size)
{
    if (size > 0)
        std::snprintf(error, size, "%s", what);
}

// The descriptor and the storage its pointers point into, built once.
template <class S>
struct Registry {
    Schema schema = S::schema();
    std::vector<std::vector<const char *>> choice_pointers;
    std::vector<btopt_plugin_param> params;
    std::vector<const char *> constraints, metrics;
    std::vector<std::vector<const char *>> config_choice_pointers;
    std::vector<btopt_plugin_config_key> config_keys;
    std::vector<int32_t> directions;
    std::vector<btopt_plugin_domain> domains;
    btopt_plugin_descriptor descriptor{};

    void declare_config()
    {
        for (const std::string &m : schema.metrics)
            directions.push_back(std::find(schema.lower_is_better.begin(), schema.lower_is_better.end(), m) !=
                                         schema.lower_is_better.end()
                                     ? BTOPT_PLUGIN_LOWER_IS_BETTER
                                     : BTOPT_PLUGIN_HIGHER_IS_BETTER);
        descriptor.metric_directions = directions.data();
        for (const Param &p : schema.params)
            domains.push_back(btopt_plugin_domain{p.domain_lo, p.domain_hi});
        descriptor.param_domains = domains.data();
        if (!schema.config)
            return;
        for (const ConfigKey &k : *schema.config) {
            auto &pointers = config_choice_pointers.emplace_back();
            for (const std::string &c : k.choices)
                pointers.push_back(c.c_str());
            config_keys.push_back(btopt_plugin_config_key{k.name.c_str(), k.type, k.default_value.c_str(), k.lo, k.hi,
                                                          pointers.data(), pointers.size(), k.doc.c_str()});
        }
        // Declared even when empty (a non-NULL array): the host then refuses every key.
        static const btopt_plugin_config_key none{};
        descriptor.config_keys = config_keys.empty() ? &none : config_keys.data();
        descriptor.n_config_keys = config_keys.size();
    }

    Registry()
    {
        for (const Param &p : schema.params) {
            auto &pointers = choice_pointers.emplace_back();
            for (const std::string &c : p.choices)
                pointers.push_back(c.c_str());
            params.push_back(btopt_plugin_param{p.name.c_str(), p.kind, p.int_lo, p.int_hi, p.int_step, p.float_lo,
                                                p.float_hi, p.float_step, pointers.data(), pointers.size()});
        }
        for (const std::string &c : schema.constraints)
            constraints.push_back(c.c_str());
        size_t objective = 0;
        for (size_t m = 0; m < schema.metrics.size(); ++m) {
            metrics.push_back(schema.metrics[m].c_str());
            if (schema.metrics[m] == schema.objective)
                objective = m;
        }
        descriptor = btopt_plugin_descriptor{BTOPT_PLUGIN_ABI_VERSION,
                                             sizeof(btopt_plugin_descriptor),
                                             schema.name.c_str(),
                                             schema.version.c_str(),
                                             schema.description.c_str(),
                                             params.data(),
                                             params.size(),
                                             constraints.data(),
                                             constraints.size(),
                                             metrics.data(),
                                             metrics.size(),
                                             objective,
                                             schema.init_per_worker ? BTOPT_PLUGIN_INIT_PER_WORKER : 0u,
                                             &init,
                                             &evaluate,
                                             &finish,
                                             nullptr,
                                             nullptr,
                                             0,
                                             nullptr,
                                             nullptr,
                                             nullptr,
                                             nullptr};
        if constexpr (HasEquityCurve<S>)
            descriptor.equity_curve = &equity_curve;
        if constexpr (HasRanges<S>) {
            descriptor.bars = &bars;
            descriptor.evaluate_range = &evaluate_range;
        }
        declare_config();
    }

    static Registry &get()
    {
        static Registry registry;
        return registry;
    }

    static int32_t init(const btopt_plugin_config *config, void **state, char *error, size_t size) noexcept
    {
        try {
            *state = new S(Config(*config));
            return BTOPT_PLUGIN_OK;
        } catch (const std::exception &e) {
            copy_error(e.what(), error, size);
        } catch (...) {
            copy_error("init threw an exception that is not a std::exception", error, size);
        }
        return 1;
    }

    static int32_t evaluate(void *state, const btopt_plugin_value *point, uint64_t seed, double *metrics, char *error,
                            size_t size) noexcept
    {
        try {
            const Registry &r = get();
            static_cast<S *>(state)->evaluate(Point(point, r.schema.params), seed,
                                              std::span<double>(metrics, r.schema.metrics.size()));
            return BTOPT_PLUGIN_OK;
        } catch (const std::exception &e) {
            copy_error(e.what(), error, size);
        } catch (...) {
            copy_error("evaluate threw an exception that is not a std::exception", error, size);
        }
        return 1;
    }

    static void finish(void *state) noexcept { delete static_cast<S *>(state); }

    static int32_t bars(void *state, int64_t *dates, size_t capacity, size_t *count, char *error,
                        size_t size) noexcept
    {
        try {
            const S &s = *static_cast<const S *>(state);
            *count = s.bar_count();
            const std::vector<std::int64_t> d = s.bar_dates();
            if (d.empty())
                return BTOPT_PLUGIN_NO_DATES;
            if (d.size() != *count)
                throw std::logic_error("bar_dates() gives " + std::to_string(d.size()) + " dates for " +
                                       std::to_string(*count) + " bars");
            for (size_t t = 0; dates && t < capacity && t < d.size(); ++t)
                dates[t] = d[t];
            return BTOPT_PLUGIN_OK;
        } catch (const std::exception &e) {
            copy_error(e.what(), error, size);
        } catch (...) {
            copy_error("bars threw an exception that is not a std::exception", error, size);
        }
        return 1;
    }

    static int32_t evaluate_range(void *state, const btopt_plugin_value *point, uint64_t seed, uint64_t first,
                                  uint64_t end, double *metrics, char *error, size_t size) noexcept
    {
        try {
            const Registry &r = get();
            S &s = *static_cast<S *>(state);
            if (!(first < end && end <= s.bar_count()))
                throw std::out_of_range("bars " + std::to_string(first) + ".." + std::to_string(end) +
                                        " are not a range of the " + std::to_string(s.bar_count()) + " bars");
            s.evaluate_range(Point(point, r.schema.params), seed, static_cast<std::size_t>(first),
                             static_cast<std::size_t>(end), std::span<double>(metrics, r.schema.metrics.size()));
            return BTOPT_PLUGIN_OK;
        } catch (const std::exception &e) {
            copy_error(e.what(), error, size);
        } catch (...) {
            copy_error("evaluate_range threw an exception that is not a std::exception", error, size);
        }
        return 1;
    }

    static int32_t equity_curve(void *state, const btopt_plugin_value *point, uint64_t seed, double *equity,
                                double *hold, size_t capacity, size_t *count, char *error, size_t size) noexcept
    {
        try {
            std::vector<double> e, h;
            static_cast<S *>(state)->equity_curve(Point(point, get().schema.params), seed, e, h);
            *count = e.size();
            for (size_t t = 0; t < capacity && t < e.size(); ++t) {
                equity[t] = e[t];
                hold[t] = t < h.size() ? h[t] : 0.0;
            }
            return BTOPT_PLUGIN_OK;
        } catch (const std::exception &ex) {
            copy_error(ex.what(), error, size);
        } catch (...) {
            copy_error("equity_curve threw an exception that is not a std::exception", error, size);
        }
        return 1;
    }
};

} // namespace detail
} // namespace btopt::strategy

// Exports the strategy class as this library's plugin.
#define BTOPT_STRATEGY(StrategyClass)                                                                                 \
    extern "C" BTOPT_PLUGIN_EXPORT const btopt_plugin_descriptor *btopt_plugin_entry(void)                            \
    {                                                                                                                 \
        try {                                                                                                         \
            return &::btopt::strategy::detail::Registry<StrategyClass>::get().descriptor;                             \
        } catch (...) {                                                                                               \
            return nullptr;                                                                                           \
        }                                                                                                             \
    }
