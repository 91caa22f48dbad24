"""Status codes become exceptions; objective exceptions become failed trials."""

import gc
import math
from decimal import Decimal

import pytest

import btopt
from btopt import (
    BtoptError,
    BtoptIOError,
    DiscreteParameter,
    InvalidArgumentError,
    NotFoundError,
    ObjectiveError,
    Optimizer,
    ParallelOptimizer,
    ParameterSpace,
    PluginError,
    TrialStatus,
    UnsupportedError,
)


def space(n=6):
    return ParameterSpace([DiscreteParameter('a', 0, n - 1)])


def test_hierarchy():
    for cls in (InvalidArgumentError, UnsupportedError, NotFoundError, PluginError, ObjectiveError,
                btopt.CancelledError, BtoptIOError, btopt.InternalError):
        assert issubclass(cls, BtoptError)
    assert issubclass(InvalidArgumentError, ValueError) and issubclass(NotFoundError, LookupError)
    assert issubclass(BtoptIOError, OSError)
    assert [c.status for c in (InvalidArgumentError, UnsupportedError, NotFoundError, PluginError,
                               ObjectiveError, btopt.CancelledError, BtoptIOError, btopt.InternalError)] == \
        list(range(1, 9))


@pytest.mark.parametrize("backend", ['inline', 'thread', 'process'])
def test_an_exception_stops_the_run_with_the_point_and_the_text(backend):
    def objective(p):
        if p['a'] == 2:
            raise KeyError("no bars for 2")
        return p['a']

    with pytest.raises(ObjectiveError) as info:
        ParallelOptimizer(objective_function=objective, parameter_space=space(), algorithm='grid',
                          n_jobs=1 if backend == 'inline' else 2, backend=backend).optimize()
    e = info.value
    assert e.status_name == "BTOPT_ERR_OBJECTIVE"
    assert "a=2" in e.message and "KeyError" in e.message and "no bars for 2" in e.message
    partial = e.partial_result
    assert partial is not None
    assert [t.status for t in partial.trials[:3]] == [TrialStatus.OK, TrialStatus.OK, TrialStatus.FAILED]
    assert partial.trials[2].error == "KeyError: 'no bars for 2'"
    assert all(t.status in (TrialStatus.OK, TrialStatus.CANCELLED) for t in partial.trials[3:])


@pytest.mark.parametrize("bad, words", [
    (lambda p: None, "TypeError"),
    (lambda p: "1.5", "TypeError"),
    (lambda p: math.nan, ""),
    (lambda p: Decimal('-Infinity'), ""),
    (lambda p: 1 / 0, "ZeroDivisionError"),
    (lambda p: exit(3), "SystemExit"),
])
def test_bad_scores_fail_the_trial(bad, words):
    result = ParallelOptimizer(objective_function=bad, parameter_space=space(2), algorithm='grid', n_jobs=1,
                               ignore_errors=True).optimize()
    assert [t.status for t in result.trials] == [TrialStatus.FAILED] * 2
    assert words in result.trials[0].error and result.trials[0].error
    assert result.best_params is None and result.best_score is None and result.best_trial is None


def test_an_exception_whose_str_raises():
    class Weird(Exception):
        def __str__(self):
            raise RuntimeError("no words")

    def objective(p):
        raise Weird()

    result = ParallelOptimizer(objective_function=objective, parameter_space=space(1), algorithm='grid', n_jobs=1,
                               ignore_errors=True).optimize()
    assert result.trials[0].status == TrialStatus.FAILED and "cannot be described" in result.trials[0].error


def test_setup_errors():
    f = lambda p: 0  # noqa: E731
    with pytest.raises(InvalidArgumentError, match="unknown algorithm"):
        ParallelOptimizer(objective_function=f, parameter_space=space(), algorithm='annealing')
    with pytest.raises(InvalidArgumentError, match="n_jobs"):
        ParallelOptimizer(objective_function=f, parameter_space=space(), n_jobs=0)
    with pytest.raises(InvalidArgumentError, match="population_size"):
        ParallelOptimizer(objective_function=f, parameter_space=space(), algorithm='genetic', population_size=1)
    with pytest.raises(InvalidArgumentError, match="backend"):
        ParallelOptimizer(objective_function=f, parameter_space=space(), backend='gpu')
    with pytest.raises(InvalidArgumentError, match="max_memory_per_worker"):
        ParallelOptimizer(objective_function=f, parameter_space=space(), max_memory_per_worker='lots')
    with pytest.raises(InvalidArgumentError, match="direction"):
        ParallelOptimizer(objective_function=f, parameter_space=space(), direction='up')
    with pytest.raises(TypeError, match="frobnicate"):
        ParallelOptimizer(objective_function=f, parameter_space=space(), frobnicate=3)
    with pytest.raises(TypeError):
        ParallelOptimizer(parameter_space=space())  # no objective
    with pytest.raises(TypeError):
        ParallelOptimizer(objective_function=f, plugin='sma_crossover')  # both
    with pytest.raises(TypeError):
        ParallelOptimizer(objective_function=f)  # no space
    with pytest.raises(ValueError):
        Optimizer(objective_function=f, parameter_space=space(), n_jobs=4)
    with pytest.raises(NotFoundError, match="never_registered"):
        ParallelOptimizer(objective_function='never_registered', parameter_space=space())


def test_a_host_objective_refuses_the_server_start_method():
    opt = ParallelOptimizer(objective_function=lambda p: 0, parameter_space=space(), n_jobs=2,
                            backend='process', start_method='server')
    with pytest.raises(UnsupportedError, match="fork"):
        opt.optimize()


def test_options_by_name_for_newer_libraries():
    opt = ParallelOptimizer(objective_function=lambda p: p['a'], parameter_space=space(), n_jobs=1)
    opt.set_option('keep_trials', 2)
    opt.set_option('crossover_rate', 0.5)
    opt.set_option('direction', 'minimize')
    with pytest.raises(NotFoundError):
        opt.set_option('no_such_option', 1)
    with pytest.raises(InvalidArgumentError, match="set_int|integer"):
        opt.set_option('keep_trials', 'two')
    result = opt.optimize()
    assert [t.params['a'] for t in result.trials] == [0, 1] and result.n_trials == 6
    opt.set_option('backend', 'multiprocessing')
    assert opt.backend == 'process' and opt.optimize().best_params == {'a': 0}


def test_write_errors_are_io_errors(tmp_path):
    result = ParallelOptimizer(objective_function=lambda p: p['a'], parameter_space=space(),
                               n_jobs=1).optimize()
    with pytest.raises(BtoptIOError) as info:
        result.write_json(tmp_path / "missing-dir" / "x.json")
    assert isinstance(info.value, OSError) and info.value.message


def test_registered_objectives():
    btopt.register_objective("py_square", lambda p: -(p['a'] - 3) ** 2)
    result = ParallelOptimizer(objective_function="py_square", parameter_space=space(), n_jobs=1).optimize()
    assert result.best_params == {'a': 3}
    first = ParallelOptimizer(objective_function="py_square", parameter_space=space(), n_jobs=1)
    btopt.register_objective("py_square", lambda p: p['a'])  # replaces it
    result = ParallelOptimizer(objective_function="py_square", parameter_space=space(), n_jobs=2).optimize()
    assert result.best_params == {'a': 5}
    gc.collect()
    assert first.optimize().best_params == {'a': 3}  # kept the objective it took
    if not hasattr(btopt._lib.library(), "btopt_unregister_objective"):
        return
    btopt.unregister_objective("py_square")
    gc.collect()
    assert first.optimize().best_params == {'a': 3}
    with pytest.raises(NotFoundError):
        ParallelOptimizer(objective_function="py_square", parameter_space=space())
    with pytest.raises(NotFoundError):
        btopt.unregister_objective("py_square")
