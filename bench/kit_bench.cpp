// btopt-bench-kit (Google Benchmark): the cost of one sma_crossover evaluation
// on one core, and of loading a 1,000,000-bar CSV.
//
//   SmaEval/N           kit signal + compute_metrics on N synthetic bars (the plugin's work)
//   ProtoSmaEval/N      the same, restructured (bench/proto_eval.hpp, a proposal)
//   SmaSignal/N         the signal alone
//   Metrics/N           compute_metrics alone
//   PluginEvaluate/N    through the plugin's descriptor (as a worker calls it), BTOPT_BENCH_PLUGIN
//   LoadCsvParse        load_bars of BTOPT_BENCH_CSV without the cache (parse the text)
//   LoadCsvCached       load_bars of BTOPT_BENCH_CSV through its mapped column cache
#include <btopt/kit/bars.hpp>
#include <btopt/kit/cache.hpp>
#include <btopt/kit/metrics.hpp>
#include <btopt/kit/strategies.hpp>
#include <btopt/kit/synthetic.hpp>
#include <btopt/plugin.h>

#include "proto_eval.hpp"

namespace bench::proto_v3_api { // proto_v3.cpp: the prototype built for x86-64-v3
void *prepare(const double *closes, std::size_t n);
double evaluate_sharpe(const void *prepared, std::size_t fast, std::size_t slow, std::int8_t *positions);
void release(void *prepared);
} // namespace bench::proto_v3_api

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

void SmaEval(benchmark::State &state)
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
BENCHMARK(SmaEval)->Arg(2520)->Arg(1000000)->Unit(benchmark::kMicrosecond);

// The same evaluation restructured (bench/proto_eval.hpp): what RESULTS.md proposes.
void ProtoSmaEval(benchmark::State &state)
{
    const auto closes = bars_of(static_cast<std::size_t>(state.range(0))).close();
    const auto prepared = bench::proto::prepare(closes);
    std::vector<kit::Position> positions(closes.size());
    Windows w;
    for (auto _ : state) {
        const auto [fast, slow] = w.next();
        bench::proto::signal(prepared, fast, slow, positions);
        const auto m = bench::proto::metrics(prepared, positions);
        benchmark::DoNotOptimize(m);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(ProtoSmaEval)->Arg(2520)->Arg(1000000)->Unit(benchmark::kMicrosecond);

// The prototype built for x86-64-v3 (proto_v3.cpp): AVX2 through target_clones.
void ProtoSmaEvalAvx2(benchmark::State &state)
{
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
        state.SkipWithError("this CPU has no AVX2/FMA");
        return;
    }
    const auto closes = bars_of(static_cast<std::size_t>(state.range(0))).close();
    void *prepared = bench::proto_v3_api::prepare(closes.data(), closes.size());
    std::vector<kit::Position> positions(closes.size());
    Windows w;
    for (auto _ : state) {
        const auto [fast, slow] = w.next();
        const double sharpe = bench::proto_v3_api::evaluate_sharpe(prepared, fast, slow, positions.data());
        benchmark::DoNotOptimize(sharpe);
    }
    bench::proto_v3_api::release(prepared);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(ProtoSmaEvalAvx2)->Arg(2520)->Arg(1000000)->Unit(benchmark::kMicrosecond);

void SmaSignal(benchmark::State &state)
{
    const auto closes = bars_of(static_cast<std::size_t>(state.range(0))).close();
    std::vector<kit::Position> positions(closes.size());
    Windows w;
    for (auto _ : state) {
        const auto [fast, slow] = w.next();
        auto ok = kit::sma_crossover(closes, fast, slow, positions);
        benchmark::DoNotOptimize(ok);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(SmaSignal)->Arg(2520)->Arg(1000000)->Unit(benchmark::kMicrosecond);

void Metrics(benchmark::State &state)
{
    const auto closes = bars_of(static_cast<std::size_t>(state.range(0))).close();
    std::vector<kit::Position> positions(closes.size());
    (void)kit::sma_crossover(closes, 20, 120, positions);
    for (auto _ : state) {
        const auto m = kit::compute_metrics(closes, positions);
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
