"""btopt.ask_tell.Search: a host that evaluates trials on its own executor
(here a thread pool, telling outcomes as they complete, in any order) gets
the trials of a ParallelOptimizer run with the same options; misuse raises."""

from concurrent.futures import ThreadPoolExecutor, as_completed
import random
import time

import pytest

from btopt import (CategoricalParameter, ContinuousParameter, DiscreteParameter, InvalidArgumentError,
                   NotFoundError, ParallelOptimizer, ParameterSpace)
from btopt.ask_tell import AskedTrial, Search


def space():
    return ParameterSpace(parameters=[DiscreteParameter("a", 0, 20), ContinuousParameter("x", -2.0, 2.0),
                                      CategoricalParameter("m", ["p", "q"])])


def objective(params):
    if params["a"] == 13:
        raise RuntimeError("a = 13 breaks the backtest")
    return -(params["a"] - 6) ** 2 / 10 - (params["x"] - 0.5) ** 2 + (0.3 if params["m"] == "q" else 0.0)


def slow_objective(params):
    time.sleep(random.random() * 0.002)  # outcomes come back out of order
    return objective(params)


OPTIONS = {"random": {"n_iterations": 30}, "genetic": {"population_size": 6, "n_generations": 3},
           "bayesian": {"n_iterations": 25, "batch_q": 4}, "cmaes": {"n_iterations": 30}}


@pytest.mark.parametrize("algorithm", sorted(OPTIONS))
def test_a_thread_pool_driver_gets_the_trials_of_a_run(algorithm):
    options = dict(OPTIONS[algorithm], random_seed=9)
    run = ParallelOptimizer(objective_function=objective, parameter_space=space(), algorithm=algorithm,
                            n_jobs=1, ignore_errors=True, **options).optimize()
    search = Search(space(), algorithm, **options)
    seen = {}
    with ThreadPoolExecutor(4) as pool:
        while not search.done:
            trials = search.ask(4)
            assert trials or not search.done
            futures = {pool.submit(slow_objective, t.params): t for t in trials}
            for future in as_completed(futures):
                trial = futures[future]
                seen[trial.number] = trial.params
                try:
                    search.tell(trial.number, future.result())
                except RuntimeError:
                    search.tell(trial.number, None)  # failed
    assert [seen[n] for n in sorted(seen)] == [t.params for t in run.trials]
    number, score, params = search.best
    assert score == run.best_score and params == run.best_params


def test_misuse_raises_and_state_restores():
    search = Search(space(), "random", n_iterations=5, random_seed=3)
    with pytest.raises(InvalidArgumentError, match="n_jobs"):
        Search(space(), "random", n_jobs=2)
    assert search.best is None
    first, second = search.ask(2)
    assert isinstance(first, AskedTrial) and (first.number, second.number) == (0, 1)
    with pytest.raises(NotFoundError, match="never proposed"):
        search.tell(7, 1.0)
    search.tell(second.number, 2.0, metrics=[0.1, 40])
    with pytest.raises(InvalidArgumentError, match="already told"):
        search.tell(second.number, 2.0)
    state = search.state()
    restored = Search(space(), "random", n_iterations=5, random_seed=3)
    restored.restore(state)
    assert restored.ask(1) == [first]  # proposed, never told: proposed again
    with pytest.raises(InvalidArgumentError, match="random_seed"):
        Search(space(), "random", n_iterations=5, random_seed=4).restore(state)
    minimised = Search(space(), "random", n_iterations=2, direction="minimize")
    for trial in minimised.ask(2):
        minimised.tell(trial.number, float(trial.number))
    assert minimised.done and minimised.best[0] == 0
