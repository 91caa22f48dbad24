"""Results as tables: pandas.DataFrame(result.trials) has one column per field,
trials_array() is a numpy record array, equity curves become pandas frames.
Tests needing pandas or numpy skip where they are not installed."""

import math
import pickle

import pytest

from btopt import (CategoricalParameter, ContinuousParameter, DiscreteParameter, EquityCurve, ParallelOptimizer,
                   ParameterSpace, TrialStatus)

FIELDS = ["number", "params", "score", "status", "error", "metrics", "seconds"]


def score(params):
    if params["a"] == 3:
        raise ValueError("three")
    return params["a"] * params["x"] * (2 if params["m"] else 1)


@pytest.fixture(scope="module")
def result():
    space = ParameterSpace(parameters=[DiscreteParameter("a", 1, 4), ContinuousParameter("x", 0.5, 1.0, step=0.5),
                                       CategoricalParameter("m", [True, False])])
    return ParallelOptimizer(objective_function=score, parameter_space=space, n_jobs=1,
                             ignore_errors=True).optimize()


def test_a_trial_is_a_mapping_of_its_fields(result):
    trial = result.trials[0]
    assert list(trial) == FIELDS and len(trial) == len(FIELDS)
    assert dict(trial) == {name: getattr(trial, name) for name in FIELDS}
    assert trial["params"] == {"a": 1, "x": 0.5, "m": True} and trial["score"] == 1.0
    with pytest.raises(KeyError):
        trial["a"]
    assert dict(pickle.loads(pickle.dumps(trial))) == dict(trial)


def test_dataframe_of_trials_has_a_column_per_field(result):
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(result.trials)
    assert list(frame.columns) == FIELDS and len(frame) == 16
    assert frame["score"].tolist()[:2] == [1.0, 0.5]
    assert frame.loc[frame["status"] == TrialStatus.FAILED, "error"].str.contains("three").all()
    assert frame["params"].iloc[5] == result.trials[5].params


def test_to_pandas_has_a_column_per_parameter(result):
    pandas = pytest.importorskip("pandas")
    frame = result.to_pandas()
    assert list(frame.columns) == ["number", "a", "x", "m", "score", "status", "error", "seconds"]
    assert frame["m"].tolist()[:2] == [True, False] and isinstance(frame, pandas.DataFrame)


def test_trials_array(result):
    numpy = pytest.importorskip("numpy")
    array = result.trials_array()
    assert array.dtype.names == ("number", "a", "x", "m", "score", "status", "error", "seconds")
    assert array.dtype["a"] == numpy.int64 and array.dtype["x"] == numpy.float64
    assert array.dtype["m"] == numpy.bool_ and array.dtype["score"] == numpy.float64
    assert array.a.tolist() == [t.params["a"] for t in result.trials]
    failed = array.status == "failed"
    assert failed.sum() == 4 and numpy.isnan(array.score[failed]).all()
    assert array.score[~failed].tolist() == [t.score for t in result.trials if t.ok]
    assert int(numpy.argmax(numpy.nan_to_num(array.score, nan=-math.inf))) == result.best_index


def test_columns_that_clash_are_refused():
    space = ParameterSpace(parameters=[DiscreteParameter("score", 1, 2)])
    clashing = ParallelOptimizer(objective_function=lambda p: p["score"], parameter_space=space, n_jobs=1).optimize()
    with pytest.raises(ValueError, match="clash.*score"):
        clashing._columns()


def test_equity_curve_to_pandas():
    pandas = pytest.importorskip("pandas")
    curve = EquityCurve([1.0, 1.1, 1.05], [1.0, 1.02, 1.04])
    dates = pandas.date_range("2024-01-02", periods=3, freq="B")
    frame = curve.to_pandas(index=dates)
    assert frame.index.equals(dates) and frame["equity"].tolist() == [1.0, 1.1, 1.05]
    assert frame["buy_and_hold"].iloc[-1] == 1.04
    assert curve.to_pandas().index.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="index has 2 entries"):
        curve.to_pandas(index=dates[:2])
    assert pickle.loads(pickle.dumps(curve)) == curve and curve.equity == [1.0, 1.1, 1.05]
