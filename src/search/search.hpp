// A search proposes points and learns their scores (ask / tell). It never
// knows who evaluates them, nor in which order they finish: the coordinator
// tells results back in proposal order, so a search is deterministic for any
// executor, worker count and batch size.
#pragma once

#include "../core/constraints.hpp"
#include "../core/options.hpp"
#include "../core/trial.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace btopt::internal {

class Search {
public:
    virtual ~Search() = default;
    // Appends up to `max` new points to `out`, in proposal order (the caller
    // reuses `out`, so asking allocates nothing). None before finished()
    // means: tell me the results of the points in flight first.
    virtual Result<void> ask(std::size_t max, std::vector<Point> &out) = 0;
    // The fitness of the oldest point not yet told (higher is better; the
    // coordinator negates scores when minimising), or nullopt when its trial
    // did not end ok.
    virtual void tell(std::optional<double> fitness) = 0;
    // The oldest point not yet told ended ok with this fitness but breaks the
    // run's `require`: it is never the best. A model-based search ranks it
    // below every feasible trial (by its fitness among the infeasible ones);
    // by default it counts as failed.
    virtual void tell_infeasible(double fitness) { (void)fitness; tell(std::nullopt); }
    virtual bool finished() const = 0;
    // Points the run expects to evaluate in all, for progress; an upper bound
    // where the search may stop early.
    virtual std::uint64_t planned() const = 0;
};

// "grid", "random", "genetic", "bayesian", "cmaes" or "gp". INVALID_ARGUMENT for another name or a
// space the algorithm cannot search (a grid over a continuous float).
Result<std::unique_ptr<Search>> make_search(const std::string &algorithm, const Space &space, const Options &options);

Result<std::unique_ptr<Search>> make_grid_search(const Space &space, Constraints constraints);
Result<std::unique_ptr<Search>> make_random_search(const Space &space, Constraints constraints,
                                                   const Options &options);
Result<std::unique_ptr<Search>> make_genetic_search(const Space &space, Constraints constraints,
                                                    const Options &options);
Result<std::unique_ptr<Search>> make_bayesian_search(const Space &space, Constraints constraints,
                                                     const Options &options);
// INVALID_ARGUMENT for more n_iterations than a Gaussian process can model.
Result<std::unique_ptr<Search>> make_gp_search(const Space &space, Constraints constraints, const Options &options);
// INVALID_ARGUMENT for a space of choices only.
Result<std::unique_ptr<Search>> make_cmaes_search(const Space &space, Constraints constraints, const Options &options);

// Tells `search` one trial's outcome, in trial order: the one home of how a
// status and the user's score (direction applies) become a fitness.
void tell_search(Search &search, TrialStatus status, double score, Direction direction);

// Algorithms a user may name, for checks before a run.
bool is_known_algorithm(const std::string &algorithm);
// Their names, quoted, for messages: "'grid', ... or 'gp'".
std::string_view known_algorithms();

// The options a search reads (make_search and the searches); the others
// (n_jobs, backend, study, ...) are a run's. The ask/tell API takes these only.
bool is_search_option(std::string_view name);

} // namespace btopt::internal
