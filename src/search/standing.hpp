// How the searches that rank trials (genetic, cmaes, bayesian) order them:
// every feasible trial above every infeasible one (one that breaks the run's
// `require`), every infeasible one above a failed one, and by fitness within
// each tier. This is Deb's feasibility rule (Deb 2000, "An efficient
// constraint handling method for genetic algorithms") with the fitness
// standing in for the constraint violation, which `require` does not measure.
#pragma once

#include <compare>
#include <limits>
#include <optional>

namespace btopt::internal {

struct Standing {
    enum Tier : int { Failed, Infeasible, Feasible };
    Tier tier = Failed;
    double fitness = -std::numeric_limits<double>::infinity();

    static Standing failed() { return {}; }
    // What Search::tell hears: a fitness, or nullopt for a failed trial.
    static Standing told(std::optional<double> fitness) { return fitness ? feasible(*fitness) : failed(); }
    static Standing feasible(double fitness) { return {Feasible, fitness}; }
    static Standing infeasible(double fitness) { return {Infeasible, fitness}; }

    friend bool operator>(const Standing &a, const Standing &b)
    {
        return a.tier != b.tier ? a.tier > b.tier : a.fitness > b.fitness;
    }
    friend bool operator==(const Standing &, const Standing &) = default;
};

} // namespace btopt::internal
