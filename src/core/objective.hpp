// The thing being optimised: scores one point. A host callback or, through
// the plugin layer, a strategy's backtest. Executors call it; they never know which.
#pragma once

#include "trial.hpp"

#include <string>
#include <vector>

namespace btopt::internal {

class Objective {
public:
    virtual ~Objective() = default;
    // Never throws: failures come back as a failed Evaluation with the reason.
    // A NaN or infinite score is turned into a failure by the caller. A
    // range other than the whole data reaches only objectives that take
    // ranges (launch refuses the rest before the run).
    virtual Evaluation evaluate(const Point &point, std::uint64_t seed, BarRange range) = 0;
    // Names of the metrics each evaluation reports, in order (none for a bare score).
    virtual std::vector<std::string> metric_names() const { return {}; }
    // How the result files name the objective.
    virtual std::string name() const = 0;
    // Around a fork of the host that runs this objective in the child (the
    // fork spawner): a host language's runtime prepares for the fork and
    // recovers from it (btopt_optimizer_set_fork_hooks).
    virtual void before_fork() {}
    virtual void after_fork_parent() {}
    virtual void after_fork_child() {}
};

// CPU seconds this thread's evaluations used in other processes, as their
// objective reported them (btopt_report_cpu_seconds: a host objective that
// hands each point to a process of its own); the evaluator counts them as
// the thread's CPU time, so the speedup measures the work, not the waiting.
inline double &cpu_elsewhere()
{
    thread_local double seconds = 0.0;
    return seconds;
}

} // namespace btopt::internal
