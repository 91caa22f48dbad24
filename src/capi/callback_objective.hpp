// A host function as the objective. The params view it gets lives on the
// stack of the evaluating thread, valid for that call only.
#pragma once

#include "handles.hpp"

#include "../core/objective.hpp"

namespace btopt::internal::capi {

class CallbackObjective final : public Objective {
public:
    CallbackObjective(const Space &space, btopt_objective_fn fn, void *user, std::string name,
                      ForkHooks hooks = {})
        : space_(space), fn_(fn), user_(user), name_(std::move(name)), hooks_(hooks)
    {
    }

    Evaluation evaluate(const Point &point, std::uint64_t seed, BarRange /*whole*/) override
    {
        const btopt_params view{&space_, point.data(), seed};
        // The objective may give its reason through btopt_fail: then the
        // thread's error count moves and the last error holds the reason.
        const std::uint64_t errors_before = error_count();
        double score = 0.0;
        const btopt_status status = fn_(user_, &view, &score);
        Evaluation e;
        e.score = score;
        if (status != BTOPT_OK) {
            const bool said_why = error_count() != errors_before;
            e.status = said_why ? failure_status() : TrialStatus::Failed;
            e.error = said_why ? last_error_text() : fmt::format("the objective returned {}", btopt_status_name(status));
        }
        return e;
    }

    std::string name() const override { return name_; }

    void before_fork() override { call(hooks_.before); }
    void after_fork_parent() override { call(hooks_.after_parent); }
    void after_fork_child() override { call(hooks_.after_child); }

private:
    void call(btopt_fork_hook_fn hook) const
    {
        if (hook != nullptr)
            hook(hooks_.user);
    }

    const Space &space_;
    btopt_objective_fn fn_;
    void *user_;
    std::string name_;
    ForkHooks hooks_;
};

} // namespace btopt::internal::capi
