// The option `require`: a condition over a trial's metrics, e.g.
// "trades >= 30 && max_drawdown < 0.3". A trial that ends ok but breaks it is
// recorded as infeasible (the coordinator judges every trial in trial order,
// stored ones too, so a study resumed with another requirement judges again).
// It is compiled by the constraint parser over a space whose parameters are
// the metrics, so it has the same syntax and the same refusals as constraints.
#pragma once

#include "constraints.hpp"

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace btopt::internal {

class Requirement {
public:
    // No requirement: every ok trial is feasible.
    Requirement();
    // Names it may use: the run's metrics (a plugin's; a host objective has
    // none), and "score", the trial's score as the objective gave it, unless
    // a metric has that name. Metric names that are no identifiers (the
    // "btopt." statistics) cannot be named. INVALID_ARGUMENT, naming the
    // option and the names it knows, for an unknown name or a bad condition.
    static Result<Requirement> compile(const std::string &expression, const std::vector<std::string> &metric_names);

    Requirement(Requirement &&) noexcept;
    Requirement &operator=(Requirement &&) noexcept;
    ~Requirement();

    bool empty() const noexcept { return !constraints_; }
    // True when the condition holds for a trial with this score and these
    // metrics; false when a metric it names is missing or NaN. Not
    // thread-safe (the coordinator's thread only).
    bool met(double score, std::span<const double> metrics) const;

private:
    std::unique_ptr<Space> names_; // one float parameter per name: Constraints points into it
    std::optional<Constraints> constraints_;
    // Per parameter of names_: the metric it reads, or nullopt for the score.
    std::vector<std::optional<std::size_t>> sources_;
    mutable Point point_;
};

} // namespace btopt::internal
