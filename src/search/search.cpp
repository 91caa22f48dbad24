#include "search.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace btopt::internal {

bool is_known_algorithm(const std::string &algorithm)
{
    return algorithm == "grid" || algorithm == "random" || algorithm == "genetic" || algorithm == "bayesian" ||
           algorithm == "cmaes" || algorithm == "gp";
}

std::string_view known_algorithms()
{
    return "'grid', 'random', 'genetic', 'bayesian', 'cmaes' or 'gp'";
}

void tell_search(Search &search, TrialStatus status, double score, Direction direction)
{
    const double fitness = direction == Direction::Maximize ? score : -score;
    if (status == TrialStatus::Ok)
        search.tell(fitness);
    else if (status == TrialStatus::Infeasible && std::isfinite(fitness))
        search.tell_infeasible(fitness);
    else
        search.tell(std::nullopt);
}

bool is_search_option(std::string_view name)
{
    static constexpr std::string_view names[] = {
        "random_seed",   "n_iterations", "population_size", "n_generations", "tournament_size", "elite_count",
        "crossover_rate", "mutation_rate", "batch_q",        "patience",      "direction"};
    return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

Result<std::unique_ptr<Search>> make_search(const std::string &algorithm, const Space &space, const Options &options)
{
    if (space.size() == 0)
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "the parameter space is empty: add at least one parameter");
    auto constraints = Constraints::compile(space, space.constraints());
    if (!constraints)
        return tl::unexpected(constraints.error());
    if (algorithm == "grid")
        return make_grid_search(space, std::move(*constraints));
    if (algorithm == "random")
        return make_random_search(space, std::move(*constraints), options);
    if (algorithm == "genetic")
        return make_genetic_search(space, std::move(*constraints), options);
    if (algorithm == "bayesian")
        return make_bayesian_search(space, std::move(*constraints), options);
    if (algorithm == "cmaes")
        return make_cmaes_search(space, std::move(*constraints), options);
    if (algorithm == "gp")
        return make_gp_search(space, std::move(*constraints), options);
    return fail(BTOPT_ERR_INVALID_ARGUMENT, "unknown algorithm '{}': use {}", algorithm, known_algorithms());
}

} // namespace btopt::internal
