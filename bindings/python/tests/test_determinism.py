"""Same seed, same trials: for every n_jobs, backend and batch size."""

import pytest

from btopt import CategoricalParameter, ContinuousParameter, DiscreteParameter, ParallelOptimizer, ParameterSpace
from helpers import sharpe_of, trial_rows


def objective(p):
    return sharpe_of({k: v for k, v in p.items() if k != 'mode'}) + (0.25 if p['mode'] == 'b' else 0.0)


def space(continuous=False):
    return ParameterSpace([
        DiscreteParameter('fast', 5, 40, step=5),
        ContinuousParameter('x', 0.0, 1.0) if continuous else DiscreteParameter('slow', 20, 100, step=10),
        CategoricalParameter('mode', ['a', 'b']),
    ])


SETUPS = [
    dict(n_jobs=1, backend='inline'),
    dict(n_jobs=2, backend='inline'),
    dict(n_jobs=2, backend='thread'),
    dict(n_jobs=1, backend='process'),
    dict(n_jobs=2, backend='process'),
    dict(n_jobs=2),  # the Python default for n_jobs != 1: process
    dict(n_jobs=2, backend='process', batch_size=1),
    dict(n_jobs=2, backend='thread', batch_size=3),
]


@pytest.mark.parametrize("algorithm, extra, continuous", [
    ('grid', {}, False),
    ('random', dict(n_iterations=40, random_seed=11), True),
    ('genetic', dict(population_size=12, n_generations=4, random_seed=5), True),
])
def test_same_trials_everywhere(algorithm, extra, continuous):
    runs = []
    for setup in SETUPS:
        result = ParallelOptimizer(objective_function=objective, parameter_space=space(continuous),
                                   algorithm=algorithm, **extra, **setup).optimize()
        runs.append((trial_rows(result), result.best_params, result.best_score))
    first = runs[0]
    assert len(first[0]) > 10
    for setup, run in zip(SETUPS, runs):
        assert run == first, setup


def test_the_seed_matters():
    def trials(seed):
        result = ParallelOptimizer(objective_function=objective, parameter_space=space(True), algorithm='random',
                                   n_iterations=10, random_seed=seed, n_jobs=1).optimize()
        return [t.params for t in result.trials]

    assert trials(1) == trials(1)
    assert trials(1) != trials(2)
