"""Every handle is released exactly once; a result outlives its optimizer."""

import gc
import json
import weakref

import pytest

from btopt import DiscreteParameter, ParallelOptimizer, ParameterSpace
from btopt._handle import Handle


def make(n=5, **kw):
    space = ParameterSpace([DiscreteParameter('a', 0, n - 1)])
    return ParallelOptimizer(objective_function=lambda p: p['a'] * 1.5, parameter_space=space, n_jobs=1, **kw)


def test_handle_is_destroyed_exactly_once():
    calls = []
    h = Handle(1234, calls.append, "thing")
    assert h.pointer == 1234 and not h.closed
    h.close()
    h.close()
    assert calls == [1234] and h.closed
    with pytest.raises(ValueError, match="closed"):
        h.pointer
    del h
    gc.collect()
    assert calls == [1234]

    h2 = Handle(99, calls.append, "thing")
    del h2  # no close: released when collected
    gc.collect()
    assert calls == [1234, 99]
    with pytest.raises(ValueError):
        Handle(0, calls.append, "thing")


def test_result_outlives_its_optimizer_and_space(tmp_path):
    optimizer = make()
    result = optimizer.optimize()
    optimizer_finalizer = optimizer._handle._finalizer
    ref = weakref.ref(optimizer)
    del optimizer
    gc.collect()
    assert ref() is None and not optimizer_finalizer.alive  # released
    assert result.best_params == {'a': 4} and len(result.trials) == 5
    result.write_json(tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["best_params"] == {"a": 4}


def test_trials_outlive_their_result():
    result = make().optimize()
    trials = result.trials
    finalizer = result._handle._finalizer
    best = result.best_trial
    del result
    gc.collect()
    # The trials keep the C result for equity_curve (no cycle: freed with them).
    assert finalizer.alive
    assert [t.params['a'] for t in trials] == [0, 1, 2, 3, 4] and best.score == 6.0
    del trials, best
    gc.collect()
    assert not finalizer.alive


def test_close_and_context_managers():
    with make() as optimizer:
        with optimizer.optimize() as result:
            assert result.n_trials == 5
            first = result.trials[0]
        assert result.closed and result.best_score == 6.0  # read at construction
        assert first.params == {'a': 0}
        with pytest.raises(ValueError, match="closed"):
            result.write_csv("/tmp/never.csv")
    assert optimizer.closed
    with pytest.raises(ValueError, match="closed"):
        optimizer.optimize()
    optimizer.close()  # again: nothing


def test_unread_trials_of_a_closed_result():
    result = make().optimize()
    result.close()
    with pytest.raises(ValueError, match="closed"):
        result.trials


def test_callbacks_stay_alive_while_c_holds_them():
    optimizer = make(callback=lambda i, n, b: None)
    gc.collect()  # the lambdas exist only through the optimizer now
    for _ in range(3):
        assert optimizer.optimize().best_params == {'a': 4}


def test_no_cycle_keeps_an_optimizer_alive():
    gc.collect()
    gc.disable()
    try:
        optimizer = make(callback=lambda i, n, b: None)
        optimizer.optimize()
        finalizer = optimizer._handle._finalizer
        del optimizer  # reference counting alone must free it
        assert not finalizer.alive
    finally:
        gc.enable()


def test_a_failing_constructor_releases_what_it_created():
    gc.collect()
    before = sum(1 for f in weakref.finalize._registry if True)  # live finalizers
    for _ in range(20):
        with pytest.raises(Exception):
            make(population_size=1, algorithm='genetic')
    gc.collect()
    after = sum(1 for f in weakref.finalize._registry if True)
    assert after <= before
