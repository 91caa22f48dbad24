// btopt-bench-kit (Google Benchmark): the cost of one sma_crossover evaluation
// on one core, and of loading a 1,000,000-bar CSV.
//
//   SmaEval/N           signal + compute_metrics on N synthetic bars prepared once (WindowSums,
//                       Prices): the plugin's work, on the kernels this CPU picks (the label says which)
//   SmaEvalIsa/N/isa    the same on isa 0 baseline x86-64, 1 x86-64-v3, 2 x86-64-v4 (skipped if absent)
//   ClosesOnlyEval/N    the same through the one-off forms on bare closes (no preparation)
//   SmaEvalSegments/N   SmaEval with the metrics per segment (SegmentIndex, long only), as the plugin does
//   GoogEval/mode       one evaluation on BTOPT_BENCH_GOOG (GOOG.csv), averaged over the sweep grid;
//                       mode 0 metrics per bar, 1 per segment (the number of segments varies by point)
//   SmaSignal/N         the signal alone (WindowSums)
//   Metrics/N           compute_metrics alone (Prices)
//   PluginEvaluate/N    through the plugin's descriptor (as a worker calls it), BTOPT_BENCH_PLUGIN;
//                       BTOPT_KIT_ISA=baseline|x86-64-v3|x86-64-v4 picks the plugin's kernels
//   LoadCsvParse        load_bars of BTOPT_BENCH_CSV without the cache (parse the text)
//   LoadCsvCached       load_bars of BTOPT_BENCH_CSV through its mapped column cache
#include <btopt/kit/bars.hpp>
#include <btopt/kit/cache.hpp>
#include <btopt/kit/isa.hpp>
#include <btopt/kit/metrics.hpp>
#include <btopt/kit/prices.hpp>
#include <btopt/kit/segments.hpp>
#include <btopt/kit/strategies.hpp>
#include <btopt/kit/synthetic.hpp>
#include <btopt/plugin.h>

#include <benchmark/benchmark.h>
#include <dlfcn.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace {

namespace kit = btopt::kit;

// Synthetic closes, made once per size.
const kit::Bars &bars_of(std::size_t n)
{
    static std::map<std::size_t, kit::Bars> cache;
    auto it = cache.find(n);
    if (it == cache.end())
        it = cache.emplace(n, kit::synthetic_gbm(n, 42)).first;
    return it->second;
}

// The windows a sweep visits: fast 2..101 against slow 102..201, cycled.
struct Windows {
    std::size_t k = 0;
    std::pair<std::size_t, std::size_t> next()
    {
        const std::size_t fast = 2 + k % 100, slow = 102 + (k / 100) % 100;
        ++k;
        return {fast, slow};
    }
};

// The data a plugin prepares in its init, once per size.
struct Prepared {
    kit::Prices prices;
    kit::WindowSums sums;
};

const Prepared &prepared_of(std::size_t n)
{
    static std::map<std::size_t, Prepared> cache;
    auto it = cache.find(n);
    if (it == cache.end()) {
        const auto closes = bars_of(n).close();
        it = cache.emplace(n, Prepared{kit::Prices(closes), kit::WindowSums(closes)}).first;
    }
    return it->second;
}

// Signal + compute_metrics on the prepared data, for the sweep's windows.
void evaluate_sweep(benchmark::State &state, const Prepared &data)
{
    std::vector<kit::Position> positions(data.prices.size());
    Windows w;
    for (auto _ : state) {
        const auto [fast, slow] = w.next();
        auto ok = kit::sma_crossover(data.sums, fast, slow, positions);
        benchmark::DoNotOptimize(ok);
        const auto m = kit::compute_metrics(data.prices, positions);
        benchmark::DoNotOptimize(m);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void SmaEval(benchmark::State &state)
{
    evaluate_sweep(state, prepared_of(static_cast<std::size_t>(state.range(0))));
    state.SetLabel(kit::isa_name(kit::active_isa()));
}
BENCHMARK(SmaEval)->Arg(2520)->Arg(1000000)->Unit(benchmark::kMicrosecond);

// The same, with the metrics per segment (index built once, as the plugin's init does).
void evaluate_segments(benchmark::State &state, const kit::Prices &prices, const kit::WindowSums &sums)
{
    const kit::SegmentIndex index(prices, kit::SegmentIndex::Sides::Long);
    std::vector<kit::Position> positions(prices.size());
    Windows w;
    for (auto _ : state) {
        const auto [fast, slow] = w.next();
        auto ok = kit::sma_crossover(sums, fast, slow, positions);
        benchmark::DoNotOptimize(ok);
        const auto m = kit::compute_metrics(prices, index, positions);
        benchmark::DoNotOptimize(m);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void SmaEvalSegments(benchmark::State &state)
{
    const Prepared &data = prepared_of(static_cast<std::size_t>(state.range(0)));
    evaluate_segments(state, data.prices, data.sums);
}
BENCHMARK(SmaEvalSegments)->Arg(2520)->Arg(1000000)->Unit(benchmark::kMicrosecond);

// The sweep grid of 10,000 points cycles every 10,000 iterations: run a multiple.
void GoogEval(benchmark::State &state)
{
    const char *path = std::getenv("BTOPT_BENCH_GOOG");
    if (!path || !*path) {
        state.SkipWithError("BTOPT_BENCH_GOOG (shared/data/GOOG.csv) is not set");
        return;
    }
    static const auto bars = kit::load_csv(path);
    if (!bars) {
        state.SkipWithError(bars.error().c_str());
        return;
    }
    static const Prepared data{kit::Prices(bars->close()), kit::WindowSums(bars->close())};
    if (state.range(0) == 0)
        evaluate_sweep(state, data);
    else
        evaluate_segments(state, data.prices, data.sums);
}
BENCHMARK(GoogEval)->Arg(0)->Arg(1)->Iterations(200000)->Unit(benchmark::kMicrosecond);

void SmaEvalIsa(benchmark::State &state)
{
    const kit::Isa isa = static_cast<kit::Isa>(state.range(1));
    const kit::Isa before = kit::active_isa();
    if (!kit::use_isa(isa)) {
        state.SkipWithError("this CPU cannot run that instruction set");
        return;
    }
    evaluate_sweep(state, prepared_of(static_cast<std::size_t>(state.range(0))));
    kit::use_isa(before);
    state.SetLabel(kit::isa_name(isa));
}
BENCHMARK(SmaEvalIsa)->ArgsProduct({{2520, 1000000}, {0, 1, 2}})->Unit(benchmark::kMicrosecond);

void ClosesOnlyEval(benchmark::State &state)
{
    const auto closes = bars_of(static_cast<std::size_t>(state.range(0))).close();
    std::vector<kit::Position> positions(closes.size());
    Windows w;
    for (auto _ : state) {
        const auto [fast, slow] = w.next();
        auto ok = kit::sma_crossover(closes, fast, slow, positions);
        benchmark::DoNotOptimize(ok);
        const auto m = kit::compute_metrics(closes, positions);
        benchmark::DoNotOptimize(m);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(ClosesOnlyEval)->Arg(2520)->Arg(1000000)->Unit(benchmark::kMicrosecond);

void SmaSignal(benchmark::State &state)
{
    const Prepared &data = prepared_of(static_cast<std::size_t>(state.range(0)));
    std::vector<kit::Position> positions(data.prices.size());
    Windows w;
    for (auto _ : state) {
        const auto [fast, slow] = w.next();
        auto ok = kit::sma_crossover(data.sums, fast, slow, positions);
        benchmark::DoNotOptimize(ok);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(SmaSignal)->Arg(2520)->Arg(1000000)->Unit(benchmark::kMicrosecond);

void Metrics(benchmark::State &state)
{
    const Prepared &data = prepared_of(static_cast<std::size_t>(state.range(0)));
    std::vector<kit::Position> positions(data.prices.size());
    (void)kit::sma_crossover(data.sums, 20, 120, positions);
    for (auto _ : state) {
        const auto m = kit::compute_metrics(data.prices, positions);
        benchmark::DoNotOptimize(m);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(Metrics)->Arg(2520)->Arg(1000000)->Unit(benchmark::kMicrosecond);

// Through the plugin's C descriptor, with the state its init built.
void PluginEvaluate(benchmark::State &state)
{
    const char *path = std::getenv("BTOPT_BENCH_PLUGIN");
    if (!path || !*path) {
        state.SkipWithError("BTOPT_BENCH_PLUGIN (the sma_crossover plugin) is not set");
        return;
    }
    static void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        state.SkipWithError("cannot dlopen the plugin");
        return;
    }
    const auto entry = reinterpret_cast<btopt_plugin_entry_fn>(dlsym(handle, BTOPT_PLUGIN_ENTRY));
    const btopt_plugin_descriptor *d = entry();
    const std::string bars = std::to_string(state.range(0));
    const char *keys[] = {"synthetic_bars"};
    const char *values[] = {bars.c_str()};
    const btopt_plugin_config config{1, keys, values};
    void *plugin_state = nullptr;
    char error[256] = "";
    if (d->init(&config, &plugin_state, error, sizeof error) != BTOPT_PLUGIN_OK) {
        state.SkipWithError(error);
        return;
    }
    std::vector<double> metrics(d->n_metrics);
    Windows w;
    for (auto _ : state) {
        const auto [fast, slow] = w.next();
        const btopt_plugin_value point[] = {{static_cast<std::int64_t>(fast), 0.0, nullptr},
                                            {static_cast<std::int64_t>(slow), 0.0, nullptr}};
        const auto status = d->evaluate(plugin_state, point, 0, metrics.data(), error, sizeof error);
        benchmark::DoNotOptimize(status);
    }
    d->finish(plugin_state);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(PluginEvaluate)->Arg(2520)->Arg(1000000)->Unit(benchmark::kMicrosecond);

void LoadCsv(benchmark::State &state, bool cached)
{
    const char *path = std::getenv("BTOPT_BENCH_CSV");
    if (!path || !*path) {
        state.SkipWithError("BTOPT_BENCH_CSV (a large CSV, from btopt-bench gencsv) is not set");
        return;
    }
    kit::LoadOptions options;
    options.use_cache = cached;
    if (cached) { // make sure the cache is there and valid
        kit::LoadInfo info;
        if (!kit::load_bars(path, options, &info)) {
            state.SkipWithError("cannot load the CSV");
            return;
        }
    }
    std::size_t n = 0;
    for (auto _ : state) {
        kit::LoadInfo info;
        auto bars = kit::load_bars(path, options, &info);
        if (!bars) {
            state.SkipWithError(bars.error().c_str());
            return;
        }
        if (cached && info.source != kit::BarSource::Cache) {
            state.SkipWithError(("the cache was not used: " + info.cache_note).c_str());
            return;
        }
        n = bars->size();
        benchmark::DoNotOptimize(bars->close().data());
    }
    state.counters["bars"] = static_cast<double>(n);
}
BENCHMARK_CAPTURE(LoadCsv, Parse, false)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(LoadCsv, Cached, true)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
