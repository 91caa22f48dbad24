"""The original's real API (its code, beside its documentation), in its module layout:
search objects, ParallelOptimizer(algorithm=<search>).run(objective), the
Optimizer(parameter_space, search_algorithm, ...) loop, validate_params and
get_parameter, priors."""

import importlib
import itertools
import math
from datetime import datetime
from decimal import Decimal

import pytest

from btopt import InvalidArgumentError, UnsupportedError
from btopt.optimization import ParallelOptimizer as DocumentedParallelOptimizer
from btopt.optimization.objective import ObjectiveFunction
from btopt.optimization.optimizer import Optimizer
from btopt.optimization.parallel_optimizer import ParallelOptimizer
from btopt.optimization.parameter_space import (CategoricalParameter, ContinuousParameter, DiscreteParameter,
                                                ParameterSpace)
from btopt.optimization.result import OptimizationResult as TrialRecord
from btopt.optimization.search.bayesian_search import BayesianOptimizer
from btopt.optimization.search.genetic_algorithm import GeneticAlgorithm
from btopt.optimization.search.grid_search import GridSearchAlgorithm
from btopt.optimization.search.random_search import RandomSearchAlgorithm

MODULES = {
    "btopt.optimization.parameter_space": ["ParameterSpace", "DiscreteParameter", "ContinuousParameter",
                                           "CategoricalParameter"],
    "btopt.optimization.parallel_optimizer": ["ParallelOptimizer"],
    "btopt.optimization.optimizer": ["Optimizer"],
    "btopt.optimization.result": ["OptimizationResult"],
    "btopt.optimization.objective": ["ObjectiveFunction"],
    "btopt.optimization.search": ["GridSearchAlgorithm", "RandomSearchAlgorithm", "GeneticAlgorithm",
                                  "BayesianOptimizer"],
    "btopt.optimization.search.grid_search": ["GridSearchAlgorithm"],
    "btopt.optimization.search.random_search": ["RandomSearchAlgorithm"],
    "btopt.optimization.search.genetic_algorithm": ["GeneticAlgorithm"],
    "btopt.optimization.search.bayesian_search": ["BayesianOptimizer"],
    "btopt.optimization": ["RandomSearchAlgorithm", "ParallelOptimizer", "GridSearchAlgorithm"],
}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_the_original_module_layout(module):
    loaded = importlib.import_module(module)
    for name in MODULES[module]:
        assert callable(getattr(loaded, name)), (module, name)


def objective(params):
    return -(params["a"] - 30) ** 2 - (0 if params["m"] == "x" else 5)


def small_space():
    return ParameterSpace(parameters=[DiscreteParameter("a", 10, 50, step=10), CategoricalParameter("m", ["x", "y"])])


GRID = [{"a": a, "m": m} for a, m in itertools.product([10, 20, 30, 40, 50], ["x", "y"])]


def loop(search, score=objective):
    seen = []
    while not search.is_complete():
        params = search.suggest()
        seen.append(params)
        search.update(params, score(params))
    return seen


# -- ParallelOptimizer(algorithm=<search object>).run(objective) -----------------

@pytest.mark.parametrize("positional", [False, True])
def test_parallel_optimizer_runs_a_search_object(positional):
    space = small_space()
    grid = GridSearchAlgorithm(parameter_space=space)
    parallel = ParallelOptimizer(grid, n_jobs=2) if positional else ParallelOptimizer(algorithm=grid, n_jobs=2)
    assert parallel.run(objective) is None
    best_params, best_score = parallel.get_best_result()
    assert best_params == {"a": 30, "m": "x"} and best_score == Decimal(0) and isinstance(best_score, Decimal)
    assert parallel.get_best_params() == best_params
    # The search object was told every trial, as the original's run does.
    results = grid.get_results()
    assert sorted(map(repr, (p for p, _ in results))) == sorted(map(repr, GRID))
    assert results[0] == (best_params, Decimal("0.0"))
    assert grid.get_best_params() == best_params and parallel.get_progress() == 1.0


def test_the_documented_class_is_the_same_class():
    assert DocumentedParallelOptimizer is ParallelOptimizer


def test_run_and_best_result_misuse():
    parallel = ParallelOptimizer(algorithm=GridSearchAlgorithm(small_space()), n_jobs=1)
    with pytest.raises(ValueError, match="No successful results"):
        parallel.get_best_result()
    documented = ParallelOptimizer(objective_function=objective, parameter_space=small_space(), n_jobs=1)
    with pytest.raises(TypeError, match="call optimize"):
        documented.run(objective)
    with pytest.raises(TypeError, match="another"):
        ParallelOptimizer(algorithm=GridSearchAlgorithm(small_space()), parameter_space=small_space())


def test_failed_evaluations_score_minus_infinity_and_the_run_goes_on():
    def sometimes_fails(params):
        if params["a"] == 30:
            raise RuntimeError("no data")
        return objective(params)

    grid = GridSearchAlgorithm(small_space())
    parallel = ParallelOptimizer(algorithm=grid, n_jobs=1)
    parallel.run(sometimes_fails)
    assert parallel.get_best_result() == ({"a": 20, "m": "x"}, Decimal("-100.0"))
    assert [s for p, s in grid.get_results() if p["a"] == 30] == [Decimal("-Infinity")] * 2


def test_the_original_run_arguments():
    grid = GridSearchAlgorithm(small_space())
    parallel = ParallelOptimizer(algorithm=grid, n_jobs=2, backend="multiprocessing", max_eval_time=2.5,
                                 batch_size=4, verbose=False, maxtasksperchild=10)
    assert parallel.get_option("eval_timeout") == 2.5
    assert parallel.get_option("backend") == "process"
    with pytest.raises(ValueError, match="max_eval_time"):
        ParallelOptimizer(algorithm=grid, max_eval_time=0)
    with pytest.raises(ValueError, match="maxtasksperchild"):
        ParallelOptimizer(algorithm=grid, maxtasksperchild=0)


def test_early_stopping_in_a_run_and_in_the_loop():
    # Grid order: a=10 x,y; 20 x,y; 30 x (the best, trial 5); 30 y and 40 x
    # bring no better score: with early_stopping_rounds=2 the 7th trial is the last.
    grid = GridSearchAlgorithm(small_space(), early_stopping_rounds=2)
    assert len(loop(grid)) == 7
    grid = GridSearchAlgorithm(small_space(), early_stopping_rounds=2)
    parallel = ParallelOptimizer(algorithm=grid, n_jobs=1)
    parallel.run(objective)
    assert len(grid.get_results()) == 7 and parallel.get_best_result()[0] == {"a": 30, "m": "x"}


# -- suggest / update ---------------------------------------------------------------

def test_grid_suggest_update_visits_every_point_once():
    grid = GridSearchAlgorithm(small_space())
    assert grid.total_combinations == 10
    seen = loop(grid)
    assert seen == GRID
    assert grid.get_best_params() == {"a": 30, "m": "x"} and grid.progress == 1.0
    with pytest.raises(ValueError, match="complete"):
        grid.suggest()


def test_one_point_at_a_time():
    grid = GridSearchAlgorithm(small_space())
    with pytest.raises(ValueError, match="suggest"):
        grid.update({"a": 10, "m": "x"}, 1.0)
    first = grid.suggest()
    with pytest.raises(RuntimeError, match="one point at a time"):
        grid.suggest()
    with pytest.raises(ValueError, match="suggested"):
        grid.update({"a": 50, "m": "y"}, 1.0)
    grid.update(first, 1.0)
    grid.close()
    assert grid.is_complete()


def c_search(search):
    return search._steps.search


def test_a_loop_left_early_frees_its_c_search():
    grid = GridSearchAlgorithm(small_space())
    grid.update(grid.suggest(), 1.0)
    grid.suggest()
    assert not c_search(grid)._handle.closed
    grid.close()
    assert c_search(grid)._handle.closed and grid.is_complete()


def test_a_search_object_dropped_mid_loop_frees_its_c_search():
    import gc
    import weakref

    grid = GridSearchAlgorithm(small_space())
    grid.suggest()
    search = weakref.ref(c_search(grid))
    del grid
    gc.collect()
    assert search() is None


def test_random_loop_proposes_what_the_engine_proposes():
    space = small_space()
    documented = DocumentedParallelOptimizer(objective_function=objective, parameter_space=space,
                                             algorithm="random", n_iterations=6, random_seed=7, n_jobs=1)
    expected = [t.params for t in documented.optimize().trials]
    search = RandomSearchAlgorithm(parameter_space=space, n_iter=6, seed=7)
    assert loop(search) == expected
    assert loop(RandomSearchAlgorithm(space, n_iter=6, seed=7)) == expected
    assert loop(RandomSearchAlgorithm(space, n_iter=6, seed=8)) != expected
    with pytest.raises(ValueError, match="n_iter"):
        RandomSearchAlgorithm(space, n_iter=0)


@pytest.mark.parametrize("make", [
    lambda space: GeneticAlgorithm(space, population_size=6, max_generations=3, seed=4),
    lambda space: BayesianOptimizer(space, n_iter=9, random_state=4),
])
def test_adaptive_loops_propose_what_a_run_of_the_same_search_proposes(make):
    space = small_space()
    parallel = ParallelOptimizer(make(space), n_jobs=2)
    parallel.run(objective)
    expected = [t.params for t in parallel._run_result.trials]
    assert len(expected) > 5
    assert loop(make(space)) == expected


def test_genetic_maps_onto_btopts_options():
    space = small_space()
    ga = GeneticAlgorithm(parameter_space=space, population_size=6, max_generations=3, selection="rank",
                          crossover_prob=0.5, mutation_prob=0.1, patience=2, seed=1)
    parallel = ParallelOptimizer(algorithm=ga, n_jobs=1)
    assert parallel.get_option("population_size") == 6
    assert parallel.get_option("n_generations") == 2  # generations after the first
    assert parallel.get_option("tournament_size") == 5  # 'rank': a tournament of min(5, population)
    assert parallel.get_option("patience") == 12  # two generations of six
    assert parallel.get_option("elite_count") == 1 and parallel.get_option("crossover_rate") == 0.5
    parallel.run(objective)
    assert 0 < len(ga.get_results()) <= 18
    with pytest.raises(UnsupportedError, match="roulette"):
        GeneticAlgorithm(space, selection="roulette")
    with pytest.raises(ValueError, match="selection"):
        GeneticAlgorithm(space, selection="best")
    with pytest.raises(ValueError, match="population_size"):
        GeneticAlgorithm(space, population_size=1)


def test_genetic_target_fitness_stops_the_run():
    ga = GeneticAlgorithm(small_space(), population_size=10, max_generations=20, target_fitness=Decimal("-5"),
                          seed=3)
    seen = loop(ga)
    assert max(objective(p) for p in seen) >= -5
    assert objective(seen[-1]) >= -5  # stopped at the first point that reached it
    assert len(seen) < 200


def test_bayesian_search_object():
    space = small_space()
    bayes = BayesianOptimizer(parameter_space=space, n_iter=8, random_state=2)
    parallel = ParallelOptimizer(bayes, n_jobs=1)
    parallel.run(objective)
    assert len(bayes.get_results()) == 8 and bayes.get_best_score() == parallel.get_best_result()[1]
    with pytest.raises(UnsupportedError, match="acq_func"):
        BayesianOptimizer(space, acq_func="LCB")
    with pytest.raises(UnsupportedError, match="initial_points"):
        BayesianOptimizer(space, initial_points=[{"a": 10, "m": "x"}], initial_scores=[Decimal(1)])
    with pytest.raises(UnsupportedError, match="kappa"):
        BayesianOptimizer(space, kappa=3.0)


def test_search_objects_refuse_what_they_cannot_search():
    continuous = ParameterSpace(parameters=[ContinuousParameter("x", 0.0, 1.0)])
    with pytest.raises(ValueError, match="continuous"):
        GridSearchAlgorithm(continuous)
    with pytest.raises(TypeError, match="ParameterSpace"):
        GridSearchAlgorithm({"a": [1, 2]})


@pytest.mark.parametrize("make", [
    lambda space: GridSearchAlgorithm(space),
    lambda space: RandomSearchAlgorithm(space, n_iter=8),  # seed None: a fresh one, carried by the state
    lambda space: GeneticAlgorithm(space, population_size=4, max_generations=3),
    lambda space: BayesianOptimizer(space, n_iter=8),
])
def test_get_state_and_set_state_continue_a_loop(make):
    import json

    space = small_space()
    first = make(space)
    seen = []
    for _ in range(3):
        params = first.suggest()
        seen.append(params)
        first.update(params, objective(params))
    pending = first.suggest()  # suggested, not updated: suggested again after set_state
    state = json.loads(json.dumps(first.get_state()))  # plain data
    first.update(pending, objective(pending))
    rest = loop(first)
    second = make(space)
    second.set_state(state)
    assert second.iteration == 3 and second.get_best_params() == max(seen, key=objective)
    assert second.suggest() == pending
    second.update(pending, objective(pending))
    assert loop(second) == rest
    assert second.get_results() == first.get_results()
    with pytest.raises(ValueError, match="new search object"):
        second.set_state(state)


# -- Optimizer(parameter_space, search_algorithm, objective_function, backtest_function, max_trials) --

def backtest(params):
    if params["a"] == 50:
        raise RuntimeError("not enough bars")
    return {"performance_metrics": {"sharpe_ratio": objective(params), "max_drawdown": params["a"] / 100}}


def test_the_original_optimizer_loop():
    space = small_space()
    optimizer = Optimizer(space, GridSearchAlgorithm(space), ObjectiveFunction("sharpe_ratio"), backtest, 100)
    assert isinstance(optimizer, Optimizer)
    best = optimizer.optimize()
    assert isinstance(best, TrialRecord) and best.is_success
    assert best.params == {"a": 30, "m": "x"} and best.score == Decimal("0")
    assert best.backtest_metrics == {"sharpe_ratio": 0, "max_drawdown": 0.3}
    history = optimizer.get_history()
    assert [r.trial_id for r in history] == list(range(10)) and [r.params for r in history] == GRID
    failed = [r for r in history if not r.is_success]
    assert [r.params["a"] for r in failed] == [50, 50]
    assert all(r.score == Decimal("-Infinity") and "not enough bars" in r.error for r in failed)
    assert optimizer.get_best_params() == best.params


def test_the_optimizer_loop_keyword_shape_max_trials_and_direction():
    space = small_space()
    grid = GridSearchAlgorithm(space)
    optimizer = Optimizer(parameter_space=space, search_algorithm=grid,
                          objective_function=ObjectiveFunction("max_drawdown", higher_is_better=False),
                          backtest_function=backtest, max_trials=4)
    best = optimizer.optimize()
    assert len(optimizer.get_history()) == 4 and best.params == {"a": 10, "m": "x"}
    assert best.score == Decimal("-0.1")
    assert c_search(grid)._handle.closed  # the search was freed with the loop


def test_the_optimizer_loop_refusals():
    space = small_space()
    args = (space, GridSearchAlgorithm(space), ObjectiveFunction("sharpe_ratio"), backtest)
    with pytest.raises(ValueError, match="max_trials"):
        Optimizer(*args, 0)
    with pytest.raises(UnsupportedError, match="checkpoint_dir"):
        Optimizer(*args, 5, checkpoint_dir="/tmp/checkpoints")
    with pytest.raises(ValueError, match="another parameter space"):
        Optimizer(small_space(), *args[1:], 5)
    with pytest.raises(ValueError, match="no successful trials"):
        Optimizer(space, GridSearchAlgorithm(space), ObjectiveFunction("sortino_ratio"), backtest, 3).optimize()
    with pytest.raises(ValueError, match="custom_function"):
        ObjectiveFunction("custom")


def test_the_trial_record():
    record = TrialRecord(trial_id=3, params={"x": Decimal("0.5")}, score=1.25, timestamp=datetime(2024, 1, 2, 3, 4),
                         backtest_metrics={"sharpe_ratio": 1.25}, duration_seconds=0.5)
    assert record.score == Decimal("1.25") and record.duration_seconds == Decimal("0.5")
    data = record.to_dict()
    assert data["params"] == {"x": "0.5"} and data["score"] == "1.25"
    assert TrialRecord.from_dict(data).score == record.score
    with pytest.raises(ValueError, match="-Infinity"):
        TrialRecord(trial_id=0, params={}, score=1, timestamp=datetime.now(), backtest_metrics={}, error="boom")


# -- ParameterSpace.get_parameter / validate_params ----------------------------------

def test_get_parameter():
    space = small_space()
    assert space.get_parameter("a") == DiscreteParameter("a", 10, 50, step=10)
    with pytest.raises(KeyError, match="'b' not found"):
        space.get_parameter("b")


@pytest.mark.parametrize("params, message", [
    ({"a": 10}, "Missing parameters: m"),
    ({"a": 10, "m": "x", "z": 1}, "Unknown parameters: z"),
    ({"a": 60, "m": "x"}, "outside bounds"),
    ({"a": 15, "m": "x"}, "does not match step"),
    ({"a": 10.0, "m": "x"}, "integer"),
    ({"a": 10, "m": "z"}, "not in choices"),
])
def test_validate_params_refuses(params, message):
    with pytest.raises(ValueError, match=message):
        small_space().validate_params(params)


def test_validate_params_accepts():
    assert small_space().validate_params({"a": 40, "m": "y"}) is True
    space = ParameterSpace(parameters=[ContinuousParameter("x", 0.0, 1.0), ContinuousParameter("s", 0, 1, step=0.25)])
    assert space.validate_params({"x": Decimal("0.3"), "s": 0.75})
    with pytest.raises(ValueError, match="does not match step"):
        space.validate_params({"x": 0.3, "s": 0.3})
    with pytest.raises(ValueError, match="number"):
        space.validate_params({"x": "0.3", "s": 0.25})


# -- priors -----------------------------------------------------------------------------

def test_a_prior_is_kept_and_checked():
    p = ContinuousParameter(name="threshold", min_value=0.001, max_value=0.1, prior="log-uniform")
    assert p.prior == "log-uniform" and "prior='log-uniform'" in repr(p)
    assert p != ContinuousParameter("threshold", 0.001, 0.1)
    assert ContinuousParameter("x", 0, 1).prior == "uniform"
    with pytest.raises(ValueError, match="prior"):
        ContinuousParameter("x", 0, 1, prior="beta")
    with pytest.raises(ValueError, match="0 < min_value"):
        ContinuousParameter("x", 0.0, 1.0, prior="log-uniform")
    with pytest.raises(ValueError, match="continuous"):
        ContinuousParameter("x", 1.0, 8.0, step=1.0, prior="log-uniform")
    space = ParameterSpace(parameters=[p, ContinuousParameter("y", 0, 1)])
    with pytest.raises(ValueError, match="prior"):
        space.add_constraint("threshold < y")
    space.add_constraint("y < 0.5")  # a constraint over the other parameters stays allowed


def sampled(parameter, n=400, seed=5):
    space = ParameterSpace(parameters=[parameter])
    return [p[parameter.name] for p in loop(RandomSearchAlgorithm(space, n_iter=n, seed=seed),
                                            score=lambda p: 0.0)]


def test_log_uniform_prior_spreads_over_the_logarithm():
    values = sampled(ContinuousParameter("t", 0.001, 0.1, prior="log-uniform"))
    assert all(0.001 <= v <= 0.1 for v in values)
    # Uniform in log(t): each decade holds about half the points (uniform in t would put ~9 % below 0.01).
    below = sum(v < 0.01 for v in values) / len(values)
    assert 0.42 < below < 0.58


def test_normal_prior_gathers_around_the_middle():
    values = sampled(ContinuousParameter("n", 0.0, 1.0, prior="normal"))
    assert all(0.0 <= v <= 1.0 for v in values)
    # Normal(0.5, 0.25): ~68 % in [0.25, 0.75] (uniform would give 50 %).
    middle = sum(0.25 < v < 0.75 for v in values) / len(values)
    assert 0.6 < middle < 0.76
    assert abs(sum(values) / len(values) - 0.5) < 0.04


def test_results_report_the_parameter_not_the_engines_variable():
    space = ParameterSpace(parameters=[ContinuousParameter("t", 0.001, 0.1, prior="log-uniform")])
    result = DocumentedParallelOptimizer(objective_function=lambda p: -abs(math.log10(p["t"]) + 2),
                                         parameter_space=space, algorithm="random", n_iterations=40,
                                         random_seed=1, n_jobs=1).optimize()
    assert all(0.001 <= t.params["t"] <= 0.1 for t in result.trials)
    assert math.isclose(result.best_score, -abs(math.log10(result.best_params["t"]) + 2), rel_tol=1e-12)


def test_bad_space_values_raise_value_errors():
    with pytest.raises(InvalidArgumentError):
        ParameterSpace(parameters=[DiscreteParameter("a", 10, 5)])


def test_the_readme_example_of_the_originals_code(capsys):
    import pathlib
    import re

    readme = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("## The original's code, beside its documentation", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["best_params"]["lookback"] == 30
    assert isinstance(namespace["best_score"], Decimal)
    assert namespace["best"].is_success and namespace["best"].params["lookback"] == 30
    assert "lookback" in capsys.readouterr().out


def test_a_search_of_your_own_runs_in_the_optimizer_loop_only():
    from btopt.optimization.base import SearchAlgorithm

    class Diagonal(SearchAlgorithm):
        def __init__(self, parameter_space):
            super().__init__(parameter_space)
            self._points = [{"a": 10, "m": "x"}, {"a": 30, "m": "x"}, {"a": 50, "m": "y"}]

        def suggest(self):
            return self._points[self._iteration]

        def update(self, params, score):
            self._iteration += 1  # as the original's searches count

        def is_complete(self):
            return self._iteration >= len(self._points)

    space = small_space()
    optimizer = Optimizer(space, Diagonal(space), ObjectiveFunction("sharpe_ratio"), backtest, 10)
    assert optimizer.optimize().params == {"a": 30, "m": "x"} and len(optimizer.get_history()) == 3
    with pytest.raises(UnsupportedError, match="Optimizer loop"):
        ParallelOptimizer(algorithm=Diagonal(space), n_jobs=1)
