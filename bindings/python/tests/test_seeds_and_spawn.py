"""Hosts that fork (issue 16, items 7 to 9): Python's fork handlers run in
forked workers, the global generators are seeded per trial from the trial's
seed (the same trials for any n_jobs), and start_method 'spawn' runs the
objective in clean worker processes (the default when other threads are alive)."""

import os
import random
import threading
import time
import warnings

import pytest

import btopt
from btopt import DiscreteParameter, ParallelOptimizer, ParameterSpace, TrialStatus


def grid(n):
    return ParameterSpace([DiscreteParameter("a", 0, n - 1)])


def scores(objective, n_jobs, n=40, **options):
    result = ParallelOptimizer(objective_function=objective, parameter_space=grid(n), algorithm="grid",
                               n_jobs=n_jobs, **options).optimize()
    assert all(t.status == TrialStatus.OK for t in result.trials), [t.error for t in result.trials if t.error]
    return [t.score for t in result.trials]


def draw(params):
    return random.random()


def test_random_draws_are_per_trial_and_equal_for_any_n_jobs():
    sequential = scores(draw, 1)
    forked = scores(draw, 2, backend="process", batch_size=1)
    assert len(set(sequential)) == 40
    assert forked == sequential  # not 29 distinct values shared by the forked workers


def test_numpy_global_draws_are_per_trial_and_equal_for_any_n_jobs():
    numpy = pytest.importorskip("numpy")

    def numpy_draw(params):
        return float(numpy.random.rand())

    sequential = scores(numpy_draw, 1)
    assert len(set(sequential)) == 40
    assert scores(numpy_draw, 2, backend="process", batch_size=1) == sequential
    assert scores(numpy_draw, 2, start_method="spawn") == sequential


def test_spawned_workers_draw_the_same_trials():
    assert scores(draw, 2, start_method="spawn") == scores(draw, 1)


def test_trial_seed_is_the_same_for_any_backend_and_differs_per_trial():
    def seed(params):
        return btopt.trial_seed() % 1_000_003

    sequential = scores(seed, 1)
    assert len(set(sequential)) == 40
    assert scores(seed, 2, backend="process") == sequential
    assert scores(seed, 2, backend="thread") == sequential
    assert scores(draw, 1, random_seed=5) != scores(draw, 1)  # the run's random_seed moves every trial's
    with pytest.raises(RuntimeError, match="during its evaluation"):
        btopt.trial_seed()


def test_the_hosts_random_state_is_left_as_it_was():
    random.seed(123)
    expected = random.random()
    random.seed(123)
    scores(draw, 1)
    assert random.random() == expected


fork_handler_ran = []
os.register_at_fork(after_in_child=lambda: fork_handler_ran.append(True))


def test_pythons_fork_handlers_run_in_forked_workers():
    # os.register_at_fork's handlers (random's reseeding, threading's, logging's)
    # run only when the fork goes through PyOS_AfterFork_Child.
    assert scores(lambda p: float(len(fork_handler_ran)), 2, n=10, backend="process") == [1.0] * 10


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self, params):
        self.calls += 1
        return params["a"]


@pytest.mark.parametrize("options", [dict(backend="process"), dict(start_method="spawn")])
def test_state_changed_in_a_worker_stays_there(options):
    counter = Counter()
    scores(counter, 2, n=10, **options)
    assert counter.calls == 0  # the README and docstrings say so
    scores(counter, 1, n=10)
    assert counter.calls == 10


def spawned_workers_pid(params):
    """The worker's pid where it runs in a spawned worker (its script is
    _worker.py), -1 in a forked one or in the host."""
    import os
    import sys
    return os.getpid() if sys.argv[0].endswith("_worker.py") else -1


def test_spawn_is_the_default_when_other_threads_are_alive():
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)
    helper.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no fallback to threads, no warning about forking
            pids = scores(spawned_workers_pid, 2, n=20)
    finally:
        stop.set()
        helper.join()
    # Which of the two workers takes how many points depends on timing (one
    # may take all 20 before the other has started): only where they ran is asserted.
    assert -1 not in pids and os.getpid() not in pids and 1 <= len(set(pids)) <= 2


def test_a_spawned_worker_that_dies_costs_its_trial_only():
    def objective(params):
        if params["a"] == 3:
            os._exit(3)
        return params["a"]

    result = ParallelOptimizer(objective_function=objective, parameter_space=grid(10), algorithm="grid",
                               n_jobs=2, start_method="spawn", ignore_errors=True).optimize()
    failed = [t for t in result.trials if t.status != TrialStatus.OK]
    assert [t.params["a"] for t in failed] == [3]
    assert failed[0].status == TrialStatus.CRASHED  # as the process backend records a worker that died
    assert "exited with status 3" in failed[0].error
    assert [t.score for t in result.trials if t.status == TrialStatus.OK] == [0, 1, 2, 4, 5, 6, 7, 8, 9]


def test_a_spawned_objectives_error_and_output():
    def objective(params):
        print("stray output from a worker")
        os.write(2, b"stray bytes on a worker's fd 2\n")
        if params["a"] == 1:
            raise ValueError("bad point")
        return params["a"]

    result = ParallelOptimizer(objective_function=objective, parameter_space=grid(4), algorithm="grid",
                               n_jobs=2, start_method="spawn", ignore_errors=True).optimize()
    assert result.trials[1].error == "ValueError: bad point"
    assert [t.score for t in result.trials] == [0, None, 2, 3]


def test_spawned_workers_write_nothing_to_the_hosts_streams(capfd):
    def objective(params):
        print("stray output from a worker")
        os.write(2, b"stray bytes on a worker's fd 2\n")
        return params["a"]

    scores(objective, 2, n=6, start_method="spawn")
    out, err = capfd.readouterr()
    assert "stray" not in out and "stray" not in err


def test_an_objective_that_cannot_be_pickled_is_refused_before_the_run():
    lock = threading.Lock()
    optimizer = ParallelOptimizer(objective_function=lambda p: lock.locked(), parameter_space=grid(4),
                                  algorithm="grid", n_jobs=2, start_method="spawn")
    with pytest.raises(TypeError, match="cannot be pickled"):
        optimizer.optimize()
    assert optimizer.get_option("backend") == ""  # refused before anything was changed


def test_spawned_workers_enforce_eval_timeout():
    # btopt's thread backend, which drives the spawned workers, cannot stop a
    # thread: the workers are processes, and are killed past eval_timeout.
    def objective(params):
        if params["a"] == 2:
            time.sleep(60)
        return params["a"]

    started = time.monotonic()
    result = ParallelOptimizer(objective_function=objective, parameter_space=grid(6), algorithm="grid", n_jobs=2,
                               start_method="spawn", eval_timeout=0.5, ignore_errors=True).optimize()
    assert time.monotonic() - started < 30
    late = [t for t in result.trials if t.status != TrialStatus.OK]
    assert [(t.params["a"], t.status) for t in late] == [(2, TrialStatus.TIMEOUT)]
    assert "eval_timeout" in late[0].error
    assert [t.score for t in result.trials if t.status == TrialStatus.OK] == [0, 1, 3, 4, 5]


def test_spawned_workers_are_capped_by_max_memory_per_worker():
    def objective(params):
        if params["a"] == 1:
            return len(bytearray(2 << 30))
        return params["a"]

    result = ParallelOptimizer(objective_function=objective, parameter_space=grid(4), algorithm="grid", n_jobs=2,
                               start_method="spawn", max_memory_per_worker="1GB", ignore_errors=True).optimize()
    greedy = [t for t in result.trials if t.status != TrialStatus.OK]
    assert [t.params["a"] for t in greedy] == [1]
    assert "MemoryError" in greedy[0].error and "max_memory_per_worker" in greedy[0].error


@pytest.mark.parametrize("limit", [dict(eval_timeout=5), dict(max_memory_per_worker="1GB")])
def test_limits_are_refused_on_threads(limit):
    with pytest.raises(btopt.UnsupportedError, match=list(limit)[0] + ".*backend 'process'"):
        scores(lambda p: p["a"], 2, n=4, backend="thread", **limit)
