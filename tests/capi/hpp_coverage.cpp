// btopt.hpp covers the whole C ABI (issue 18): each wrapper added for a C
// function it lacked, checked against what the C function answers for the
// same run, through libbtopt.so and the two public headers only.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <btopt/btopt.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

struct OptimizerDeleter {
    void operator()(btopt_optimizer *opt) const { btopt_optimizer_destroy(opt); }
};
struct ResultDeleter {
    void operator()(btopt_result *result) const { btopt_result_destroy(result); }
};
struct SeriesDeleter {
    void operator()(btopt_series *series) const { btopt_series_destroy(series); }
};
using COptimizer = std::unique_ptr<btopt_optimizer, OptimizerDeleter>;
using CResult = std::unique_ptr<btopt_result, ResultDeleter>;
using CSeries = std::unique_ptr<btopt_series, SeriesDeleter>;

// sma_crossover over a small grid (its own synthetic bars, which carry dates).
btopt::ParameterSpace small_sma_space()
{
    return btopt::ParameterSpace{btopt::DiscreteParameter("fast", 5, 20, 5), btopt::DiscreteParameter("slow", 30, 60, 10)};
}

btopt::ParallelOptimizer sma_optimizer(const btopt::ParameterSpace &space, btopt::Options options = {})
{
    options.n_jobs = 1;
    options.backend = "inline";
    return btopt::ParallelOptimizer(btopt::Plugin{"sma_crossover"}, &space, "grid", std::move(options));
}

// The same run through the C ABI alone.
COptimizer c_sma_optimizer(const btopt::ParameterSpace &space)
{
    btopt_optimizer *raw = nullptr;
    REQUIRE(btopt_optimizer_create(&raw, space.handle(), "grid") == BTOPT_OK);
    COptimizer opt(raw);
    REQUIRE(btopt_optimizer_use_plugin(opt.get(), "sma_crossover") == BTOPT_OK);
    REQUIRE(btopt_optimizer_set_int(opt.get(), "n_jobs", 1) == BTOPT_OK);
    REQUIRE(btopt_optimizer_set_string(opt.get(), "backend", "inline") == BTOPT_OK);
    return opt;
}

CResult c_run(btopt_optimizer *opt)
{
    btopt_result *raw = nullptr;
    REQUIRE(btopt_optimizer_run(opt, &raw) == BTOPT_OK);
    return CResult(raw);
}

btopt::ParameterSpace one_int(std::int64_t n) { return btopt::ParameterSpace{btopt::DiscreteParameter("x", 1, n)}; }

std::filesystem::path temp_path(const std::string &name)
{
    return std::filesystem::temp_directory_path() / ("btopt_hpp_" + std::to_string(::getpid()) + "_" + name);
}

struct Thrown : std::runtime_error {
    using std::runtime_error::runtime_error;
};

} // namespace

TEST_CASE("TrialStatus is a scoped enum equal to the C enum's values, named as the C ABI names them")
{
    const btopt::TrialStatus all[] = {btopt::TrialStatus::ok, btopt::TrialStatus::failed, btopt::TrialStatus::crashed,
                                      btopt::TrialStatus::timeout, btopt::TrialStatus::cancelled};
    for (const btopt::TrialStatus s : all) {
        const auto c = static_cast<btopt_trial_status>(static_cast<std::int32_t>(s));
        CHECK(s == c);
        CHECK(btopt::to_c(s) == c);
        CHECK(btopt::to_trial_status(c) == s);
        CHECK(btopt::to_string(s) == btopt_trial_status_name(static_cast<std::int32_t>(c)));
    }
    CHECK(btopt::to_string(btopt::TrialStatus::crashed) == "crashed");
    CHECK(btopt::status_name(BTOPT_ERR_NOT_FOUND) == "BTOPT_ERR_NOT_FOUND");
    CHECK(btopt::status_name(BTOPT_ERR_NOT_FOUND) == btopt_status_name(BTOPT_ERR_NOT_FOUND));
}

TEST_CASE("a run's trials and status counts carry TrialStatus")
{
    btopt::Options options{.n_jobs = 1, .backend = "inline", .ignore_errors = true};
    btopt::ParallelOptimizer opt(
        [](const btopt::Params &p) {
            if (p.get_int("x") % 3 == 0)
                throw std::runtime_error("multiple of three");
            return 1.0;
        },
        one_int(9), "grid", options);
    const btopt::OptimizationResult r = opt.optimize();
    REQUIRE(r.trials.size() == 9u);
    for (const btopt::TrialRecord &t : r.trials)
        CHECK(t.status == (std::get<std::int64_t>(t.params.at("x")) % 3 == 0 ? btopt::TrialStatus::failed
                                                                               : btopt::TrialStatus::ok));
    CHECK(r.status_counts.at(btopt::TrialStatus::failed) == 3u);
    CHECK(r.status_counts.at(btopt::TrialStatus::ok) == 6u);
}

TEST_CASE("a TrialFault records its trial crashed or timeout with its words (btopt_fail_trial)")
{
    btopt::Options options{.n_jobs = 1, .backend = "inline", .ignore_errors = true};
    btopt::ParallelOptimizer opt(
        [](const btopt::Params &p) {
            switch (p.get_int("x")) {
            case 1:
                throw btopt::TrialFault(btopt::TrialStatus::crashed, "my worker process was killed by signal 9");
            case 2:
                throw btopt::TrialFault(btopt::TrialStatus::timeout, "my worker ran past 2 s");
            case 3:
                throw btopt::TrialFault(btopt::TrialStatus::cancelled, "not a fault");
            case 4:
                throw std::runtime_error("plain"); // after a fault on the same thread: failed again
            default:
                return 1.0;
            }
        },
        one_int(5), "grid", options);
    const btopt::OptimizationResult r = opt.optimize();
    REQUIRE(r.trials.size() == 5u);
    const auto trial = [&](std::int64_t x) {
        return *std::find_if(r.trials.begin(), r.trials.end(), [&](const btopt::TrialRecord &t) {
            return std::get<std::int64_t>(t.params.at("x")) == x;
        });
    };
    CHECK(trial(1).status == btopt::TrialStatus::crashed);
    CHECK(trial(1).error == "my worker process was killed by signal 9");
    CHECK(trial(2).status == btopt::TrialStatus::timeout);
    CHECK(trial(2).error == "my worker ran past 2 s");
    CHECK(trial(3).status == btopt::TrialStatus::failed); // only failed, crashed or timeout can be asked for
    CHECK(trial(3).error.find("is not failed, crashed or timeout") != std::string::npos);
    CHECK(trial(4).status == btopt::TrialStatus::failed);
    CHECK(trial(4).error == "plain");
    CHECK(trial(5).status == btopt::TrialStatus::ok);
}

TEST_CASE("option_catalogue lists what btopt_option_info lists")
{
    const std::vector<btopt::OptionInfo> catalogue = btopt::option_catalogue();
    REQUIRE(catalogue.size() == btopt_option_count());
    REQUIRE(!catalogue.empty());
    for (std::size_t i = 0; i < catalogue.size(); ++i) {
        btopt_option_desc d{};
        d.struct_size = sizeof d;
        REQUIRE(btopt_option_info(i, &d) == BTOPT_OK);
        CHECK(catalogue[i].name == d.name);
        CHECK(catalogue[i].type == d.type);
        CHECK(catalogue[i].default_value == d.default_value);
        CHECK(catalogue[i].cli_flag == d.cli_flag);
        CHECK(catalogue[i].doc == d.doc);
    }
    CHECK(catalogue.front().name == "n_jobs");
    CHECK(catalogue.front().cli_flag == "--jobs");
}

TEST_CASE("the progress struct callback reports every trial in order, and its exception cancels and is rethrown")
{
    std::vector<btopt::Progress> calls;
    btopt::Options options{.n_jobs = 1, .backend = "inline"};
    options.progress = [&calls](const btopt::Progress &p) { calls.push_back(p); };
    btopt::ParallelOptimizer opt([](const btopt::Params &p) { return static_cast<double>(p.get_int("x")); }, one_int(12),
                                 "grid", options);
    const btopt::OptimizationResult r = opt.optimize();
    std::vector<std::uint64_t> reported;
    for (const btopt::Progress &p : calls)
        if (p.trial)
            reported.push_back(*p.trial);
    const std::vector<std::uint64_t> in_order = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    CHECK(reported == in_order);
    REQUIRE(!calls.empty());
    CHECK(calls.back().done == 12u);
    CHECK(calls.back().total == 12u);
    CHECK(calls.back().ok == 12u);
    CHECK(calls.back().best_score == r.best_score);

    // An exception thrown by the callback cancels the run and comes out of optimize().
    std::uint64_t evaluated = 0;
    btopt::Options throwing{.n_jobs = 1, .backend = "inline"};
    throwing.progress = [](const btopt::Progress &p) {
        if (p.trial && *p.trial == 2)
            throw Thrown("stop at trial 2");
    };
    btopt::ParallelOptimizer stopped(
        [&evaluated](const btopt::Params &) {
            ++evaluated;
            return 1.0;
        },
        one_int(200), "grid", throwing);
    CHECK_THROWS_AS(stopped.optimize(), Thrown);
    CHECK(evaluated < 200u);
}

TEST_CASE("report_cpu_seconds: the speedup counts the reported CPU time, not the wait")
{
    CHECK_THROWS_AS(btopt::report_cpu_seconds(-1.0), btopt::Error);
    try {
        btopt::report_cpu_seconds(std::nan(""));
        FAIL("a NaN report should be refused");
    } catch (const btopt::Error &e) {
        CHECK(e.status() == BTOPT_ERR_INVALID_ARGUMENT);
    }
    const auto proxy = [](bool reports) {
        return [reports](const btopt::Params &) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2)); // waiting for another process
            if (reports)
                btopt::report_cpu_seconds(0.0005);
            return 1.0;
        };
    };
    const btopt::Options options{.n_jobs = 1, .backend = "inline"};
    btopt::ParallelOptimizer waits(proxy(false), one_int(20), "grid", options);
    btopt::ParallelOptimizer reports(proxy(true), one_int(20), "grid", options);
    const btopt::OptimizationResult waited = waits.optimize(), reported = reports.optimize();
    CHECK(waited.speedup_cpu_share == 0.0);
    CHECK(reported.speedup_cpu_share == 1.0);
    CHECK(reported.speedup < 0.5); // 0.5 ms of CPU per 2 ms of waiting: about 0.25
    CHECK(waited.speedup > 0.5);   // the wait itself: about 1
    CHECK(reported.efficiency == doctest::Approx(reported.speedup / reported.workers));
}

TEST_CASE("fork hooks run around every fork of the host; after_child runs in the worker before it evaluates")
{
    static int child_hook_ran = 0; // set in each forked worker by after_child
    child_hook_ran = 0;
    int before = 0, after_parent = 0;
    const btopt::Options options{.n_jobs = 2, .backend = "process", .start_method = "fork"};
    btopt::ParallelOptimizer opt([](const btopt::Params &) { return child_hook_ran ? 1.0 : -1.0; }, one_int(8), "grid",
                                 options);
    opt.set_fork_hooks({.before = [&before] { ++before; },
                        .after_parent = [&after_parent] { ++after_parent; },
                        .after_child = [] { child_hook_ran = 1; }});
    const btopt::OptimizationResult r = opt.optimize();
    CHECK(before == 2); // one fork per worker
    CHECK(after_parent == before);
    CHECK(r.status_counts.at(btopt::TrialStatus::ok) == 8u);
    for (const btopt::TrialRecord &t : r.trials)
        CHECK(t.score == 1.0);
    CHECK(child_hook_ran == 0); // only the workers ran it

    // Empty hooks remove them.
    opt.set_fork_hooks({});
    (void)opt.optimize();
    CHECK(before == 2);

    // A hook's exception cancels the run and comes out of optimize().
    opt.set_fork_hooks({.before = [] { throw Thrown("no forks today"); }});
    CHECK_THROWS_AS(opt.optimize(), Thrown);
}

TEST_CASE("equity curves carry the bars' dates, as btopt_series_dates gives them")
{
    const btopt::ParameterSpace space = small_sma_space();
    btopt::ParallelOptimizer opt = sma_optimizer(space);
    const btopt::OptimizationResult r = opt.optimize();
    REQUIRE(r.best_index);
    const btopt::EquityCurve curve = opt.equity_curve(r, *r.best_index);

    COptimizer c_opt = c_sma_optimizer(space);
    btopt_series *raw = nullptr;
    REQUIRE(btopt_optimizer_equity_curve(&raw, c_opt.get(), r.params_view(*r.best_index)) == BTOPT_OK);
    const CSeries series(raw);
    const std::int64_t *days = btopt_series_dates(raw);
    REQUIRE(days != nullptr);
    REQUIRE(curve.dates.size() == btopt_series_length(raw));
    REQUIRE(curve.dates.size() == curve.equity.size());
    for (std::size_t i = 0; i < curve.dates.size(); ++i) {
        REQUIRE(curve.dates[i].time_since_epoch().count() == days[i]);
        REQUIRE(curve.equity[i] == btopt_series_equity(raw)[i]);
    }
    CHECK(curve.dates.front() < curve.dates.back());
}

TEST_CASE("selection statistics, sensitivity and warnings are what the C ABI says for the same run")
{
    const btopt::ParameterSpace space = small_sma_space();
    btopt::ParallelOptimizer opt = sma_optimizer(space);
    const btopt::OptimizationResult r = opt.optimize();
    COptimizer c_opt = c_sma_optimizer(space);
    const CResult c = c_run(c_opt.get());
    btopt_selection s{};
    s.struct_size = sizeof s;
    REQUIRE(btopt_result_selection(c.get(), &s) == BTOPT_OK);

    REQUIRE(r.selection.sharpe.has_value() == (s.has_sharpe != 0));
    REQUIRE(r.selection.sharpe);
    CHECK(r.selection.sharpe->psr == s.psr);
    CHECK(r.selection.sharpe->dsr == s.dsr);
    CHECK(r.selection.sharpe->n_trials == s.n_trials);
    REQUIRE(r.selection.pbo.has_value() == (s.has_pbo != 0));
    if (r.selection.pbo)
        CHECK(r.selection.pbo->pbo == s.pbo);
    REQUIRE(r.selection.robust.has_value() == (s.has_robust != 0));
    REQUIRE(r.selection.robust);
    CHECK(r.selection.robust->robust_index == s.robust_index);
    CHECK(r.selection.robust->chosen_index == s.chosen_index);
    CHECK(r.selection.note == btopt_result_selection_note(c.get()));

    for (std::size_t k = 0; k < 2; ++k) {
        double lo = 0, hi = 0;
        std::uint64_t points = 0;
        REQUIRE(btopt_result_sensitivity(c.get(), k, &lo, &hi, &points) == BTOPT_OK);
        const std::optional<btopt::Sensitivity> sens = r.sensitivity(k);
        REQUIRE(sens);
        CHECK(sens->min_score == lo);
        CHECK(sens->max_score == hi);
        CHECK(sens->points == points);
    }
    CHECK(!r.sensitivity(2)); // past the last parameter

    CHECK(r.warnings.empty());
    CHECK(std::string(btopt_result_warnings(c.get())).empty());
}

TEST_CASE("a plugin's finish that crashes is a warning line")
{
    const std::string evil = std::string(BTOPT_TEST_PLUGIN_DIR) + "/evil.so";
    btopt::ParallelOptimizer opt(btopt::Plugin{evil, {{"finish_crash", "1"}}}, nullptr, "grid",
                                 btopt::Options{.n_jobs = 2});
    const btopt::OptimizationResult r = opt.optimize();
    REQUIRE(r.warnings.size() == 1u);
    CHECK(r.warnings.front().find("finish") != std::string::npos);
}

TEST_CASE("walkforward gives the windows btopt_optimizer_walkforward gives, and refuses a bad length")
{
    const btopt::ParameterSpace space = small_sma_space();
    btopt::ParallelOptimizer opt = sma_optimizer(space);
    const btopt::WalkForward wf = opt.walkforward({.train = "500", .test = "500"});

    COptimizer c_opt = c_sma_optimizer(space);
    btopt_walkforward_spec spec{};
    spec.struct_size = sizeof spec;
    spec.train = "500";
    spec.test = "500";
    btopt_walkforward *raw = nullptr;
    REQUIRE(btopt_optimizer_walkforward(c_opt.get(), &spec, &raw) == BTOPT_OK);
    CHECK(wf.window_count == btopt_walkforward_window_count(raw));
    CHECK(wf.window_count > 1u);
    CHECK(wf.json.find("\"windows\"") != std::string::npos);
    btopt_walkforward_destroy(raw);

    try {
        (void)opt.walkforward({.train = "five hundred", .test = "500"});
        FAIL("a bad length should be refused");
    } catch (const btopt::Error &e) {
        CHECK(e.status() == BTOPT_ERR_INVALID_ARGUMENT);
        CHECK(e.partial_walkforward() == nullptr);
    }
#ifdef __cpp_lib_expected
    const auto refused = opt.try_walkforward({.train = "500", .test = "no"});
    REQUIRE(!refused.has_value());
    CHECK(refused.error().status() == BTOPT_ERR_INVALID_ARGUMENT);
#endif
}

TEST_CASE("study_runs and export_study read a study as the C ABI does")
{
    const std::filesystem::path study = temp_path("study.db"), json = temp_path("export.json");
    std::filesystem::remove(study);
    const auto objective = [](const btopt::Params &p) { return static_cast<double>(p.get_int("x")); };
    for (const char *mode : {"resume", "new"}) {
        btopt::Options options{.n_jobs = 1, .backend = "inline"};
        options.study = study.string();
        options.study_mode = mode;
        btopt::ParallelOptimizer opt(objective, one_int(5), "grid", options);
        (void)opt.optimize();
    }
    const std::vector<std::int64_t> runs = btopt::study_runs(study.string());
    std::size_t count = 0;
    std::int64_t ids[4] = {};
    REQUIRE(btopt_study_runs(study.string().c_str(), ids, 4, &count) == BTOPT_OK);
    REQUIRE(runs.size() == count);
    CHECK(runs.size() == 2u);
    for (std::size_t i = 0; i < count; ++i)
        CHECK(runs[i] == ids[i]);

    btopt::export_study(study.string(), 0, json.string(), "");
    CHECK(std::filesystem::file_size(json) > 0u);
    CHECK_THROWS_AS(btopt::export_study(study.string(), 0, "", ""), btopt::Error);
    CHECK_THROWS_AS(btopt::study_runs(temp_path("absent.db").string()), btopt::Error);
    std::filesystem::remove(study);
    std::filesystem::remove(json);
}

TEST_CASE("Search::tell takes a TrialStatus")
{
    btopt::Search search(one_int(3), "grid");
    const auto trials = search.ask(3);
    REQUIRE(trials.size() == 3u);
    search.tell(trials[0].number, btopt::TrialStatus::failed, 0.0);
    search.tell(trials[1].number, 2.0);
    search.tell(trials[2].number, btopt::TrialStatus::ok, 1.0);
    CHECK(search.done());
    REQUIRE(search.best());
    CHECK(search.best()->number == trials[1].number);
}

TEST_CASE("optimizer_search, optimizer_space and Evaluator score a plugin run's points as the run does")
{
    const btopt::ParameterSpace space = small_sma_space();
    COptimizer c_opt = c_sma_optimizer(space);
    const CResult run = c_run(c_opt.get());
    const std::vector<btopt::Parameter> searched = btopt::optimizer_space(c_opt.get());
    REQUIRE(searched.size() == 2u);
    btopt::SearchHandle search = btopt::optimizer_search(c_opt.get());
    btopt::Evaluator evaluator(c_opt.get());
    CHECK(evaluator.metric_count() == btopt_result_metric_count(run.get()));
    std::vector<std::uint64_t> numbers(64);
    std::vector<const btopt_params *> views(64);
    std::size_t count = 0;
    REQUIRE(btopt_search_ask(search.get(), numbers.size(), numbers.data(), views.data(), &count) == BTOPT_OK);
    REQUIRE(count == btopt_result_trial_count(run.get()));
    for (std::size_t i = 0; i < count; ++i) {
        std::int64_t fast = 0, slow = 0;
        std::uint64_t seed = 0;
        REQUIRE(btopt_params_get_int(views[i], "fast", &fast) == BTOPT_OK);
        REQUIRE(btopt_params_get_int(views[i], "slow", &slow) == BTOPT_OK);
        REQUIRE(btopt_params_seed(views[i], &seed) == BTOPT_OK);
        const btopt::PointEvaluation e =
            evaluator.evaluate({static_cast<double>(fast), static_cast<double>(slow)}, seed);
        const btopt_params *params = nullptr;
        double score = 0.0;
        std::int32_t status = 0;
        REQUIRE(btopt_result_trial(run.get(), numbers[i], &params, &score, &status) == BTOPT_OK);
        std::int64_t run_fast = 0;
        REQUIRE(btopt_params_get_int(params, "fast", &run_fast) == BTOPT_OK);
        CHECK(run_fast == fast);
        CHECK(static_cast<std::int32_t>(e.status) == status);
        CHECK(e.score == score);
        CHECK(e.error.empty());
        REQUIRE(btopt_search_tell(search.get(), numbers[i], status, score, nullptr, 0) == BTOPT_OK);
    }
    CHECK(btopt_search_done(search.get()) == 1);
    CHECK_THROWS_AS(evaluator.evaluate({1.0}, 0), btopt::Error); // two parameters, not one
}

TEST_CASE("an Evaluator needs a plugin")
{
    const btopt::ParameterSpace space = one_int(3);
    btopt_optimizer *raw = nullptr;
    REQUIRE(btopt_optimizer_create(&raw, space.handle(), "grid") == BTOPT_OK);
    COptimizer c_opt(raw);
    btopt_evaluator *ev = nullptr;
    CHECK(btopt_evaluator_create(&ev, c_opt.get()) == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(ev == nullptr);
    CHECK(std::string(btopt_last_error()).find("btopt_optimizer_use_plugin") != std::string::npos);
}
