// A search without a run, for hosts that bring their own executor (the C
// ABI's btopt_search_*). It numbers the points a search proposes, takes their
// outcomes back in any order and tells the search in trial order through the
// coordinator's TrialWindow, so the trials are those a run with the same
// options would evaluate, whatever order the outcomes arrive in. Its state is
// the points it proposed and the outcomes told: restoring replays them.
#pragma once

#include "search.hpp"

#include "../core/trial.hpp"
#include "../core/trial_window.hpp"

#include <nlohmann/json_fwd.hpp>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace btopt::internal {

// What the host says of one trial.
struct Told {
    TrialStatus status = TrialStatus::Ok;
    double score = 0.0; // the user's score (direction applies), meaningful when ok
    Metrics metrics;
};

struct SavedState; // a state read back (ask_tell.cpp)

struct BestTold {
    std::uint64_t number = 0;
    double score = 0.0;
};

class AskTell {
public:
    static Result<AskTell> make(const std::string &algorithm, std::shared_ptr<const Space> space, Options options);

    // Proposes up to `max` trials and appends their numbers to `numbers`.
    // Trials a restored state had proposed but not told come first.
    Result<void> ask(std::size_t max, std::vector<std::uint64_t> &numbers);
    Result<void> tell(std::uint64_t number, Told told);
    // No trial left to propose and every one proposed told.
    bool done() const;
    // The point of trial n, n < proposed(); its address never changes.
    const Point &point(std::uint64_t n) const { return points_[static_cast<std::size_t>(n)]; }
    std::uint64_t proposed() const { return points_.size(); }
    // The best ok trial heard so far (ties: the earlier trial).
    const std::optional<BestTold> &best() const { return best_; }

    // JSON: the algorithm, the parameter names, every point proposed and
    // every outcome told (in the order they came).
    std::string state() const;
    // Replays a state into a search that has proposed nothing yet.
    Result<void> restore(std::string_view state);

private:
    AskTell(std::string algorithm, std::shared_ptr<const Space> space, Options options, std::unique_ptr<Search> search)
        : algorithm_(std::move(algorithm)), space_(std::move(space)), options_(std::move(options)),
          search_(std::move(search))
    {
    }

    struct Pending {
        std::optional<Told> outcome;
    };

    Result<void> propose(std::size_t max, std::vector<std::uint64_t> &numbers);
    void hear(std::uint64_t number, const Told &told);
    Result<void> check_tell(std::uint64_t number, const Told &told) const;
    Result<void> check_fits(const SavedState &saved) const;
    Result<void> replay(const std::vector<nlohmann::json> &saved_points, const std::vector<std::optional<Told>> &told);

    std::string algorithm_;
    std::shared_ptr<const Space> space_;
    Options options_;
    std::unique_ptr<Search> search_;
    TrialWindow<Pending> window_;
    std::deque<Point> points_; // every point proposed, by trial number (a deque: addresses stay)
    std::vector<std::pair<std::uint64_t, Told>> told_; // every outcome told, in the order it came
    std::deque<std::uint64_t> reissue_; // a restored state's trials proposed but not told
    std::vector<Point> asked_;          // reused: what the search proposes
    std::optional<BestTold> best_;
};

} // namespace btopt::internal
