// The process backend: workers forked from the host or from the worker
// server, crash isolation, timeouts, memory limits, and nothing left behind.
#include <btopt/btopt.hpp>

#include <doctest/doctest.h>

#include <unistd.h>

#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace btopt;
namespace fs = std::filesystem;

namespace {

std::string plugin(const std::string &name) { return std::string(BTOPT_TEST_PLUGIN_DIR) + "/" + name + ".so"; }

// Processes whose parent is this process (zombies included).
int children_left()
{
    int count = 0;
    const std::string me = std::to_string(getpid());
    for (const auto &entry : fs::directory_iterator("/proc")) {
        std::ifstream stat(entry.path() / "stat");
        std::string pid, comm, state, ppid;
        if (stat >> pid >> comm >> state >> ppid && ppid == me)
            ++count;
    }
    return count;
}

struct Row {
    std::uint64_t number;
    ParamMap params;
    double score;
    btopt::TrialStatus status;
    std::map<std::string, double> metrics;
    bool operator==(const Row &) const = default;
};

std::vector<Row> rows(const OptimizationResult &r)
{
    std::vector<Row> out;
    for (const TrialRecord &t : r.trials)
        out.push_back(Row{t.number, t.params, t.score, t.status, t.metrics});
    return out;
}

ParameterSpace grid_space()
{
    return ParameterSpace{{DiscreteParameter("fast", 1, 12), DiscreteParameter("slow", 1, 12)}, {"fast < slow"}};
}

double host_score(const Params &p)
{
    return std::sin(static_cast<double>(p.get_int("fast"))) * static_cast<double>(p.get_int("slow"));
}

std::string temp_file(const std::string &name)
{
    const fs::path path = fs::temp_directory_path() / (name + "-" + std::to_string(getpid()));
    fs::remove(path);
    return path.string();
}

std::int64_t index_of(const TrialRecord &t)
{
    return 10 * std::get<std::int64_t>(t.params.at("a")) + std::get<std::int64_t>(t.params.at("b"));
}

std::vector<std::string> lines_of(const std::string &path)
{
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

} // namespace

TEST_CASE("forked workers running a host objective give the inline trials for 1, 2 and 4 workers, every algorithm")
{
    for (const std::string algorithm : {"grid", "random", "genetic", "bayesian", "cmaes", "gp"}) {
        CAPTURE(algorithm);
        Options o{.n_jobs = 1, .n_iterations = 30, .random_seed = 9, .population_size = 10, .n_generations = 4,
                  .backend = "inline"};
        const auto reference = ParallelOptimizer(host_score, grid_space(), algorithm, o).optimize();
        for (const std::int64_t jobs : {1, 2, 4}) {
            CAPTURE(jobs);
            o.backend = "process";
            o.n_jobs = jobs;
            const auto r = ParallelOptimizer(host_score, grid_space(), algorithm, o).optimize();
            CHECK(rows(r) == rows(reference));
        }
    }
    CHECK(children_left() == 0);
}

TEST_CASE("a plugin in the worker server gives exactly the inline result, with init run once")
{
    const std::string log = temp_file("btopt-init-log");
    const Plugin c_plugin{plugin("c_quadratic"), {{"offset", "10"}, {"init_log", log}}};
    const auto inline_result = ParallelOptimizer(c_plugin, nullptr, "grid", {.n_jobs = 1, .backend = "inline"}).optimize();
    fs::remove(log);
    for (const std::int64_t jobs : {1, 2, 4}) {
        CAPTURE(jobs);
        const auto r = ParallelOptimizer(c_plugin, nullptr, "grid", {.n_jobs = jobs, .backend = "process"}).optimize();
        CHECK(rows(r) == rows(inline_result));
        const auto inits = lines_of(log);
        REQUIRE(inits.size() == 1u); // once per machine, in the server, not per worker
        CHECK(inits[0] != std::to_string(getpid()));
        fs::remove(log);
    }
    // 10 x-values but x != 0, 5 y-values, 2 modes; the best is x=2, y=0, "mul".
    CHECK(inline_result.trials.size() == 100u);
    CHECK(inline_result.best_score == 10.5);
    CHECK(std::get<std::string>(inline_result.best_params.at("mode")) == "mul");
    CHECK(inline_result.trials[0].metrics.at("x_times_y") == 5.0); // x=-5, y=-1
    CHECK(children_left() == 0);
}

TEST_CASE("a user space narrows a plugin's ranges; an unknown parameter is refused")
{
    const ParameterSpace narrow{{DiscreteParameter("x", 1, 3)}, {"x > 1"}};
    const auto r = ParallelOptimizer(Plugin{plugin("c_quadratic")}, &narrow, "grid", {.n_jobs = 2}).optimize();
    CHECK(r.trials.size() == 2u * 5u * 2u);
    const ParameterSpace unknown{{DiscreteParameter("z", 1, 3)}};
    CHECK_THROWS_WITH_AS(ParallelOptimizer(Plugin{plugin("c_quadratic")}, &unknown, "grid"),
                         doctest::Contains("no parameter 'z'"), Error);
    CHECK_THROWS_WITH_AS(ParallelOptimizer(Plugin{plugin("c_quadratic"), {}, "sortino"}, nullptr, "grid"),
                         doctest::Contains("x_times_y"), Error);
}

TEST_CASE("a plugin that crashes on a third of the points completes with ignore_errors")
{
    const Plugin crashing{plugin("faulty"), {{"crash_mod", "3"}}};
    const auto r = ParallelOptimizer(crashing, nullptr, "grid", {.n_jobs = 2, .ignore_errors = true}).optimize();
    REQUIRE(r.trials.size() == 100u);
    for (const TrialRecord &t : r.trials) {
        const auto index = 10 * std::get<std::int64_t>(t.params.at("a")) + std::get<std::int64_t>(t.params.at("b"));
        CAPTURE(index);
        if (index % 3 == 0) {
            CHECK(t.status == BTOPT_TRIAL_CRASHED);
            CHECK(t.error.find("signal 11") != std::string::npos);
        } else {
            CHECK(t.status == BTOPT_TRIAL_OK);
            CHECK(t.score == t.metrics.at("score"));
        }
    }
    CHECK(r.best_score == 0.0); // a=7, b=3 (index 73) does not crash
    CHECK(children_left() == 0);
}

TEST_CASE("without ignore_errors a crash stops the run, naming the point")
{
    const Plugin crashing{plugin("faulty"), {{"crash_mod", "7"}}};
    try {
        ParallelOptimizer(crashing, nullptr, "grid", {.n_jobs = 2}).optimize();
        FAIL("the run should have stopped");
    } catch (const Error &e) {
        CHECK(e.status() == BTOPT_ERR_OBJECTIVE);
        CHECK(std::string(e.what()).find("a=0, b=0") != std::string::npos);
        CHECK(std::string(e.what()).find("signal 11") != std::string::npos);
        REQUIRE(e.partial() != nullptr);
        CHECK(e.partial()->trials.front().status == BTOPT_TRIAL_CRASHED);
    }
    CHECK(children_left() == 0);
}

TEST_CASE("a hanging evaluation is killed at eval_timeout and the others are scored")
{
    const Plugin hanging{plugin("faulty"), {{"hang_at", "5"}}};
    const ParameterSpace small{{DiscreteParameter("a", 4, 6), DiscreteParameter("b", 0, 1)}};
    const auto r = ParallelOptimizer(hanging, &small, "grid",
                                     {.n_jobs = 2, .eval_timeout = 0.3, .ignore_errors = true})
                       .optimize();
    REQUIRE(r.trials.size() == 6u);
    for (const TrialRecord &t : r.trials) {
        const bool hangs = std::get<std::int64_t>(t.params.at("a")) == 5;
        CHECK(t.status == (hangs ? BTOPT_TRIAL_TIMEOUT : BTOPT_TRIAL_OK));
        if (hangs)
            CHECK(t.error.find("eval_timeout") != std::string::npos);
    }
    try {
        ParallelOptimizer(hanging, &small, "grid", {.n_jobs = 2, .eval_timeout = 0.3}).optimize();
        FAIL("the run should have stopped");
    } catch (const Error &e) {
        CHECK(e.status() == BTOPT_ERR_OBJECTIVE);
        CHECK(std::string(e.what()).find("a=5, b=0") != std::string::npos);
    }
    CHECK(children_left() == 0);
}

#ifndef BTOPT_SANITIZED // AddressSanitizer and ThreadSanitizer reserve more address space than any cap allows
TEST_CASE("an evaluation past max_memory_per_worker fails its trial and the worker is replaced")
{
    const Plugin hog{plugin("faulty"), {{"alloc_at", "5"}}};
    const ParameterSpace small{{DiscreteParameter("a", 4, 6), DiscreteParameter("b", 0, 2)}};
    const auto r = ParallelOptimizer(hog, &small, "grid",
                                     {.n_jobs = 2, .max_memory_per_worker = "256MiB", .ignore_errors = true})
                       .optimize();
    REQUIRE(r.trials.size() == 9u);
    for (const TrialRecord &t : r.trials) {
        const bool hogs = std::get<std::int64_t>(t.params.at("a")) == 5;
        CHECK(t.status == (hogs ? BTOPT_TRIAL_FAILED : BTOPT_TRIAL_OK));
        if (hogs)
            CHECK(t.error.find("max_memory_per_worker") != std::string::npos);
    }
    CHECK(children_left() == 0);
}
#endif

#ifndef BTOPT_SANITIZED
TEST_CASE("a C plugin that mallocs past max_memory_per_worker crashes with a word about memory")
{
    const ParameterSpace small{{DiscreteParameter("a", 4, 5), DiscreteParameter("b", 0, 2)}};
    const auto r = ParallelOptimizer(Plugin{plugin("evil"), {{"mode", "hog"}, {"at", "52"}}}, &small, "grid",
                                     {.n_jobs = 2, .max_memory_per_worker = "256MiB", .ignore_errors = true})
                       .optimize();
    REQUIRE(r.trials.size() == 6u);
    for (const TrialRecord &t : r.trials) {
        CAPTURE(t.number);
        if (index_of(t) == 52) {
            CHECK(t.status == BTOPT_TRIAL_CRASHED);
            CHECK(t.error.find("probably over max_memory_per_worker") != std::string::npos);
        } else {
            CHECK(t.status == BTOPT_TRIAL_OK);
        }
    }
    CHECK(children_left() == 0);
}
#endif

TEST_CASE("plugins that cannot run are refused before any evaluation, and the host survives")
{
    const auto refusal = [](const std::string &path_or_name) -> std::string {
        try {
            ParallelOptimizer(Plugin{path_or_name}, nullptr, "grid", {.n_jobs = 2}).optimize();
        } catch (const Error &e) {
            CHECK(e.status() == BTOPT_ERR_PLUGIN);
            CHECK(e.partial() == nullptr);
            return e.what();
        }
        return "not refused";
    };
    CHECK(refusal(plugin("broken_wrong_abi")).find("ABI version 999") != std::string::npos);
    CHECK(refusal(plugin("broken_no_symbol")).find("does not export btopt_plugin_entry") != std::string::npos);
    CHECK(refusal(plugin("broken_init_fails")).find("cannot open data file 'missing.csv'") != std::string::npos);
    CHECK(refusal(plugin("broken_init_crashes")).find("signal 11") != std::string::npos);
    CHECK(refusal(plugin("no_such_plugin")).find("does not exist") != std::string::npos);
    CHECK(refusal("no_such_plugin").find("no plugin named 'no_such_plugin'") != std::string::npos);
    CHECK(children_left() == 0);
}

TEST_CASE("a host callback that crashes costs only its trial in a forked worker")
{
    const auto objective = [](const Params &p) -> double {
        if (p.get_int("fast") == 3)
            std::raise(SIGSEGV);
        return static_cast<double>(p.get_int("slow"));
    };
    const auto r = ParallelOptimizer(objective, grid_space(), "grid",
                                     {.n_jobs = 2, .backend = "process", .ignore_errors = true})
                       .optimize();
    for (const TrialRecord &t : r.trials)
        CHECK((t.status == BTOPT_TRIAL_CRASHED) == (std::get<std::int64_t>(t.params.at("fast")) == 3));
    CHECK(r.best_score == 12.0);
    CHECK(children_left() == 0);
}

TEST_CASE("a worker that leaves without its crash handler (exit, SIGKILL) still costs only the task it ran")
{
    // Workers send outcomes a few at a time; these deaths skip the handler
    // that sends the finished ones, so the executor must find the culprit
    // by evaluating the unanswered tasks again, one at a time.
    for (const std::int64_t batch : {0, 1, 4}) {
        CAPTURE(batch);
        const auto objective = [](const Params &p) -> double {
            if (p.get_int("fast") == 3 && p.get_int("slow") == 10)
                _exit(7);
            if (p.get_int("fast") == 5 && p.get_int("slow") == 11)
                kill(getpid(), SIGKILL);
            return static_cast<double>(p.get_int("slow"));
        };
        const auto r = ParallelOptimizer(objective, grid_space(), "grid",
                                         {.n_jobs = 2, .batch_size = batch, .backend = "process", .ignore_errors = true})
                           .optimize();
        std::size_t crashed = 0;
        for (const TrialRecord &t : r.trials) {
            const auto fast = std::get<std::int64_t>(t.params.at("fast")), slow = std::get<std::int64_t>(t.params.at("slow"));
            CAPTURE(fast);
            CAPTURE(slow);
            if ((fast == 3 && slow == 10) || (fast == 5 && slow == 11)) {
                CHECK(t.status == BTOPT_TRIAL_CRASHED);
                CHECK(t.error.find(fast == 3 ? "exited with status 7" : "signal 9") != std::string::npos);
                ++crashed;
            } else {
                CHECK(t.status == BTOPT_TRIAL_OK);
            }
        }
        CHECK(crashed == 2u);
        CHECK(children_left() == 0);
    }
}

TEST_CASE("a multithreaded host runs a plugin through the worker server")
{
    std::atomic<bool> stop{false};
    std::vector<std::thread> busy;
    for (int t = 0; t < 3; ++t)
        busy.emplace_back([&stop] {
            volatile double x = 0;
            while (!stop.load())
                x = x + 1;
        });
    const auto r = ParallelOptimizer(Plugin{plugin("faulty")}, nullptr, "grid", {.n_jobs = 2}).optimize();
    stop = true;
    for (auto &t : busy)
        t.join();
    CHECK(r.trials.size() == 100u);
    CHECK(r.best_score == 0.0);
    CHECK(std::get<std::int64_t>(r.best_params.at("a")) == 7);
    CHECK(children_left() == 0);
}

TEST_CASE("cancelling a process run stops every worker and keeps what finished")
{
    ParallelOptimizer *self = nullptr;
    Options o{.n_jobs = 2, .batch_size = 1};
    o.callback = [&](std::uint64_t done, std::uint64_t, double) {
        if (done >= 10)
            self->cancel();
    };
    // Points with a = 9 never finish: the run can only end by the cancel.
    ParallelOptimizer opt(Plugin{plugin("faulty"), {{"hang_at", "9"}}}, nullptr, "grid", o);
    self = &opt;
    try {
        opt.optimize();
        FAIL("the run should have been cancelled");
    } catch (const Error &e) {
        CHECK(e.status() == BTOPT_ERR_CANCELLED);
        REQUIRE(e.partial() != nullptr);
        std::size_t ok = 0;
        for (const TrialRecord &t : e.partial()->trials)
            ok += t.status == BTOPT_TRIAL_OK;
        CHECK(ok >= 10u);
        CHECK(ok < 100u);
    }
    CHECK(children_left() == 0);
}

TEST_CASE("plugin descriptions come from btopt-worker, not from loading the plugin here")
{
    btopt_plugin_info *info = nullptr;
    REQUIRE(btopt_plugin_describe(&info, plugin("c_quadratic").c_str()) == BTOPT_OK);
    CHECK(std::string(btopt_plugin_info_name(info)) == "c_quadratic");
    CHECK(btopt_plugin_info_metric_count(info) == 2u);
    CHECK(std::string(btopt_plugin_info_metric(info, btopt_plugin_info_default_metric(info))) == "score");
    const btopt_space *space = btopt_plugin_info_space(info);
    CHECK(btopt_space_param_count(space) == 3u);
    CHECK(btopt_space_param_kind(space, 2) == BTOPT_PARAM_CHOICE);
    CHECK(std::string(btopt_space_param_choice(space, 2, 1)) == "mul");
    CHECK(std::string(btopt_space_constraint(space, 0)) == "x != 0");
    btopt_plugin_info_destroy(info);
    CHECK(btopt_plugin_describe(&info, plugin("broken_wrong_abi").c_str()) == BTOPT_ERR_PLUGIN);
    CHECK(info == nullptr);
}

namespace {

// Processes whose command line (or environment) contains `marker`.
int processes_with(const std::string &marker, const char *where = "cmdline")
{
    int count = 0;
    for (const auto &entry : fs::directory_iterator("/proc")) {
        std::ifstream in(entry.path() / where, std::ios::binary);
        const std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        count += cmdline.find(marker) != std::string::npos;
    }
    return count;
}

bool wait_until(const std::function<bool()> &condition)
{
    for (int i = 0; i < 200; ++i) {
        if (condition())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return condition();
}

} // namespace

TEST_CASE("when the host is killed, the worker server and its workers go too")
{
    const std::string tag = "btopt-orphan-test-" + std::to_string(getpid());
    std::fflush(nullptr);
    const pid_t host = fork();
    if (host == 0) {
        setenv("BTOPT_ORPHAN_TEST", tag.c_str(), 1); // the server and its workers inherit it
        try { // a run that never ends: the points with a = 0 hang
            ParallelOptimizer(Plugin{plugin("faulty"), {{"hang_at", "0"}}}, nullptr, "grid", {.n_jobs = 2})
                .optimize();
        } catch (...) {
        }
        _exit(0);
    }
    // The server and its two workers carry the tag in their environment (from the
    // posix_spawn; the host set it after its own exec, so /proc does not show it there).
    CHECK(wait_until([&] { return processes_with(tag, "environ") >= 3; }));
    kill(host, SIGKILL);
    int status = 0;
    waitpid(host, &status, 0);
    CHECK(wait_until([&] { return processes_with(tag, "environ") == 0; }));
}

TEST_CASE("a user space may not change the kind of a plugin's parameter")
{
    const ParameterSpace wrong{{ContinuousParameter("x", 1.0, 3.0, 1.0)}};
    CHECK_THROWS_WITH_AS(ParallelOptimizer(Plugin{plugin("c_quadratic")}, &wrong, "grid"),
                         doctest::Contains("parameter 'x' of plugin 'c_quadratic' is an integer, not a float"), Error);
}

namespace {

double evil_score(std::int64_t index)
{
    const auto a = static_cast<double>(index / 10), b = static_cast<double>(index % 10);
    return -((a - 7) * (a - 7) + (b - 3) * (b - 3));
}

// Runs the evil plugin over its 100 points; every trial not at `culprit` must
// be ok with its own score, and the run must not take long.
OptimizationResult run_evil(const std::vector<std::pair<std::string, std::string>> &config, Options options)
{
    const auto start = std::chrono::steady_clock::now();
    auto r = ParallelOptimizer(Plugin{plugin("evil"), config}, nullptr, "grid", options).optimize();
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
    return r;
}

// Whether a process runs (a zombie waiting for init to reap it does not).
bool running(const std::string &pid)
{
    std::ifstream in("/proc/" + pid + "/stat");
    std::string stat;
    std::getline(in, stat);
    const auto paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

void check_only_culprit_fails(const OptimizationResult &r, std::int64_t culprit, const std::string &error)
{
    REQUIRE(r.trials.size() == 100u);
    for (const TrialRecord &t : r.trials) {
        CAPTURE(t.number);
        CHECK(t.number == static_cast<std::uint64_t>(index_of(t)));
        if (index_of(t) == culprit) {
            CHECK(t.status == BTOPT_TRIAL_CRASHED);
            CHECK(t.error.find(error) != std::string::npos);
        } else {
            CHECK(t.status == BTOPT_TRIAL_OK);
            CHECK(t.score == evil_score(index_of(t)));
        }
    }
}

} // namespace

TEST_CASE("a plugin that exits with a status of its own crashes its trial, never hangs the run")
{
    for (const std::int64_t batch : {0, 1}) {
        CAPTURE(batch);
        const auto r = run_evil({{"mode", "exit"}, {"at", "42"}, {"status", "3"}},
                                {.n_jobs = 2, .batch_size = batch, .ignore_errors = true});
        check_only_culprit_fails(r, 42, "exited with status 3");
    }
    try {
        run_evil({{"mode", "exit"}, {"at", "42"}, {"status", "3"}}, {.n_jobs = 2});
        FAIL("the run should have stopped");
    } catch (const Error &e) {
        CHECK(e.status() == BTOPT_ERR_OBJECTIVE);
        CHECK(std::string(e.what()).find("a=4, b=2") != std::string::npos);
        CHECK(std::string(e.what()).find("exited with status 3") != std::string::npos);
    }
    CHECK(children_left() == 0);
}

TEST_CASE("a child a plugin forks inherits no say in the worker protocol")
{
    // The child crashes: the crash handler it inherited must not send the
    // worker's outcomes (a second time) for it.
    for (const std::string at : {"42", "all"}) {
        CAPTURE(at);
        const auto r = run_evil({{"mode", "fork_crash"}, {"at", at}}, {.n_jobs = 2, .ignore_errors = true});
        check_only_culprit_fails(r, -1, "");
        CHECK(r.best_score == 0.0);
    }
    CHECK(children_left() == 0);
}

TEST_CASE("garbage a plugin writes on its low descriptors never reaches the protocol")
{
    for (const std::string at : {"42", "all"}) {
        CAPTURE(at);
        const auto r = run_evil({{"mode", "garbage"}, {"at", at}}, {.n_jobs = 2, .ignore_errors = true});
        check_only_culprit_fails(r, -1, "");
    }
    CHECK(children_left() == 0);
}

TEST_CASE("an outcome that breaks the protocol is the crash of the worker that sent it")
{
    // Written on the worker's own socket, on purpose: garbage, and a
    // well-formed outcome for a trial that is not the one due.
    for (const std::string mode : {"garbage", "forge"}) {
        CAPTURE(mode);
        for (const std::int64_t batch : {0, 1}) {
            CAPTURE(batch);
            const auto r = run_evil({{"mode", mode}, {"at", "77"}, {"reach", "all"}},
                                    {.n_jobs = 2, .batch_size = batch, .ignore_errors = true});
            check_only_culprit_fails(r, 77, "broke the worker protocol");
            CHECK(r.best_score == 0.0);
        }
        try {
            run_evil({{"mode", mode}, {"at", "77"}, {"reach", "all"}}, {.n_jobs = 2});
            FAIL("the run should have stopped");
        } catch (const Error &e) {
            CHECK(e.status() == BTOPT_ERR_OBJECTIVE);
            CHECK(std::string(e.what()).find("a=7, b=7") != std::string::npos);
        }
    }
    CHECK(children_left() == 0);
}

TEST_CASE("processes a plugin forks do not outlive the run")
{
    const std::string log = temp_file("btopt-fork-sleep");
    const auto r = run_evil({{"mode", "fork_sleep"}, {"at", "all"}, {"pid_log", log}}, {.n_jobs = 2});
    CHECK(r.trials.size() == 100u);
    const auto pids = lines_of(log);
    CHECK(pids.size() == 100u);
    CHECK(wait_until([&] { return std::none_of(pids.begin(), pids.end(), running); }));
    fs::remove(log);
    CHECK(children_left() == 0);
}

TEST_CASE("hanging evaluations time out in parallel across workers")
{
    // Ten hanging points (a = 5): one after another they would take 10 x 0.3 s.
    const Plugin hanging{plugin("faulty"), {{"hang_at", "5"}}};
    for (const std::int64_t batch : {1, 0}) {
        CAPTURE(batch);
        const auto start = std::chrono::steady_clock::now();
        const auto r = ParallelOptimizer(hanging, nullptr, "grid",
                                         {.n_jobs = 2, .batch_size = batch, .eval_timeout = 0.3, .ignore_errors = true})
                           .optimize();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        CHECK(seconds < 2.4);
        std::size_t timeouts = 0;
        for (const TrialRecord &t : r.trials)
            timeouts += t.status == BTOPT_TRIAL_TIMEOUT;
        CHECK(timeouts == 10u);
    }
    CHECK(children_left() == 0);
}

TEST_CASE("a per-worker init that refuses fails the run once, with the plugin's words")
{
    const auto start = std::chrono::steady_clock::now();
    for (const bool ignore_errors : {false, true}) {
        CAPTURE(ignore_errors);
        try {
            ParallelOptimizer(Plugin{plugin("evil_per_worker"), {{"init_fail", "1"}}}, nullptr, "grid",
                              {.n_jobs = 2, .ignore_errors = ignore_errors})
                .optimize();
            FAIL("the run should have failed");
        } catch (const Error &e) {
            CHECK(e.status() == BTOPT_ERR_PLUGIN);
            CHECK(std::string(e.what()).find("evil refuses to start: init_fail is set") != std::string::npos);
        }
    }
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    CHECK(children_left() == 0);
}

TEST_CASE("a slow per-worker init does not count against eval_timeout")
{
    const ParameterSpace small{{DiscreteParameter("a", 0, 1), DiscreteParameter("b", 0, 3)}};
    const auto r = ParallelOptimizer(Plugin{plugin("evil_per_worker"), {{"init_sleep", "0.8"}}}, &small, "grid",
                                     {.n_jobs = 2, .eval_timeout = 0.4})
                       .optimize();
    REQUIRE(r.trials.size() == 8u);
    for (const TrialRecord &t : r.trials)
        CHECK(t.status == BTOPT_TRIAL_OK);
    CHECK(children_left() == 0);
}

TEST_CASE("a plugin's finish that never returns is killed after a grace period, and the trials are kept")
{
    for (const std::string name : {"evil", "evil_per_worker"}) {
        CAPTURE(name);
        const auto start = std::chrono::steady_clock::now();
        const auto r = ParallelOptimizer(Plugin{plugin(name), {{"finish_hang", "1"}}}, nullptr, "grid", {.n_jobs = 2})
                           .optimize();
        CHECK(r.trials.size() == 100u);
        CHECK(r.best_score == 0.0);
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(8));
        CHECK(children_left() == 0);
    }
}

namespace {

// Runs a plugin through the C ABI with `init_timeout`, cancelling after
// `cancel_after` seconds when that is positive; returns the status and the message.
std::pair<btopt_status, std::string> run_slow_init(const std::string &name, double init_timeout, double cancel_after)
{
    btopt_optimizer *opt = nullptr;
    REQUIRE(btopt_optimizer_create(&opt, nullptr, "grid") == BTOPT_OK);
    REQUIRE(btopt_optimizer_use_plugin(opt, plugin(name).c_str()) == BTOPT_OK);
    REQUIRE(btopt_optimizer_set_plugin_config(opt, "init_sleep", "30") == BTOPT_OK);
    REQUIRE(btopt_optimizer_set_int(opt, "n_jobs", 2) == BTOPT_OK);
    REQUIRE(btopt_optimizer_set_double(opt, "init_timeout", init_timeout) == BTOPT_OK);
    std::thread canceller;
    if (cancel_after > 0)
        canceller = std::thread([opt, cancel_after] {
            std::this_thread::sleep_for(std::chrono::duration<double>(cancel_after));
            btopt_optimizer_cancel(opt);
        });
    btopt_result *result = nullptr;
    const btopt_status status = btopt_optimizer_run(opt, &result);
    const std::string message = btopt_last_error();
    if (canceller.joinable())
        canceller.join();
    btopt_result_destroy(result);
    btopt_optimizer_destroy(opt);
    return {status, message};
}

} // namespace

TEST_CASE("a plugin's init is bounded by init_timeout and interrupted by a cancel")
{
    for (const std::string name : {"evil", "evil_per_worker"}) {
        CAPTURE(name);
        auto start = std::chrono::steady_clock::now();
        const auto [status, message] = run_slow_init(name, 0.5, 0);
        CHECK(status == BTOPT_ERR_PLUGIN);
        CHECK(message.find("init_timeout (0.5 s)") != std::string::npos);
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
        CHECK(children_left() == 0);
    }
    const auto start = std::chrono::steady_clock::now();
    const auto [status, message] = run_slow_init("evil", 0, 0.3);
    CHECK(status == BTOPT_ERR_CANCELLED);
    CHECK(message.find("initialising") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    CHECK(children_left() == 0);
}

TEST_CASE("a plugin's config and the space never travel on btopt-worker's command line")
{
    const std::string secret = "SECRET-TOKEN-" + std::to_string(getpid());
    int seen_on_command_lines = -1;
    Options o{.n_jobs = 2};
    o.callback = [&](std::uint64_t, std::uint64_t, double) {
        if (seen_on_command_lines < 0)
            seen_on_command_lines = processes_with(secret);
    };
    // 200 KB of config: past what one argument may hold (128 KiB).
    const Plugin configured{plugin("evil"), {{"api_key", secret}, {"padding", std::string(200000, 'x')}}};
    const auto r = ParallelOptimizer(configured, nullptr, "grid", o).optimize();
    CHECK(r.trials.size() == 100u);
    CHECK(seen_on_command_lines == 0);
    CHECK(children_left() == 0);
}

TEST_CASE("a cancel keeps the outcomes workers finished but had not sent yet")
{
    // Automatic batches: each worker holds a quarter of the queue and answers
    // when half of it is done, so at the cancel its finished outcomes are
    // still in its hands.
    ParallelOptimizer *self = nullptr;
    const auto slow = [](const Params &p) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return host_score(p);
    };
    ParallelOptimizer opt(slow, ParameterSpace{{DiscreteParameter("fast", 1, 10), DiscreteParameter("slow", 1, 10)}},
                          "grid", {.n_jobs = 2, .backend = "process"});
    self = &opt;
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        self->cancel();
    });
    try {
        opt.optimize();
        FAIL("the run should have been cancelled");
    } catch (const Error &e) {
        REQUIRE(e.partial() != nullptr);
        std::size_t ok = 0;
        for (const TrialRecord &t : e.partial()->trials)
            ok += t.status == BTOPT_TRIAL_OK;
        CHECK(ok >= 20u); // about 2 x 400 / 20 = 40 were evaluated
    }
    canceller.join();
    CHECK(children_left() == 0);
}
