// Where a run's trials go as they are recorded, and where outcomes stored by
// earlier runs come from: a study (src/study), seen by the coordinator only
// through this interface. Searches and executors never see it.
#pragma once

#include "error.hpp"
#include "trial.hpp"

#include <optional>
#include <span>

namespace btopt::internal {

class TrialStore {
public:
    virtual ~TrialStore() = default;
    // An outcome stored for this point by an earlier run that may be reused
    // instead of evaluating it again (same plugin, data, config, objective).
    // Asked in trial order; `number` is the trial the point would be.
    virtual std::optional<Outcome> stored(std::uint64_t number, std::span<const Value> point) = 0;
    // Called in trial order for every trial the run records, reused ones too.
    // Must not wait on the disk.
    virtual void record(std::uint64_t number, std::span<const Value> point, const Evaluation &e, double seconds,
                        bool reused) = 0;
    // Called once after the last record(): no trial follows. The store may
    // make its trials durable now, while the run computes its statistics.
    virtual void recorded_all() = 0;
    // Set once storing failed (a full disk): the run stops with this error.
    virtual std::optional<Error> failure() const = 0;
};

} // namespace btopt::internal
