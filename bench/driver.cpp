// btopt-bench: the C++ side of bench/run.sh. Every measurement goes through
// the C ABI (btopt.h) the way a host uses it, and prints one JSON object per
// line; bench/report.py turns the lines into the tables of bench/RESULTS.md.
//
//   btopt-bench dispatch  --backends thread,fork,server --jobs 1,2 --batch 1,0 --spin 0,10,100,1000,10000
//                         [--target 0.4] [--floor-us 2.5] [--min-per-worker 40] [--max-n N] --spin-plugin PATH
//   btopt-bench sweep     --plugin SMA [--data CSV] [--fast 2:101] [--slow 102:201] [--jobs -1] [--backend process]
//   btopt-bench start     --plugin SMA --spin-plugin PATH --spin-per-worker PATH [--data CSV] [--csv1m CSV]
//   btopt-bench memory    --plugin SMA --mode server|csv|fork --workers 1,2,4 [--bars 1000000] [--data CSV]
//   btopt-bench scale     [--points 1000000] [--backend thread] [--jobs 2] [--batch 0] [--keep 0]
//   btopt-bench genetic   [--pop 1000] [--gens 200] [--backend thread] [--jobs 2]
//   btopt-bench gencsv    --out CSV [--bars 1000000] [--seed 7]
//
// Every subcommand also takes --rep K, copied into its lines.
#include "common.hpp"

#include <btopt/kit/bars.hpp>
#include <btopt/kit/cache.hpp>
#include <btopt/kit/metrics.hpp>
#include <btopt/kit/prices.hpp>
#include <btopt/kit/strategies.hpp>
#include <btopt/kit/synthetic.hpp>
#include <btopt/plugin.h>


#include <dlfcn.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <cinttypes>
#include <cstring>
#include <filesystem>
#include <numeric>

using namespace bench;

namespace {

// ---- the host objectives ---------------------------------------------------

struct SpinUser {
    std::int64_t ns = 0;
};

btopt_status spin_objective(void *user, const btopt_params *p, double *score)
{
    spin_ns(static_cast<SpinUser *>(user)->ns);
    std::int64_t i = 0;
    btopt_params_get_int(p, "i", &i);
    *score = static_cast<double>(i);
    return BTOPT_OK;
}

btopt_status trivial_objective(void *, const btopt_params *p, double *score)
{
    std::int64_t i = 0;
    btopt_params_get_int(p, "i", &i);
    *score = static_cast<double>(i % 1000003);
    return BTOPT_OK;
}

btopt_status genetic_objective(void *, const btopt_params *p, double *score)
{
    double s = 0;
    for (const char *name : {"a", "b", "c", "d"}) {
        std::int64_t v = 0;
        btopt_params_get_int(p, name, &v);
        s -= static_cast<double>((v - 500) * (v - 500));
    }
    *score = s;
    return BTOPT_OK;
}

// sma_crossover on closes the host holds, prepared once the way the plugin
// prepares them and keeping only that, as the plugin does (the fork start
// method shares them with the workers copy-on-write).
struct HostSma {
    explicit HostSma(const btopt::kit::Bars &bars) : prices(bars.close()), sums(bars.close()) {}
    btopt::kit::Prices prices;
    btopt::kit::WindowSums sums;
};

btopt_status host_sma_objective(void *user, const btopt_params *p, double *score)
{
    const auto *host = static_cast<HostSma *>(user);
    static std::vector<btopt::kit::Position> positions; // one per worker process
    positions.resize(host->prices.size());
    std::int64_t fast = 0, slow = 0;
    btopt_params_get_int(p, "fast", &fast);
    btopt_params_get_int(p, "slow", &slow);
    if (!btopt::kit::sma_crossover(host->sums, static_cast<std::size_t>(fast), static_cast<std::size_t>(slow),
                                   positions))
        return btopt_fail("bad window");
    *score = btopt::kit::compute_metrics(host->prices, positions).sharpe;
    return BTOPT_OK;
}

// ---- helpers -------------------------------------------------------------

std::pair<std::int64_t, std::int64_t> range_arg(const std::string &text)
{
    const auto colon = text.find(':');
    if (colon == std::string::npos)
        return {std::stoll(text), std::stoll(text)};
    return {std::stoll(text.substr(0, colon)), std::stoll(text.substr(colon + 1))};
}

// Runs fn in a forked child and returns the double it writes back.
double in_child(const std::function<double()> &fn)
{
    int fds[2];
    if (pipe(fds) != 0)
        throw std::runtime_error("pipe failed");
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        double v = std::nan("");
        try {
            v = fn();
        } catch (...) {
        }
        const ssize_t written = write(fds[1], &v, sizeof v);
        _exit(written == sizeof v ? 0 : 1);
    }
    close(fds[1]);
    double v = std::nan("");
    const ssize_t got = read(fds[0], &v, sizeof v);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return got == sizeof v ? v : std::nan("");
}

std::size_t bar_bytes(const btopt::kit::Bars &bars)
{
    std::size_t columns = 1; // timestamps
    for (std::size_t c = 0; c < btopt::kit::kColumnCount; ++c)
        if (bars.has(static_cast<btopt::kit::Column>(c)))
            ++columns;
    return bars.size() * 8 * columns;
}

std::string fmt_rss()
{
    char text[64];
    std::snprintf(text, sizeof text, "RSS %.1f MB", current_rss_mb());
    return text;
}

// ---- dispatch --------------------------------------------------------------

int dispatch(const Args &a)
{
    const auto backends = word_list(a.get("backends", "thread,fork,server"));
    const auto jobs_list = number_list(a.get("jobs", "1,2"));
    const auto batches = number_list(a.get("batch", "1,0"));
    const auto spins = number_list(a.get("spin", "0,10,100,1000,10000"));
    const double target = a.number("target", 0.4);
    const double floor_us = a.number("floor-us", 2.5);
    const double min_per_worker = a.number("min-per-worker", 40);
    const double max_n = a.number("max-n", 1e7);
    const std::string plugin = a.get("spin-plugin");
    const auto rep = static_cast<std::int64_t>(a.number("rep", 0));
    for (double x : spins)
        for (double jobs : jobs_list) {
            double n = x > 0 ? std::max(min_per_worker * jobs, std::round(jobs * target / (x * 1e-6)))
                             : std::round(jobs * target / (floor_us * 1e-6));
            n = std::min(n, max_n);
            const auto count = static_cast<std::int64_t>(n);
            btopt_space *space = int_space({{"i", 0, count - 1}});
            for (const std::string &backend : backends)
                for (double batch : batches) {
                    if (backend == "inline" && (jobs != 1 || batch != batches.front()))
                        continue;
                    if (backend == "server" && plugin.empty())
                        continue;
                    SpinUser user{static_cast<std::int64_t>(x * 1000.0)};
                    RunSpec spec;
                    spec.space = space;
                    spec.ints = {{"n_jobs", static_cast<std::int64_t>(jobs)},
                                 {"batch_size", static_cast<std::int64_t>(batch)}};
                    if (backend == "fork" || backend == "server") {
                        spec.strings = {{"backend", "process"}, {"start_method", backend}};
                    } else {
                        spec.strings = {{"backend", backend}};
                    }
                    if (backend == "server") {
                        spec.plugin = plugin;
                        spec.config = {{"spin_us", std::to_string(x)}};
                    } else {
                        spec.fn = spin_objective;
                        spec.user = &user;
                    }
                    const RunOut out = run(spec);
                    Json()
                        .str("bench", "dispatch")
                        .str("impl", "btopt")
                        .str("backend", backend)
                        .integer("jobs", static_cast<std::int64_t>(jobs))
                        .integer("batch", static_cast<std::int64_t>(batch))
                        .num("spin_us", x)
                        .integer("n", count)
                        .num("wall", out.wall)
                        .num("call", out.call)
                        .num("first", out.first)
                        .integer("workers", out.workers)
                        .integer("evaluated", static_cast<std::int64_t>(out.evaluated))
                        .integer("rep", rep)
                        .print();
                }
            btopt_space_destroy(space);
        }
    return 0;
}

// ---- sweep -----------------------------------------------------------------

int sweep(const Args &a)
{
    const auto [fast_lo, fast_hi] = range_arg(a.get("fast", "2:101"));
    const auto [slow_lo, slow_hi] = range_arg(a.get("slow", "102:201"));
    btopt_space *space = int_space({{"fast", fast_lo, fast_hi}, {"slow", slow_lo, slow_hi}});
    const std::string backend = a.get("backend", "process");
    RunSpec spec;
    spec.space = space;
    spec.plugin = a.get("plugin");
    const std::string label = a.get("label", "btopt");
    if (a.has("data"))
        spec.config = {{"data", a.get("data")}};
    spec.ints = {{"n_jobs", static_cast<std::int64_t>(a.number("jobs", -1))},
                 {"batch_size", static_cast<std::int64_t>(a.number("batch", 0))}};
    spec.strings = {{"backend", backend}};
    const RunOut out = run(spec);
    btopt_space_destroy(space);
    Json()
        .str("bench", "sweep")
        .str("impl", label)
        .str("backend", backend)
        .integer("jobs", out.workers)
        .integer("n", static_cast<std::int64_t>(out.evaluated))
        .integer("ok", static_cast<std::int64_t>(out.ok))
        .num("call", out.call)
        .num("wall", out.wall)
        .num("eval_seconds", out.eval)
        .num("best_fast", out.best.count("fast") ? out.best.at("fast") : std::nan(""))
        .num("best_slow", out.best.count("slow") ? out.best.at("slow") : std::nan(""))
        .num("best_score", out.best_score)
        .str("data", a.get("data", "synthetic 2520 bars"))
        .integer("rep", static_cast<std::int64_t>(a.number("rep", 0)))
        .print();
    return 0;
}

// ---- worker start ----------------------------------------------------------

double fork_exit_wait_us()
{
    std::fflush(nullptr);
    const std::int64_t t0 = now_ns();
    const pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    int status = 0;
    waitpid(pid, &status, 0);
    return static_cast<double>(now_ns() - t0) * 1e-3;
}

double fork_median_us(int n)
{
    std::vector<double> v;
    for (int i = 0; i < n; ++i)
        v.push_back(fork_exit_wait_us());
    return median(v);
}

const btopt_plugin_descriptor *load_descriptor(const std::string &path, void **handle)
{
    *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!*handle)
        throw std::runtime_error(std::string("dlopen: ") + dlerror());
    auto entry = reinterpret_cast<btopt_plugin_entry_fn>(dlsym(*handle, BTOPT_PLUGIN_ENTRY));
    if (!entry)
        throw std::runtime_error("no " BTOPT_PLUGIN_ENTRY);
    return entry();
}

struct PluginConfig {
    std::vector<std::string> keys, values;
    std::vector<const char *> k, v;
    btopt_plugin_config c{};
    explicit PluginConfig(const std::vector<std::pair<std::string, std::string>> &pairs)
    {
        for (const auto &[key, value] : pairs) {
            keys.push_back(key);
            values.push_back(value);
        }
        for (std::size_t i = 0; i < keys.size(); ++i) {
            k.push_back(keys[i].c_str());
            v.push_back(values[i].c_str());
        }
        c = btopt_plugin_config{keys.size(), k.data(), v.data()};
    }
};

double init_seconds(const btopt_plugin_descriptor *d, const std::vector<std::pair<std::string, std::string>> &config)
{
    PluginConfig pc(config);
    void *state = nullptr;
    char error[512] = "";
    const std::int64_t t0 = now_ns();
    if (d->init(&pc.c, &state, error, sizeof error) != BTOPT_PLUGIN_OK)
        throw std::runtime_error(std::string("init: ") + error);
    const double t = seconds_since(t0);
    d->finish(state);
    return t;
}

// What a plugin's init keeps (its prepared data, once the bars it read are
// freed), in MB: the RSS it adds, measured in a child so it cannot count in our PSS.
double held_by_init_mb(const std::string &plugin, const std::vector<std::pair<std::string, std::string>> &config)
{
    return in_child([&] {
        void *handle = nullptr;
        const btopt_plugin_descriptor *d = load_descriptor(plugin, &handle);
        PluginConfig pc(config);
        void *state = nullptr;
        char error[512] = "";
        const double before = current_rss_mb();
        if (d->init(&pc.c, &state, error, sizeof error) != BTOPT_PLUGIN_OK)
            throw std::runtime_error(std::string("init: ") + error);
        return current_rss_mb() - before;
    });
}

int start(const Args &a)
{
    const auto rep = static_cast<std::int64_t>(a.number("rep", 0));
    const std::string sma = a.get("plugin");
    const int reps = static_cast<int>(a.number("reps", 7));
    auto line = [&](const std::string &what, double value_us, const std::string &note) {
        Json().str("bench", "start").str("what", what).num("us", value_us).str("note", note).integer("rep", rep).print();
    };

    // fork + _exit + waitpid of this small process, and of one holding 48 MB (the
    // worker server after loading 1,000,000 bars).
    line("fork+exit+wait, small process", fork_median_us(200), fmt_rss());
    {
        const std::size_t bytes = 48u << 20;
        auto *block = static_cast<char *>(std::malloc(bytes));
        std::memset(block, 1, bytes);
        line("fork+exit+wait, 48 MB resident", fork_median_us(100), fmt_rss());
        std::free(block);
    }

    // Loading the plugin (dlopen + entry) in a fresh child, as btopt-worker does.
    {
        std::vector<double> v;
        for (int i = 0; i < reps; ++i)
            v.push_back(in_child([&] {
                const std::int64_t t0 = now_ns();
                void *handle = nullptr;
                load_descriptor(sma, &handle);
                return static_cast<double>(now_ns() - t0) * 1e-3;
            }));
        line("plugin load (dlopen + entry), sma_crossover", median(v), "fresh child process");
    }

    // init (loading the data) of sma_crossover.
    void *handle = nullptr;
    const btopt_plugin_descriptor *d = load_descriptor(sma, &handle);
    std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> inits = {
        {"init sma_crossover, synthetic 2,520 bars", {}},
        {"init sma_crossover, synthetic 1,000,000 bars", {{"synthetic_bars", "1000000"}}}};
    if (a.has("data"))
        inits.push_back({"init sma_crossover, " + std::filesystem::path(a.get("data")).filename().string() + " (parse)",
                         {{"data", a.get("data")}}});
    if (a.has("csv1m"))
        inits.push_back({"init sma_crossover, 1,000,000-bar CSV (mapped cache)", {{"data", a.get("csv1m")}}});
    for (const auto &[what, config] : inits) {
        std::vector<double> v;
        for (int i = 0; i < std::max(3, reps / 2); ++i)
            v.push_back(init_seconds(d, config) * 1e6);
        line(what, median(v), "in this process, median");
    }

    // Describing a plugin: posix_spawn of btopt-worker, load, print, exit.
    {
        std::vector<double> v;
        for (int i = 0; i < reps; ++i) {
            btopt_plugin_info *info = nullptr;
            const std::int64_t t0 = now_ns();
            check(btopt_plugin_describe(&info, sma.c_str()), "btopt_plugin_describe");
            v.push_back(static_cast<double>(now_ns() - t0) * 1e-3);
            btopt_plugin_info_destroy(info);
        }
        line("btopt-worker spawn + plugin load + exit (btopt_plugin_describe)", median(v), "");
    }

    // Time to the first result and the whole call, for small runs (2 points per worker).
    struct Case {
        std::string what;
        std::string backend, start_method, plugin;
        std::vector<std::pair<std::string, std::string>> config;
        std::int64_t jobs;
    };
    std::vector<Case> cases;
    for (std::int64_t jobs : {1, 2}) {
        cases.push_back({"thread, host callback", "thread", "", "", {}, jobs});
        cases.push_back({"process fork, host callback", "process", "fork", "", {}, jobs});
        cases.push_back({"process server, bench_spin (init once)", "process", "server", a.get("spin-plugin"), {}, jobs});
        cases.push_back({"process server, bench_spin_per_worker (init per worker)", "process", "server",
                         a.get("spin-per-worker"), {}, jobs});
        std::vector<std::pair<std::string, std::string>> data;
        if (a.has("data"))
            data = {{"data", a.get("data")}};
        cases.push_back({"process server, sma_crossover " + (a.has("data") ? std::string("GOOG") : "synthetic"),
                         "process", "server", sma, data, jobs});
        cases.push_back({"process server, sma_crossover 1,000,000 bars", "process", "server", sma,
                         {{"synthetic_bars", "1000000"}}, jobs});
    }
    for (const Case &c : cases) {
        if (c.start_method == "server" && c.plugin.empty())
            continue;
        const bool sma_case = c.plugin == sma;
        btopt_space *space = sma_case ? int_space({{"fast", 10, 10 + 2 * c.jobs - 1}, {"slow", 100, 100}})
                                      : int_space({{"i", 0, 2 * c.jobs - 1}});
        std::vector<double> first, call;
        for (int i = 0; i < reps; ++i) {
            SpinUser user{0};
            RunSpec spec;
            spec.space = space;
            spec.ints = {{"n_jobs", c.jobs}};
            spec.strings = {{"backend", c.backend}};
            if (!c.start_method.empty())
                spec.strings.push_back({"start_method", c.start_method});
            if (!c.plugin.empty()) {
                spec.plugin = c.plugin;
                spec.config = c.config;
            } else {
                spec.fn = spin_objective;
                spec.user = &user;
            }
            const RunOut out = run(spec);
            first.push_back(out.first * 1e6);
            call.push_back(out.call * 1e6);
        }
        btopt_space_destroy(space);
        Json()
            .str("bench", "first")
            .str("what", c.what)
            .integer("jobs", c.jobs)
            .num("first_us", median(first))
            .num("call_us", median(call))
            .integer("rep", rep)
            .print();
    }
    return 0;
}

// ---- memory ----------------------------------------------------------------

struct PssSample {
    double total = 0, coordinator = 0, server = 0, workers = 0, rss_total = 0;
    int processes = 0;
};

PssSample sample_pss()
{
    PssSample s;
    const pid_t self = getpid();
    pid_t server = -1;
    const auto tree = process_tree(self);
    for (const ProcInfo &p : tree)
        if (p.ppid == self && p.comm == "btopt-worker")
            server = p.pid;
    for (const ProcInfo &p : tree) {
        const long kb = smaps_rollup_kb(p.pid, "Pss:");
        const long rss = smaps_rollup_kb(p.pid, "Rss:");
        if (kb < 0)
            continue;
        const double mb = static_cast<double>(kb) / 1024.0;
        s.total += mb;
        s.rss_total += static_cast<double>(rss) / 1024.0;
        ++s.processes;
        if (p.pid == self)
            s.coordinator += mb;
        else if (p.pid == server)
            s.server += mb;
        else
            s.workers += mb;
    }
    return s;
}

// The string options for a --backend value: "fork" is the process backend
// with workers forked from this process.
std::vector<std::pair<std::string, std::string>> backend_options(const std::string &backend)
{
    if (backend == "fork")
        return {{"backend", "process"}, {"start_method", "fork"}};
    return {{"backend", backend}};
}

int memory(const Args &a)
{
    const std::string mode = a.get("mode", "server");
    const auto bars = static_cast<std::size_t>(a.number("bars", 1000000));
    const std::string sma = a.get("plugin");
    const std::string csv = a.get("data");
    const auto rep = static_cast<std::int64_t>(a.number("rep", 0));
    const double per_worker = a.number("points-per-worker", 6);

    // The size of one copy of the data, measured where it cannot count in our
    // PSS: as bars, and as the objective holds it once prepared.
    double data_bytes = 0, held_mb = 0;
    std::unique_ptr<HostSma> host;
    const std::vector<std::pair<std::string, std::string>> config =
        mode == "csv" ? std::vector<std::pair<std::string, std::string>>{{"data", csv}}
                      : std::vector<std::pair<std::string, std::string>>{{"synthetic_bars", std::to_string(bars)}};
    if (mode == "fork") {
        const auto loaded = btopt::kit::synthetic_gbm(bars, 42);
        const double before = current_rss_mb();
        host = std::make_unique<HostSma>(loaded);
        held_mb = current_rss_mb() - before;
        data_bytes = static_cast<double>(bar_bytes(loaded));
    } else if (mode == "csv") {
        data_bytes = in_child([&] {
            auto loaded = btopt::kit::load_bars(csv); // also makes sure the cache exists
            return loaded ? static_cast<double>(bar_bytes(*loaded)) : std::nan("");
        });
    } else {
        data_bytes = in_child([&] { return static_cast<double>(bar_bytes(btopt::kit::synthetic_gbm(bars, 42))); });
    }
    if (mode != "fork")
        held_mb = held_by_init_mb(sma, config);

    for (double w : number_list(a.get("workers", "1,2,4"))) {
        const auto workers = static_cast<std::int64_t>(w);
        const auto points = static_cast<std::int64_t>(std::max(4.0, per_worker * w));
        btopt_space *space = int_space({{"fast", 10, 10 + points - 1}, {"slow", 200, 200}});
        RunSpec spec;
        spec.space = space;
        spec.ints = {{"n_jobs", workers}, {"batch_size", 1}};
        PssSample best;
        double last = -1;
        spec.on_progress = [&](std::uint64_t done, std::uint64_t, double t) {
            if (done < static_cast<std::uint64_t>(workers) || t - last < 0.02)
                return;
            last = t;
            const PssSample s = sample_pss();
            if (s.total > best.total)
                best = s;
        };
        if (mode == "fork") {
            spec.strings = backend_options("fork");
            spec.fn = host_sma_objective;
            spec.user = host.get();
        } else {
            spec.strings = {{"backend", "process"}, {"start_method", "server"}};
            spec.plugin = sma;
            spec.config = config;
        }
        const RunOut out = run(spec);
        btopt_space_destroy(space);
        const double data_mb = data_bytes / (1024.0 * 1024.0);
        Json()
            .str("bench", "memory")
            .str("mode", mode)
            .integer("workers", workers)
            .integer("bars", static_cast<std::int64_t>(bars))
            .num("data_mb", data_mb)
            .num("pss_total_mb", best.total)
            .num("pss_coordinator_mb", best.coordinator)
            .num("pss_server_mb", best.server)
            .num("pss_workers_mb", best.workers)
            .num("rss_total_mb", best.rss_total)
            .integer("processes", best.processes)
            .num("ratio", best.total / data_mb)
            .num("held_mb", held_mb)
            .num("ratio_held", best.total / held_mb)
            .num("eval_ms", out.wall > 0 ? out.wall * 1e3 * static_cast<double>(out.workers) /
                                               static_cast<double>(std::max<std::uint64_t>(out.evaluated, 1))
                                         : std::nan(""))
            .integer("rep", rep)
            .print();
    }
    return 0;
}

// ---- scale -----------------------------------------------------------------

int scale(const Args &a)
{
    const auto points = static_cast<std::int64_t>(a.number("points", 1000000));
    const std::string backend = a.get("backend", "thread");
    const double before = current_rss_mb();
    btopt_space *space = int_space({{"i", 0, points - 1}});
    RunSpec spec;
    spec.space = space;
    spec.fn = trivial_objective;
    spec.ints = {{"n_jobs", static_cast<std::int64_t>(a.number("jobs", 2))},
                 {"batch_size", static_cast<std::int64_t>(a.number("batch", 0))},
                 {"keep_trials", static_cast<std::int64_t>(a.number("keep", 0))}};
    spec.strings = backend_options(backend);
    const RunOut out = run(spec);
    btopt_space_destroy(space);
    Json()
        .str("bench", "scale")
        .str("backend", backend)
        .integer("jobs", out.workers)
        .integer("batch", static_cast<std::int64_t>(a.number("batch", 0)))
        .integer("keep", static_cast<std::int64_t>(a.number("keep", 0)))
        .integer("n", static_cast<std::int64_t>(out.evaluated))
        .num("call", out.call)
        .num("wall", out.wall)
        .num("evals_per_s", static_cast<double>(out.evaluated) / out.call)
        .num("evals_per_s_wall", static_cast<double>(out.evaluated) / out.wall)
        .num("rss_before_mb", before)
        .num("peak_rss_mb", peak_rss_mb())
        .integer("rep", static_cast<std::int64_t>(a.number("rep", 0)))
        .print();
    return 0;
}

int genetic(const Args &a)
{
    const std::string backend = a.get("backend", "thread");
    const double before = current_rss_mb();
    btopt_space *space = int_space({{"a", 0, 999}, {"b", 0, 999}, {"c", 0, 999}, {"d", 0, 999}});
    RunSpec spec;
    spec.space = space;
    spec.algorithm = "genetic";
    spec.fn = genetic_objective;
    spec.ints = {{"n_jobs", static_cast<std::int64_t>(a.number("jobs", 2))},
                 {"population_size", static_cast<std::int64_t>(a.number("pop", 1000))},
                 {"n_generations", static_cast<std::int64_t>(a.number("gens", 200))},
                 {"random_seed", 42},
                 {"keep_trials", static_cast<std::int64_t>(a.number("keep", 0))}};
    spec.strings = backend_options(backend);
    const RunOut out = run(spec);
    btopt_space_destroy(space);
    Json()
        .str("bench", "genetic")
        .str("backend", backend)
        .integer("jobs", out.workers)
        .integer("pop", static_cast<std::int64_t>(a.number("pop", 1000)))
        .integer("gens", static_cast<std::int64_t>(a.number("gens", 200)))
        .integer("n", static_cast<std::int64_t>(out.evaluated))
        .num("call", out.call)
        .num("wall", out.wall)
        .num("evals_per_s", static_cast<double>(out.evaluated) / out.call)
        .num("best_score", out.best_score)
        .num("rss_before_mb", before)
        .num("peak_rss_mb", peak_rss_mb())
        .integer("rep", static_cast<std::int64_t>(a.number("rep", 0)))
        .print();
    return 0;
}

// ---- a large CSV -----------------------------------------------------------

int gencsv(const Args &a)
{
    const auto n = static_cast<std::size_t>(a.number("bars", 1000000));
    const auto bars = btopt::kit::synthetic_gbm(n, static_cast<std::uint64_t>(a.number("seed", 7)));
    const std::string out = a.get("out");
    const std::string tmp = out + ".tmp";
    std::FILE *f = std::fopen(tmp.c_str(), "w");
    if (!f)
        throw std::runtime_error("cannot write " + tmp);
    std::fputs("Date,Open,High,Low,Close,Volume\n", f);
    const auto ts = bars.timestamps();
    const auto o = bars.open(), h = bars.high(), l = bars.low(), c = bars.close(), v = bars.volume();
    for (std::size_t t = 0; t < n; ++t) {
        const std::string date = btopt::kit::format_timestamp(ts[t]).substr(0, 10);
        std::fprintf(f, "%s,%.6f,%.6f,%.6f,%.6f,%.0f\n", date.c_str(), o[t], h[t], l[t], c[t], v[t]);
    }
    if (std::fclose(f) != 0)
        throw std::runtime_error("cannot write " + tmp);
    std::filesystem::rename(tmp, out);
    Json().str("bench", "gencsv").str("path", out).integer("bars", static_cast<std::int64_t>(n)).print();
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: btopt-bench dispatch|sweep|start|memory|scale|genetic|gencsv [--option value]...\n");
        return 2;
    }
    const std::string command = argv[1];
    try {
        const Args args(argc, argv, 2);
        if (command == "dispatch")
            return dispatch(args);
        if (command == "sweep")
            return sweep(args);
        if (command == "start")
            return start(args);
        if (command == "memory")
            return memory(args);
        if (command == "scale")
            return scale(args);
        if (command == "genetic")
            return genetic(args);
        if (command == "gencsv")
            return gencsv(args);
        std::fprintf(stderr, "btopt-bench: unknown command '%s'\n", command.c_str());
        return 2;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "btopt-bench %s: %s\n", command.c_str(), e.what());
        return 1;
    }
}
