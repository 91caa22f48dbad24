"""Studies from Python: the study option, reuse on a second run, stored runs
read back with open_study and study_runs, provenance as a dict."""

import pytest

from btopt import (DiscreteParameter, InvalidArgumentError, NotFoundError, ParallelOptimizer, ParameterSpace,
                   open_study, study_runs)


def space():
    return ParameterSpace([DiscreteParameter('a', 0, 19), DiscreteParameter('b', 0, 9)])


def score(p):
    return ((p['a'] * 37 + p['b'] * 11) % 23) / 7.0


def run(path, fingerprint='v1'):
    return ParallelOptimizer(objective_function=score, parameter_space=space(), algorithm='grid', n_jobs=1,
                             study=str(path), data_fingerprint=fingerprint).optimize()


def test_a_second_run_reuses_every_trial_and_reads_back(tmp_path):
    path = tmp_path / 'study.db'
    first = run(path)
    assert first.reused_count == 0 and len(first.trials) == 200
    assert first.provenance['data_fingerprint'] == 'v1' and first.provenance['status'] == 'finished'
    second = run(path)
    assert second.reused_count == 200
    assert [(t.params, t.score) for t in second.trials] == [(t.params, t.score) for t in first.trials]
    assert study_runs(path) == [1, 2]
    stored = open_study(path, 1)
    assert [(t.params, t.score) for t in stored.trials] == [(t.params, t.score) for t in first.trials]
    assert stored.best_params == first.best_params and stored.provenance['run'] == 1
    with pytest.raises(InvalidArgumentError, match="the data fingerprint changed: 'v2', the study has 'v1'"):
        run(path, 'v2')
    with pytest.raises(NotFoundError):
        open_study(tmp_path / 'missing.db')


def test_a_result_without_a_study_has_no_provenance():
    result = ParallelOptimizer(objective_function=score, parameter_space=space(), n_jobs=1).optimize()
    assert result.provenance is None and result.reused_count == 0


def test_to_pandas_from_a_study(tmp_path):
    pandas = pytest.importorskip('pandas')
    run(tmp_path / 'study.db')
    frame = open_study(tmp_path / 'study.db').to_pandas()
    assert isinstance(frame, pandas.DataFrame) and len(frame) == 200
    assert list(frame.columns[:4]) == ['number', 'a', 'b', 'score']


def test_to_pandas_without_pandas_says_what_to_install(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, 'pandas', None)  # as if it were not installed
    with pytest.raises(ImportError, match='pip install pandas'):
        run(tmp_path / 'study.db').to_pandas()
