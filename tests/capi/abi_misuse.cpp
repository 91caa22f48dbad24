// Misuse of the C ABI: every wrong call returns the documented status with a
// message that names what was wrong, leaves the handles usable, and never
// crashes. C++ for doctest, but it calls only the C ABI, as a binding would.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <btopt/btopt.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <set>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>

namespace {

constexpr const char *kSentinel = "<sentinel: no failure reported yet>";

std::string last_error()
{
    const char *msg = btopt_last_error();
    return msg == nullptr ? std::string("<NULL>") : std::string(msg);
}

// Plants a known text so a failing call that forgets to set its own message
// is caught, and a message left over from an earlier failure is not mistaken
// for this one's.
void plant_sentinel()
{
    btopt_fail(kSentinel);
}

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

} // namespace

// The call fails with `want` and a fresh, non-empty message containing `needle`.
#define CHECK_ERR(expr, want, needle)                                                                       \
    do {                                                                                                    \
        plant_sentinel();                                                                                   \
        const btopt_status st_ = (expr);                                                                    \
        const std::string msg_ = last_error();                                                              \
        INFO(#expr " -> " << std::string(btopt_status_name(st_)) << ": \"" << msg_ << "\"");                \
        CHECK_MESSAGE(st_ == (want), "expected " << std::string(btopt_status_name(want)));                  \
        CHECK_MESSAGE(msg_ != kSentinel, "the failure left no message");                                    \
        CHECK_MESSAGE(!msg_.empty(), "the failure left an empty message");                                  \
        CHECK_MESSAGE(contains(msg_, (needle)), "the message does not mention '" << (needle) << "'");       \
    } while (0)

#define CHECK_OK(expr)                                                                                      \
    do {                                                                                                    \
        const btopt_status st_ = (expr);                                                                    \
        INFO(#expr " -> " << std::string(btopt_status_name(st_)) << ": \"" << last_error() << "\"");        \
        CHECK(st_ == BTOPT_OK);                                                                             \
    } while (0)

namespace {

btopt_status constant_objective(void * /*user*/, const btopt_params * /*params*/, double *score)
{
    *score = 1.0;
    return BTOPT_OK;
}

// fast 10..50 step 5 (9), slow 50..200 step 25 (7).
btopt_space *strategy_space()
{
    btopt_space *space = nullptr;
    REQUIRE(btopt_space_create(&space) == BTOPT_OK);
    REQUIRE(btopt_space_add_int(space, "fast", 10, 50, 5) == BTOPT_OK);
    REQUIRE(btopt_space_add_int(space, "slow", 50, 200, 25) == BTOPT_OK);
    return space;
}

btopt_optimizer *make_optimizer(const char *algorithm)
{
    btopt_space *space = strategy_space();
    btopt_optimizer *opt = nullptr;
    const btopt_status st = btopt_optimizer_create(&opt, space, algorithm);
    btopt_space_destroy(space);
    REQUIRE(st == BTOPT_OK);
    REQUIRE(opt != nullptr);
    return opt;
}

// A finished grid over an int, a float on steps and a choice: 2 x 3 x 2 = 12 trials.
btopt_result *mixed_result()
{
    btopt_space *space = nullptr;
    REQUIRE(btopt_space_create(&space) == BTOPT_OK);
    const char *const modes[] = {"long", "short"};
    REQUIRE(btopt_space_add_int(space, "fast", 10, 20, 10) == BTOPT_OK);
    REQUIRE(btopt_space_add_float(space, "threshold", 0.5, 1.5, 0.5) == BTOPT_OK);
    REQUIRE(btopt_space_add_choice(space, "mode", modes, 2) == BTOPT_OK);
    btopt_optimizer *opt = nullptr;
    REQUIRE(btopt_optimizer_create(&opt, space, "grid") == BTOPT_OK);
    btopt_space_destroy(space);
    REQUIRE(btopt_optimizer_set_int(opt, "n_jobs", 1) == BTOPT_OK);
    REQUIRE(btopt_optimizer_set_objective(opt, constant_objective, nullptr) == BTOPT_OK);
    btopt_result *res = nullptr;
    const btopt_status st = btopt_optimizer_run(opt, &res);
    btopt_optimizer_destroy(opt);
    INFO(last_error());
    REQUIRE(st == BTOPT_OK);
    REQUIRE(res != nullptr);
    REQUIRE(btopt_result_trial_count(res) == 12u);
    return res;
}

uint64_t cardinality_of(const btopt_space *space)
{
    uint64_t n = 0;
    const btopt_status st = btopt_space_cardinality(space, &n);
    INFO(last_error());
    CHECK(st == BTOPT_OK);
    return n;
}

// A result pointer that run must overwrite with NULL when it fails.
btopt_result *sentinel_result()
{
    return reinterpret_cast<btopt_result *>(static_cast<uintptr_t>(0x10));
}

void destroy_unless_sentinel(btopt_result *res)
{
    if (res != sentinel_result())
        btopt_result_destroy(res);
}

} // namespace

// ---- Library --------------------------------------------------------------

TEST_CASE("abi version and names")
{
    CHECK(btopt_abi_version() == BTOPT_ABI_VERSION);
    REQUIRE(btopt_version() != nullptr);
    CHECK(std::string(btopt_version()) == BTOPT_VERSION_STRING);
    CHECK(std::string(btopt_status_name(BTOPT_ERR_INVALID_ARGUMENT)) == "BTOPT_ERR_INVALID_ARGUMENT");
    CHECK(std::string(btopt_status_name(BTOPT_ERR_IO)) == "BTOPT_ERR_IO");
    CHECK(std::string(btopt_trial_status_name(-1)) == "unknown");
    CHECK(std::string(btopt_trial_status_name(BTOPT_TRIAL_INFEASIBLE)) == "infeasible");
    CHECK(std::string(btopt_trial_status_name(BTOPT_TRIAL_INFEASIBLE + 1)) == "unknown");
    CHECK(btopt_fail(nullptr) == BTOPT_ERR_OBJECTIVE); // no crash; some message
    CHECK(btopt_last_error() != nullptr);
}

// ---- NULL handles and outputs ---------------------------------------------

TEST_CASE("destroy accepts NULL")
{
    btopt_space_destroy(nullptr);
    btopt_optimizer_destroy(nullptr);
    btopt_result_destroy(nullptr);
    btopt_optimizer_cancel(nullptr);
    CHECK(true);
}

TEST_CASE("NULL space handle")
{
    const char *const choices[] = {"a", "b"};
    uint64_t n = 7;
    CHECK_ERR(btopt_space_create(nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_space_add_int(nullptr, "fast", 1, 2, 1), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_space_add_float(nullptr, "x", 0.0, 1.0, 0.0), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_space_add_choice(nullptr, "mode", choices, 2), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_space_add_constraint(nullptr, "fast < 3"), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_space_cardinality(nullptr, &n), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK(btopt_space_param_count(nullptr) == 0u);
}

TEST_CASE("NULL names and out pointers on a space")
{
    btopt_space *space = strategy_space();
    const char *const choices[] = {"a", "b"};
    CHECK_ERR(btopt_space_add_int(space, nullptr, 1, 2, 1), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_space_add_float(space, nullptr, 0.0, 1.0, 0.0), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_space_add_choice(space, nullptr, choices, 2), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_space_add_constraint(space, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_space_cardinality(space, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK(btopt_space_param_count(space) == 2u);
    btopt_space_destroy(space);
}

TEST_CASE("NULL optimizer handle")
{
    btopt_result *res = sentinel_result();
    CHECK_ERR(btopt_optimizer_set_int(nullptr, "n_jobs", 1), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_set_double(nullptr, "crossover_rate", 0.5), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_set_string(nullptr, "direction", "minimize"), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_set_objective(nullptr, constant_objective, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_use_objective(nullptr, "anything"), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_set_progress(nullptr, nullptr, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_run(nullptr, &res), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK(res == nullptr);
    destroy_unless_sentinel(res);
}

TEST_CASE("NULL arguments on an optimizer")
{
    btopt_optimizer *opt = make_optimizer("grid");
    CHECK_ERR(btopt_optimizer_set_int(opt, nullptr, 1), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_set_double(opt, nullptr, 0.5), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_set_string(opt, nullptr, "x"), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_set_string(opt, "direction", nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_set_objective(opt, nullptr, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_use_objective(opt, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_OK(btopt_optimizer_set_objective(opt, constant_objective, nullptr));
    CHECK_ERR(btopt_optimizer_run(opt, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    // Still usable after all that.
    btopt_result *res = nullptr;
    CHECK_OK(btopt_optimizer_set_int(opt, "n_jobs", 1));
    CHECK_OK(btopt_optimizer_run(opt, &res));
    CHECK(btopt_result_trial_count(res) == 63u);
    btopt_result_destroy(res);
    btopt_optimizer_destroy(opt);
}

TEST_CASE("NULL optimizer_create arguments")
{
    btopt_space *space = strategy_space();
    btopt_optimizer *opt = nullptr;
    CHECK_ERR(btopt_optimizer_create(nullptr, space, "grid"), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_create(&opt, space, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK(opt == nullptr);
    btopt_space_destroy(space);
}

TEST_CASE("a NULL space needs a plugin")
{
    // NULL is allowed at create, for a plugin's parameters; with a host
    // objective and no plugin there is nothing to search.
    btopt_optimizer *opt = nullptr;
    CHECK_OK(btopt_optimizer_create(&opt, nullptr, "grid"));
    REQUIRE(opt != nullptr);
    CHECK_OK(btopt_optimizer_set_objective(opt, constant_objective, nullptr));
    btopt_result *res = sentinel_result();
    CHECK_ERR(btopt_optimizer_run(opt, &res), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK(res == nullptr);
    destroy_unless_sentinel(res);
    btopt_optimizer_destroy(opt);
}

TEST_CASE("NULL result and params handles")
{
    uint64_t idx = 5;
    const btopt_params *params = nullptr;
    double score = 0.0;
    int32_t status = 0;
    int64_t i = 0;
    double d = 0.0;
    const char *s = nullptr;
    CHECK(btopt_result_best_params(nullptr) == nullptr);
    CHECK(btopt_result_trial_count(nullptr) == 0u);
    CHECK(btopt_result_evaluated_count(nullptr) == 0u);
    CHECK(btopt_result_status_count(nullptr, BTOPT_TRIAL_OK) == 0u);
    CHECK(btopt_result_workers(nullptr) == 0u);
    (void)btopt_result_best_score(nullptr);
    (void)btopt_result_wall_seconds(nullptr);
    (void)btopt_result_eval_seconds(nullptr);
    (void)btopt_result_speedup(nullptr);
    CHECK_ERR(btopt_result_best_index(nullptr, &idx), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_result_trial(nullptr, 0, &params, &score, &status), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_result_trial_info(nullptr, 0, nullptr, nullptr, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_result_write_json(nullptr, "/tmp/btopt-never.json"), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_result_write_csv(nullptr, "/tmp/btopt-never.csv"), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK(btopt_params_count(nullptr) == 0u);
    CHECK(btopt_params_name(nullptr, 0) == nullptr);
    CHECK(btopt_params_kind(nullptr, 0) == -1);
    CHECK_ERR(btopt_params_get_int(nullptr, "fast", &i), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_params_get_double(nullptr, "fast", &d), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_params_get_string(nullptr, "mode", &s), BTOPT_ERR_INVALID_ARGUMENT, "");
}

TEST_CASE("NULL names and out pointers on a result")
{
    btopt_result *res = mixed_result();
    const btopt_params *best = btopt_result_best_params(res);
    REQUIRE(best != nullptr);
    int64_t i = 0;
    double d = 0.0;
    const char *s = nullptr;
    CHECK_ERR(btopt_result_best_index(res, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_result_write_json(res, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_result_write_csv(res, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_params_get_int(best, nullptr, &i), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_params_get_double(best, nullptr, &d), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_params_get_string(best, nullptr, &s), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_params_get_int(best, "fast", nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_params_get_double(best, "threshold", nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_params_get_string(best, "mode", nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    // Every output of trial and trial_info may be NULL.
    CHECK_OK(btopt_result_trial(res, 0, nullptr, nullptr, nullptr));
    CHECK_OK(btopt_result_trial_info(res, 0, nullptr, nullptr, nullptr));
    btopt_result_destroy(res);
}

// ---- Ranges and names -------------------------------------------------------

TEST_CASE("int range errors")
{
    btopt_space *space = nullptr;
    REQUIRE(btopt_space_create(&space) == BTOPT_OK);
    CHECK_ERR(btopt_space_add_int(space, "fast", 50, 10, 5), BTOPT_ERR_INVALID_ARGUMENT, "fast");
    CHECK_ERR(btopt_space_add_int(space, "fast", 10, 50, 0), BTOPT_ERR_INVALID_ARGUMENT, "fast");
    CHECK_ERR(btopt_space_add_int(space, "fast", 10, 50, -5), BTOPT_ERR_INVALID_ARGUMENT, "fast");
    CHECK(btopt_space_param_count(space) == 0u);
    // lo == hi is one value; the name is still free after the failures.
    CHECK_OK(btopt_space_add_int(space, "fast", 10, 10, 5));
    CHECK(btopt_space_param_count(space) == 1u);
    CHECK(cardinality_of(space) == 1u);
    btopt_space_destroy(space);
}

TEST_CASE("float range errors")
{
    const double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    btopt_space *space = nullptr;
    REQUIRE(btopt_space_create(&space) == BTOPT_OK);
    CHECK_ERR(btopt_space_add_float(space, "threshold", 1.5, 0.5, 0.1), BTOPT_ERR_INVALID_ARGUMENT, "threshold");
    CHECK_ERR(btopt_space_add_float(space, "threshold", 0.5, 1.5, -0.1), BTOPT_ERR_INVALID_ARGUMENT, "threshold");
    CHECK_ERR(btopt_space_add_float(space, "threshold", nan, 1.5, 0.1), BTOPT_ERR_INVALID_ARGUMENT, "threshold");
    CHECK_ERR(btopt_space_add_float(space, "threshold", 0.5, nan, 0.1), BTOPT_ERR_INVALID_ARGUMENT, "threshold");
    CHECK_ERR(btopt_space_add_float(space, "threshold", 0.5, inf, 0.0), BTOPT_ERR_INVALID_ARGUMENT, "threshold");
    CHECK_ERR(btopt_space_add_float(space, "threshold", -inf, 1.5, 0.0), BTOPT_ERR_INVALID_ARGUMENT, "threshold");
    CHECK_ERR(btopt_space_add_float(space, "threshold", -inf, inf, 0.0), BTOPT_ERR_INVALID_ARGUMENT, "threshold");
    CHECK_ERR(btopt_space_add_float(space, "threshold", 0.5, 1.5, nan), BTOPT_ERR_INVALID_ARGUMENT, "threshold");
    CHECK(btopt_space_param_count(space) == 0u);
    CHECK_OK(btopt_space_add_float(space, "threshold", 0.5, 1.5, 0.0));
    CHECK(btopt_space_param_count(space) == 1u);
    btopt_space_destroy(space);
}

TEST_CASE("duplicate and empty names")
{
    btopt_space *space = strategy_space();
    const char *const choices[] = {"a", "b"};
    CHECK_ERR(btopt_space_add_int(space, "fast", 1, 5, 1), BTOPT_ERR_INVALID_ARGUMENT, "fast");
    CHECK_ERR(btopt_space_add_float(space, "slow", 0.0, 1.0, 0.5), BTOPT_ERR_INVALID_ARGUMENT, "slow");
    CHECK_ERR(btopt_space_add_choice(space, "fast", choices, 2), BTOPT_ERR_INVALID_ARGUMENT, "fast");
    CHECK_ERR(btopt_space_add_int(space, "", 1, 5, 1), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_space_add_float(space, "", 0.0, 1.0, 0.5), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_space_add_choice(space, "", choices, 2), BTOPT_ERR_INVALID_ARGUMENT, "");
    // The failures changed nothing.
    CHECK(btopt_space_param_count(space) == 2u);
    CHECK(cardinality_of(space) == 63u);
    btopt_space_destroy(space);
}

TEST_CASE("choice errors")
{
    btopt_space *space = nullptr;
    REQUIRE(btopt_space_create(&space) == BTOPT_OK);
    const char *const none[] = {"unused"};
    const char *const dup[] = {"long", "short", "long"};
    const char *const with_null[] = {"long", nullptr};
    CHECK_ERR(btopt_space_add_choice(space, "mode", none, 0), BTOPT_ERR_INVALID_ARGUMENT, "mode");
    CHECK_ERR(btopt_space_add_choice(space, "mode", nullptr, 2), BTOPT_ERR_INVALID_ARGUMENT, "choices");
    CHECK_ERR(btopt_space_add_choice(space, "mode", dup, 3), BTOPT_ERR_INVALID_ARGUMENT, "long");
    CHECK_ERR(btopt_space_add_choice(space, "mode", with_null, 2), BTOPT_ERR_INVALID_ARGUMENT, "mode");
    CHECK(btopt_space_param_count(space) == 0u);
    CHECK_OK(btopt_space_add_choice(space, "mode", dup, 2));
    CHECK(cardinality_of(space) == 2u);
    btopt_space_destroy(space);
}

TEST_CASE("constraint errors")
{
    btopt_space *space = nullptr;
    REQUIRE(btopt_space_create(&space) == BTOPT_OK);
    const char *const modes[] = {"long", "short"};
    REQUIRE(btopt_space_add_int(space, "fast", 10, 50, 5) == BTOPT_OK);
    // Only parameters declared so far: slow comes later.
    CHECK_ERR(btopt_space_add_constraint(space, "fast < slow"), BTOPT_ERR_INVALID_ARGUMENT, "slow");
    REQUIRE(btopt_space_add_int(space, "slow", 50, 200, 25) == BTOPT_OK);
    REQUIRE(btopt_space_add_choice(space, "mode", modes, 2) == BTOPT_OK);
    CHECK_ERR(btopt_space_add_constraint(space, "fast < medium"), BTOPT_ERR_INVALID_ARGUMENT, "medium");
    CHECK_ERR(btopt_space_add_constraint(space, "mode > 0"), BTOPT_ERR_INVALID_ARGUMENT, "mode");
    CHECK_ERR(btopt_space_add_constraint(space, ""), BTOPT_ERR_INVALID_ARGUMENT, "");
    for (const char *bad_c : {"fast <", "fast < (slow", "fast slow", "&& fast < slow", "fast <<< slow"}) {
        const std::string bad = bad_c;
        CAPTURE(bad);
        plant_sentinel();
        CHECK(btopt_space_add_constraint(space, bad_c) == BTOPT_ERR_INVALID_ARGUMENT);
        const std::string msg = last_error();
        CAPTURE(msg);
        CHECK(msg != kSentinel);
        // "INVALID_ARGUMENT, with the position": some number in the message.
        CHECK(msg.find_first_of("0123456789") != std::string::npos);
    }
    CHECK_OK(btopt_space_add_constraint(space, "fast * 2 <= slow && fast > 10 || slow == 200"));
    CHECK(btopt_space_param_count(space) == 3u);
    btopt_space_destroy(space);
}

TEST_CASE("cardinality")
{
    SUBCASE("9 x 7 is 63")
    {
        btopt_space *space = strategy_space();
        CHECK(cardinality_of(space) == 63u);
        CHECK(btopt_space_param_count(space) == 2u);
        // Constraints do not change it: it is the size before them.
        CHECK_OK(btopt_space_add_constraint(space, "fast < slow"));
        CHECK(cardinality_of(space) == 63u);
        btopt_space_destroy(space);
    }
    SUBCASE("hi off the step stops at the last step below it")
    {
        btopt_space *space = nullptr;
        REQUIRE(btopt_space_create(&space) == BTOPT_OK);
        CHECK_OK(btopt_space_add_int(space, "fast", 10, 52, 5));
        CHECK(cardinality_of(space) == 9u);
        btopt_space_destroy(space);
    }
    SUBCASE("float steps and choices")
    {
        btopt_space *space = nullptr;
        REQUIRE(btopt_space_create(&space) == BTOPT_OK);
        const char *const modes[] = {"long", "short", "both"};
        CHECK_OK(btopt_space_add_float(space, "threshold", 0.0, 1.0, 0.25));
        CHECK(cardinality_of(space) == 5u);
        CHECK_OK(btopt_space_add_choice(space, "mode", modes, 3));
        CHECK(cardinality_of(space) == 15u);
        CHECK_OK(btopt_space_add_float(space, "flat", 2.0, 2.0, 0.5)); // lo == hi: one value
        CHECK(cardinality_of(space) == 15u);
        btopt_space_destroy(space);
    }
    SUBCASE("float steps that are not exact in binary include both ends")
    {
        btopt_space *space = nullptr;
        REQUIRE(btopt_space_create(&space) == BTOPT_OK);
        CHECK_OK(btopt_space_add_float(space, "x", 0.0, 0.3, 0.1)); // 0, 0.1, 0.2, 0.3
        CHECK(cardinality_of(space) == 4u);
        CHECK_OK(btopt_space_add_float(space, "y", 0.1, 0.7, 0.2)); // 0.1, 0.3, 0.5, 0.7
        CHECK(cardinality_of(space) == 16u);
        btopt_space_destroy(space);
    }
    SUBCASE("a continuous float is infinite")
    {
        btopt_space *space = strategy_space();
        CHECK_OK(btopt_space_add_float(space, "threshold", 0.5, 1.5, 0.0));
        CHECK(cardinality_of(space) == UINT64_MAX);
        btopt_space_destroy(space);
    }
    SUBCASE("too large to count")
    {
        btopt_space *space = nullptr;
        REQUIRE(btopt_space_create(&space) == BTOPT_OK);
        CHECK_OK(btopt_space_add_int(space, "a", 0, INT64_MAX, 1));
        CHECK(cardinality_of(space) == (uint64_t{1} << 63));
        CHECK_OK(btopt_space_add_int(space, "b", 0, INT64_MAX, 1));
        CHECK(cardinality_of(space) == UINT64_MAX);
        btopt_space_destroy(space);
    }
    SUBCASE("full int64 ranges do not overflow")
    {
        btopt_space *space = nullptr;
        REQUIRE(btopt_space_create(&space) == BTOPT_OK);
        // INT64_MIN, -1, INT64_MAX - 1
        CHECK_OK(btopt_space_add_int(space, "wide", INT64_MIN, INT64_MAX, INT64_MAX));
        CHECK(cardinality_of(space) == 3u);
        btopt_space_destroy(space);
        REQUIRE(btopt_space_create(&space) == BTOPT_OK);
        // 2^64 values: either refused up front, or counted as too large to
        // count; never wrapped around to 0.
        plant_sentinel();
        const btopt_status st = btopt_space_add_int(space, "all", INT64_MIN, INT64_MAX, 1);
        const std::string msg = last_error();
        CAPTURE(msg);
        if (st == BTOPT_OK) {
            CHECK(cardinality_of(space) == UINT64_MAX);
        } else {
            CHECK(st == BTOPT_ERR_INVALID_ARGUMENT);
            CHECK(contains(msg, "all"));
            CHECK(btopt_space_param_count(space) == 0u);
        }
        btopt_space_destroy(space);
    }
}

TEST_CASE("reading a space back")
{
    btopt_space *space = nullptr;
    REQUIRE(btopt_space_create(&space) == BTOPT_OK);
    const char *const modes[] = {"long", "short"};
    REQUIRE(btopt_space_add_int(space, "fast", 10, 50, 5) == BTOPT_OK);
    REQUIRE(btopt_space_add_float(space, "threshold", 0.5, 1.5, 0.25) == BTOPT_OK);
    REQUIRE(btopt_space_add_choice(space, "mode", modes, 2) == BTOPT_OK);
    REQUIRE(btopt_space_add_constraint(space, "fast * threshold > 6") == BTOPT_OK);

    REQUIRE(btopt_space_param_name(space, 0) != nullptr);
    CHECK(std::string(btopt_space_param_name(space, 0)) == "fast");
    CHECK(std::string(btopt_space_param_name(space, 2)) == "mode");
    CHECK(btopt_space_param_kind(space, 0) == BTOPT_PARAM_INT);
    CHECK(btopt_space_param_kind(space, 1) == BTOPT_PARAM_FLOAT);
    CHECK(btopt_space_param_kind(space, 2) == BTOPT_PARAM_CHOICE);
    int64_t ilo = 0, ihi = 0, istep = 0;
    double flo = 0.0, fhi = 0.0, fstep = 0.0;
    CHECK_OK(btopt_space_param_int_range(space, 0, &ilo, &ihi, &istep));
    CHECK((ilo == 10 && ihi == 50 && istep == 5));
    CHECK_OK(btopt_space_param_float_range(space, 1, &flo, &fhi, &fstep));
    CHECK((flo == 0.5 && fhi == 1.5 && fstep == 0.25));
    CHECK(btopt_space_param_choice_count(space, 2) == 2u);
    REQUIRE(btopt_space_param_choice(space, 2, 1) != nullptr);
    CHECK(std::string(btopt_space_param_choice(space, 2, 1)) == "short");
    CHECK(btopt_space_constraint_count(space) == 1u);
    REQUIRE(btopt_space_constraint(space, 0) != nullptr);
    CHECK(std::string(btopt_space_constraint(space, 0)) == "fast * threshold > 6");

    // Another kind: the message names the parameter and the kind asked for.
    CHECK_ERR(btopt_space_param_int_range(space, 1, &ilo, &ihi, &istep), BTOPT_ERR_INVALID_ARGUMENT,
              "'threshold' is not an integer");
    CHECK_ERR(btopt_space_param_int_range(space, 2, &ilo, &ihi, &istep), BTOPT_ERR_INVALID_ARGUMENT, "'mode'");
    CHECK_ERR(btopt_space_param_float_range(space, 0, &flo, &fhi, &fstep), BTOPT_ERR_INVALID_ARGUMENT,
              "'fast' is not a float");
    CHECK_ERR(btopt_space_param_float_range(space, 9, &flo, &fhi, &fstep), BTOPT_ERR_INVALID_ARGUMENT, "9");
    CHECK(btopt_space_param_choice_count(space, 0) == 0u);
    CHECK(btopt_space_param_choice(space, 0, 0) == nullptr);
    // Out of range: NULL, -1 or 0, and never OK.
    CHECK(btopt_space_param_name(space, 3) == nullptr);
    CHECK(btopt_space_param_kind(space, 3) == -1);
    CHECK(btopt_space_param_choice_count(space, 3) == 0u);
    CHECK(btopt_space_param_choice(space, 2, 2) == nullptr);
    CHECK(btopt_space_param_choice(space, 3, 0) == nullptr);
    CHECK(btopt_space_constraint(space, 1) == nullptr);
    CHECK(btopt_space_param_int_range(space, 3, &ilo, &ihi, &istep) != BTOPT_OK);
    CHECK(btopt_space_param_float_range(space, SIZE_MAX, &flo, &fhi, &fstep) != BTOPT_OK);
    // A NULL space.
    CHECK(btopt_space_param_name(nullptr, 0) == nullptr);
    CHECK(btopt_space_param_kind(nullptr, 0) == -1);
    CHECK(btopt_space_param_choice_count(nullptr, 0) == 0u);
    CHECK(btopt_space_param_choice(nullptr, 0, 0) == nullptr);
    CHECK(btopt_space_constraint_count(nullptr) == 0u);
    CHECK(btopt_space_constraint(nullptr, 0) == nullptr);
    CHECK_ERR(btopt_space_param_int_range(nullptr, 0, &ilo, &ihi, &istep), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_space_param_float_range(nullptr, 0, &flo, &fhi, &fstep), BTOPT_ERR_INVALID_ARGUMENT, "");
    btopt_space_destroy(space);
}

// ---- Plugins, as far as they can be misused without one --------------------------------

TEST_CASE("plugins that do not exist")
{
    btopt_optimizer *opt = make_optimizer("grid");
    CHECK_ERR(btopt_optimizer_use_plugin(opt, "/nonexistent-btopt-dir/libnothing.so"), BTOPT_ERR_PLUGIN,
              "/nonexistent-btopt-dir/libnothing.so");
    CHECK_ERR(btopt_optimizer_use_plugin(opt, "misuse_no_such_plugin"), BTOPT_ERR_PLUGIN, "misuse_no_such_plugin");
    CHECK_ERR(btopt_optimizer_use_plugin(opt, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_use_plugin(nullptr, "misuse_no_such_plugin"), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_set_plugin_config(nullptr, "data", "x.csv"), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_set_plugin_config(opt, nullptr, "x.csv"), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_set_plugin_config(opt, "data", nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_set_objective_metric(nullptr, "sharpe"), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_set_objective_metric(opt, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    // A failed use_plugin leaves the optimizer as it was: a host objective still runs.
    CHECK_OK(btopt_optimizer_set_objective(opt, constant_objective, nullptr));
    CHECK_OK(btopt_optimizer_set_int(opt, "n_jobs", 1));
    btopt_result *res = nullptr;
    CHECK_OK(btopt_optimizer_run(opt, &res));
    CHECK(btopt_result_trial_count(res) == 63u);
    btopt_result_destroy(res);
    btopt_optimizer_destroy(opt);

    btopt_plugin_info *info = nullptr;
    CHECK_ERR(btopt_plugin_describe(&info, "misuse_no_such_plugin"), BTOPT_ERR_PLUGIN, "misuse_no_such_plugin");
    CHECK(info == nullptr);
    CHECK_ERR(btopt_plugin_describe(&info, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_plugin_describe(nullptr, "misuse_no_such_plugin"), BTOPT_ERR_INVALID_ARGUMENT, "");
    btopt_plugin_info_destroy(nullptr);
    CHECK(btopt_plugin_info_name(nullptr) == nullptr);
    CHECK(btopt_plugin_info_version(nullptr) == nullptr);
    CHECK(btopt_plugin_info_description(nullptr) == nullptr);
    CHECK(btopt_plugin_info_path(nullptr) == nullptr);
    CHECK(btopt_plugin_info_metric_count(nullptr) == 0u);
    CHECK(btopt_plugin_info_metric(nullptr, 0) == nullptr);
    CHECK(btopt_plugin_info_space(nullptr) == nullptr);
    (void)btopt_plugin_info_default_metric(nullptr);
}

// ---- Optimizers ---------------------------------------------------------------

TEST_CASE("optimizer_create errors")
{
    btopt_space *space = strategy_space();
    btopt_optimizer *opt = nullptr;
    CHECK_ERR(btopt_optimizer_create(&opt, space, "simplex"), BTOPT_ERR_INVALID_ARGUMENT, "simplex");
    CHECK(opt == nullptr);
    CHECK_ERR(btopt_optimizer_create(&opt, space, ""), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK(opt == nullptr);
    CHECK(btopt_optimizer_create(&opt, space, "bayesian") == BTOPT_OK); // refused before issue 17
    btopt_optimizer_destroy(opt);
    btopt_space_destroy(space);

    btopt_space *empty = nullptr;
    REQUIRE(btopt_space_create(&empty) == BTOPT_OK);
    for (const char *algorithm_c : {"grid", "random", "genetic"}) {
        const std::string algorithm = algorithm_c;
        CAPTURE(algorithm);
        CHECK_ERR(btopt_optimizer_create(&opt, empty, algorithm_c), BTOPT_ERR_INVALID_ARGUMENT, "");
        CHECK(opt == nullptr);
    }
    btopt_space_destroy(empty);
}

TEST_CASE("unknown options")
{
    btopt_optimizer *opt = make_optimizer("genetic");
    CHECK_ERR(btopt_optimizer_set_int(opt, "no_such_option", 1), BTOPT_ERR_NOT_FOUND, "no_such_option");
    CHECK_ERR(btopt_optimizer_set_double(opt, "no_such_rate", 0.5), BTOPT_ERR_NOT_FOUND, "no_such_rate");
    CHECK_ERR(btopt_optimizer_set_string(opt, "no_such_mode", "x"), BTOPT_ERR_NOT_FOUND, "no_such_mode");
    CHECK_ERR(btopt_optimizer_set_int(opt, "", 1), BTOPT_ERR_NOT_FOUND, "");
    CHECK_ERR(btopt_optimizer_set_int(opt, "N_JOBS", 1), BTOPT_ERR_NOT_FOUND, "N_JOBS");
    btopt_optimizer_destroy(opt);
}

TEST_CASE("options read back what was set, or their default")
{
    btopt_optimizer *opt = make_optimizer("genetic");
    int64_t n = 0;
    double x = 0;
    const char *text = nullptr;
    CHECK_OK(btopt_optimizer_get_int(opt, "population_size", &n));
    CHECK(n == 20);
    CHECK_OK(btopt_optimizer_set_int(opt, "population_size", 42));
    CHECK_OK(btopt_optimizer_get_int(opt, "population_size", &n));
    CHECK(n == 42);
    CHECK_OK(btopt_optimizer_set_int(opt, "crossover_rate", 1));
    CHECK_OK(btopt_optimizer_get_double(opt, "crossover_rate", &x));
    CHECK(x == 1.0);
    CHECK_OK(btopt_optimizer_get_string(opt, "direction", &text));
    CHECK(std::string(text) == "maximize");
    CHECK_OK(btopt_optimizer_set_string(opt, "max_memory_per_worker", "2MB"));
    CHECK_OK(btopt_optimizer_get_string(opt, "max_memory_per_worker", &text));
    CHECK(std::string(text) == "2097152");
    CHECK_OK(btopt_optimizer_set_int(opt, "ignore_errors", 1));
    CHECK_OK(btopt_optimizer_get_int(opt, "ignore_errors", &n));
    CHECK(n == 1);
    CHECK_ERR(btopt_optimizer_get_int(opt, "no_such_option", &n), BTOPT_ERR_NOT_FOUND, "no_such_option");
    CHECK_ERR(btopt_optimizer_get_int(opt, "crossover_rate", &n), BTOPT_ERR_INVALID_ARGUMENT,
              "btopt_optimizer_get_double");
    CHECK_ERR(btopt_optimizer_get_string(opt, "n_jobs", &text), BTOPT_ERR_INVALID_ARGUMENT, "get_int");
    CHECK_ERR(btopt_optimizer_get_int(opt, "n_jobs", nullptr), BTOPT_ERR_INVALID_ARGUMENT, "value");
    btopt_optimizer_destroy(opt);
}

TEST_CASE("the option catalogue lists every option once, each readable and settable by its type")
{
    btopt_optimizer *opt = make_optimizer("genetic");
    const size_t count = btopt_option_count();
    REQUIRE(count >= 18);
    std::set<std::string> names;
    for (size_t i = 0; i < count; ++i) {
        btopt_option_desc d{};
        d.struct_size = sizeof d;
        CHECK_OK(btopt_option_info(i, &d));
        CAPTURE(d.name);
        CHECK(names.insert(d.name).second);
        CHECK(std::string(d.doc).size() > 10);
        CHECK(d.default_value != nullptr);
        CHECK(d.cli_flag != nullptr);
        // The default reads back as the catalogue says.
        if (d.type == BTOPT_OPTION_INT) {
            int64_t n = 0;
            CHECK_OK(btopt_optimizer_get_int(opt, d.name, &n));
            CHECK(std::to_string(n) == d.default_value);
        } else if (d.type == BTOPT_OPTION_DOUBLE) {
            double x = -1;
            CHECK_OK(btopt_optimizer_get_double(opt, d.name, &x));
            CHECK(x == std::stod(d.default_value));
        } else {
            const char *text = nullptr;
            CHECK_OK(btopt_optimizer_get_string(opt, d.name, &text));
            CHECK(std::string(text) == d.default_value);
        }
    }
    CHECK(names.count("n_jobs") == 1);
    btopt_option_desc d{};
    d.struct_size = sizeof d;
    CHECK_ERR(btopt_option_info(count, &d), BTOPT_ERR_INVALID_ARGUMENT, "catalogue");
    CHECK_ERR(btopt_option_info(0, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "desc");
    // An older, shorter struct gets only its own fields; the bytes after it are untouched.
    struct {
        btopt_option_desc d;
    } holder{};
    std::memset(&holder, 0xAB, sizeof holder);
    holder.d.struct_size = offsetof(btopt_option_desc, default_value);
    CHECK_OK(btopt_option_info(0, &holder.d));
    CHECK(std::string(holder.d.name) == "n_jobs");
    unsigned char after[sizeof(const char *)];
    std::memcpy(after, &holder.d.default_value, sizeof after);
    CHECK(std::all_of(std::begin(after), std::end(after), [](unsigned char c) { return c == 0xAB; }));
    holder.d.struct_size = sizeof(size_t);
    CHECK_ERR(btopt_option_info(0, &holder.d), BTOPT_ERR_INVALID_ARGUMENT, "struct_size");
    btopt_optimizer_destroy(opt);
}

TEST_CASE("options of another type")
{
    btopt_optimizer *opt = make_optimizer("genetic");
    CHECK_ERR(btopt_optimizer_set_string(opt, "n_jobs", "2"), BTOPT_ERR_INVALID_ARGUMENT, "n_jobs");
    CHECK_ERR(btopt_optimizer_set_double(opt, "n_jobs", 2.0), BTOPT_ERR_INVALID_ARGUMENT, "n_jobs");
    CHECK_ERR(btopt_optimizer_set_string(opt, "crossover_rate", "0.5"), BTOPT_ERR_INVALID_ARGUMENT,
              "crossover_rate");
    CHECK_ERR(btopt_optimizer_set_int(opt, "direction", 1), BTOPT_ERR_INVALID_ARGUMENT, "direction");
    CHECK_ERR(btopt_optimizer_set_double(opt, "backend", 1.0), BTOPT_ERR_INVALID_ARGUMENT, "backend");
    // set_int is accepted for a double option.
    CHECK_OK(btopt_optimizer_set_int(opt, "crossover_rate", 1));
    CHECK_OK(btopt_optimizer_set_int(opt, "mutation_rate", 0));
    btopt_optimizer_destroy(opt);
}

TEST_CASE("option values out of range")
{
    const auto cpus = static_cast<int64_t>(std::thread::hardware_concurrency());
    const double nan = std::numeric_limits<double>::quiet_NaN();
    btopt_optimizer *opt = make_optimizer("genetic");
    CHECK_ERR(btopt_optimizer_set_int(opt, "n_jobs", 0), BTOPT_ERR_INVALID_ARGUMENT, "n_jobs");
    if (cpus > 0)
        CHECK_ERR(btopt_optimizer_set_int(opt, "n_jobs", -cpus - 1), BTOPT_ERR_INVALID_ARGUMENT, "n_jobs");
    CHECK_ERR(btopt_optimizer_set_int(opt, "n_jobs", -1000000), BTOPT_ERR_INVALID_ARGUMENT, "n_jobs");
    CHECK_ERR(btopt_optimizer_set_int(opt, "n_jobs", INT64_MIN), BTOPT_ERR_INVALID_ARGUMENT, "n_jobs");
    CHECK_ERR(btopt_optimizer_set_double(opt, "crossover_rate", 1.5), BTOPT_ERR_INVALID_ARGUMENT, "crossover_rate");
    CHECK_ERR(btopt_optimizer_set_double(opt, "crossover_rate", -0.1), BTOPT_ERR_INVALID_ARGUMENT, "crossover_rate");
    CHECK_ERR(btopt_optimizer_set_double(opt, "crossover_rate", nan), BTOPT_ERR_INVALID_ARGUMENT, "crossover_rate");
    CHECK_ERR(btopt_optimizer_set_int(opt, "crossover_rate", 2), BTOPT_ERR_INVALID_ARGUMENT, "crossover_rate");
    CHECK_ERR(btopt_optimizer_set_double(opt, "mutation_rate", 2.0), BTOPT_ERR_INVALID_ARGUMENT, "mutation_rate");
    CHECK_ERR(btopt_optimizer_set_int(opt, "population_size", 0), BTOPT_ERR_INVALID_ARGUMENT, "population_size");
    CHECK_ERR(btopt_optimizer_set_int(opt, "tournament_size", 0), BTOPT_ERR_INVALID_ARGUMENT, "tournament_size");
    CHECK_ERR(btopt_optimizer_set_int(opt, "elite_count", -1), BTOPT_ERR_INVALID_ARGUMENT, "elite_count");
    CHECK_ERR(btopt_optimizer_set_int(opt, "batch_size", -1), BTOPT_ERR_INVALID_ARGUMENT, "batch_size");
    CHECK_ERR(btopt_optimizer_set_int(opt, "keep_trials", -1), BTOPT_ERR_INVALID_ARGUMENT, "keep_trials");
    CHECK_ERR(btopt_optimizer_set_int(opt, "ignore_errors", 2), BTOPT_ERR_INVALID_ARGUMENT, "ignore_errors");
    CHECK_ERR(btopt_optimizer_set_int(opt, "ignore_errors", -1), BTOPT_ERR_INVALID_ARGUMENT, "ignore_errors");
    CHECK_ERR(btopt_optimizer_set_string(opt, "direction", "sideways"), BTOPT_ERR_INVALID_ARGUMENT, "sideways");
    CHECK_ERR(btopt_optimizer_set_string(opt, "direction", ""), BTOPT_ERR_INVALID_ARGUMENT, "direction");
    CHECK_ERR(btopt_optimizer_set_string(opt, "backend", "quantum"), BTOPT_ERR_INVALID_ARGUMENT, "quantum");
    CHECK_ERR(btopt_optimizer_set_double(opt, "eval_timeout", -1.0), BTOPT_ERR_INVALID_ARGUMENT, "eval_timeout");
    CHECK_ERR(btopt_optimizer_set_double(opt, "eval_timeout", nan), BTOPT_ERR_INVALID_ARGUMENT, "eval_timeout");
    CHECK_ERR(btopt_optimizer_set_int(opt, "threads_per_worker", -1), BTOPT_ERR_INVALID_ARGUMENT,
              "threads_per_worker");
    CHECK_ERR(btopt_optimizer_set_string(opt, "start_method", "spoon"), BTOPT_ERR_INVALID_ARGUMENT, "spoon");
    CHECK_ERR(btopt_optimizer_set_string(opt, "max_memory_per_worker", "lots"), BTOPT_ERR_INVALID_ARGUMENT, "lots");
    CHECK_ERR(btopt_optimizer_set_int(opt, "max_memory_per_worker", -1), BTOPT_ERR_INVALID_ARGUMENT,
              "max_memory_per_worker");
    btopt_optimizer_destroy(opt);

    btopt_optimizer *random = make_optimizer("random");
    CHECK_ERR(btopt_optimizer_set_int(random, "n_iterations", -1), BTOPT_ERR_INVALID_ARGUMENT, "n_iterations");
    btopt_optimizer_destroy(random);
}

TEST_CASE("valid option values are accepted")
{
    btopt_optimizer *opt = make_optimizer("genetic");
    CHECK_OK(btopt_optimizer_set_int(opt, "n_jobs", -1));
    CHECK_OK(btopt_optimizer_set_int(opt, "n_jobs", 1));
    CHECK_OK(btopt_optimizer_set_int(opt, "n_jobs", 2));
    CHECK_OK(btopt_optimizer_set_int(opt, "random_seed", 42));
    CHECK_OK(btopt_optimizer_set_int(opt, "population_size", 8));
    CHECK_OK(btopt_optimizer_set_int(opt, "n_generations", 3));
    CHECK_OK(btopt_optimizer_set_int(opt, "tournament_size", 2));
    CHECK_OK(btopt_optimizer_set_int(opt, "elite_count", 0));
    CHECK_OK(btopt_optimizer_set_int(opt, "batch_size", 0));
    CHECK_OK(btopt_optimizer_set_int(opt, "keep_trials", 0));
    CHECK_OK(btopt_optimizer_set_int(opt, "ignore_errors", 1));
    CHECK_OK(btopt_optimizer_set_int(opt, "ignore_errors", 0));
    CHECK_OK(btopt_optimizer_set_double(opt, "crossover_rate", 0.0));
    CHECK_OK(btopt_optimizer_set_double(opt, "crossover_rate", 1.0));
    CHECK_OK(btopt_optimizer_set_double(opt, "mutation_rate", 0.5));
    CHECK_OK(btopt_optimizer_set_string(opt, "direction", "minimize"));
    CHECK_OK(btopt_optimizer_set_string(opt, "direction", "maximize"));
    CHECK_OK(btopt_optimizer_set_string(opt, "backend", "inline"));
    CHECK_OK(btopt_optimizer_set_string(opt, "backend", "thread"));
    CHECK_OK(btopt_optimizer_set_string(opt, "backend", "process"));
    CHECK_OK(btopt_optimizer_set_string(opt, "start_method", "fork"));
    CHECK_OK(btopt_optimizer_set_string(opt, "start_method", "server"));
    CHECK_OK(btopt_optimizer_set_double(opt, "eval_timeout", 0.0));
    CHECK_OK(btopt_optimizer_set_double(opt, "eval_timeout", 1.5));
    CHECK_OK(btopt_optimizer_set_int(opt, "threads_per_worker", 0));
    CHECK_OK(btopt_optimizer_set_int(opt, "threads_per_worker", 2));
    CHECK_OK(btopt_optimizer_set_string(opt, "max_memory_per_worker", "512MB"));
    CHECK_OK(btopt_optimizer_set_string(opt, "max_memory_per_worker", "2GB"));
    CHECK_OK(btopt_optimizer_set_int(opt, "max_memory_per_worker", 0));
    CHECK_OK(btopt_optimizer_set_int(opt, "max_memory_per_worker", int64_t{1} << 30));
    btopt_optimizer_destroy(opt);
    btopt_optimizer *random = make_optimizer("random");
    CHECK_OK(btopt_optimizer_set_int(random, "n_iterations", 10));
    btopt_optimizer_destroy(random);
}

TEST_CASE("a grid refuses a continuous float")
{
    btopt_space *space = strategy_space();
    REQUIRE(btopt_space_add_float(space, "threshold", 0.5, 1.5, 0.0) == BTOPT_OK);
    btopt_optimizer *opt = nullptr;
    // At create: "a space the algorithm cannot search (a grid over a continuous float)".
    CHECK_ERR(btopt_optimizer_create(&opt, space, "grid"), BTOPT_ERR_INVALID_ARGUMENT, "threshold");
    CHECK(opt == nullptr);
    btopt_optimizer_destroy(opt);
    // Random and genetic search take it.
    CHECK_OK(btopt_optimizer_create(&opt, space, "random"));
    btopt_optimizer_destroy(opt);
    opt = nullptr;
    CHECK_OK(btopt_optimizer_create(&opt, space, "genetic"));
    btopt_optimizer_destroy(opt);
    btopt_space_destroy(space);
}

TEST_CASE("run without an objective")
{
    btopt_optimizer *opt = make_optimizer("grid");
    btopt_result *res = sentinel_result();
    CHECK_ERR(btopt_optimizer_run(opt, &res), BTOPT_ERR_INVALID_ARGUMENT, "objective");
    CHECK(res == nullptr);
    destroy_unless_sentinel(res);
    btopt_optimizer_destroy(opt);
}

TEST_CASE("objective registry errors")
{
    btopt_optimizer *opt = make_optimizer("grid");
    CHECK_ERR(btopt_optimizer_use_objective(opt, "misuse.never_registered"), BTOPT_ERR_NOT_FOUND,
              "misuse.never_registered");
    CHECK_ERR(btopt_register_objective(nullptr, constant_objective, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_register_objective("misuse.null_fn", nullptr, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_use_objective(opt, "misuse.null_fn"), BTOPT_ERR_NOT_FOUND, "misuse.null_fn");
    // After a failed use_objective the optimizer still has no objective.
    btopt_result *res = sentinel_result();
    CHECK_ERR(btopt_optimizer_run(opt, &res), BTOPT_ERR_INVALID_ARGUMENT, "objective");
    CHECK(res == nullptr);
    destroy_unless_sentinel(res);
    // And registering then using works.
    CHECK_OK(btopt_register_objective("misuse.constant", constant_objective, nullptr));
    CHECK_OK(btopt_optimizer_use_objective(opt, "misuse.constant"));
    res = nullptr;
    CHECK_OK(btopt_optimizer_set_int(opt, "n_jobs", 1));
    CHECK_OK(btopt_optimizer_run(opt, &res));
    CHECK(btopt_result_trial_count(res) == 63u);
    btopt_result_destroy(res);
    btopt_optimizer_destroy(opt);
}

TEST_CASE("a cancel before a run stops that run at once, and the run after it goes ahead")
{
    btopt_optimizer *opt = make_optimizer("grid");
    CHECK_OK(btopt_optimizer_set_objective(opt, constant_objective, nullptr));
    CHECK_OK(btopt_optimizer_set_int(opt, "n_jobs", 1));
    btopt_optimizer_cancel(opt);
    btopt_result *res = nullptr;
    CHECK(btopt_optimizer_run(opt, &res) == BTOPT_ERR_CANCELLED);
    REQUIRE(res != nullptr);
    CHECK(btopt_result_status_count(res, BTOPT_TRIAL_OK) == 0u);
    CHECK(btopt_result_evaluated_count(res) == 0u);
    btopt_result_destroy(res);
    res = nullptr;
    CHECK_OK(btopt_optimizer_run(opt, &res));
    CHECK(btopt_result_status_count(res, BTOPT_TRIAL_OK) == 63u);
    btopt_result_destroy(res);
    btopt_optimizer_destroy(opt);
}

// ---- Results and params -----------------------------------------------------------

TEST_CASE("result accessors out of range")
{
    btopt_result *res = mixed_result();
    const btopt_params *params = nullptr;
    double score = 0.0;
    int32_t status = 0;
    uint64_t number = 0;
    const char *error = nullptr;
    double seconds = 0.0;
    CHECK_ERR(btopt_result_trial(res, 12, &params, &score, &status), BTOPT_ERR_NOT_FOUND, "12");
    CHECK_ERR(btopt_result_trial(res, UINT64_MAX, &params, &score, &status), BTOPT_ERR_NOT_FOUND, "");
    CHECK_ERR(btopt_result_trial_info(res, 12, &number, &error, &seconds), BTOPT_ERR_NOT_FOUND, "12");
    CHECK(btopt_result_status_count(res, 99) == 0u);
    CHECK(btopt_result_status_count(res, -1) == 0u);
    CHECK(btopt_result_status_count(res, BTOPT_TRIAL_OK) == 12u);
    const btopt_params *best = btopt_result_best_params(res);
    REQUIRE(best != nullptr);
    CHECK(btopt_params_count(best) == 3u);
    CHECK(btopt_params_name(best, 3) == nullptr);
    CHECK(btopt_params_name(best, SIZE_MAX) == nullptr);
    CHECK(btopt_params_kind(best, 3) == -1);
    CHECK(btopt_params_kind(best, SIZE_MAX) == -1);
    CHECK(btopt_params_kind(best, 2) == BTOPT_PARAM_CHOICE);
    // A host objective reports no metrics.
    double metric = 0.0;
    CHECK(btopt_result_metric_count(res) == 0u);
    CHECK(btopt_result_metric_name(res, 0) == nullptr);
    CHECK(btopt_result_trial_metric(res, 0, 0, &metric) != BTOPT_OK);
    CHECK(btopt_result_metric_count(nullptr) == 0u);
    CHECK(btopt_result_metric_name(nullptr, 0) == nullptr);
    CHECK_ERR(btopt_result_trial_metric(nullptr, 0, 0, &metric), BTOPT_ERR_INVALID_ARGUMENT, "");
    btopt_result_destroy(res);
}

TEST_CASE("params getters of the wrong kind or name")
{
    btopt_result *res = mixed_result();
    const btopt_params *p = btopt_result_best_params(res);
    REQUIRE(p != nullptr);
    int64_t i = 0;
    double d = 0.0;
    const char *s = nullptr;
    CHECK_ERR(btopt_params_get_int(p, "mode", &i), BTOPT_ERR_INVALID_ARGUMENT, "mode");
    CHECK_ERR(btopt_params_get_int(p, "threshold", &i), BTOPT_ERR_INVALID_ARGUMENT, "threshold");
    CHECK_ERR(btopt_params_get_double(p, "mode", &d), BTOPT_ERR_INVALID_ARGUMENT, "mode");
    CHECK_ERR(btopt_params_get_string(p, "fast", &s), BTOPT_ERR_INVALID_ARGUMENT, "fast");
    CHECK_ERR(btopt_params_get_string(p, "threshold", &s), BTOPT_ERR_INVALID_ARGUMENT, "threshold");
    CHECK_ERR(btopt_params_get_int(p, "nope", &i), BTOPT_ERR_NOT_FOUND, "nope");
    CHECK_ERR(btopt_params_get_double(p, "nope", &d), BTOPT_ERR_NOT_FOUND, "nope");
    CHECK_ERR(btopt_params_get_string(p, "nope", &s), BTOPT_ERR_NOT_FOUND, "nope");
    CHECK_ERR(btopt_params_get_int(p, "", &i), BTOPT_ERR_NOT_FOUND, "");
    CHECK_ERR(btopt_params_get_int(p, "FAST", &i), BTOPT_ERR_NOT_FOUND, "FAST");
    // The right kinds work, and ints convert to double.
    CHECK_OK(btopt_params_get_int(p, "fast", &i));
    CHECK_OK(btopt_params_get_double(p, "fast", &d));
    CHECK(d == static_cast<double>(i));
    CHECK_OK(btopt_params_get_double(p, "threshold", &d));
    CHECK_OK(btopt_params_get_string(p, "mode", &s));
    REQUIRE(s != nullptr);
    CHECK((std::string(s) == "long" || std::string(s) == "short"));
    btopt_result_destroy(res);
}

TEST_CASE("writing to an unwritable path")
{
    btopt_result *res = mixed_result();
    const char *missing_json = "/nonexistent-btopt-dir/sub/result.json";
    const char *missing_csv = "/nonexistent-btopt-dir/sub/result.csv";
    CHECK_ERR(btopt_result_write_json(res, missing_json), BTOPT_ERR_IO, missing_json);
    CHECK_ERR(btopt_result_write_csv(res, missing_csv), BTOPT_ERR_IO, missing_csv);
    CHECK_ERR(btopt_result_write_json(res, "/"), BTOPT_ERR_IO, "");
    CHECK_ERR(btopt_result_write_csv(res, "/"), BTOPT_ERR_IO, "");
    btopt_result_destroy(res);
}

// ---- The last error --------------------------------------------------------------

TEST_CASE("last error keeps its text after successful calls")
{
    btopt_space *space = strategy_space();
    REQUIRE(btopt_space_add_int(space, "fast", 1, 2, 1) == BTOPT_ERR_INVALID_ARGUMENT);
    const std::string failure = last_error();
    CHECK(contains(failure, "fast"));

    // Successful calls of every kind, and destroys.
    uint64_t n = 0;
    CHECK(btopt_space_cardinality(space, &n) == BTOPT_OK);
    CHECK(btopt_space_add_int(space, "medium", 1, 3, 1) == BTOPT_OK);
    btopt_optimizer *opt = nullptr;
    CHECK(btopt_optimizer_create(&opt, space, "grid") == BTOPT_OK);
    CHECK(btopt_optimizer_set_int(opt, "n_jobs", 1) == BTOPT_OK);
    CHECK(btopt_optimizer_set_objective(opt, constant_objective, nullptr) == BTOPT_OK);
    btopt_result *res = nullptr;
    CHECK(btopt_optimizer_run(opt, &res) == BTOPT_OK);
    const btopt_params *best = btopt_result_best_params(res);
    int64_t v = 0;
    CHECK(btopt_params_get_int(best, "fast", &v) == BTOPT_OK);
    (void)btopt_version();
    (void)btopt_status_name(BTOPT_OK);
    btopt_result_destroy(res);
    btopt_optimizer_destroy(opt);
    btopt_space_destroy(space);
    CHECK(last_error() == failure);

    // The next failure replaces it.
    btopt_optimizer *none = nullptr;
    btopt_space *other = strategy_space();
    CHECK(btopt_optimizer_create(&none, other, "simplex") == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(last_error() != failure);
    CHECK(contains(last_error(), "simplex"));
    btopt_space_destroy(other);
}

TEST_CASE("last error is per thread")
{
    btopt_fail("main thread's failure");
    std::string fresh;
    std::string own;
    std::thread other([&] {
        fresh = last_error();
        btopt_fail("other thread's failure");
        own = last_error();
    });
    other.join();
    CHECK(fresh.empty());
    CHECK(own == "other thread's failure");
    CHECK(last_error() == "main thread's failure");
}

TEST_CASE("walk-forward: NULL handles, a short spec, a host objective, bad lengths")
{
    btopt_walkforward *wf = nullptr;
    const btopt_walkforward_spec spec{sizeof(btopt_walkforward_spec), "40", "20", nullptr, 0, nullptr};
    btopt_walkforward_destroy(nullptr);
    CHECK(btopt_walkforward_window_count(nullptr) == 0u);
    CHECK(std::string(btopt_walkforward_json(nullptr)).empty());
    CHECK_ERR(btopt_optimizer_walkforward(nullptr, &spec, &wf), BTOPT_ERR_INVALID_ARGUMENT, "");
    btopt_optimizer *opt = make_optimizer("grid");
    CHECK_ERR(btopt_optimizer_walkforward(opt, nullptr, &wf), BTOPT_ERR_INVALID_ARGUMENT, "");
    CHECK_ERR(btopt_optimizer_walkforward(opt, &spec, nullptr), BTOPT_ERR_INVALID_ARGUMENT, "");
    btopt_walkforward_spec short_spec = spec;
    short_spec.struct_size = sizeof(uint32_t);
    CHECK_ERR(btopt_optimizer_walkforward(opt, &short_spec, &wf), BTOPT_ERR_INVALID_ARGUMENT, "struct_size");
    btopt_walkforward_spec bad = spec;
    bad.train = "2q";
    CHECK_ERR(btopt_optimizer_walkforward(opt, &bad, &wf), BTOPT_ERR_INVALID_ARGUMENT, "--train");
    CHECK_OK(btopt_optimizer_set_objective(opt, constant_objective, nullptr));
    CHECK_ERR(btopt_optimizer_walkforward(opt, &spec, &wf), BTOPT_ERR_UNSUPPORTED, "plugin");
    CHECK(wf == nullptr);
    btopt_optimizer_destroy(opt);
}
