"""backend='ray' and backend='dask': a run's evaluations on a Ray or Dask
cluster the user already has (``ray.init(address=...)`` before the run; a
``dask.distributed.Client`` given as ``client=``, else the current one).

The search is btopt's own, driven here by ask/tell (btopt_optimizer_search:
the run's space, algorithm, options and direction), and it hears the
outcomes in trial order, so the trials are those of the inline run with the
same seed; each trial is evaluated with its own seed (``btopt.trial_seed()``,
``random`` and numpy's global generator seeded with it, as in btopt's worker
processes).

Each worker gets its objective once and then batches of trials:

- a Python objective is pickled (cloudpickle, by Ray and Dask) once per Ray
  actor or Dask worker;
- a plugin is loaded, and its init run, once per actor or worker
  (btopt_evaluator_*); a batch carries nothing but the points' values and
  seeds.

A Ray actor of the run holds the objective (restarted by Ray when its
process dies; the actors are killed when the run ends); on Dask a worker
plugin does (set up again on a worker its nanny restarts; unregistered at the
end). The trials of a batch whose worker died are evaluated again one at a
time with nothing else in flight, so a point that kills its worker costs that
trial only (status crashed), and with ``ignore_errors`` the run goes on.

Batches: a worker keeps two in flight (it never waits for the coordinator),
sized to take about ``_TASK_SECONDS`` once evaluations have been timed
(``batch_size`` fixes the size), and split evenly when fewer points are ready
than workers could take (an adaptive search's batch).
"""

from __future__ import annotations

import importlib
import math
import os
import threading
import time
import uuid
from ctypes import byref, c_char_p, c_double, c_int32, c_void_p
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import _lib, _worker
from ._handle import Handle
from .ask_tell import Search
from .errors import CancelledError, ObjectiveError, PluginError, UnsupportedError, check
from .result import OptimizationResult, Trial, TrialStatus
from .space import CategoricalParameter, ParameterSpace

BACKENDS = ("ray", "dask")
_SETUP_SECONDS = 120.0  # the actors' start and the objective's setup, unless init_timeout says otherwise
_TASK_SECONDS = 0.1  # a batch's evaluation time once timed: Ray and Dask cost about a millisecond per task

#: The options a cluster run honours besides the search's own; any other option
#: set away from its default is refused before anything runs.
_HONOURED = frozenset({"n_jobs", "backend", "random_seed", "n_iterations", "population_size", "n_generations",
                       "tournament_size", "elite_count", "crossover_rate", "mutation_rate", "batch_q", "patience",
                       "direction", "batch_size", "ignore_errors", "max_seconds", "init_timeout"})

# (number, params or values, seed)
Task = Tuple[int, Any, int]
# (number, status, score, error, metrics, seconds)
Outcome = Tuple[int, int, float, str, List[float], float]


def engine_module(backend: str) -> Any:
    """Ray's or Dask distributed's module; ImportError naming the extra to install."""
    try:  # by name: neither is a dependency of btopt (nor read by its type checks)
        return importlib.import_module("ray" if backend == "ray" else "dask.distributed")
    except ImportError as e:
        what = "Ray" if backend == "ray" else "Dask distributed"
        raise ImportError("backend=%r needs %s, which is not installed: pip install 'btopt[%s]' (%s)"
                          % (backend, what, backend, e)) from e


# ---- the worker's side ------------------------------------------------------

class SpaceRecipe:
    """A ParameterSpace as plain data (a space holds a C handle), rebuilt on a worker."""

    def __init__(self, space: ParameterSpace) -> None:
        self.parameters = list(space.parameters)
        self.constraints = list(space.constraints)

    def build(self) -> ParameterSpace:
        return ParameterSpace(self.parameters, self.constraints)


class _PythonObjective:
    """Evaluates points (dicts) with a Python objective, seeded per trial."""

    metric_count = 0

    def __init__(self, objective: Callable[[Dict[str, Any]], Any]) -> None:
        self.objective = objective

    def __call__(self, params: Dict[str, Any], seed: int) -> Tuple[int, float, str, List[float]]:
        from .optimizer import _trial  # btopt.trial_seed() reads it

        _trial.seed = seed
        _worker.seed_globals(seed)
        try:
            return TrialStatus.OK, _worker.score_of(self.objective(params)), "", []
        except BaseException as exc:  # noqa: B902 - every failure is the trial's
            return TrialStatus.FAILED, math.nan, _worker.describe(exc), []
        finally:
            _trial.seed = None

    def close(self) -> None:
        pass


class _PluginObjective:
    """Loads a plugin and runs its init once (btopt_evaluator_create), then
    evaluates points given as one number per parameter."""

    def __init__(self, setup: Dict[str, Any]) -> None:
        from .optimizer import ParallelOptimizer

        lib = _lib.library()
        if not hasattr(lib, "btopt_evaluator_create"):
            raise UnsupportedError("the libbtopt of this worker (%s) has no btopt_evaluator_*: it is older than "
                                   "this binding" % lib.path)
        recipe = setup.get("parameter_space")
        options = dict(setup, parameter_space=recipe.build() if recipe is not None else None)
        with ParallelOptimizer(n_jobs=1, backend="inline", **options) as optimizer:
            out = c_void_p()
            check(lib.btopt_evaluator_create(byref(out), optimizer._pointer))
        self._handle = Handle(out.value, lib.btopt_evaluator_destroy, "evaluator")
        self.metric_count = int(lib.btopt_evaluator_metric_count(self._handle.pointer))
        self._metrics = (c_double * max(self.metric_count, 1))()

    def __call__(self, values: Sequence[float], seed: int) -> Tuple[int, float, str, List[float]]:
        lib = _lib.library()
        array = (c_double * len(values))(*values)
        status, score, error = c_int32(), c_double(), c_char_p()
        check(lib.btopt_evaluator_evaluate(self._handle.pointer, array, len(values), seed, byref(status),
                                           byref(score), self._metrics, self.metric_count, byref(error)))
        return status.value, score.value, _lib.decode(error.value), list(self._metrics[:self.metric_count])

    def close(self) -> None:
        self._handle.close()  # the plugin's finish runs


def make_objective(work: Tuple[str, Any]) -> Any:
    kind, payload = work
    return _PythonObjective(payload) if kind == "python" else _PluginObjective(payload)


def evaluate_batch(objective: Any, batch: Sequence[Task]) -> List[Outcome]:
    """A batch's outcomes, each with its evaluation's wall time."""
    outcomes = []
    for number, point, seed in batch:
        started = time.perf_counter()
        status, score, error, metrics = objective(point, seed)
        outcomes.append((number, status, score, error, metrics, time.perf_counter() - started))
    return outcomes


class _RayWorker:
    """A Ray actor of one run: it makes the run's objective from the run's
    work, fetched once from Ray's object store, at the run's setup or first
    batch (so again in a process Ray restarted), and drops it at the end."""

    def __init__(self) -> None:
        self.run_id: Optional[str] = None
        self.objective: Any = None

    def _objective_of(self, run_id: str, work_ref: List[Any]) -> Any:
        if self.run_id != run_id:
            self.finish()
            self.objective = make_objective(importlib.import_module("ray").get(work_ref[0]))
            self.run_id = run_id
        return self.objective

    def setup(self, run_id: str, work_ref: List[Any]) -> int:
        self._objective_of(run_id, work_ref)
        return os.getpid()

    def run(self, run_id: str, work_ref: List[Any], batch: Sequence[Task]) -> List[Outcome]:
        return evaluate_batch(self._objective_of(run_id, work_ref), batch)

    def finish(self, run_id: Optional[str] = None) -> None:
        if self.objective is not None and run_id in (None, self.run_id):
            self.objective.close()
            self.objective = self.run_id = None

    def pid(self) -> int:
        return os.getpid()


def _ray_actors(ray: Any, n: int) -> List[Any]:
    """n actors for one run, each holding a CPU of the cluster until the run
    ends (then killed: the cluster is left as it was found). Restarted when
    its process dies, never retried: a batch that killed its actor comes back
    as an error, and the coordinator decides what to run again."""
    actor = ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=0)(_RayWorker)
    return [actor.remote() for _ in range(n)]


class WorkerDied(Exception):
    """The process evaluating a batch died."""


class SetupFailed(PluginError):
    """A worker could not make the objective (a plugin that cannot be loaded, whose init fails)."""


class _RayEngine:
    def __init__(self, ray: Any, work: Tuple[str, Any], n_jobs: int, timeout: float) -> None:
        if not ray.is_initialized():
            raise UnsupportedError("backend='ray' runs on the Ray cluster this process is connected to: call "
                                   "ray.init(address=...) (or ray.init() for a local one) before optimize()")
        self.ray = ray
        # An actor takes a CPU of the cluster: never more actors than it has CPUs.
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.workers = min(n_jobs, cpus) if n_jobs > 0 else max(1, cpus + 1 + n_jobs)
        self.actors = _ray_actors(ray, self.workers)
        self.run_id = uuid.uuid4().hex
        self.work_ref = [ray.put(work)]  # in a list: handed to the actors as the reference, fetched once by each
        self.load = [0] * self.workers
        self.owner: Dict[Any, int] = {}
        # An objective that cannot be made (a plugin whose init fails) is refused
        # here, and so is a cluster whose CPUs stay taken by other work.
        setups = [a.setup.remote(self.run_id, self.work_ref) for a in self.actors]
        try:
            ray.get(setups, timeout=timeout)
        except ray.exceptions.GetTimeoutError:
            self.close()
            raise SetupFailed("backend='ray': %d actors (a CPU each) did not start within %g s: the cluster's CPUs "
                              "are taken by other work (init_timeout sets the wait)" % (self.workers, timeout)) from None
        except ray.exceptions.RayError as e:
            self.close()
            raise SetupFailed("a Ray actor could not set up the objective: %s" % e) from None

    def submit(self, batch: Sequence[Task]) -> Any:
        k = min(range(self.workers), key=self.load.__getitem__)
        ref = self.actors[k].run.remote(self.run_id, self.work_ref, list(batch))
        self.load[k] += 1
        self.owner[ref] = k
        return ref

    def wait(self, pending: Sequence[Any], timeout: float) -> List[Any]:
        done, _ = self.ray.wait(list(pending), num_returns=1, timeout=timeout)
        return list(done)

    def outcomes(self, ref: Any) -> List[Outcome]:
        self.load[self.owner.pop(ref)] -= 1
        try:
            outcomes: List[Outcome] = self.ray.get(ref)
            return outcomes
        except self.ray.exceptions.RayActorError as e:
            raise WorkerDied(str(e).splitlines()[0] if str(e) else type(e).__name__) from e

    def ready(self, seconds: float = 120.0) -> None:
        """Waits until every actor answers (Ray restarts one whose process died)."""
        deadline = time.monotonic() + seconds
        for actor in self.actors:
            while True:
                try:
                    self.ray.get(actor.pid.remote(), timeout=max(1.0, deadline - time.monotonic()))
                    break
                except self.ray.exceptions.ActorUnavailableError:  # restarting
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)

    def close(self) -> None:
        """Every actor drops the objective (a plugin's finish runs), then goes."""
        try:
            self.ray.get([a.finish.remote(self.run_id) for a in self.actors], timeout=60)
        except self.ray.exceptions.RayError:
            pass  # an actor that died took its objective with it
        for a in self.actors:
            self.ray.kill(a)


class _DaskEngine:
    def __init__(self, distributed: Any, client: Any, work: Tuple[str, Any], n_jobs: int) -> None:
        if client is None:
            try:
                client = distributed.get_client()
            except ValueError:
                raise UnsupportedError("backend='dask' runs on a Dask cluster: pass client=dask.distributed."
                                       "Client(...) or create one before optimize()") from None
        self.distributed = distributed
        self.client = client
        threads = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
        self.workers = max(1, min(n_jobs, threads) if n_jobs > 0 else threads)
        self.name = "btopt-" + uuid.uuid4().hex
        from ._dask_worker import ObjectivePlugin, run_batch

        self.run_batch = run_batch
        answers = client.register_plugin(ObjectivePlugin(work, self.name), name=self.name)
        failed = [a for a in (answers or {}).values() if isinstance(a, dict) and a.get("status") not in (None, "OK")]
        if failed:
            self.close()
            raise SetupFailed("a Dask worker could not set up the objective: %s"
                              % (failed[0].get("text") or failed[0].get("exception")))

    def submit(self, batch: Sequence[Task]) -> Any:
        return self.client.submit(self.run_batch, self.name, list(batch), pure=False)

    def wait(self, pending: Sequence[Any], timeout: float) -> List[Any]:
        try:
            done, _ = self.distributed.wait(list(pending), timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return []
        return list(done)

    def outcomes(self, future: Any) -> List[Outcome]:
        try:
            outcomes: List[Outcome] = future.result()
            return outcomes
        except self.distributed.KilledWorker as e:
            raise WorkerDied(str(e) or type(e).__name__) from e

    def ready(self) -> None:
        pass  # a task waits for a worker; a worker its nanny restarts is set up before it takes one

    def close(self) -> None:
        try:
            self.client.unregister_worker_plugin(self.name)
        except Exception:  # noqa: BLE001 - a worker gone meanwhile has nothing to tear down
            pass


# ---- the coordinator ---------------------------------------------------------

def refuse_unhonoured_options(optimizer: Any) -> None:
    """Every option a cluster run would ignore, set away from its default, is refused by name."""
    from .optimizer import option_catalogue

    for option in option_catalogue():
        name = option["name"]
        if name in _HONOURED:
            continue
        value = optimizer.get_option(name)
        default: Any = option["default"]
        if option["type"] == "int":
            default = int(default) if default.lstrip("-").isdigit() else default
        elif option["type"] == "double":
            default = float(default)
        if value != default:
            raise UnsupportedError("option %r = %r: backend=%r does not honour it (it runs the search and its "
                                   "evaluations only); leave it at %r, or use the 'process' or 'mpi' backend"
                                   % (name, value, optimizer.backend, option["default"]), _lib.ERR_UNSUPPORTED)


class ClusterRun:
    """One optimize() of a ParallelOptimizer with backend 'ray' or 'dask'."""

    def __init__(self, optimizer: Any, objective: Optional[Callable[..., Any]], plugin_setup: Optional[Dict[str, Any]],
                 client: Any) -> None:
        self.optimizer = optimizer
        self.backend = optimizer.backend
        self.module = engine_module(self.backend)
        self.plugin_setup = plugin_setup
        self.work: Tuple[str, Any] = ("python", objective) if plugin_setup is None else ("plugin", plugin_setup)
        self.client = client
        self.cancelled = threading.Event()

    def run(self) -> OptimizationResult:
        opt = self.optimizer
        refuse_unhonoured_options(opt)
        search = Search._of_optimizer(opt._pointer, opt.algorithm)
        metric_names = self._metric_names()
        n_jobs = int(opt.get_option("n_jobs"))
        timeout = float(opt.get_option("init_timeout")) or _SETUP_SECONDS
        engine: Any = (_RayEngine(self.module, self.work, n_jobs, timeout) if self.backend == "ray"
                       else _DaskEngine(self.module, self.client, self.work, n_jobs))
        try:
            table = _Loop(search, engine, self, metric_names).run()
        finally:
            engine.close()
            search.close()
        return table

    def _metric_names(self) -> List[str]:
        if self.plugin_setup is None:
            return []
        from .plugins import describe_plugin

        return list(describe_plugin(self.plugin_setup["plugin"])["metrics"])


class _Loop:
    """Asks, hands out batches, tells the outcomes, records the trials."""

    def __init__(self, search: Search, engine: Any, run: ClusterRun, metric_names: List[str]) -> None:
        opt = run.optimizer
        self.search = search
        self.engine = engine
        self.run_ = run
        self.metric_names = metric_names
        self.plugin = run.plugin_setup is not None
        self.parameters = search.parameter_space.parameters
        self.fixed_batch = int(opt.get_option("batch_size"))
        self.ignore_errors = bool(opt.get_option("ignore_errors"))
        max_seconds = float(opt.get_option("max_seconds"))
        self.started = time.perf_counter()
        self.deadline = self.started + max_seconds if max_seconds > 0 else math.inf
        self.trials: Dict[int, Trial] = {}
        self._params: Dict[int, Dict[str, Any]] = {}  # of trials asked and not yet recorded
        self.pending: Dict[Any, List[Task]] = {}
        # Trials of batches whose worker died: evaluated again one at a time, with
        # nothing else in flight, so a worker that dies then died of that trial.
        self.suspects: List[Task] = []
        self.isolating = False
        self.eval_seconds = 0.0
        self.stopping = False
        self.stopped_on_budget = False

    # The point as the worker's objective takes it: a dict, or a plugin's values.
    def _point(self, params: Dict[str, Any]) -> Any:
        if not self.plugin:
            return params
        return [float(p.choices.index(params[p.name])) if isinstance(p, CategoricalParameter) else float(params[p.name])
                for p in self.parameters]

    def _batch_size(self) -> int:
        if self.fixed_batch > 0:
            return self.fixed_batch
        timed = len(self.trials)
        if timed == 0:
            return 1
        return max(1, min(1024, int(_TASK_SECONDS / max(self.eval_seconds / timed, 1e-6))))

    def _fill(self) -> None:
        """Asks for as many trials as the free task slots (two per worker) take, and submits them."""
        if self.suspects:
            if not self.pending:
                self.engine.ready()
                self.isolating = True
                self._submit([self.suspects.pop(0)])
            return
        self.isolating = False
        free = 2 * self.engine.workers - len(self.pending)
        if free <= 0 or self.stopping:
            return
        if time.perf_counter() >= self.deadline:
            self.stopping = self.stopped_on_budget = True
            return
        size = self._batch_size()
        asked = self.search._ask_seeded(size * free)
        if not asked:
            return
        tasks = [(number, self._point(params), seed) for number, params, seed in asked]
        for number, params, _ in asked:
            self._params[number] = params
        n = min(free, len(tasks))
        for k in range(n):  # split evenly: an adaptive search's batch spreads over the workers
            self._submit(tasks[k * len(tasks) // n:(k + 1) * len(tasks) // n])

    def _submit(self, batch: List[Task]) -> None:
        self.pending[self.engine.submit(batch)] = batch

    def run(self) -> OptimizationResult:
        first_error: Optional[Tuple[int, str]] = None
        while True:
            if self.run_.cancelled.is_set():
                self.stopping = True
            self._fill()
            if not self.pending:
                break
            for handle in self.engine.wait(list(self.pending), timeout=0.5):
                batch = self.pending.pop(handle)
                try:
                    outcomes = self.engine.outcomes(handle)
                except WorkerDied as died:
                    outcomes = self._after_death(batch, str(died))
                for outcome in outcomes:
                    trial = self._record(outcome)
                    if not trial.ok and (first_error is None or trial.number < first_error[0]):
                        first_error = (trial.number, trial.error)
                if first_error is not None and not self.ignore_errors:
                    self.stopping = True
        result = self._result()
        if self.run_.cancelled.is_set():
            raise CancelledError("the run was cancelled", _lib.ERR_CANCELLED, partial_result=result)
        if first_error is not None and not self.ignore_errors:
            raise ObjectiveError("trial %d failed: %s (ignore_errors=True records failing trials and goes on)"
                                 % first_error, _lib.ERR_OBJECTIVE, partial_result=result)
        return result

    def _after_death(self, batch: List[Task], why: str) -> List[Outcome]:
        """A batch whose worker died: the trial evaluated alone is crashed; any
        other batch's trials become suspects (evaluated again, alone)."""
        if self.isolating:
            return [(batch[0][0], TrialStatus.CRASHED, math.nan, "the worker evaluating it died: " + why, [], 0.0)]
        self.suspects.extend(batch)
        self.suspects.sort()
        return []

    def _record(self, outcome: Outcome) -> Trial:
        number, status, score, error, metrics, seconds = outcome
        if status == TrialStatus.OK and not math.isfinite(score):
            status, error = TrialStatus.FAILED, "the objective gave %r, not a finite number" % score
        self.search.tell(number, score if status == TrialStatus.OK else None, status=status, metrics=metrics)
        self.eval_seconds += seconds
        trial = Trial(number=number, params=self._params.pop(number), status=TrialStatus(status),
                      score=score if status == TrialStatus.OK else None, error=error,
                      metrics={name: (v if math.isfinite(v) else None) for name, v in zip(self.metric_names, metrics)},
                      seconds=seconds)
        self.trials[number] = trial
        return trial

    def _result(self) -> OptimizationResult:
        wall = time.perf_counter() - self.started
        trials = [self.trials[n] for n in sorted(self.trials)]
        best = self.search.best
        best_index = next((i for i, t in enumerate(trials) if best is not None and t.number == best[0]), None)
        speedup = self.eval_seconds / wall if wall > 0 else 0.0
        counts = {s: sum(1 for t in trials if t.status == s) for s in TrialStatus}
        state: Dict[str, Any] = dict(
            metric_names=list(self.metric_names), wall_seconds=wall, eval_seconds=self.eval_seconds,
            speedup=speedup, efficiency=speedup / self.engine.workers, speedup_cpu_share=0.0,
            workers=self.engine.workers, n_trials=len(trials), rank=0, status_counts=counts, reused_count=0,
            provenance=None, selection=None, warnings=[], stopped_on_budget=self.stopped_on_budget,
            best_params=dict(best[2]) if best else None, best_score=best[1] if best else None,
            best_index=best_index, best_metrics=dict(trials[best_index].metrics) if best_index is not None else None,
            _trials=trials)
        result = OptimizationResult.__new__(OptimizationResult)
        result.__setstate__(state)
        return result


__all__ = ["BACKENDS", "ClusterRun", "engine_module"]
