// Results at the C ABI. Everything handed out points into the result.
#include "handles.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>

using namespace btopt::internal;
using btopt::internal::capi::guarded;
using btopt::internal::capi::set_error;
using btopt::internal::capi::status_of;

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

Result<std::size_t> kept_trial(const btopt_result *result, uint64_t i)
{
    if (i >= result->run.trials.size())
        return fail(BTOPT_ERR_NOT_FOUND, "trial index {} is out of range: the result keeps {} trials", i,
                    result->run.trials.size());
    return static_cast<std::size_t>(i);
}

} // namespace

extern "C" {

void btopt_result_destroy(btopt_result *result) { delete result; }

double btopt_result_best_score(const btopt_result *result)
{
    if (!result || !result->run.best)
        return not_a_number;
    return result->run.trials.score(*result->run.best);
}

const btopt_params *btopt_result_best_params(const btopt_result *result)
{
    if (!result || !result->run.best)
        return nullptr;
    return &result->view(*result->run.best);
}

btopt_status btopt_result_best_index(const btopt_result *result, uint64_t *out)
{
    BTOPT_REQUIRE(result);
    BTOPT_REQUIRE(out);
    if (!result->run.best)
        return set_error(BTOPT_ERR_NOT_FOUND, "no trial succeeded, so there is no best trial");
    *out = *result->run.best;
    return BTOPT_OK;
}

uint64_t btopt_result_trial_count(const btopt_result *result) { return result ? result->run.trials.size() : 0; }

btopt_status btopt_result_trial(const btopt_result *result, uint64_t i, const btopt_params **params, double *score,
                                int32_t *trial_status)
{
    BTOPT_REQUIRE(result);
    const auto trial = kept_trial(result, i);
    if (!trial)
        return set_error(trial.error());
    const Trials &t = result->run.trials;
    if (params)
        *params = &result->view(*trial);
    if (score)
        *score = has_score(t.status(*trial)) ? t.score(*trial) : not_a_number;
    if (trial_status)
        *trial_status = static_cast<int32_t>(t.status(*trial));
    return BTOPT_OK;
}

btopt_status btopt_result_trial_info(const btopt_result *result, uint64_t i, uint64_t *number, const char **error,
                                     double *seconds)
{
    BTOPT_REQUIRE(result);
    const auto trial = kept_trial(result, i);
    if (!trial)
        return set_error(trial.error());
    if (number)
        *number = result->run.trials.number(*trial);
    if (error)
        *error = result->run.trials.error(*trial).c_str();
    if (seconds)
        *seconds = result->run.trials.seconds(*trial);
    return BTOPT_OK;
}

size_t btopt_result_metric_count(const btopt_result *result)
{
    return result ? result->run.info.metric_names.size() : 0;
}

const char *btopt_result_metric_name(const btopt_result *result, size_t m)
{
    if (!result || m >= result->run.info.metric_names.size())
        return nullptr;
    return result->run.info.metric_names[m].c_str();
}

btopt_status btopt_result_trial_metric(const btopt_result *result, uint64_t i, size_t m, double *out)
{
    BTOPT_REQUIRE(result);
    BTOPT_REQUIRE(out);
    const auto trial = kept_trial(result, i);
    if (!trial)
        return set_error(trial.error());
    if (m >= result->run.info.metric_names.size())
        return set_error(BTOPT_ERR_NOT_FOUND, fmt::format("metric index {} is out of range: the run reports {} metrics",
                                                          m, result->run.info.metric_names.size()));
    const auto metrics = result->run.trials.metrics(*trial);
    *out = m < metrics.size() ? metrics[m] : not_a_number;
    return BTOPT_OK;
}

uint64_t btopt_result_evaluated_count(const btopt_result *result) { return result ? result->run.evaluated : 0; }

uint64_t btopt_result_status_count(const btopt_result *result, int32_t trial_status)
{
    if (!result || trial_status < 0 || trial_status >= static_cast<int32_t>(result->run.status_counts.size()))
        return 0;
    return result->run.status_counts[static_cast<std::size_t>(trial_status)];
}

double btopt_result_wall_seconds(const btopt_result *result) { return result ? result->run.wall_seconds : not_a_number; }

double btopt_result_eval_seconds(const btopt_result *result) { return result ? result->run.eval_seconds : not_a_number; }

double btopt_result_speedup(const btopt_result *result) { return result ? result->run.speedup() : not_a_number; }

double btopt_result_efficiency(const btopt_result *result) { return result ? result->run.efficiency() : not_a_number; }

double btopt_result_speedup_cpu_share(const btopt_result *result)
{
    return result ? result->run.cpu_share() : not_a_number;
}

int32_t btopt_result_rank(const btopt_result *result) { return result ? result->run.info.rank : 0; }

uint32_t btopt_result_workers(const btopt_result *result) { return result ? result->run.info.workers : 0; }

btopt_status btopt_result_write_json(const btopt_result *result, const char *path)
{
    BTOPT_REQUIRE(result);
    BTOPT_REQUIRE(path);
    return guarded([&] { return status_of(write_json(result->run, path)); });
}

btopt_status btopt_result_write_csv(const btopt_result *result, const char *path)
{
    BTOPT_REQUIRE(result);
    BTOPT_REQUIRE(path);
    return guarded([&] { return status_of(write_csv(result->run, path)); });
}

btopt_status btopt_result_selection(const btopt_result *result, btopt_selection *out)
{
    BTOPT_REQUIRE(result);
    BTOPT_REQUIRE(out);
    constexpr std::size_t least = offsetof(btopt_selection, has_sharpe) + sizeof out->has_sharpe;
    if (out->struct_size < least)
        return set_error(BTOPT_ERR_INVALID_ARGUMENT,
                         fmt::format("btopt_result_selection: struct_size {} is smaller than the {} bytes up to "
                                     "'has_sharpe'; set it to sizeof(btopt_selection)",
                                     out->struct_size, least));
    const btopt::internal::SelectionStats &s = result->run.selection;
    btopt_selection full{};
    full.struct_size = std::min(out->struct_size, sizeof full);
    full.has_sharpe = s.has_sharpe;
    full.psr = s.sharpe.psr;
    full.dsr = s.sharpe.dsr;
    full.sharpe = s.sharpe.sharpe;
    full.expected_max_sharpe = s.sharpe.expected_max;
    full.sharpe_variance = s.sharpe.sharpe_variance;
    full.n_trials = s.sharpe.trials;
    full.n_returns = s.sharpe.returns;
    full.skewness = s.sharpe.skewness;
    full.kurtosis = s.sharpe.kurtosis;
    full.has_pbo = s.has_overfit;
    full.pbo = s.overfit.pbo;
    full.pbo_logit_mean = s.overfit.logit_mean;
    full.pbo_blocks = s.overfit.blocks;
    full.pbo_strategies = s.overfit.strategies;
    full.pbo_splits = s.overfit.combinations;
    full.pbo_all_splits = s.overfit.all_combinations;
    full.has_robust = s.has_robust;
    full.robust_radius = s.robust.radius;
    full.robust_index = s.robust.robust_row;
    full.robust_score = s.robust.robust_score;
    full.best_neighbourhood = s.robust.best_neighbourhood;
    full.chosen_index = s.chosen_row;
    std::memcpy(out, &full, full.struct_size); // only the fields the caller's struct has
    return BTOPT_OK;
}

btopt_status btopt_result_sensitivity(const btopt_result *result, size_t k, double *min_score, double *max_score,
                                      uint64_t *points)
{
    BTOPT_REQUIRE(result);
    const auto &table = result->run.selection.robust.sensitivity;
    if (!result->run.selection.has_robust || k >= table.size())
        return set_error(BTOPT_ERR_NOT_FOUND,
                         fmt::format("no sensitivity of parameter {}: the run has a table for {} parameters", k,
                                     result->run.selection.has_robust ? table.size() : 0));
    if (min_score)
        *min_score = table[k].min_score;
    if (max_score)
        *max_score = table[k].max_score;
    if (points)
        *points = table[k].points;
    return BTOPT_OK;
}

const char *btopt_result_selection_note(const btopt_result *result)
{
    return result ? result->run.selection.note.c_str() : "";
}

const char *btopt_result_warnings(const btopt_result *result) { return result ? result->warnings.c_str() : ""; }

int btopt_result_stopped_on_budget(const btopt_result *result)
{
    return result && result->run.stopped_on_budget ? 1 : 0;
}

} // extern "C"
