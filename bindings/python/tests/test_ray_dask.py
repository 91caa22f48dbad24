"""backend='ray' and backend='dask' (btopt.cluster) on a local Ray head and
a Dask LocalCluster that this module starts on loopback, two workers each,
shared by its tests and stopped after them. Each backend's tests skip, saying
why, where its package is not installed (pip install 'btopt[ray]' / 'btopt[dask]')."""

import os
import pathlib
import sys

import pytest

import btopt
from btopt import CategoricalParameter, ContinuousParameter, DiscreteParameter, ParallelOptimizer, ParameterSpace
from btopt import TrialStatus
from btopt.errors import ObjectiveError, UnsupportedError

import cluster_objectives as objectives

HERE = pathlib.Path(__file__).resolve().parent


def _workers_import_what_we_import():
    """The workers Ray and Dask start import btopt and cluster_objectives from
    where this process does (they inherit the environment, BTOPT_LIBRARY too)."""
    package_dir = str(pathlib.Path(btopt.__file__).resolve().parent.parent)
    os.environ["PYTHONPATH"] = os.pathsep.join([str(HERE), package_dir] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    os.environ["BTOPT_TEST_DRIVER_PID"] = str(os.getpid())
    objectives.DRIVER_PID = os.getpid()


@pytest.fixture(scope="module")
def ray_engine():
    try:
        import ray
    except ImportError as e:
        pytest.skip("Ray is not installed (pip install 'btopt[ray]'): %s" % e)
    _workers_import_what_we_import()
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False,
             configure_logging=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def dask_client():
    try:
        import dask
        import dask.distributed as distributed
    except ImportError as e:
        pytest.skip("Dask distributed is not installed (pip install 'btopt[dask]'): %s" % e)
    _workers_import_what_we_import()
    # A task whose worker died is not handed to the next worker (the default
    # tries 3 more): btopt reruns that batch's trials itself, one per task.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                           dashboard_address=None)
        client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(params=["ray", "dask"])
def engine(request):
    """(backend, extra ParallelOptimizer arguments) of a running local cluster."""
    if request.param == "ray":
        request.getfixturevalue("ray_engine")
        return "ray", {}
    return "dask", {"client": request.getfixturevalue("dask_client")}


def mixed_space():
    return ParameterSpace([DiscreteParameter("x", 0, 11), ContinuousParameter("y", -1.0, 1.0, step=0.25),
                           CategoricalParameter("mode", ["calm", "wild"])])


def rows(result):
    return [(t.number, t.params, t.score, int(t.status), t.metrics) for t in result.trials]


ALGORITHMS = {
    "grid": {},
    "random": {"n_iterations": 30},
    "genetic": {"population_size": 8, "n_generations": 3},
    "bayesian": {"n_iterations": 24, "batch_q": 4},
}


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
def test_trials_equal_the_inline_run(engine, algorithm):
    backend, extra = engine
    options = dict(ALGORITHMS[algorithm], random_seed=11)
    inline = ParallelOptimizer(objectives.noisy_bowl, mixed_space(), algorithm, n_jobs=1, backend="inline",
                               **options).optimize()
    result = ParallelOptimizer(objectives.noisy_bowl, mixed_space(), algorithm, backend=backend, n_jobs=2,
                               **extra, **options).optimize()
    assert len(inline.trials) > 8
    assert rows(result) == rows(inline)
    assert (result.best_params, result.best_score) == (inline.best_params, inline.best_score)
    assert result.workers == 2


def test_plugin_loads_once_per_worker_and_scores_as_inline(engine, test_plugin, tmp_path):
    backend, extra = engine
    init_log = tmp_path / "inits.txt"
    space = ParameterSpace([DiscreteParameter("path", 0, 39)])
    common = dict(plugin=test_plugin("snooper"), parameter_space=space, plugin_config={"bars": 300})
    inline = ParallelOptimizer(n_jobs=1, backend="inline", **common).optimize()
    result = ParallelOptimizer(backend=backend, n_jobs=2, batch_size=2, **extra,
                               **dict(common, plugin_config={"bars": 300, "init_log": str(init_log)})).optimize()
    assert rows(result) == rows(inline)
    assert result.metric_names == inline.metric_names and result.trials[0].metrics
    inits = init_log.read_text().split()
    # 20 batches of 2 points, and the plugin's init ran once in each of the 2 workers.
    assert len(inits) == 2 and len(set(inits)) == 2 and str(os.getpid()) not in inits


def test_a_dying_worker_costs_its_trial_only(engine):
    backend, extra = engine
    space = ParameterSpace([DiscreteParameter("x", 0, 9)])
    result = ParallelOptimizer(objectives.dies_on_three, space, "grid", backend=backend, n_jobs=2, batch_size=3,
                               ignore_errors=True, **extra).optimize()
    assert [t.number for t in result.trials] == list(range(10))
    assert [t.status for t in result.trials] == [TrialStatus.CRASHED if x == 3 else TrialStatus.OK for x in range(10)]
    assert [t.score for t in result.trials if t.ok] == [x ** 0.5 for x in range(10) if x != 3]
    assert "died" in result.trials[3].error


def test_a_failing_trial_stops_the_run_without_ignore_errors(engine):
    backend, extra = engine
    space = ParameterSpace([DiscreteParameter("x", 0, 9)])
    with pytest.raises(ObjectiveError, match="trial 5 failed: ValueError: x is five") as raised:
        ParallelOptimizer(objectives.fails_on_five, space, "grid", backend=backend, n_jobs=2, **extra).optimize()
    partial = raised.value.partial_result
    assert [t.score for t in partial.trials if t.number < 5] == [0.0, 1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize("backend", ["ray", "dask"])
def test_without_the_extra_the_error_names_it(monkeypatch, backend):
    monkeypatch.setitem(sys.modules, "ray" if backend == "ray" else "dask.distributed", None)
    with pytest.raises(ImportError, match=r"pip install 'btopt\[%s\]'" % backend):
        ParallelOptimizer(objectives.fails_on_five, ParameterSpace([DiscreteParameter("x", 0, 3)]), backend=backend)


def test_options_a_cluster_run_ignores_are_refused_before_it_starts(dask_client, tmp_path):
    space = ParameterSpace([DiscreteParameter("x", 0, 3)])
    optimizer = ParallelOptimizer(objectives.fails_on_five, space, backend="dask", client=dask_client,
                                  study=str(tmp_path / "s.db"))
    with pytest.raises(UnsupportedError, match="option 'study'"):
        optimizer.optimize()
    assert not (tmp_path / "s.db").exists()
