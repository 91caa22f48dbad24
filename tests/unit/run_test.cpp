// Whole runs through the C++ API: the promises users rely on.
#include <btopt/btopt.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace btopt;

namespace {

ParameterSpace fast_slow()
{
    return ParameterSpace{{DiscreteParameter("fast", 10, 50, 5), DiscreteParameter("slow", 50, 200, 25)},
                          {"fast < slow"}};
}

double score(const Params &p)
{
    const auto fast = static_cast<double>(p.get_int("fast"));
    const auto slow = static_cast<double>(p.get_int("slow"));
    return std::sin(fast / 7.0) + std::cos(slow / 31.0) + fast / (slow + 1.0);
}

struct Row {
    std::uint64_t number;
    ParamMap params;
    double score;
    TrialStatus status;
    bool operator==(const Row &) const = default;
};

std::vector<Row> rows(const OptimizationResult &r)
{
    std::vector<Row> out;
    for (const TrialRecord &t : r.trials)
        out.push_back(Row{t.number, t.params, std::isnan(t.score) ? -1e300 : t.score, t.status});
    return out;
}

Options options_for(const std::string &backend, std::int64_t jobs, std::int64_t batch)
{
    Options o;
    o.backend = backend;
    o.n_jobs = jobs;
    o.batch_size = batch;
    o.random_seed = 42;
    o.n_iterations = 40;
    o.population_size = 12;
    o.n_generations = 6;
    return o;
}

} // namespace

TEST_CASE("every algorithm gives identical trials for any backend, n_jobs and batch_size")
{
    for (const std::string algorithm : {"grid", "random", "genetic", "bayesian", "cmaes", "gp"}) {
        CAPTURE(algorithm);
        const auto reference = ParallelOptimizer(score, fast_slow(), algorithm, options_for("inline", 1, 0)).optimize();
        REQUIRE(!reference.trials.empty());
        for (const auto &[backend, jobs, batch] : {std::tuple{"inline", 1, 5}, std::tuple{"thread", 1, 0},
                                                  std::tuple{"thread", 2, 0}, std::tuple{"thread", 4, 0},
                                                  std::tuple{"thread", 4, 1}, std::tuple{"thread", 2, 3}}) {
            CAPTURE(backend);
            CAPTURE(jobs);
            CAPTURE(batch);
            const auto other = ParallelOptimizer(score, fast_slow(), algorithm, options_for(backend, jobs, batch)).optimize();
            CHECK(rows(other) == rows(reference));
            CHECK(other.best_params == reference.best_params);
            CHECK(other.best_score == reference.best_score);
        }
    }
}

TEST_CASE("bayesian and gp batches give identical trials for any backend and n_jobs, and differ by batch_q only")
{
    for (const std::string algorithm : {"bayesian", "gp"}) {
        CAPTURE(algorithm);
        std::vector<std::vector<Row>> by_q;
        for (const std::int64_t q : {1, 4}) {
            CAPTURE(q);
            Options reference_options = options_for("inline", 1, 0);
            reference_options.batch_q = q;
            const auto reference = ParallelOptimizer(score, fast_slow(), algorithm, reference_options).optimize();
            CHECK(reference.trials.size() == 40u);
            for (const auto &[backend, jobs] : {std::pair{"thread", 1}, std::pair{"thread", 2},
                                               std::pair{"inline", 1}, std::pair{"thread", 4}}) {
                CAPTURE(backend);
                CAPTURE(jobs);
                Options o = options_for(backend, jobs, 0);
                o.batch_q = q;
                const auto other = ParallelOptimizer(score, fast_slow(), algorithm, o).optimize();
                CHECK(rows(other) == rows(reference));
            }
            by_q.push_back(rows(reference));
        }
        CHECK(by_q[0] != by_q[1]);
    }
}

TEST_CASE("where patience stops an adaptive search does not depend on the backend or n_jobs")
{
    for (const std::string algorithm : {"bayesian", "cmaes", "gp"}) {
        CAPTURE(algorithm);
        Options reference_options = options_for("inline", 1, 0);
        reference_options.patience = 4;
        reference_options.batch_q = 2;
        const auto reference = ParallelOptimizer(score, fast_slow(), algorithm, reference_options).optimize();
        CHECK(reference.trials.size() < 40u);
        for (const auto &[backend, jobs] : {std::pair{"thread", 2}, std::pair{"thread", 4}}) {
            CAPTURE(jobs);
            Options o = options_for(backend, jobs, 0);
            o.patience = 4;
            o.batch_q = 2;
            CHECK(rows(ParallelOptimizer(score, fast_slow(), algorithm, o).optimize()) == rows(reference));
        }
    }
}

TEST_CASE("a grid scores every valid point and the best is the maximum")
{
    const auto r = ParallelOptimizer(score, fast_slow(), "grid", {.n_jobs = 2}).optimize();
    CHECK(r.trials.size() == 62u);
    double best = -1e300;
    for (const TrialRecord &t : r.trials)
        best = std::max(best, t.score);
    CHECK(r.best_score == best);
}

TEST_CASE("minimize picks the lowest score, and ties go to the lowest trial number")
{
    const auto flat = [](const Params &p) { return p.get_int("fast") >= 30 ? 1.0 : 2.0; };
    const auto max = ParallelOptimizer(flat, fast_slow(), "grid", {.n_jobs = 2}).optimize();
    CHECK(max.best_score == 2.0);
    CHECK(std::get<std::int64_t>(max.best_params.at("fast")) == 10); // trial 0
    CHECK(std::get<std::int64_t>(max.best_params.at("slow")) == 50);
    const auto min = ParallelOptimizer(flat, fast_slow(), "grid", {.n_jobs = 2, .direction = "minimize"}).optimize();
    CHECK(min.best_score == 1.0);
    CHECK(std::get<std::int64_t>(min.best_params.at("fast")) == 30); // the first trial with fast >= 30
    CHECK(std::get<std::int64_t>(min.best_params.at("slow")) == 50);
}

TEST_CASE("NaN and infinite scores fail their trial and are never the best")
{
    const auto objective = [](const Params &p) {
        const auto fast = p.get_int("fast");
        if (fast == 10)
            return std::nan("");
        if (fast == 15)
            return HUGE_VAL;
        return static_cast<double>(-fast);
    };
    const auto r = ParallelOptimizer(objective, fast_slow(), "grid", {.n_jobs = 2, .ignore_errors = true}).optimize();
    std::size_t failed = 0;
    for (const TrialRecord &t : r.trials)
        if (t.status == BTOPT_TRIAL_FAILED) {
            ++failed;
            CHECK(std::isnan(t.score));
            CHECK(t.error.find("score of") != std::string::npos);
        }
    CHECK(failed == 14u);
    CHECK(r.best_score == -20.0);
}

TEST_CASE("require: a trial that breaks it is infeasible with its score kept, never the best, and the run goes on")
{
    const double limit = 1.2;
    const auto r = ParallelOptimizer(score, fast_slow(), "grid",
                                     {.n_jobs = 2, .backend = "thread", .require = "score < 1.2"})
                       .optimize();
    REQUIRE(r.trials.size() == 62u);
    double best_feasible = -1e300, best_any = -1e300;
    std::size_t infeasible = 0;
    for (const TrialRecord &t : r.trials) {
        CHECK(std::isfinite(t.score));
        best_any = std::max(best_any, t.score);
        if (t.score < limit) {
            CHECK(t.status == BTOPT_TRIAL_OK);
            best_feasible = std::max(best_feasible, t.score);
        } else {
            CHECK(t.status == BTOPT_TRIAL_INFEASIBLE);
            ++infeasible;
        }
    }
    REQUIRE(infeasible > 0u);
    CHECK(best_any > best_feasible);
    CHECK(r.best_score == best_feasible);
    CHECK(r.status_counts.at(TrialStatus::infeasible) == infeasible);
}

TEST_CASE("require: adaptive searches rank infeasible trials and give the same trials for any backend and n_jobs")
{
    // How an infeasible trial ranks is tested in model_search_test.cpp; here:
    // the statuses, the best (feasible only) and the same trials for inline,
    // thread and process workers.
    for (const std::string algorithm : {"genetic", "bayesian", "cmaes", "gp"}) {
        CAPTURE(algorithm);
        Options held = options_for("inline", 1, 0);
        held.require = "score < 1";
        const auto reference = ParallelOptimizer(score, fast_slow(), algorithm, held).optimize();
        std::size_t infeasible = 0;
        double best_feasible = -1e300;
        for (const TrialRecord &t : reference.trials) {
            CHECK(t.status == (t.score >= 1.0 ? BTOPT_TRIAL_INFEASIBLE : BTOPT_TRIAL_OK));
            infeasible += t.status == BTOPT_TRIAL_INFEASIBLE;
            if (t.status == BTOPT_TRIAL_OK)
                best_feasible = std::max(best_feasible, t.score);
        }
        CHECK(infeasible > 0u);
        CHECK(reference.best_score == best_feasible);
        for (const auto &[backend, jobs] : {std::pair{"thread", 3}, std::pair{"process", 2}}) {
            CAPTURE(backend);
            Options o = options_for(backend, jobs, 0);
            o.require = held.require;
            CHECK(rows(ParallelOptimizer(score, fast_slow(), algorithm, o).optimize()) == rows(reference));
        }
    }
}

TEST_CASE("require naming an unknown metric or not parsing is refused before the first evaluation")
{
    std::atomic<int> calls{0};
    const auto counted = [&](const Params &p) {
        ++calls;
        return score(p);
    };
    for (const std::string bad : {"trades >= 30", "score >", "score = 2"}) {
        CAPTURE(bad);
        try {
            ParallelOptimizer(counted, fast_slow(), "grid", {.n_jobs = 1, .require = bad}).optimize();
            FAIL("the run should have been refused");
        } catch (const Error &e) {
            CHECK(e.status() == BTOPT_ERR_INVALID_ARGUMENT);
            CHECK(std::string(e.what()).find("require") != std::string::npos);
        }
    }
    CHECK(calls.load() == 0);
    try {
        ParallelOptimizer(counted, fast_slow(), "grid", {.n_jobs = 1, .require = "trades >= 30"}).optimize();
    } catch (const Error &e) {
        // names the metric it does not know and the ones it does
        CHECK(std::string(e.what()).find("'trades'") != std::string::npos);
        CHECK(std::string(e.what()).find("score") != std::string::npos);
    }
}

TEST_CASE("max_seconds: the run ends ok once its budget is spent, with the trials an unbudgeted run has first")
{
    const auto slow = [](const Params &p) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return score(p);
    };
    for (const std::string algorithm : {"grid", "genetic"}) {
        CAPTURE(algorithm);
        Options o = options_for("thread", 2, 0);
        const auto whole = ParallelOptimizer(score, fast_slow(), algorithm, o).optimize();
        CHECK(!whole.stopped_on_budget);
        o.max_seconds = 0.25; // 62 points of 20 ms on 2 workers take 0.6 s
        const auto start = std::chrono::steady_clock::now();
        const auto cut = ParallelOptimizer(slow, fast_slow(), algorithm, o).optimize(); // no throw: ok
        const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        CHECK(cut.stopped_on_budget);
        CHECK(took < 5.0);
        REQUIRE(cut.evaluated > 0u);
        CHECK(cut.evaluated < whole.trials.size());
        REQUIRE(cut.trials.size() <= whole.trials.size());
        std::size_t evaluated = 0;
        for (std::size_t i = 0; i < cut.trials.size(); ++i) {
            const TrialRecord &t = cut.trials[i];
            CHECK(t.number == whole.trials[i].number);
            CHECK(t.params == whole.trials[i].params); // the same search, cut short
            if (t.status == BTOPT_TRIAL_CANCELLED) {
                CHECK(t.error.find("max_seconds") != std::string::npos);
                continue;
            }
            CHECK(t.status == BTOPT_TRIAL_OK);
            CHECK(t.score == whole.trials[i].score);
            ++evaluated;
        }
        CHECK(evaluated == cut.evaluated);
        CHECK(cut.best_score == [&] {
            double best = -1e300;
            for (const TrialRecord &t : cut.trials)
                if (t.status == BTOPT_TRIAL_OK)
                    best = std::max(best, t.score);
            return best;
        }());
    }
}

TEST_CASE("max_seconds must be a number of seconds; 0 is no budget")
{
    const auto r = ParallelOptimizer(score, fast_slow(), "grid", {.n_jobs = 1, .max_seconds = 0.0}).optimize();
    CHECK(r.trials.size() == 62u);
    CHECK(!r.stopped_on_budget);
    for (const double bad : {-1.0, std::nan("")}) {
        try {
            ParallelOptimizer(score, fast_slow(), "grid", {.n_jobs = 1, .max_seconds = bad}).optimize();
            FAIL("refused");
        } catch (const Error &e) {
            CHECK(e.status() == BTOPT_ERR_INVALID_ARGUMENT);
            CHECK(std::string(e.what()).find("max_seconds") != std::string::npos);
        }
    }
}

TEST_CASE("eval_timeout and max_memory_per_worker are refused where no worker process runs")
{
    // A thread cannot be stopped or capped: a timeout that never fires would
    // let one hanging evaluation hang the run while the user thinks it is bounded.
    for (const auto &[backend, jobs] : {std::pair<std::string, std::int64_t>{"inline", 1}, {"thread", 2}, {"", 1}, {"", 2}}) {
        CAPTURE(backend);
        CAPTURE(jobs);
        Options timed;
        timed.n_jobs = jobs;
        if (!backend.empty())
            timed.backend = backend;
        Options capped = timed;
        timed.eval_timeout = 5.0;
        capped.max_memory_per_worker = "1GB";
        for (const auto &[options, name] : {std::pair{timed, "eval_timeout"}, {capped, "max_memory_per_worker"}}) {
            std::atomic<int> evaluated{0};
            try {
                ParallelOptimizer([&](const Params &p) { ++evaluated; return score(p); }, fast_slow(), "grid", options)
                    .optimize();
                FAIL("refused");
            } catch (const Error &e) {
                CHECK(e.status() == BTOPT_ERR_UNSUPPORTED);
                const std::string words = e.what();
                CHECK(words.find(name) != std::string::npos);
                CHECK(words.find("backend 'process'") != std::string::npos);
            }
            CHECK(evaluated == 0);
        }
    }
    Options processes;
    processes.backend = "process";
    processes.n_jobs = 2;
    processes.eval_timeout = 5.0;
    CHECK(ParallelOptimizer(score, fast_slow(), "grid", processes).optimize().trials.size() == 62u);
}

TEST_CASE("without ignore_errors the first failing trial stops the run and names its point")
{
    const auto objective = [](const Params &p) -> double {
        if (p.get_int("fast") == 25 && p.get_int("slow") == 100)
            throw std::runtime_error("bad window");
        return 1.0;
    };
    for (const std::int64_t jobs : {1, 2}) {
        try {
            ParallelOptimizer(objective, fast_slow(), "grid", {.n_jobs = jobs}).optimize();
            FAIL("the run should have stopped");
        } catch (const Error &e) {
            CHECK(e.status() == BTOPT_ERR_OBJECTIVE);
            CHECK(std::string(e.what()).find("fast=25, slow=100") != std::string::npos);
            CHECK(std::string(e.what()).find("bad window") != std::string::npos);
            REQUIRE(e.partial() != nullptr);
            // Everything proposed before the failure finished and is kept.
            REQUIRE(e.partial()->trials.size() >= 24u);
            CHECK(e.partial()->trials[23].status == BTOPT_TRIAL_FAILED);
            for (std::size_t i = 0; i < 23; ++i)
                CHECK(e.partial()->trials[i].status == BTOPT_TRIAL_OK);
        }
    }
}

TEST_CASE("with ignore_errors a failing objective only marks its trial failed")
{
    const auto objective = [](const Params &p) -> double {
        if (p.get_int("slow") == 100)
            throw std::runtime_error("no data for slow=100");
        return static_cast<double>(p.get_int("fast"));
    };
    const auto r = ParallelOptimizer(objective, fast_slow(), "grid", {.n_jobs = 2, .ignore_errors = true}).optimize();
    CHECK(r.trials.size() == 62u);
    for (const TrialRecord &t : r.trials) {
        const bool bad = std::get<std::int64_t>(t.params.at("slow")) == 100;
        CHECK((t.status == BTOPT_TRIAL_FAILED) == bad);
        if (bad)
            CHECK(t.error == "no data for slow=100");
    }
    CHECK(r.best_score == 50.0);
}

TEST_CASE("progress is reported on the calling thread with done rising to the total")
{
    const auto caller = std::this_thread::get_id();
    std::uint64_t last = 0, calls = 0, final_total = 0;
    bool same_thread = true, monotonic = true;
    Options o{.n_jobs = 2, .batch_size = 1};
    o.callback = [&](std::uint64_t done, std::uint64_t total, double) {
        same_thread = same_thread && std::this_thread::get_id() == caller;
        monotonic = monotonic && done >= last && done <= total;
        last = done;
        final_total = total;
        ++calls;
    };
    // 5 ms per evaluation, so the run lasts long enough to report more than once.
    const auto slow_score = [](const Params &p) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return score(p);
    };
    ParallelOptimizer(slow_score, fast_slow(), "grid", o).optimize();
    CHECK(same_thread);
    CHECK(monotonic);
    CHECK(calls > 1u);
    CHECK(last == 62u);
    CHECK(final_total == 62u);
}

TEST_CASE("an exception thrown by the progress callback cancels the run and is thrown again by optimize")
{
    struct Stop : std::runtime_error {
        using std::runtime_error::runtime_error;
    };
    std::atomic<int> evaluated{0};
    Options o{.n_jobs = 1, .batch_size = 1, .backend = "inline"};
    int calls_after_throw = 0;
    bool thrown = false;
    o.callback = [&](std::uint64_t done, std::uint64_t, double) {
        calls_after_throw += thrown;
        if (done >= 3) {
            thrown = true;
            throw Stop("stop here");
        }
    };
    const auto counted = [&](const Params &p) {
        ++evaluated;
        return score(p);
    };
    ParallelOptimizer opt(counted, fast_slow(), "grid", o);
    CHECK_THROWS_AS(opt.optimize(), Stop);
    CHECK(calls_after_throw == 0);
    CHECK(evaluated.load() < 62); // cancelled, not run to the end
    // The exception and the cancel were spent: the same optimizer runs afresh
    // (evaluating again until its callback throws again).
    thrown = false;
    evaluated = 0;
    CHECK_THROWS_AS(opt.optimize(), Stop);
    CHECK(evaluated.load() >= 3);
}

TEST_CASE("cancelling from the progress callback returns the partial result")
{
    for (const std::string backend : {"inline", "thread"}) {
        CAPTURE(backend);
        ParallelOptimizer *self = nullptr;
        Options o{.n_jobs = backend == "inline" ? 1 : 2, .batch_size = 1, .backend = backend};
        o.callback = [&](std::uint64_t done, std::uint64_t, double) {
            if (done >= 5)
                self->cancel();
        };
        // 5 ms per evaluation (155 ms in all on 2 workers): the coordinator
        // looks at least every 50 ms, long before all 62 are done.
        const auto slow_score = [](const Params &p) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            return score(p);
        };
        ParallelOptimizer opt(slow_score, fast_slow(), "grid", o);
        self = &opt;
        try {
            opt.optimize();
            FAIL("the run should have been cancelled");
        } catch (const Error &e) {
            CHECK(e.status() == BTOPT_ERR_CANCELLED);
            REQUIRE(e.partial() != nullptr);
            std::size_t ok = 0, cancelled = 0;
            for (const TrialRecord &t : e.partial()->trials) {
                ok += t.status == BTOPT_TRIAL_OK;
                cancelled += t.status == BTOPT_TRIAL_CANCELLED;
            }
            CHECK(ok >= 5u);
            CHECK(ok < 62u);
            CHECK(ok + cancelled == e.partial()->trials.size());
        }
        // The optimizer runs again afresh after a cancellation.
        CHECK(ParallelOptimizer(score, fast_slow(), "grid", {.n_jobs = 1}).optimize().trials.size() == 62u);
    }
}

TEST_CASE("after a cancel progress counts only finished evaluations and its last call says how many will ever finish")
{
    for (const std::string backend : {"inline", "thread", "process"}) {
        CAPTURE(backend);
        ParallelOptimizer *self = nullptr;
        std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
        Options o{.n_jobs = backend == "inline" ? 1 : 2, .batch_size = 1, .backend = backend};
        o.callback = [&](std::uint64_t done, std::uint64_t total, double) {
            calls.emplace_back(done, total);
            if (done >= 10)
                self->cancel();
        };
        const auto slow_score = [](const Params &p) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            return score(p);
        };
        ParallelOptimizer opt(slow_score, fast_slow(), "grid", o);
        self = &opt;
        try {
            opt.optimize();
            FAIL("the run should have been cancelled");
        } catch (const Error &e) {
            REQUIRE(e.partial() != nullptr);
            std::uint64_t evaluated = 0;
            for (const TrialRecord &t : e.partial()->trials)
                evaluated += t.status != BTOPT_TRIAL_CANCELLED;
            CHECK(evaluated < 62u);
            REQUIRE_FALSE(calls.empty());
            for (const auto &[done, total] : calls)
                CHECK(done <= evaluated);
            CHECK(calls.back().first == evaluated);
            CHECK(calls.back().second == evaluated);
        }
    }
}

TEST_CASE("keep_trials keeps only the best that many, in trial order, with the same best")
{
    const auto all = ParallelOptimizer(score, fast_slow(), "grid", {.n_jobs = 2}).optimize();
    const auto kept = ParallelOptimizer(score, fast_slow(), "grid", {.n_jobs = 2, .keep_trials = 5}).optimize();
    REQUIRE(kept.trials.size() == 5u);
    CHECK(kept.best_score == all.best_score);
    CHECK(kept.best_params == all.best_params);
    std::vector<double> scores;
    for (const TrialRecord &t : all.trials)
        scores.push_back(t.score);
    std::sort(scores.rbegin(), scores.rend());
    for (std::size_t i = 0; i < kept.trials.size(); ++i) {
        CHECK(kept.trials[i].score >= scores[4]);
        if (i > 0)
            CHECK(kept.trials[i].number > kept.trials[i - 1].number);
    }
}

TEST_CASE("the JSON file holds the run and every trial, with integers kept as integers")
{
    const auto path = std::filesystem::temp_directory_path() / "btopt-run-test.json";
    ParameterSpace space{{DiscreteParameter("n", 1, 3), ContinuousParameter("x", 0.0, 1.0, 0.5),
                          CategoricalParameter("mode", {"fast", "slow"})}};
    const auto objective = [](const Params &p) {
        return p.get_string("mode") == "fast" ? p.get_double("x") + static_cast<double>(p.get_int("n")) : std::nan("");
    };
    const auto r = ParallelOptimizer(objective, space, "grid", {.n_jobs = 1, .ignore_errors = true}).optimize();
    r.write_json(path.string());
    std::ifstream in(path);
    const auto json = nlohmann::json::parse(in);
    CHECK(json["algorithm"] == "grid");
    CHECK(json["direction"] == "maximize");
    CHECK(json["n_trials"] == 18);
    CHECK(json["trials"].size() == 18u);
    CHECK(json["best_params"]["n"].is_number_integer());
    CHECK(json["best_params"]["n"] == 3);
    CHECK(json["best_params"]["x"] == 1.0);
    CHECK(json["best_params"]["mode"] == "fast");
    CHECK(json["best_score"] == 4.0);
    CHECK(json["trials"][1]["status"] == "failed");
    CHECK(json["trials"][1]["score"].is_null());
    std::filesystem::remove(path);
}

TEST_CASE("a study: a second run reuses every trial and the C++ result reads it back")
{
    const auto dir = std::filesystem::temp_directory_path() / ("btopt-run-test-study-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "study.db").string();
    const Options options{.n_jobs = 2, .backend = "thread", .study = path, .data_fingerprint = "prices v1"};
    const auto first = ParallelOptimizer(score, fast_slow(), "grid", options).optimize();
    const auto second = ParallelOptimizer(score, fast_slow(), "grid", options).optimize();
    CHECK(first.reused == 0u);
    CHECK(second.reused == first.trials.size());
    CHECK(second.best_params == first.best_params);
    CHECK(second.provenance.find("\"data_fingerprint\":\"prices v1\"") != std::string::npos);
    const auto stored = OptimizationResult::open_study(path, 1);
    REQUIRE(stored.trials.size() == first.trials.size());
    for (std::size_t i = 0; i < stored.trials.size(); ++i) {
        CHECK(stored.trials[i].params == first.trials[i].params);
        CHECK(std::memcmp(&stored.trials[i].score, &first.trials[i].score, sizeof(double)) == 0);
    }
    Options other = options;
    other.data_fingerprint = "prices v2";
    CHECK_THROWS_WITH_AS(ParallelOptimizer(score, fast_slow(), "grid", other).optimize(),
                         doctest::Contains("the data fingerprint changed"), Error);
    std::filesystem::remove_all(dir);
}

TEST_CASE("the C++ API reads what the C ABI offers: result counts, plugin description, equity curves, the space")
{
    const auto narrow = ParameterSpace{{DiscreteParameter("fast", 5, 15, 5), DiscreteParameter("slow", 30, 50, 10)},
                                       {"fast < slow"}};
    const Plugin sma{"sma_crossover", {{"synthetic_bars", "600"}, {"synthetic_seed", "3"}}, "sharpe"};
    ParallelOptimizer opt(sma, &narrow, "grid", {.n_jobs = 1, .backend = "inline"});
    const OptimizationResult r = opt.optimize();

    REQUIRE(r.trials.size() == 9u);
    CHECK(r.evaluated == 9u);
    CHECK(r.status_counts.at(TrialStatus::ok) == 9u);
    CHECK(r.status_counts.at(TrialStatus::failed) == 0u);
    CHECK(r.workers == 1u);
    CHECK(r.eval_seconds > 0.0);
    REQUIRE(r.best_index.has_value());
    CHECK(r.trials[*r.best_index].params == r.best_params);
    CHECK(r.best_metrics.at("sharpe") == r.best_score);
    CHECK(opt.get_int("n_jobs") == 1);
    CHECK(opt.get_string("backend") == "inline");

    const EquityCurve curve = opt.equity_curve(r, *r.best_index);
    REQUIRE(curve.equity.size() == 600u);
    CHECK(curve.buy_and_hold.size() == curve.equity.size());
    CHECK(curve.equity.front() == doctest::Approx(1.0));

    const PluginInfo info = describe_plugin("sma_crossover");
    CHECK(info.name == "sma_crossover");
    CHECK(info.path.ends_with("/btopt/plugins/sma_crossover.so"));
    REQUIRE(info.default_metric < info.metrics.size());
    bool drawdown_lower_is_better = false;
    for (const PluginMetric &m : info.metrics)
        drawdown_lower_is_better |= m.name == "max_drawdown" && m.lower_is_better;
    CHECK(drawdown_lower_is_better);
    REQUIRE(info.parameters.size() >= 2u);
    CHECK(std::get<DiscreteParameter>(info.parameters[0]).name == "fast");

    const auto params = narrow.parameters();
    REQUIRE(params.size() == 2u);
    CHECK(std::get<DiscreteParameter>(params[1]).hi == 50);
    CHECK(narrow.constraints() == std::vector<std::string>{"fast < slow"});
}

namespace {

bool statistics_input(const std::string &name) { return name.starts_with("btopt."); }

// The metric names of a CSV header: between "score" and "status".
std::vector<std::string> csv_metric_columns(const std::filesystem::path &path)
{
    std::ifstream in(path);
    std::string header;
    std::getline(in, header);
    std::vector<std::string> columns;
    for (std::size_t start = 0, comma = 0; comma != std::string::npos; start = comma + 1) {
        comma = header.find(',', start);
        columns.push_back(header.substr(start, comma == std::string::npos ? comma : comma - start));
    }
    const auto score = std::ranges::find(columns, "score"), status = std::ranges::find(columns, "status");
    REQUIRE(score < status);
    return {score + 1, status};
}

// The file holds every metric of the trial but the "btopt." ones, with the result's values.
void check_visible_metrics(const nlohmann::json &file, const std::map<std::string, double> &metrics)
{
    std::size_t visible = 0;
    for (const auto &[name, value] : metrics) {
        CAPTURE(name);
        if (statistics_input(name))
            CHECK_FALSE(file.contains(name));
        else
            CHECK(file.at(name).get<double>() == value);
        visible += statistics_input(name) ? 0 : 1;
    }
    CHECK(file.size() == visible);
}

} // namespace

TEST_CASE("result files leave out the btopt. metrics, which the result and the study keep for the statistics")
{
    const auto dir = std::filesystem::temp_directory_path() / ("btopt-run-test-files-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    const auto narrow = ParameterSpace{{DiscreteParameter("fast", 5, 15, 5), DiscreteParameter("slow", 30, 50, 10)},
                                       {"fast < slow"}};
    const Plugin sma{"sma_crossover", {{"synthetic_bars", "600"}, {"synthetic_seed", "3"}}, "sharpe"};
    const std::string study = (dir / "study.db").string();
    const OptimizationResult r =
        ParallelOptimizer(sma, &narrow, "grid", {.n_jobs = 1, .backend = "inline", .study = study}).optimize();
    REQUIRE(r.trials.size() == 9u);
    // In memory, through the C ABI: every trial carries what the statistics read.
    REQUIRE(r.selection.sharpe.has_value());
    for (const TrialRecord &t : r.trials) {
        CHECK(t.metrics.at("btopt.returns") == static_cast<double>(r.selection.sharpe->n_returns));
        CHECK(std::isfinite(t.metrics.at("btopt.block_sum.16")));
        CHECK(std::isfinite(t.metrics.at("btopt.block_sumsq.1")));
    }
    // So does the study, for the statistics of a resumed run.
    const OptimizationResult stored = OptimizationResult::open_study(study);
    REQUIRE(stored.trials.size() == r.trials.size());
    for (std::size_t i = 0; i < r.trials.size(); ++i)
        CHECK(stored.trials[i].metrics == r.trials[i].metrics);

    r.write_json((dir / "r.json").string());
    r.write_csv((dir / "r.csv").string());
    export_study(study, 0, (dir / "e.json").string(), (dir / "e.csv").string());
    for (const std::string name : {"r", "e"}) {
        CAPTURE(name);
        std::ifstream in(dir / (name + ".json"));
        const auto json = nlohmann::json::parse(in);
        REQUIRE(json["trials"].size() == r.trials.size());
        for (std::size_t i = 0; i < r.trials.size(); ++i)
            check_visible_metrics(json["trials"][i]["metrics"], r.trials[i].metrics);
        check_visible_metrics(json["best_metrics"], r.best_metrics);
        if (name == "r") // an export from a study carries no statistics
            CHECK(json["selection"]["dsr"].get<double>() == r.selection.sharpe->dsr);

        const auto columns = csv_metric_columns(dir / (name + ".csv"));
        CHECK(std::ranges::none_of(columns, statistics_input));
        CHECK(std::ranges::find(columns, "sharpe") != columns.end());
        CHECK(std::ranges::find(columns, "kurtosis") != columns.end());
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("objectives registered by name run like any other, and try_optimize returns errors as values")
{
    register_objective("cpp_api_test_score", score);
    const auto by_name = ParallelOptimizer(Registered{"cpp_api_test_score"}, fast_slow(), "grid", {.n_jobs = 1}).optimize();
    const auto direct = ParallelOptimizer(score, fast_slow(), "grid", {.n_jobs = 1}).optimize();
    CHECK(rows(by_name) == rows(direct));
    unregister_objective("cpp_api_test_score");
    CHECK_THROWS_AS(ParallelOptimizer(Registered{"cpp_api_test_score"}, fast_slow(), "grid", {.n_jobs = 1}), Error);

    const auto failing = [](const Params &) -> double { throw std::runtime_error("no data"); };
    auto outcome = ParallelOptimizer(failing, fast_slow(), "grid", {.n_jobs = 1}).try_optimize();
    REQUIRE_FALSE(outcome.has_value());
    CHECK(outcome.error().status() == BTOPT_ERR_OBJECTIVE);
    CHECK(std::string(outcome.error().what()).find("no data") != std::string::npos);
}
