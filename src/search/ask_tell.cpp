#include "ask_tell.hpp"

#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

namespace btopt::internal {
namespace {

using Json = nlohmann::json;

constexpr int state_version = 1;

// A point as JSON numbers: an int's or choice's index, a float's value.
Json point_json(const Space &space, const Point &point)
{
    Json values = Json::array();
    for (std::size_t k = 0; k < point.size(); ++k)
        if (space.parameters()[k].kind == Kind::Float)
            values.push_back(point[k].f);
        else
            values.push_back(point[k].i);
    return values;
}

Json number_or_null(double value)
{
    return std::isfinite(value) ? Json(value) : Json(nullptr);
}

double number_of(const Json &j)
{
    return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>();
}

std::optional<TrialStatus> status_named(const std::string &name)
{
    for (std::size_t s = 0; s < trial_status_count; ++s)
        if (name == trial_status_name(static_cast<TrialStatus>(s)))
            return static_cast<TrialStatus>(s);
    return std::nullopt;
}

} // namespace

// What a state says, read and checked for shape (not yet against a search).
struct SavedState {
    std::string algorithm;
    std::vector<std::string> parameters;
    std::vector<Json> points;
    std::vector<std::pair<std::uint64_t, Told>> told;
};

namespace {

Result<SavedState> parse_state(std::string_view text)
{
    try {
        const Json j = Json::parse(text);
        if (!j.is_object() || j.value("btopt_search_state", 0) != state_version)
            return fail(BTOPT_ERR_INVALID_ARGUMENT,
                        "the text is not a btopt search state (btopt_search_state version {} expected)", state_version);
        SavedState s;
        s.algorithm = j.at("algorithm").get<std::string>();
        s.parameters = j.at("parameters").get<std::vector<std::string>>();
        s.points = j.at("points").get<std::vector<Json>>();
        for (const Json &t : j.at("told")) {
            Told told;
            const auto status = status_named(t.at(1).get<std::string>());
            if (!status)
                return fail(BTOPT_ERR_INVALID_ARGUMENT, "the state tells a trial status '{}' btopt does not know",
                            t.at(1).get<std::string>());
            told.status = *status;
            told.score = number_of(t.at(2));
            for (const Json &m : t.at(3))
                told.metrics.push_back(number_of(m));
            s.told.emplace_back(t.at(0).get<std::uint64_t>(), std::move(told));
        }
        return s;
    } catch (const Json::exception &e) {
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "the text is not a btopt search state: {}", e.what());
    }
}

} // namespace

Result<AskTell> AskTell::make(const std::string &algorithm, std::shared_ptr<const Space> space, Options options)
{
    auto search = make_search(algorithm, *space, options);
    if (!search)
        return tl::unexpected(search.error());
    return AskTell(algorithm, std::move(space), std::move(options), std::move(*search));
}

Result<void> AskTell::propose(std::size_t max, std::vector<std::uint64_t> &numbers)
{
    if (max == 0 || search_->finished())
        return {};
    asked_.clear();
    if (auto asked = search_->ask(max, asked_); !asked)
        return asked;
    for (Point &point : asked_) {
        numbers.push_back(window_.next_number());
        window_.open().outcome.reset();
        points_.push_back(std::move(point));
    }
    return {};
}

Result<void> AskTell::ask(std::size_t max, std::vector<std::uint64_t> &numbers)
{
    const std::size_t start = numbers.size();
    while (!reissue_.empty() && numbers.size() - start < max) {
        numbers.push_back(reissue_.front());
        reissue_.pop_front();
    }
    return propose(max - (numbers.size() - start), numbers);
}

Result<void> AskTell::check_tell(std::uint64_t number, const Told &told) const
{
    if (number >= proposed()) {
        if (proposed() == 0)
            return fail(BTOPT_ERR_NOT_FOUND, "trial {} was never proposed: the search has proposed no trial yet", number);
        return fail(BTOPT_ERR_NOT_FOUND, "trial {} was never proposed: the search has proposed trials 0 to {}{}",
                    number, proposed() - 1, done() ? " and is done: every one was told" : "");
    }
    if (!window_.waiting(number))
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "trial {} was already told{}", number,
                    done() ? " (the search is done: every trial it proposed was told)" : "");
    const auto status = static_cast<std::int32_t>(told.status);
    if (status < 0 || static_cast<std::size_t>(status) >= trial_status_count)
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "trial {}: status {} is not a btopt_trial_status", number, status);
    if (told.status == TrialStatus::Ok && !std::isfinite(told.score))
        return fail(BTOPT_ERR_INVALID_ARGUMENT,
                    "trial {}: a score of {} is not a result: tell it with status BTOPT_TRIAL_FAILED", number,
                    told.score);
    return {};
}

Result<void> AskTell::tell(std::uint64_t number, Told told)
{
    if (auto valid = check_tell(number, told); !valid)
        return valid;
    std::erase(reissue_, number);
    told_.emplace_back(number, told);
    window_.waiting(number)->outcome = std::move(told);
    window_.release_ready([this](std::uint64_t n, const Pending &pending) { hear(n, *pending.outcome); });
    return {};
}

// Called in trial order only.
void AskTell::hear(std::uint64_t number, const Told &told)
{
    if (told.status == TrialStatus::Ok) {
        const bool better = !best_ || (options_.direction == Direction::Maximize ? told.score > best_->score
                                                                                  : told.score < best_->score);
        if (better)
            best_ = BestTold{number, told.score};
    }
    tell_search(*search_, told.status, told.score, options_.direction);
}

bool AskTell::done() const
{
    return search_->finished() && window_.empty() && reissue_.empty();
}

std::string AskTell::state() const
{
    Json names = Json::array();
    for (const Parameter &p : space_->parameters())
        names.push_back(p.name);
    Json points = Json::array();
    for (const Point &point : points_)
        points.push_back(point_json(*space_, point));
    Json told = Json::array();
    for (const auto &[number, t] : told_) {
        Json metrics = Json::array();
        for (double m : t.metrics)
            metrics.push_back(number_or_null(m));
        told.push_back(Json::array({number, trial_status_name(t.status), number_or_null(t.score), metrics}));
    }
    return Json{{"btopt_search_state", state_version},
                {"algorithm", algorithm_},
                {"parameters", names},
                {"points", points},
                {"told", told}}
        .dump();
}

Result<void> AskTell::restore(std::string_view text)
{
    if (proposed() != 0)
        return fail(BTOPT_ERR_INVALID_ARGUMENT,
                    "a state is restored into a new search only: this one has proposed {} trials", proposed());
    auto saved = parse_state(text);
    if (!saved)
        return tl::unexpected(saved.error());
    if (auto fits = check_fits(*saved); !fits)
        return fits;
    std::vector<std::optional<Told>> by_number(saved->points.size());
    for (auto &[number, told] : saved->told) {
        if (number >= by_number.size() || by_number[number])
            return fail(BTOPT_ERR_INVALID_ARGUMENT, "the state tells trial {} {}", number,
                        number >= by_number.size() ? "which it never proposed" : "twice");
        by_number[number] = told;
    }
    if (auto replayed = replay(saved->points, by_number); !replayed)
        return replayed;
    told_ = std::move(saved->told); // in the order they first came
    for (std::uint64_t n = 0; n < by_number.size(); ++n)
        if (!by_number[n])
            reissue_.push_back(n);
    return {};
}

Result<void> AskTell::check_fits(const SavedState &saved) const
{
    std::vector<std::string> names;
    for (const Parameter &p : space_->parameters())
        names.push_back(p.name);
    if (saved.algorithm != algorithm_ || saved.parameters != names)
        return fail(BTOPT_ERR_INVALID_ARGUMENT,
                    "the state was saved by a '{}' search over ({}); this is a '{}' search over ({})", saved.algorithm,
                    fmt::join(saved.parameters, ", "), algorithm_, fmt::join(names, ", "));
    return {};
}

// Proposes the saved points again, checking each, and tells the saved
// outcomes as their trials appear: the search ends where the saved one was.
Result<void> AskTell::replay(const std::vector<Json> &saved_points, const std::vector<std::optional<Told>> &told)
{
    std::vector<std::uint64_t> numbers;
    while (proposed() < saved_points.size()) {
        numbers.clear();
        if (auto proposed_now = propose(saved_points.size() - proposed(), numbers); !proposed_now)
            return proposed_now;
        if (numbers.empty())
            return fail(BTOPT_ERR_INVALID_ARGUMENT,
                        "the state does not fit this search: it holds {} trials, this search proposes {} from them; "
                        "create the search with the options the state was saved with",
                        saved_points.size(), proposed());
        for (const std::uint64_t n : numbers)
            if (point_json(*space_, point(n)) != saved_points[n])
                return fail(BTOPT_ERR_INVALID_ARGUMENT,
                            "the state does not fit this search: its trial {} is {}, this search proposes {}; create "
                            "the search with the options (random_seed, ...) the state was saved with",
                            n, saved_points[n].dump(), point_json(*space_, point(n)).dump());
        for (const std::uint64_t n : numbers)
            if (told[n])
                if (auto ok = tell(n, *told[n]); !ok)
                    return ok;
    }
    return {};
}

} // namespace btopt::internal
