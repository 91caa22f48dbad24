"""The progress callback with counts (issue 16, item 5): once per recorded
trial in trial order, failures counted while the run goes on, coalesced by
progress_interval; the old three-argument callback keeps working beside it."""

import time

import pytest

from btopt import DiscreteParameter, ParallelOptimizer, ParameterSpace, Progress


def faulty(params):
    if params['x'] % 10 == 3:
        raise ValueError("x ends in 3")
    return params['x'] % 7


@pytest.mark.parametrize("backend", ['inline', 'thread', 'process'])
def test_progress_counts_every_trial_in_order(backend):
    seen, old = [], []
    optimizer = ParallelOptimizer(objective_function=faulty, parameter_space=ParameterSpace([DiscreteParameter('x', 0, 59)]),
                                  algorithm='grid', n_jobs=1 if backend == 'inline' else 2, backend=backend,
                                  ignore_errors=True, progress=seen.append,
                                  callback=lambda done, total, best: old.append((done, total)))
    optimizer.optimize()
    assert all(isinstance(p, Progress) for p in seen)
    assert [p.trial for p in seen if p.trial >= 0] == list(range(60))
    for p in seen:
        assert p.done == p.ok + p.failed + p.crashed + p.timeout
        if p.trial >= 0:
            assert p.failed == (p.trial + 7) // 10  # x = 3, 13, ... up to this trial
    last = seen[-1]
    assert (last.trial, last.done, last.total, last.ok, last.failed) == (-1, 60, 60, 54, 6)
    assert last.best_score == 6 and last.evaluations_per_second > 0
    assert old and old[-1] == (60, 60)


def test_progress_interval_coalesces_calls():
    def slow(params):
        time.sleep(0.002)
        return params['x']

    seen = []
    ParallelOptimizer(objective_function=slow, parameter_space=ParameterSpace([DiscreteParameter('x', 0, 99)]),
                      algorithm='grid', n_jobs=1, progress=seen.append, progress_interval=0.05).optimize()
    assert len(seen) < 100
    assert seen[-1].done == seen[-1].total == 100
    gaps = [b.elapsed_seconds - a.elapsed_seconds for a, b in zip(seen, seen[1:-1])]
    assert all(gap >= 0.05 for gap in gaps)


def test_a_progress_that_raises_cancels_the_run_and_raises_again():
    def progress(p):
        if p.trial == 5:
            raise RuntimeError("enough")

    optimizer = ParallelOptimizer(objective_function=lambda p: p['x'],
                                  parameter_space=ParameterSpace([DiscreteParameter('x', 0, 99)]), algorithm='grid',
                                  n_jobs=1, progress=progress)
    with pytest.raises(RuntimeError, match="enough"):
        optimizer.optimize()


def test_a_crash_in_a_plugins_finish_is_a_warning_and_the_trials_stand(test_plugin):
    result = ParallelOptimizer(plugin=test_plugin("evil"), plugin_config={"finish_crash": 1}, n_jobs=2).optimize()
    assert result.n_trials == 100 and result.best_score == 0
    assert len(result.warnings) == 1 and "finish" in result.warnings[0], result.warnings
    clean = ParallelOptimizer(plugin=test_plugin("evil"), n_jobs=2).optimize()
    assert clean.warnings == []
