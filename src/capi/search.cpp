// Ask/tell searches at the C ABI: handles, options and views over the
// internal AskTell (search/ask_tell.hpp), which holds all the logic.
#include "handles.hpp"

#include "../core/rng.hpp"
#include "../search/ask_tell.hpp"

#include <optional>
#include <unordered_map>

using namespace btopt::internal;
using btopt::internal::capi::guarded;
using btopt::internal::capi::set_error;
using btopt::internal::capi::status_of;

struct btopt_search {
    std::shared_ptr<const Space> space;
    std::string algorithm;
    Options options;
    std::optional<AskTell> session; // made on the first ask or restore: the options are fixed from then on
    std::unordered_map<std::uint64_t, btopt_params> views; // of trials asked and not told (node addresses stay)
    mutable std::unordered_map<std::uint64_t, btopt_params> best_views; // handed out by btopt_search_best
    std::string state_text; // what btopt_search_state handed out last
};

namespace {

// A trial's seed, as a run hands it to its objective (btopt_params_seed), so a
// host evaluating asked trials can seed per trial exactly as a run does.
std::uint64_t seed_of(const btopt_search &s, std::uint64_t number)
{
    return trial_seed(static_cast<std::uint64_t>(s.options.random_seed), number);
}

Result<AskTell *> session(btopt_search &s)
{
    if (!s.session) {
        auto made = AskTell::make(s.algorithm, s.space, s.options);
        if (!made)
            return tl::unexpected(made.error());
        s.session.emplace(std::move(*made));
    }
    return &*s.session;
}

// Sets an option a search reads, before the search has started.
template <class Set>
btopt_status set_option(btopt_search *s, const char *option, Set set)
{
    BTOPT_REQUIRE(s);
    BTOPT_REQUIRE(option);
    return guarded([&] {
        const OptionSpec *spec = find_option(option);
        if (spec && !is_search_option(option))
            return set_error(BTOPT_ERR_INVALID_ARGUMENT,
                             fmt::format("option '{}' ({}) is a run's, not a search's: a search you ask and tell "
                                         "evaluates nothing itself; it takes random_seed, n_iterations, the genetic "
                                         "options, batch_q, patience and direction",
                                         option, spec->applies_to));
        if (spec && s->session)
            return set_error(BTOPT_ERR_INVALID_ARGUMENT,
                             fmt::format("option '{}': the search has started (asked or restored); set options "
                                         "right after btopt_search_create",
                                         option));
        return status_of(set(s->options));
    });
}

} // namespace

extern "C" {

btopt_status btopt_search_create(btopt_search **out, const btopt_space *space, const char *algorithm)
{
    BTOPT_REQUIRE(out);
    *out = nullptr;
    BTOPT_REQUIRE(space);
    BTOPT_REQUIRE(algorithm);
    return guarded([&] {
        auto s = std::make_unique<btopt_search>();
        s->space = std::make_shared<const Space>(space->space);
        s->algorithm = algorithm;
        if (!is_known_algorithm(s->algorithm))
            return set_error(BTOPT_ERR_INVALID_ARGUMENT,
                             fmt::format("unknown algorithm '{}': use {}", s->algorithm, known_algorithms()));
        if (auto search = make_search(s->algorithm, *s->space, s->options); !search)
            return set_error(search.error());
        *out = s.release();
        return BTOPT_OK;
    });
}

void btopt_search_destroy(btopt_search *search) { delete search; }

btopt_status btopt_search_set_int(btopt_search *search, const char *option, int64_t value)
{
    return set_option(search, option, [&](Options &o) { return o.set_int(option, value); });
}

btopt_status btopt_search_set_double(btopt_search *search, const char *option, double value)
{
    return set_option(search, option, [&](Options &o) { return o.set_double(option, value); });
}

btopt_status btopt_search_set_string(btopt_search *search, const char *option, const char *value)
{
    if (option != nullptr && value == nullptr)
        return set_error(BTOPT_ERR_INVALID_ARGUMENT, fmt::format("option '{}': the value is NULL", option));
    return set_option(search, option, [&](Options &o) { return o.set_string(option, value); });
}

btopt_status btopt_search_ask(btopt_search *search, size_t max, uint64_t *numbers, const btopt_params **params,
                              size_t *count)
{
    BTOPT_REQUIRE(count);
    *count = 0;
    BTOPT_REQUIRE(search);
    if (max > 0) {
        BTOPT_REQUIRE(numbers);
        BTOPT_REQUIRE(params);
    }
    return guarded([&] {
        auto s = session(*search);
        if (!s)
            return set_error(s.error());
        std::vector<std::uint64_t> asked;
        if (auto ok = (*s)->ask(max, asked); !ok)
            return set_error(ok.error());
        for (const std::uint64_t n : asked) {
            auto [view, _] = search->views.try_emplace(n, btopt_params{search->space.get(), (*s)->point(n).data(), seed_of(*search, n)});
            numbers[*count] = n;
            params[(*count)++] = &view->second;
        }
        return BTOPT_OK;
    });
}

btopt_status btopt_search_tell(btopt_search *search, uint64_t number, int32_t status, double score,
                               const double *metrics, size_t metric_count)
{
    BTOPT_REQUIRE(search);
    if (metric_count > 0)
        BTOPT_REQUIRE(metrics);
    return guarded([&] {
        auto s = session(*search);
        if (!s)
            return set_error(s.error());
        Told told{.status = static_cast<TrialStatus>(status), .score = score, .metrics = {}};
        told.metrics.assign(metrics, metrics + metric_count);
        if (auto ok = (*s)->tell(number, std::move(told)); !ok)
            return set_error(ok.error());
        search->views.erase(number);
        return BTOPT_OK;
    });
}

int btopt_search_done(const btopt_search *search)
{
    return search && search->session && search->session->done() ? 1 : 0;
}

btopt_status btopt_search_best(const btopt_search *search, uint64_t *number, double *score,
                               const btopt_params **params)
{
    BTOPT_REQUIRE(search);
    const auto *best = search->session ? &search->session->best() : nullptr;
    if (!best || !*best)
        return set_error(BTOPT_ERR_NOT_FOUND, "the search has heard no successful trial yet");
    if (number)
        *number = (*best)->number;
    if (score)
        *score = (*best)->score;
    if (params) {
        const std::uint64_t n = (*best)->number;
        auto [view, _] = search->best_views.try_emplace(n, btopt_params{search->space.get(), search->session->point(n).data(), seed_of(*search, n)});
        *params = &view->second;
    }
    return BTOPT_OK;
}

btopt_status btopt_search_state(btopt_search *search, const char **state)
{
    BTOPT_REQUIRE(state);
    *state = nullptr;
    BTOPT_REQUIRE(search);
    return guarded([&] {
        auto s = session(*search);
        if (!s)
            return set_error(s.error());
        search->state_text = (*s)->state();
        *state = search->state_text.c_str();
        return BTOPT_OK;
    });
}

btopt_status btopt_search_restore(btopt_search *search, const char *state)
{
    BTOPT_REQUIRE(search);
    BTOPT_REQUIRE(state);
    return guarded([&] {
        auto s = session(*search);
        if (!s)
            return set_error(s.error());
        if (auto restored = (*s)->restore(state); !restored) {
            search->session.reset(); // half replayed: start afresh on the next call
            return set_error(restored.error());
        }
        return BTOPT_OK;
    });
}

} // extern "C"
