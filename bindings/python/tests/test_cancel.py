"""Cancelling: from the callback, from the callback's exception, and Ctrl-C."""

import os
import signal
import time

import pytest

from btopt import CancelledError, DiscreteParameter, OptimizationResult, ParallelOptimizer, ParameterSpace, TrialStatus


def space(n=200):
    return ParameterSpace([DiscreteParameter('a', 0, n - 1)])


@pytest.mark.parametrize("backend", ['inline', 'thread', 'process'])
def test_cancel_from_the_callback(backend):
    calls = []

    def callback(iteration, total, best_score):
        calls.append((iteration, total, best_score))
        if iteration >= 20:
            optimizer.cancel()

    optimizer = ParallelOptimizer(objective_function=lambda p: p['a'], parameter_space=space(), algorithm='grid',
                                  n_jobs=1 if backend == 'inline' else 2, backend=backend, batch_size=1,
                                  callback=callback)
    with pytest.raises(CancelledError) as info:
        optimizer.optimize()
    partial = info.value.partial_result
    assert "cancelled" in info.value.message
    assert 20 <= partial.status_counts[TrialStatus.OK] <= 200
    if backend == 'inline':  # elsewhere, progress (hence the cancel) may come late: it is reported in trial order
        assert partial.status_counts[TrialStatus.OK] < 200
    assert all(t.status in (TrialStatus.OK, TrialStatus.CANCELLED) for t in partial.trials)
    assert calls[0][1] == 200 and all(c[0] <= 200 for c in calls)
    # The optimizer runs again afresh.
    optimizer_calls = len(calls)
    optimizer._calls.callback = None
    assert optimizer.optimize().n_trials == 200
    assert len(calls) == optimizer_calls


def test_callback_sees_nan_until_a_trial_succeeds():
    seen = []

    def objective(p):
        if p['a'] < 3:
            raise RuntimeError("warming up")
        return p['a']

    ParallelOptimizer(objective_function=objective, parameter_space=space(6), algorithm='grid', n_jobs=1,
                      batch_size=1, ignore_errors=True, callback=lambda i, n, b: seen.append(b)).optimize()
    assert seen[0] != seen[0]  # NaN
    assert seen[-1] == 5


def test_an_exception_in_the_callback_cancels_and_is_raised():
    def callback(iteration, total, best):
        if iteration >= 5:
            raise ZeroDivisionError("from the callback")

    optimizer = ParallelOptimizer(objective_function=lambda p: p['a'], parameter_space=space(), algorithm='grid',
                                  n_jobs=1, callback=callback)
    with pytest.raises(ZeroDivisionError, match="from the callback") as info:
        optimizer.optimize()
    assert info.value.partial_result.n_trials < 200
    optimizer = ParallelOptimizer(objective_function=lambda p: p['a'], parameter_space=space(), algorithm='grid',
                                  n_jobs=2, batch_size=1, callback=callback)
    with pytest.raises(ZeroDivisionError, match="from the callback") as info:
        optimizer.optimize()
    assert info.value.partial_result is not None


def test_ctrl_c_inline_stops_the_run_and_raises_keyboard_interrupt():
    def objective(p):
        if p['a'] == 10:
            os.kill(os.getpid(), signal.SIGINT)
        return p['a']

    optimizer = ParallelOptimizer(objective_function=objective, parameter_space=space(), algorithm='grid',
                                  n_jobs=1)
    with pytest.raises(KeyboardInterrupt) as info:
        optimizer.optimize()
    partial = info.value.partial_result
    assert 10 <= partial.status_counts[TrialStatus.OK] < 200
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


def test_ctrl_c_with_process_workers():
    parent = os.getpid()

    def objective(p):
        if p['a'] == 10:
            os.kill(parent, signal.SIGINT)
        time.sleep(0.002)
        return p['a']

    optimizer = ParallelOptimizer(objective_function=objective, parameter_space=space(), algorithm='grid',
                                  n_jobs=2, batch_size=1)
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt) as info:
        optimizer.optimize()
    assert time.monotonic() - start < 10
    assert isinstance(info.value.partial_result, OptimizationResult)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_abandons_a_long_inline_evaluation():
    def objective(p):
        if p['a'] == 3:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(30)  # interrupted: this trial fails, the run stops
        return p['a']

    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt) as info:
        ParallelOptimizer(objective_function=objective, parameter_space=space(), algorithm='grid',
                          n_jobs=1).optimize()
    assert time.monotonic() - start < 10
    trials = info.value.partial_result.trials
    assert [t.status for t in trials[:4]] == [TrialStatus.OK] * 3 + [TrialStatus.FAILED]
    assert trials[3].error.startswith("KeyboardInterrupt")


def test_ctrl_c_in_the_callbacks_own_code():
    sent = []

    def callback(iteration, total, best):
        if iteration >= 5 and not sent:
            sent.append(iteration)
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.01)  # the handler runs here, in user code outside the objective: no raise

    with pytest.raises(KeyboardInterrupt) as info:
        ParallelOptimizer(objective_function=lambda p: p['a'], parameter_space=space(), algorithm='grid',
                          n_jobs=2, backend='thread', batch_size=1, callback=callback).optimize()
    assert info.value.partial_result.status_counts[TrialStatus.FAILED] == 0
