"""A Python objective in forked worker processes (backend='process')."""

import os
import signal
import subprocess
import sys
import time

import pytest

from btopt import DiscreteParameter, ObjectiveError, ParallelOptimizer, ParameterSpace, TrialStatus


def small_space(n=10):
    return ParameterSpace([DiscreteParameter('a', 0, n - 1)])


def test_default_backend_for_a_python_objective():
    assert ParallelOptimizer(objective_function=len, parameter_space=small_space(), n_jobs=2).backend == 'process'
    assert ParallelOptimizer(objective_function=len, parameter_space=small_space(), n_jobs=1).backend is None
    assert ParallelOptimizer(objective_function=len, parameter_space=small_space(), n_jobs=2,
                             backend='multiprocessing').backend == 'process'


def test_objective_runs_in_other_processes_with_its_closure():
    parent = os.getpid()
    data = {a: a * a for a in range(10)}  # loaded in the parent, seen by the workers as it is

    def nested(params):
        return data[params['a']] + (0 if os.getpid() != parent else 1000)

    result = ParallelOptimizer(objective_function=lambda p: nested(p), parameter_space=small_space(),
                               algorithm='grid', n_jobs=2, backend='process').optimize()
    assert [t.score for t in result.trials] == [a * a for a in range(10)]  # never ran in the parent
    pids = ParallelOptimizer(objective_function=lambda p: os.getpid(), parameter_space=small_space(20),
                             algorithm='grid', n_jobs=2, backend='process', batch_size=1).optimize()
    assert parent not in {t.score for t in pids.trials}


def test_workers_do_not_touch_the_parents_state():
    seen = []
    ParallelOptimizer(objective_function=lambda p: seen.append(p) or 1.0, parameter_space=small_space(),
                      algorithm='grid', n_jobs=2, backend='process').optimize()
    assert seen == []  # appended to the workers' copies


def test_a_crashing_worker_costs_one_trial():
    def objective(p):
        if p['a'] == 3:
            os.kill(os.getpid(), signal.SIGSEGV)
        if p['a'] == 6:
            os._exit(7)
        return p['a']

    result = ParallelOptimizer(objective_function=objective, parameter_space=small_space(), algorithm='grid',
                               n_jobs=2, backend='process', ignore_errors=True).optimize()
    statuses = {t.params['a']: t.status for t in result.trials}
    assert statuses[3] == TrialStatus.CRASHED and statuses[6] == TrialStatus.CRASHED
    assert [a for a, s in statuses.items() if s == TrialStatus.OK] == [0, 1, 2, 4, 5, 7, 8, 9]
    assert "signal" in result.trials[3].error.lower() or "11" in result.trials[3].error
    assert result.best_params == {'a': 9}

    with pytest.raises(ObjectiveError) as info:
        ParallelOptimizer(objective_function=objective, parameter_space=small_space(), algorithm='grid',
                          n_jobs=2, backend='process').optimize()
    assert "a=3" in str(info.value)
    assert info.value.partial_result.trials[3].status == TrialStatus.CRASHED


def test_eval_timeout_kills_a_hanging_evaluation():
    def objective(p):
        if p['a'] == 2:
            time.sleep(60)
        return p['a']

    start = time.monotonic()
    result = ParallelOptimizer(objective_function=objective, parameter_space=small_space(5), algorithm='grid',
                               n_jobs=2, backend='process', ignore_errors=True, eval_timeout=0.5).optimize()
    assert time.monotonic() - start < 20
    assert result.trials[2].status == TrialStatus.TIMEOUT
    assert result.status_counts[TrialStatus.OK] == 4


def test_exceptions_in_workers_become_failed_trials():
    def objective(p):
        if p['a'] % 4 == 1:
            raise ValueError("bad a=%d" % p['a'])
        return p['a']

    result = ParallelOptimizer(objective_function=objective, parameter_space=small_space(), algorithm='grid',
                               n_jobs=2, backend='process', ignore_errors=True).optimize()
    failed = {t.params['a']: t.error for t in result.trials if t.status == TrialStatus.FAILED}
    assert failed == {1: "ValueError: bad a=1", 5: "ValueError: bad a=5", 9: "ValueError: bad a=9"}


PRINTING = r"""
from btopt import DiscreteParameter, ParallelOptimizer, ParameterSpace
print("before the run")  # buffered (stdout is a pipe): must not be printed by the workers too
ParallelOptimizer(objective_function=lambda p: print("worker says %d" % p['a']) or 0,
                  parameter_space=ParameterSpace([DiscreteParameter('a', 0, 7)]), algorithm='grid', n_jobs=2,
                  backend='process').optimize()
print("after the run")
"""


def test_what_workers_print_is_not_lost_nor_doubled():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))  # the btopt these tests use (conftest)
    env.pop("PYTHONUNBUFFERED", None)  # unbuffered, two workers' text and newline writes could interleave
    out = subprocess.run([sys.executable, "-c", PRINTING], env=env, capture_output=True, text=True, timeout=60,
                         check=True).stdout.splitlines()
    assert out[0] == "before the run" and out[-1] == "after the run"
    assert sorted(out[1:-1]) == ["worker says %d" % a for a in range(8)]


def test_forking_with_an_idle_thread_warns_and_works():
    # A thread blocked in a wait holds no lock: workers forked (again after
    # each crash) run fine. A warning still says that threads are alive.
    import threading

    stop = threading.Event()
    waiter = threading.Thread(target=stop.wait, daemon=True)
    waiter.start()

    def objective(p):
        if p['a'] % 5 == 0:
            os._exit(1)  # the worker dies and is forked again
        return p['a']

    try:
        with pytest.warns(RuntimeWarning, match="threads"):
            result = ParallelOptimizer(objective_function=objective, parameter_space=small_space(30),
                                       algorithm='grid', n_jobs=2, backend='process', ignore_errors=True,
                                       eval_timeout=20).optimize()
    finally:
        stop.set()
        waiter.join()
    assert result.status_counts[TrialStatus.CRASHED] == 6
    assert result.status_counts[TrialStatus.OK] == 24


def test_the_default_backend_spawns_when_threads_are_alive():
    import threading
    import warnings

    from btopt import register_objective

    stop = threading.Event()
    waiter = threading.Thread(target=stop.wait, daemon=True)
    waiter.start()
    parent = os.getpid()
    register_objective("pid_of_the_evaluator", lambda p: os.getpid())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = ParallelOptimizer(objective_function=lambda p: os.getpid(), parameter_space=small_space(),
                                       n_jobs=2).optimize()
        assert parent not in {t.score for t in result.trials}  # spawned workers, not threads, not forks
        # A registered objective cannot be sent to a spawned worker: threads, with a warning.
        with pytest.warns(RuntimeWarning, match="threads rather than forked"):
            result = ParallelOptimizer(objective_function="pid_of_the_evaluator", parameter_space=small_space(),
                                       n_jobs=2).optimize()
        assert {t.score for t in result.trials} == {parent}
    finally:
        stop.set()
        waiter.join()
    result = ParallelOptimizer(objective_function=lambda p: os.getpid(), parameter_space=small_space(),
                               n_jobs=2).optimize()
    assert parent not in {t.score for t in result.trials}  # alone again: processes


def test_no_warning_when_threads_are_not_forked():
    import threading
    import warnings

    stop = threading.Event()
    waiter = threading.Thread(target=stop.wait, daemon=True)
    waiter.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ParallelOptimizer(objective_function=lambda p: p['a'], parameter_space=small_space(),
                              n_jobs=2, backend='thread').optimize()
            ParallelOptimizer(plugin='sma_crossover', algorithm='grid', n_jobs=2).optimize()
    finally:
        stop.set()
        waiter.join()
