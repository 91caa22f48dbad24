"""Results are plain data to pickle (for multiprocessing, joblib, caches)."""

import pickle

import pytest

from btopt import DiscreteParameter, ParallelOptimizer, ParameterSpace


def run():
    space = ParameterSpace(parameters=[DiscreteParameter("a", 0, 9), DiscreteParameter("b", 0, 4)])
    return ParallelOptimizer(objective_function=lambda p: p["a"] * 10 - (p["b"] - 2) ** 2,
                             parameter_space=space, n_jobs=1).optimize()


def test_a_result_pickles_and_reads_the_same():
    result = run()
    copy = pickle.loads(pickle.dumps(result))
    assert copy.best_params == result.best_params == {"a": 9, "b": 2}
    assert copy.best_score == result.best_score
    assert copy.n_trials == result.n_trials == 50
    assert copy.status_counts == result.status_counts
    assert len(copy) == len(result) == 50
    assert [(t.number, t.params, t.score, t.status, t.error, t.metrics) for t in copy.trials] == [
        (t.number, t.params, t.score, t.status, t.error, t.metrics) for t in result.trials
    ]
    assert copy.best_trial.params == result.best_trial.params


def test_an_unpickled_result_says_what_it_cannot_do(tmp_path):
    copy = pickle.loads(pickle.dumps(run()))
    with pytest.raises(ValueError, match="unpickled"):
        copy.write_json(tmp_path / "trials.json")
    assert not (tmp_path / "trials.json").exists()


def test_a_trial_pickles_alone():
    trial = run().trials[3]
    copy = pickle.loads(pickle.dumps(trial))
    assert (copy.number, copy.params, copy.score, copy.status) == (trial.number, trial.params, trial.score,
                                                                   trial.status)
