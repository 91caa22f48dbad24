// A host function as the objective. The params view it gets lives on the
// stack of the evaluating thread, valid for that call only.
#pragma once

#include "handles.hpp"

#include "../core/objective.hpp"

namespace btopt::internal::capi {

class CallbackObjective final : public Objective {
public:
    CallbackObjective(const Space &space, btopt_objective_fn fn, void *user, std::string name)
        : space_(space), fn_(fn), user_(user), name_(std::move(name))
    {
    }

    Evaluation evaluate(const Point &point, std::uint64_t /*seed*/) override
    {
        const btopt_params view{&space_, &point};
        // The objective may report its reason through btopt_fail; keep the
        // caller's own last error intact around it.
        std::string saved = std::move(last_error_text());
        last_error_text().clear();
        double score = 0.0;
        const btopt_status status = fn_(user_, &view, &score);
        Evaluation e;
        if (status != BTOPT_OK) {
            e.status = TrialStatus::Failed;
            e.error = last_error_text().empty() ? fmt::format("the objective returned {}", btopt_status_name(status))
                                                : last_error_text();
        }
        e.score = score;
        last_error_text() = std::move(saved);
        return e;
    }

    std::string name() const override { return name_; }

private:
    const Space &space_;
    btopt_objective_fn fn_;
    void *user_;
    std::string name_;
};

} // namespace btopt::internal::capi
