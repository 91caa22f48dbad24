// What the coordinator accepts from an executor, and what the wire accepts
// from a worker: nothing a broken or hostile worker sends may size memory,
// index the reorder window, or let a run end with a trial missing.
#include "exec/executor.hpp"
#include "exec/wire.hpp"
#include "exec/worker_protocol.hpp"
#include "run/coordinator.hpp"
#include "search/search.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <functional>

using namespace btopt::internal;

namespace {

// Hands back whatever `answer` makes of the tasks it was given.
class ScriptedExecutor final : public Executor {
public:
    explicit ScriptedExecutor(std::function<void(std::vector<Task> &, std::vector<Outcome> &)> answer)
        : answer_(std::move(answer))
    {
    }
    std::size_t capacity() const override { return 4; }
    void submit(std::vector<Task> &tasks) override
    {
        for (Task &t : tasks)
            held_.push_back(std::move(t));
        tasks.clear();
    }
    void collect(std::vector<Outcome> &out) override { answer_(held_, out); }
    void cancel() override {}
    unsigned workers() const override { return 1; }

private:
    std::function<void(std::vector<Task> &, std::vector<Outcome> &)> answer_;
    std::vector<Task> held_;
};

Outcome ok(std::uint64_t number) { return Outcome{number, Evaluation{TrialStatus::Ok, 1.0, "", {}}, 0.0}; }

Result<RunOutcome> run_with(Executor &executor)
{
    auto space = std::make_shared<Space>();
    REQUIRE(space->add_int("a", 0, 9, 1));
    Options options;
    auto search = make_search("grid", *space, options);
    REQUIRE(search);
    std::atomic<bool> cancel{false};
    return coordinate(RunRequest{space, **search, executor, options, RunInfo{}, {}, {}, cancel});
}

} // namespace

TEST_CASE("an executor that answers a trial twice fails the run instead of losing another")
{
    // The second copy of trial 0 stands where trial 1's outcome should be:
    // counted as one more finished trial, it would end the run without 1.
    ScriptedExecutor twice([](std::vector<Task> &held, std::vector<Outcome> &out) {
        for (const Task &t : held)
            out.push_back(ok(t.number));
        if (!held.empty() && held.front().number == 0)
            out.push_back(ok(0));
        held.clear();
    });
    const auto r = run_with(twice);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == BTOPT_ERR_INTERNAL);
    CHECK(r.error().message.find("trial 0, which is not in flight") != std::string::npos);
}

TEST_CASE("an executor that answers a trial never proposed, or with no valid status, fails the run")
{
    ScriptedExecutor stranger([](std::vector<Task> &held, std::vector<Outcome> &out) {
        if (!held.empty())
            out.push_back(ok(held.back().number + 1000));
        held.clear();
    });
    const auto r = run_with(stranger);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("trial 1003, which is not in flight") != std::string::npos);

    ScriptedExecutor bad_status([](std::vector<Task> &held, std::vector<Outcome> &out) {
        for (const Task &t : held) {
            out.push_back(ok(t.number));
            out.back().evaluation.status = static_cast<TrialStatus>(77);
        }
        held.clear();
    });
    const auto s = run_with(bad_status);
    REQUIRE_FALSE(s);
    CHECK(s.error().message.find("status 77") != std::string::npos);
}

TEST_CASE("the wire refuses outcomes whose sizes or status no worker sends")
{
    std::string bytes;
    wire::append_outcome(bytes, ok(5));
    Outcome o;
    std::size_t at = 0;
    CHECK(wire::take_outcome(bytes, at, o) == wire::Parsed::Complete);
    CHECK(o.number == 5u);
    CHECK(at == bytes.size());
    CHECK(wire::peek_number(bytes, 0) == 5u);
    at = 0;
    CHECK(wire::take_outcome(std::string_view(bytes).substr(0, bytes.size() - 1), at, o) == wire::Parsed::Partial);
    CHECK(at == 0u);

    const std::size_t status_at = 8, count_at = 8 + 4 + 8 + 8 + 8; // number, status, score, seconds, cpu_cost
    std::string bad_status = bytes;
    const std::int32_t status = 9;
    std::memcpy(bad_status.data() + status_at, &status, sizeof status);
    CHECK(wire::take_outcome(bad_status, at, o) == wire::Parsed::Invalid);

    // 64 bytes of garbage once made the host size the metrics from the wire.
    std::string huge = bytes;
    const std::uint32_t count = 0xA5A5A5A5u;
    std::memcpy(huge.data() + count_at, &count, sizeof count);
    CHECK(wire::take_outcome(huge, at, o) == wire::Parsed::Invalid);
    CHECK(at == 0u);

    std::string long_error;
    Outcome wordy = ok(6);
    wordy.evaluation.error.assign(wire::max_error_bytes + 100, 'x');
    wire::append_outcome(long_error, wordy);
    CHECK(wire::take_outcome(long_error, at, o) == wire::Parsed::Complete);
    CHECK(o.evaluation.error.size() == wire::max_error_bytes);
}

TEST_CASE("a worker's notices travel under a number no trial has")
{
    std::string bytes;
    wire::append_notice(bytes, wire::Notice::Crashing);
    Outcome o;
    std::size_t at = 0;
    REQUIRE(wire::take_outcome(bytes, at, o) == wire::Parsed::Complete);
    CHECK(o.number == wire::notice_number);
    CHECK(static_cast<wire::Notice>(o.evaluation.status) == wire::Notice::Crashing);
}

TEST_CASE("a range message sets the bars of every task read after it, and costs a task nothing")
{
    Task task{7, {Value{3, 0.0}}, 11, {}};
    std::string plain;
    wire::append_batch(plain, &task, &task + 1);
    std::string ranged;
    wire::append_range(ranged, BarRange{100, 200});
    const std::size_t header = ranged.size();
    wire::append_batch(ranged, &task, &task + 1);
    wire::append_batch(ranged, &task, &task + 1);
    CHECK(ranged.size() == header + 2 * plain.size()); // a task's bytes are the same with a range

    std::vector<Task> tasks;
    BarRange range{};
    std::size_t at = 0;
    CHECK_FALSE(wire::take_batch(std::string_view(ranged).substr(0, header - 1), at, tasks, range));
    CHECK(at == 0);
    CHECK(range == BarRange{});
    while (wire::take_batch(ranged, at, tasks, range)) {
    }
    CHECK(at == ranged.size());
    REQUIRE(tasks.size() == 2);
    CHECK(tasks[0].range == BarRange{100, 200});
    CHECK(tasks[1].range == BarRange{100, 200});
    CHECK(tasks[1].number == 7);
    CHECK(range == BarRange{100, 200}); // kept for the next read
}

TEST_CASE("btopt-worker's setups come back as they were sent, and anything else is refused")
{
    using namespace worker_protocol;
    const ServeSetup serve{"/p/sma.so", 3, WorkerLimits{1u << 30, 2, true}, R"({"parameters":[]})",
                           {{"data", "GOOG.csv"}, {"api_key", "with spaces = and \n"}}};
    const auto back = serve_setup_of(to_texts(serve));
    REQUIRE(back);
    CHECK(back->plugin == serve.plugin);
    CHECK(back->metric == 3);
    CHECK(back->limits.max_memory == serve.limits.max_memory);
    CHECK(back->limits.threads == 2);
    CHECK(back->limits.answer_each);
    CHECK(back->space_json == serve.space_json);
    CHECK(back->config == serve.config);

    const EquitySetup equity{"/p/sma.so", "{}", "[1,2]", {{"commission", "0.001"}}};
    const auto curve = equity_setup_of(to_texts(equity));
    REQUIRE(curve);
    CHECK((curve->plugin == equity.plugin && curve->space_json == "{}" && curve->point_json == "[1,2]"));
    CHECK(curve->config == equity.config);

    auto texts = to_texts(serve);
    texts.pop_back(); // a config key without its value
    CHECK(!serve_setup_of(texts));
    CHECK(!serve_setup_of({"/p/sma.so", "x", "0", "1", "0", "{}"}));  // a metric that is no number
    CHECK(!serve_setup_of({"/p/sma.so", "0", "0", "1", "yes", "{}"})); // answer_each is 0 or 1
    CHECK(!serve_setup_of({"/p/sma.so", "0"}));
    CHECK(!equity_setup_of({"/p/sma.so", "{}"}));
}
