"""``ParallelOptimizer`` and ``Optimizer``: the Python original's API over btopt.

How a Python objective runs
---------------------------
The objective is handed to C as a ctypes callback. Where it runs depends on
the backend:

* ``'inline'`` (the default for ``n_jobs=1``): on the calling thread.
* ``'process'`` (the default for any other ``n_jobs``): in worker processes
  *forked* from this one (btopt's start_method 'fork'), so the objective runs
  in them as it is: lambdas, nested functions, bound methods and closures
  over loaded data all work, and nothing is pickled. Workers are isolated: a
  crash (segfault, ``os._exit``) marks one trial crashed, ``eval_timeout`` and
  ``max_memory_per_worker`` are enforced.
* ``'thread'``: a pool of threads in this process. Works, but Python code
  holds the GIL, so a pure-Python objective gets no speedup; use it for
  objectives that release the GIL (numpy, I/O) or for plugins.

* ``start_method='spawn'``: in fresh Python processes started with
  ``posix_spawn``, which get the objective once by cloudpickle (_spawn.py);
  ``eval_timeout`` and ``max_memory_per_worker`` are enforced there too.
  (On 'thread' or inline they are refused: a thread cannot be stopped.)

That is why the default for a Python objective is processes whenever
``n_jobs != 1`` (the C library alone would choose threads).

Forking a Python interpreter is safe while this is its only thread running
Python code, as with ``os.fork``: a worker holds only the forking thread, and
a lock another thread held at the fork (the GIL, logging's, an I/O buffer's)
stays locked in it. btopt forks at the start of a run and again whenever a
worker dies or times out, and runs Python's fork handlers around each fork
(btopt_optimizer_set_fork_hooks), as ``os.fork`` does. So the default is
'process' only while this is the only Python thread, and
``start_method='spawn'`` when other threads are alive (a Jupyter kernel
always has some); an explicit ``backend='process'`` forks anyway (with a
RuntimeWarning): right when those threads stay idle (blocked waiting) during
the run. ``eval_timeout`` replaces a worker that got stuck.

In worker processes (forked or spawned) the objective changes the worker's
copy of everything: a counter it increments, a list it appends to or a
global it sets stays in that worker, and the parent never sees it.

Before each evaluation ``random`` and numpy's global generator are seeded
with the trial's own seed (trial_seed()), so draws from them are the same
for any n_jobs; not on backend='thread', where the threads share them.
"""

from __future__ import annotations

import math
import operator
import os
import signal
import sys
import threading
import time
import warnings
from decimal import Decimal
from types import FrameType
from typing import Any, Callable, Iterable, Mapping
from collections import namedtuple
import ctypes
import datetime
from ctypes import byref, c_char_p, c_double, c_int64, c_void_p

from . import _lib, _spawn, _worker, cluster
from ._handle import Detached, Handle
from .errors import CancelledError, NotFoundError, UnsupportedError, check, error_for
from .result import OptimizationResult, Trial, TrialStatus
from .searches import SearchAlgorithm
from .space import ParameterSpace, ParamsReader

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep

_EPOCH = datetime.date(1970, 1, 1)


class EquityCurve(namedtuple("EquityCurve", ["equity", "buy_and_hold", "dates"], defaults=(None,))):
    """An equity curve and buy-and-hold over the same bars, both starting at 1
    (lists of floats), and the bars' dates (a list of datetime.date, one per
    bar), or None when the plugin's bars carry no dates."""

    __slots__ = ()

    def _index(self, pandas: Any, index: Any) -> Any:
        if index is not None:
            if len(index) != len(self.equity):
                raise ValueError("index has %d entries, the curve %d bars" % (len(index), len(self.equity)))
            return index
        if self.dates is not None:
            return pandas.DatetimeIndex(pandas.to_datetime(self.dates), name="date")
        return pandas.RangeIndex(len(self.equity), name="bar")

    def to_pandas(self, index: Any = None) -> Any:
        """Both curves as a pandas DataFrame (columns equity, buy_and_hold),
        over ``index`` when given (as many entries as the curve has bars),
        else over the bars' dates (a DatetimeIndex named "date"), else, when
        the bars carry no dates, over the bar numbers. Needs pandas."""
        pandas = _lib.optional_module("pandas", "EquityCurve.to_pandas")
        return pandas.DataFrame({"equity": self.equity, "buy_and_hold": self.buy_and_hold},
                                index=self._index(pandas, index))

    def to_series(self, curve: str = "equity", index: Any = None) -> Any:
        """One curve ("equity" or "buy_and_hold") as a pandas Series named
        after it, over the same index as to_pandas(). Needs pandas."""
        if curve not in ("equity", "buy_and_hold"):
            raise ValueError("curve must be 'equity' or 'buy_and_hold', not %r" % (curve,))
        pandas = _lib.optional_module("pandas", "EquityCurve.to_series")
        return pandas.Series(getattr(self, curve), index=self._index(pandas, index), name=curve)


def _series_dates(lib: Any, series: Any, n: int) -> list[datetime.date] | None:
    """The bars' dates of a btopt_series (days since 1970-01-01), or None
    when it has none or the library predates btopt_series_dates."""
    if not hasattr(lib, "btopt_series_dates"):
        return None
    days = lib.btopt_series_dates(series)
    if not days:
        return None
    return [_EPOCH + datetime.timedelta(days=days[i]) for i in range(n)]


_INT_OPTIONS = (
    "n_iterations",
    "random_seed",
    "population_size",
    "n_generations",
    "tournament_size",
    "elite_count",
    "batch_q",
    "patience",
    "batch_size",
    "keep_trials",
    "threads_per_worker",
    "pbo_blocks",
    "robust_radius",
)
_DOUBLE_OPTIONS = ("crossover_rate", "mutation_rate", "eval_timeout", "init_timeout", "progress_interval",
                   "max_seconds")
_STRING_OPTIONS = ("direction", "start_method", "study", "study_mode", "data_fingerprint", "select", "start", "end",
                   "require")
_BACKEND_ALIASES = {"multiprocessing": "process", "loky": "process", "threading": "thread", "sequential": "inline"}


def option_catalogue() -> list[dict[str, str]]:
    """Every option an optimizer takes, from the library's catalogue: dicts
    with name, type ("int", "double" or "string"), default, applies_to,
    cli_flag and doc."""
    lib = _lib.library()
    options = []
    for i in range(lib.btopt_option_count()):
        desc = _lib.OptionDesc(struct_size=ctypes.sizeof(_lib.OptionDesc))
        check(lib.btopt_option_info(i, byref(desc)))
        options.append(dict(name=desc.name.decode(), type=("int", "double", "string")[desc.type],
                            default=desc.default_value.decode(), applies_to=desc.applies_to.decode(),
                            cli_flag=desc.cli_flag.decode(), doc=desc.doc.decode()))
    return options


_score = _worker.score_of


def _describe(exc: BaseException) -> bytes:
    words = str(exc) if isinstance(exc, _spawn.WorkerFailed) else _worker.describe(exc)
    return words.replace("\0", " ").encode("utf-8", "replace")


#: What a ``progress`` callback receives: once per recorded trial, in trial
#: order (``trial`` its number; -1 for a call that records none: a beat while
#: the run waits, or the last call); with ``progress_interval`` at most once
#: per that many seconds. ``done`` = ok + failed + crashed + timeout + infeasible.
Progress = namedtuple("Progress", ["done", "total", "ok", "failed", "crashed", "timeout", "cancelled", "reused",
                                   "best_score", "evaluations_per_second", "elapsed_seconds", "trial", "infeasible"])
_trial = threading.local()  # the seed of the trial this thread evaluates (trial_seed())


def trial_seed() -> int:
    """The seed of the trial the calling objective is evaluating: it depends
    only on the run's ``random_seed`` and the trial's number, so a generator
    seeded with it (``numpy.random.default_rng(btopt.trial_seed())``) draws
    the same numbers for that trial with any backend and n_jobs. btopt also
    seeds ``random`` and numpy's global generator with it before each
    evaluation (not on backend='thread', where the threads share them).
    RuntimeError outside an evaluation."""
    seed: int | None = getattr(_trial, "seed", None)
    if seed is None:
        raise RuntimeError("trial_seed() is for an objective during its evaluation")
    return seed


def _params_seed(lib: Any, view: int) -> int | None:
    """The trial's seed from its params view (None from a libbtopt without btopt_params_seed)."""
    if not hasattr(lib, "btopt_params_seed"):
        return None
    seed = ctypes.c_uint64()
    return seed.value if lib.btopt_params_seed(view, byref(seed)) == _lib.OK else None


class _GlobalGenerators:
    """The host's ``random`` and numpy global states, put back after a run
    that seeded them per trial on this process's own threads (inline)."""

    def __init__(self) -> None:
        import random

        self.random_state = random.getstate()
        numpy = sys.modules.get("numpy")
        self.numpy_state = numpy.random.get_state() if numpy is not None else None

    def restore(self) -> None:
        import random

        random.setstate(self.random_state)
        numpy = sys.modules.get("numpy")
        if numpy is not None and self.numpy_state is not None:
            numpy.random.set_state(self.numpy_state)


# Python's own fork handlers (os.register_at_fork's, the import lock, the
# GIL's and threading's state) around the forks btopt makes in C for
# start_method 'fork'; os.fork runs the same three.
def _before_fork(user: Any) -> None:
    ctypes.pythonapi.PyOS_BeforeFork()


def _after_fork_parent(user: Any) -> None:
    ctypes.pythonapi.PyOS_AfterFork_Parent()


def _after_fork_child(user: Any) -> None:
    ctypes.pythonapi.PyOS_AfterFork_Child()


_FORK_HOOKS = (_lib.FORK_HOOK_FN(_before_fork), _lib.FORK_HOOK_FN(_after_fork_parent),
               _lib.FORK_HOOK_FN(_after_fork_child))


class _Calls:
    """What C calls back into during a run: the objective and progress
    trampolines. Deliberately separate from the optimizer (no reference back to
    it), so no reference cycle keeps an optimizer alive.

    Neither trampoline lets an exception unwind into C: the objective's
    becomes the trial's failure (btopt_fail), the callback's cancels the run
    and is raised again by optimize()."""

    def __init__(self, objective: Callable[[dict[str, Any]], Any] | None, callback: Callable[..., Any] | None,
                 reader: ParamsReader) -> None:
        self.lib = _lib.library()
        self.objective = objective
        self.callback = callback
        self.reader = reader
        self.pointer: int | None = None  # the btopt_optimizer, for cancel
        self.owner_pid = os.getpid()
        self.callback_error: BaseException | None = None
        self.interrupted = False
        self.progress: Callable[[Progress], Any] | None = None
        self.pool: _spawn.SpawnPool | None = None  # start_method 'spawn': the run's workers
        self.seed_globals = True  # seed random/numpy per trial (not on shared threads)

    def call_objective(self, user: Any, view: int, score_out: Any) -> int:
        try:
            try:
                if self.objective is None:
                    raise RuntimeError("this optimizer has no Python objective")
                seed = _trial.seed = _params_seed(self.lib, view)
                if self.pool is not None and seed is not None:
                    score_out[0] = self.pool.evaluate(self.reader(view), seed, self.lib.btopt_report_cpu_seconds)
                    return _lib.OK
                if seed is not None and self.seed_globals:
                    _worker.seed_globals(seed)
                score_out[0] = _score(self.objective(self.reader(view)))
                return _lib.OK
            finally:
                _trial.seed = None
                if os.getpid() != self.owner_pid:  # a forked worker ends with _exit: flush what it printed
                    _flush_std()
        except BaseException as exc:  # noqa: B902 - nothing may unwind into C
            try:
                message = _describe(exc)
            except BaseException:  # noqa: B902 - an exception whose str() raises
                message = b"the objective raised an exception that cannot be described"
            if isinstance(exc, _spawn.WorkerFailed) and hasattr(self.lib, "btopt_fail_trial"):
                return int(self.lib.btopt_fail_trial(exc.status, message))  # crashed or timeout, as it was
            return int(self.lib.btopt_fail(message))

    def call_progress(self, user: Any, done: int, total: int, best: float) -> None:
        # Also the moment a pending Ctrl-C is handled (on_sigint), since the
        # run's thread is otherwise inside C.
        if self.callback is None or self.callback_error is not None:
            return
        try:
            self.callback(done, total, best)
        except BaseException as exc:  # noqa: B902
            self.callback_error = exc
            self.lib.btopt_optimizer_cancel(self.pointer)

    def call_progress_ex(self, user: Any, report: Any) -> None:
        if self.progress is None or self.callback_error is not None:
            return
        try:
            struct = report.contents
            covered = _lib.ProgressStruct.infeasible.offset + 8 <= struct.struct_size  # an older library lacks it
            self.progress(Progress(*(getattr(struct, name) if name != "infeasible" or covered else 0
                                     for name in Progress._fields)))
        except BaseException as exc:  # noqa: B902
            self.callback_error = exc
            self.lib.btopt_optimizer_cancel(self.pointer)

    def on_sigint(self, signum: int, frame: FrameType | None) -> None:
        """Ctrl-C during a run: cancel it, and raise KeyboardInterrupt only
        where it cannot reach C: inside the user's own code called by the
        objective trampoline on this thread (inline), so a long evaluation is
        abandoned (its trial fails). Anywhere else the run stops once the
        evaluations in progress end. Workers never see it: btopt's worker
        processes ignore SIGINT, the coordinator stops them."""
        self.interrupted = True
        self.lib.btopt_optimizer_cancel(self.pointer)
        if _inside_objective_user_code(frame):
            raise KeyboardInterrupt("the run was interrupted")


def _inside_objective_user_code(frame: FrameType | None) -> bool:
    if frame is None or os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        return False
    trampoline = _Calls.call_objective.__code__
    while frame is not None:
        if frame.f_code is trampoline:
            return True
        frame = frame.f_back
    return False


def _flush_std() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:  # noqa: BLE001 - a closed stream must not fail a trial
            pass


# name -> (calls, trampoline) of the objectives this process registered. An
# optimizer that uses one holds its entry, so replacing or unregistering a
# name never frees a trampoline C may still call.
_registered: dict[str, tuple[_Calls, Any]] = {}
_registered_lock = threading.Lock()


def register_objective(name: str, objective: Callable[[dict[str, Any]], Any]) -> None:
    """Registers a Python objective process-wide under ``name``, for
    ``ParallelOptimizer(objective_function=name, ...)`` (btopt_register_objective).
    Registering a name again replaces it; optimizers already using the old
    one keep it."""
    if not callable(objective):
        raise TypeError("objective must be callable")
    calls = _Calls(objective, None, ParamsReader())
    trampoline = _lib.OBJECTIVE_FN(calls.call_objective)
    with _registered_lock:
        check(_lib.library().btopt_register_objective(_lib.encode(name, "an objective name"), trampoline, None))
        _registered[name] = (calls, trampoline)


def unregister_objective(name: str) -> None:
    """Forgets a registered objective (btopt_unregister_objective); optimizers
    already using it keep it. NotFoundError when no objective has that name;
    UnsupportedError when the library predates btopt_unregister_objective."""
    lib = _lib.library()
    if not hasattr(lib, "btopt_unregister_objective"):
        raise UnsupportedError("this libbtopt has no btopt_unregister_objective", _lib.ERR_UNSUPPORTED)
    with _registered_lock:
        check(lib.btopt_unregister_objective(_lib.encode(name, "an objective name")))
        _registered.pop(name, None)


class ParallelOptimizer:
    """Evaluates a parameter space in parallel with grid, random or genetic search.

    ``ParallelOptimizer(objective_function=f, parameter_space=space, algorithm='grid', n_jobs=4)``
    or, with a strategy plugin as the objective,
    ``ParallelOptimizer(plugin='sma_crossover', plugin_config={'commission': '0.001'},
    objective_metric='sharpe', algorithm='grid')``.

    The objective takes a dict ``{name: value}`` and returns a score (float,
    int or Decimal; higher is better unless ``direction='minimize'``). An
    exception it raises marks that trial failed with the exception's text;
    with ``ignore_errors=False`` (the default) the run then stops with
    ObjectiveError. NaN and infinite scores fail the trial too.

    Options (None keeps btopt's default): n_iterations (random, bayesian,
    cmaes), n_jobs (-1 every CPU, -2 all but one), backend ('inline',
    'thread', 'process'; 'multiprocessing' means 'process'), random_seed,
    population_size, n_generations, tournament_size, elite_count,
    crossover_rate, mutation_rate, batch_q (bayesian), patience (genetic,
    bayesian, cmaes), batch_size, keep_trials, pbo_blocks, robust_radius, select, ignore_errors, eval_timeout
    (seconds), max_memory_per_worker ('2GB' or bytes), threads_per_worker,
    direction ('maximize'/'minimize'), start_method, and any option a newer
    btopt adds, by its name. ``callback(iteration, total, best_score)`` is
    called on this thread as trials finish; it may call ``cancel()``.
    ``progress(p)`` is called with a ``Progress`` (counts by status, best
    score, evaluations per second) once per recorded trial in trial order,
    or at most every ``progress_interval`` seconds; it may call ``cancel()``.
    ``deterministic`` is accepted for the original's signature: btopt's
    results never depend on n_jobs, backend or timing. ``start_method='spawn'``
    runs the objective in fresh Python processes (the default when other
    threads are alive, as in Jupyter; the module doc says more).

    With processes (the default for n_jobs != 1) the objective runs in
    worker processes: state it changes (a counter in a callable object, a
    list, a global) stays in the worker and the parent never sees it.
    ``random`` and numpy's global generator are seeded per trial
    (``btopt.trial_seed()``), so random draws are the same for any n_jobs.

    The original's code shape works too: ``ParallelOptimizer(algorithm=
    GridSearchAlgorithm(space), n_jobs=2).run(objective)``, then
    ``get_best_result()`` (a search object from btopt.optimization.search;
    the README lists what differs).
    """

    def __init__(
        self,
        objective_function: Callable[[dict[str, Any]], Any] | str | SearchAlgorithm | None = None,
        parameter_space: ParameterSpace | None = None,
        algorithm: str | SearchAlgorithm = "grid",
        n_iterations: int | None = None,
        n_jobs: int = -1,
        backend: str | None = None,
        *,
        plugin: str | os.PathLike[str] | None = None,
        plugin_config: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        objective_metric: str | None = None,
        callback: Callable[[int, int, float], Any] | None = None,
        progress: Callable[[Progress], Any] | None = None,
        progress_interval: float | None = None,
        ignore_errors: bool | None = None,
        batch_size: int | None = None,
        max_memory_per_worker: int | str | None = None,
        random_seed: int | None = None,
        population_size: int | None = None,
        n_generations: int | None = None,
        tournament_size: int | None = None,
        elite_count: int | None = None,
        crossover_rate: float | None = None,
        mutation_rate: float | None = None,
        batch_q: int | None = None,
        patience: int | None = None,
        eval_timeout: float | None = None,
        init_timeout: float | None = None,
        direction: str | None = None,
        keep_trials: int | None = None,
        threads_per_worker: int | None = None,
        pbo_blocks: int | None = None,
        robust_radius: int | None = None,
        select: str | None = None,
        start_method: str | None = None,
        study: str | None = None,
        study_mode: str | None = None,
        data_fingerprint: str | None = None,
        start: str | int | None = None,
        end: str | int | None = None,
        require: str | None = None,
        max_seconds: float | None = None,
        client: Any = None,
        deterministic: bool = True,
        **algorithm_kwargs: Any,
    ) -> None:
        lib = _lib.library()
        search = next((s for s in (objective_function, algorithm) if isinstance(s, SearchAlgorithm)), None)
        self._search = search
        if search is not None:
            # The original's ParallelOptimizer(algorithm=<search object>, n_jobs=...).run(objective).
            if parameter_space is not None and parameter_space is not search.parameter_space:
                raise TypeError("parameter_space comes from the search object; do not give another")
            parameter_space = search.parameter_space
            algorithm, engine_options = search._engine_setup()
            algorithm_kwargs = {**engine_options, **_original_run_options(algorithm_kwargs)}
            if eval_timeout is None:
                eval_timeout = algorithm_kwargs.pop("eval_timeout", None)
            objective_function = _objective_of_run
            ignore_errors = True if ignore_errors is None else ignore_errors  # the original scores failures -inf
            batch_size = None  # the original's batch_size is how many tasks are in flight, not btopt's
            callback = _SearchWatch(search, callback)
        if (objective_function is None) == (plugin is None):
            raise TypeError("give either objective_function or plugin (exactly one)")
        if objective_function is not None and not (callable(objective_function) or isinstance(objective_function, str)):
            raise TypeError("objective_function must be callable (or the name of a registered objective)")
        if parameter_space is None and plugin is None:
            raise TypeError("parameter_space is required with an objective_function")
        if parameter_space is not None and not isinstance(parameter_space, ParameterSpace):
            raise TypeError("parameter_space must be a ParameterSpace, not %s" % type(parameter_space).__name__)
        if callback is not None and not callable(callback):
            raise TypeError("callback must be callable")
        if progress is not None and not callable(progress):
            raise TypeError("progress must be callable")
        if not isinstance(algorithm, str):
            raise TypeError("algorithm must be a str")
        del deterministic  # always true in btopt

        decoders = parameter_space._decoders() if parameter_space is not None else {}
        size = parameter_space.cardinality() if parameter_space is not None else math.inf
        self._space_size: int | None = size if isinstance(size, int) and algorithm == "grid" else None
        self._decoders = decoders
        host = objective_function is not None
        self._calls = _Calls(objective_function if callable(objective_function) else None, callback,
                             ParamsReader(decoders))
        self._objective_fn = _lib.OBJECTIVE_FN(self._calls.call_objective)
        self._progress_fn = _lib.PROGRESS_FN(self._calls.call_progress)
        self._calls.progress = progress
        self._progress_ex_fn = _lib.PROGRESS_EX_FN(self._calls.call_progress_ex)
        out = c_void_p()
        check(
            lib.btopt_optimizer_create(
                byref(out), parameter_space._pointer if parameter_space is not None else None, _lib.encode(algorithm)
            )
        )
        # Owned from here on: whatever fails below, the optimizer is released,
        # and the callbacks C holds live until it is.
        self._handle = Handle(out.value, lib.btopt_optimizer_destroy, "ParallelOptimizer",
                              keepalive=(self._objective_fn, self._progress_fn, self._progress_ex_fn))
        self._pointer = out.value
        self._calls.pointer = out.value
        self._running = False
        self.algorithm = algorithm

        if n_jobs is None:
            n_jobs = -1
        n_jobs = operator.index(n_jobs)
        if isinstance(backend, str):
            backend = _BACKEND_ALIASES.get(backend, backend)
        # 'ray' and 'dask' are the binding's (btopt.cluster): the library runs nothing of such a run.
        self._cluster: dict[str, Any] | None = None
        if backend in cluster.BACKENDS:
            self._cluster = self._cluster_setup(backend, objective_function, plugin, plugin_config, parameter_space,
                                                objective_metric, client, callback, progress)
        elif client is not None:
            raise TypeError("client is for backend='dask' (a dask.distributed.Client)")
        # A Python objective under threads is GIL-bound: processes by default
        # (see the module doc), chosen at each optimize().
        self._auto_process = backend is None and host and n_jobs != 1
        self.backend = "process" if self._auto_process else backend
        self.n_jobs = n_jobs
        self._set_int("n_jobs", n_jobs)
        if backend is not None and self._cluster is None:
            self._set_string("backend", backend)
        ints: dict[str, int | None] = dict(n_iterations=n_iterations, random_seed=random_seed, population_size=population_size,
                    n_generations=n_generations, tournament_size=tournament_size, elite_count=elite_count,
                    batch_q=batch_q, patience=patience, batch_size=batch_size, keep_trials=keep_trials, threads_per_worker=threads_per_worker,
                    pbo_blocks=pbo_blocks, robust_radius=robust_radius)
        for name in _INT_OPTIONS:
            value = ints[name]
            if value is not None:
                self._set_int(name, value)
        doubles: dict[str, float | None] = dict(crossover_rate=crossover_rate, mutation_rate=mutation_rate, eval_timeout=eval_timeout,
                       init_timeout=init_timeout, progress_interval=progress_interval, max_seconds=max_seconds)
        for name in _DOUBLE_OPTIONS:
            real = doubles[name]
            if real is not None:
                self._set_double(name, real)
        # 'spawn' is the binding's own start method (the module doc): btopt's C library never sees it.
        self._spawn = start_method == "spawn"
        if self._spawn:
            start_method = None
        # start and end: a date "YYYY-MM-DD" or a bar number (an int is one).
        strings: dict[str, str | None] = dict(
            direction=direction, start_method=start_method, study=study, study_mode=study_mode,
            data_fingerprint=data_fingerprint, select=select, start=None if start is None else str(start),
            end=None if end is None else str(end), require=require)
        for name in _STRING_OPTIONS:
            text = strings[name]
            if text is not None:
                self._set_string(name, text)
        if ignore_errors is not None:
            self._set_int("ignore_errors", 1 if ignore_errors else 0)
        if max_memory_per_worker is not None:
            self.set_option("max_memory_per_worker", max_memory_per_worker)
        for name, option in algorithm_kwargs.items():
            try:
                self.set_option(name, option)
            except NotFoundError:
                raise TypeError("%s got an unexpected keyword argument %r (btopt has no option %r)"
                                % (type(self).__name__, name, name)) from None

        if host:
            if hasattr(lib, "btopt_optimizer_set_fork_hooks"):
                check(lib.btopt_optimizer_set_fork_hooks(self._pointer, *_FORK_HOOKS, None))
            if callable(objective_function):
                check(lib.btopt_optimizer_set_objective(self._pointer, self._objective_fn, None))
            elif isinstance(objective_function, str):
                with _registered_lock:
                    check(lib.btopt_optimizer_use_objective(self._pointer, _lib.encode(objective_function)))
                    # The trampoline C now calls for this optimizer: it lives as long as the optimizer.
                    self._registered_entry = _registered.get(objective_function)
        else:
            assert plugin is not None
            check(lib.btopt_optimizer_use_plugin(self._pointer, _lib.encode(os.fspath(plugin), "a plugin")))
            config = plugin_config.items() if isinstance(plugin_config, Mapping) else (plugin_config or ())
            for key, value in config:
                check(lib.btopt_optimizer_set_plugin_config(
                    self._pointer, _lib.encode(str(key), "a config key"), _lib.encode(_config_text(value), "a config value")))
            if objective_metric is not None:
                check(lib.btopt_optimizer_set_objective_metric(self._pointer, _lib.encode(objective_metric)))
        check(lib.btopt_optimizer_set_progress(self._pointer, self._progress_fn, None))
        if progress is not None:
            if not hasattr(lib, "btopt_optimizer_set_progress_ex"):
                raise UnsupportedError("progress needs a libbtopt with btopt_optimizer_set_progress_ex (newer than this one)")
            check(lib.btopt_optimizer_set_progress_ex(self._pointer, self._progress_ex_fn, None))
        self._host = host
        self._run_result: OptimizationResult | None = None
        if isinstance(callback, _SearchWatch):
            callback.optimizer = self

    def _cluster_setup(self, backend: str, objective: Any, plugin: Any, plugin_config: Any,
                       parameter_space: ParameterSpace | None, objective_metric: str | None, client: Any,
                       callback: Any, progress: Any) -> dict[str, Any]:
        """What a run on Ray or Dask ships to each worker, checked before anything runs."""
        cluster.engine_module(backend)  # ImportError naming the extra to install
        if self._search is not None:
            raise UnsupportedError("backend=%r runs ParallelOptimizer(objective_function=... or plugin=...); "
                                   "a search object's run() is not supported on it" % backend, _lib.ERR_UNSUPPORTED)
        if isinstance(objective, str):
            raise UnsupportedError("backend=%r ships the objective to the workers: give the function itself, not "
                                   "the name it was registered under" % backend, _lib.ERR_UNSUPPORTED)
        if callback is not None or progress is not None:
            raise UnsupportedError("backend=%r does not call callback or progress" % backend, _lib.ERR_UNSUPPORTED)
        if client is not None and backend != "dask":
            raise TypeError("client is for backend='dask' (a dask.distributed.Client)")
        setup: dict[str, Any] = {"client": client, "objective": objective, "plugin": None}
        if plugin is not None:
            config = plugin_config.items() if isinstance(plugin_config, Mapping) else (plugin_config or ())
            setup["plugin"] = {
                "plugin": os.fspath(plugin), "plugin_config": [(str(k), _config_text(v)) for k, v in config],
                "objective_metric": objective_metric,
                "parameter_space": None if parameter_space is None else cluster.SpaceRecipe(parameter_space)}
        return setup

    # -- the original's ParallelOptimizer(algorithm=<search object>) --------
    def run(self, objective_function: Callable[[dict[str, Any]], Any]) -> None:
        """Runs the search object given as ``algorithm`` on ``objective_function``
        (the original's shape); then get_best_result(), get_best_params(), and
        the search object's get_results() hold the outcome. Failed evaluations
        count as -Infinity, as in the original."""
        search = self._search
        if search is None:
            raise TypeError("run(objective) is for ParallelOptimizer(algorithm=<search object>); "
                            "this optimizer was given its objective: call optimize()")
        if not callable(objective_function):
            raise TypeError("objective_function must be callable")
        self._calls.objective = objective_function
        watch = self._calls.callback
        assert isinstance(watch, _SearchWatch)
        watch.restart()
        try:
            result = self.optimize()
        except CancelledError as e:
            if watch.reason is None or e.partial_result is None:
                raise
            result = e.partial_result
        self._run_result = result
        for trial in result.trials:
            if trial.status == TrialStatus.CANCELLED:  # never evaluated: the run stopped first
                continue
            search._record(trial.params, trial.score if trial.score is not None else -math.inf)

    def _best_of_run(self) -> OptimizationResult:
        result = self._run_result
        if result is None or result.best_params is None or result.best_score is None:
            raise ValueError("No successful results available yet")
        return result

    def get_best_params(self) -> dict[str, Any]:
        """The best point of the last run(); ValueError when none succeeded."""
        return dict(self._best_of_run().best_params or {})

    def get_best_result(self) -> tuple[dict[str, Any], Decimal]:
        """(best params, best score as a Decimal) of the last run(); ValueError when none succeeded."""
        result = self._best_of_run()
        return dict(result.best_params or {}), Decimal(repr(result.best_score))

    def get_progress(self) -> float:
        """Share of the search object's planned trials that run() recorded (0.0 to 1.0)."""
        return self._search.progress if self._search is not None else 0.0

    # -- options -----------------------------------------------------------
    def _set_int(self, name: str, value: int) -> None:
        if isinstance(value, bool):
            value = int(value)
        check(_lib.library().btopt_optimizer_set_int(self._handle.pointer, _lib.encode(name), operator.index(value)))

    def _set_double(self, name: str, value: float) -> None:
        check(_lib.library().btopt_optimizer_set_double(self._handle.pointer, _lib.encode(name), float(value)))

    def _set_string(self, name: str, value: str) -> None:
        check(_lib.library().btopt_optimizer_set_string(self._handle.pointer, _lib.encode(name), _lib.encode(value)))

    def get_option(self, name: str) -> int | float | str:
        """Reads an option back: the value set, or its default, as int, float
        or str by the option's type (option_catalogue() lists them).
        max_memory_per_worker reads back as bytes in decimal text.
        NotFoundError for an unknown option."""
        lib = _lib.library()
        kind = next((o["type"] for o in option_catalogue() if o["name"] == name), None)
        if kind is None:
            raise NotFoundError("unknown option %r" % (name,), _lib.ERR_NOT_FOUND)
        value: c_int64 | c_double | c_char_p = c_int64() if kind == "int" else c_double() if kind == "double" else c_char_p()
        getter = getattr(lib, "btopt_optimizer_get_" + kind)
        check(getter(self._handle.pointer, _lib.encode(name), byref(value)))
        if isinstance(value, c_char_p):
            return _lib.decode(value.value)
        return value.value

    def set_option(self, name: str, value: int | float | str | bool) -> None:
        """Sets any btopt option by name, with the setter its Python type
        calls for (bool/int: set_int, float: set_double, str: set_string).
        NotFoundError for an unknown option, InvalidArgumentError for a bad value.
        A backend set here is used as given (no fallback to threads)."""
        if name == "backend" and isinstance(value, str):
            value = _BACKEND_ALIASES.get(value, value)
            self._set_string(name, value)
            self.backend, self._auto_process = value, False
            return
        if name == "start_method" and isinstance(value, str):
            self._spawn = value == "spawn"
            if self._spawn:
                return
        if isinstance(value, str):
            self._set_string(name, value)
        elif isinstance(value, float):
            self._set_double(name, value)
        else:
            self._set_int(name, value)

    # -- running -------------------------------------------------------------
    def optimize(self) -> OptimizationResult:
        """Runs the search and returns an OptimizationResult.

        Raises ObjectiveError (a trial failed and ignore_errors is off) or
        CancelledError (cancel() was called), each with ``partial_result``;
        KeyboardInterrupt after Ctrl-C (the run stops once the evaluations in
        progress end; ``partial_result`` attached); whatever the callback
        raised (the run was cancelled; ``partial_result`` attached); other
        BtoptErrors for bad setups."""
        if self._running:
            raise RuntimeError("optimize() is already running on this optimizer")
        if self._cluster is not None:
            return self._optimize_on_cluster(self._cluster)
        calls = self._calls
        calls.callback_error = None
        calls.interrupted = False
        calls.owner_pid = os.getpid()
        pointer = self._handle.pointer
        threads = threading.active_count()
        # Forking is safe only while no other thread can hold a lock: with
        # other threads alive the default is clean spawned workers instead.
        spawn = calls.objective is not None and (self._spawn or (self._auto_process and threads > 1))
        if self._auto_process and not spawn:
            backend = "process" if threads == 1 else "thread"
            self._set_string("backend", backend)
            if threads > 1:
                warnings.warn(
                    "btopt runs this Python objective on threads rather than forked processes, as %d other "
                    "Python threads are alive (a fork copies the locks they hold), and a registered objective "
                    "cannot be sent to spawned workers. Pass backend='process' to fork anyway when those "
                    "threads stay idle during the run." % (threads - 1),
                    RuntimeWarning,
                    stacklevel=2,
                )
        # The workers start (and load the objective) before anything is changed
        # or timed: an objective that cannot be sent fails here.
        limits = self._worker_limits() if spawn else (0.0, 0)
        calls.pool = (_spawn.SpawnPool(calls.objective, self._spawn_workers(), *limits)
                      if spawn and calls.objective else None)
        backend_set = self.get_option("backend")
        if spawn:
            self._set_string("backend", "thread")  # each of btopt's threads drives one spawned worker
            self._set_worker_limits(0.0, 0)  # the spawned workers enforce them (_spawn.py), not btopt's threads
        forks_python = (self._host and not spawn and self.backend == "process"
                        and (not self._auto_process or threads == 1))
        if forks_python and threads > 1:
            warnings.warn(
                "btopt forks worker processes from a Python process with %d other threads; only this thread "
                "exists in the workers, so a lock another thread holds at a fork (the GIL, logging, I/O) stays "
                "locked there. If those threads run Python code during the run, use backend='thread' or set "
                "eval_timeout." % (threads - 1),
                RuntimeWarning,
                stacklevel=2,
            )
        # Seeding the global generators per trial is for processes and the
        # calling thread; threads share them. The host's states come back after.
        calls.seed_globals = spawn or self.get_option("backend") != "thread"
        host_generators = _GlobalGenerators() if calls.seed_globals else None
        previous = _install_sigint(calls.on_sigint)
        out = c_void_p()
        self._running = True
        try:
            if forks_python:
                _flush_std()  # or what Python buffered would be printed by workers as well
            status = _lib.library().btopt_optimizer_run(pointer, byref(out))
            message = _lib.decode(_lib.library().btopt_last_error()) if status != _lib.OK else ""
        finally:
            self._running = False
            _restore_sigint(previous)
            if calls.pool is not None:
                calls.pool.close()
                calls.pool = None
            if spawn:  # "" (automatic) cannot be set again: what it means for a host objective
                self._set_string("backend", str(backend_set) or ("inline" if self.n_jobs == 1 else "thread"))
                self._set_worker_limits(*limits)
            if host_generators is not None:
                host_generators.restore()
        result = OptimizationResult(out.value, self._decoders) if out.value else None
        if calls.interrupted:
            interrupt = KeyboardInterrupt("the run was interrupted")
            interrupt.partial_result = result  # type: ignore[attr-defined]
            raise interrupt
        if calls.callback_error is not None:
            error = calls.callback_error
            calls.callback_error = None
            try:
                error.partial_result = result
            except AttributeError:
                pass
            raise error
        if status != _lib.OK:
            raise error_for(status, message, partial_result=result)
        assert result is not None  # a run that succeeded made one
        return result

    def _worker_limits(self) -> tuple[float, int]:
        """eval_timeout (seconds) and max_memory_per_worker (bytes), 0: none."""
        return float(self.get_option("eval_timeout")), int(self.get_option("max_memory_per_worker"))

    def _set_worker_limits(self, eval_timeout: float, max_memory: int) -> None:
        self._set_double("eval_timeout", eval_timeout)
        self._set_string("max_memory_per_worker", str(max_memory))

    def _optimize_on_cluster(self, setup: dict[str, Any]) -> OptimizationResult:
        run = cluster.ClusterRun(self, setup["objective"], setup["plugin"], setup["client"])
        self._cluster_run: cluster.ClusterRun | None = run
        self._running = True
        try:
            return run.run()
        finally:
            self._running = False
            self._cluster_run = None

    def _spawn_workers(self) -> int:
        """How many workers a spawned run starts: n_jobs resolved as btopt
        resolves it (-1 every CPU, -2 all but one), never more than the grid
        has points."""
        n_jobs = int(self.get_option("n_jobs"))
        workers = n_jobs if n_jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + n_jobs)
        points = self._space_size
        return max(1, min(workers, points)) if points is not None else workers

    def cancel(self) -> None:
        """Asks a running optimize() to stop; safe from the callback and from
        other threads. optimize() then raises CancelledError. (With a libbtopt
        where a cancel between runs stops the next run at once, so does this.)"""
        _lib.library().btopt_optimizer_cancel(self._handle.pointer)
        run = getattr(self, "_cluster_run", None)
        if run is not None:
            run.cancelled.set()

    def equity_curve(self, point: Trial | OptimizationResult) -> EquityCurve:
        """The equity curve and buy-and-hold of a point under this optimizer's
        plugin and config. ``point`` is a Trial of a result, or a result (its
        best trial). UnsupportedError when the plugin offers no equity curves,
        InvalidArgumentError without a plugin."""
        handle: Handle | Detached | None
        if isinstance(point, OptimizationResult):
            if point.best_index is None:
                raise ValueError("the result has no successful trial")
            handle = point._handle
            view = _lib.library().btopt_result_best_params(handle.pointer)
        elif isinstance(point, Trial):
            handle = point._handle
            view = point._params_pointer()
        else:
            raise TypeError("point must be a Trial or an OptimizationResult")
        lib = _lib.library()
        out = c_void_p()
        check(lib.btopt_optimizer_equity_curve(byref(out), self._handle.pointer, view))
        series = Handle(out.value, lib.btopt_series_destroy, "series")
        try:
            n = lib.btopt_series_length(series.pointer)
            equity = lib.btopt_series_equity(series.pointer)
            hold = lib.btopt_series_buy_and_hold(series.pointer)
            curve = EquityCurve([equity[i] for i in range(n)], [hold[i] for i in range(n)],
                                _series_dates(lib, series.pointer, n))
        finally:
            series.close()
        del handle  # kept the result alive until here
        return curve

    # -- ownership -------------------------------------------------------------
    def close(self) -> None:
        """Frees the C optimizer now (results already returned stay valid)."""
        if self._running:
            raise RuntimeError("close() during optimize()")
        self._handle.close()

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def __enter__(self) -> ParallelOptimizer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Optimizer(ParallelOptimizer):
    """The sequential optimizer of the original: ParallelOptimizer with
    ``n_jobs=1`` on the calling thread (backend 'inline' unless given).

    ``Optimizer(parameter_space, search_algorithm, objective_function,
    backtest_function, max_trials)``, the original's other shape, is the
    suggest/update loop over a search object (btopt.search_loop)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> "Optimizer":
        if cls is Optimizer and _loop_shape(args, kwargs):
            from .search_loop import SearchLoopOptimizer

            return object.__new__(SearchLoopOptimizer)
        return object.__new__(cls)

    def __init__(self, objective_function: Callable[[dict[str, Any]], Any] | str | None = None,
                 parameter_space: ParameterSpace | None = None, algorithm: str = "grid",
                 n_iterations: int | None = None, **kwargs: Any) -> None:
        n_jobs = kwargs.pop("n_jobs", 1)
        if n_jobs != 1:
            raise ValueError("Optimizer is sequential (n_jobs=1); use ParallelOptimizer for n_jobs=%r" % (n_jobs,))
        super().__init__(objective_function, parameter_space, algorithm, n_iterations, 1, **kwargs)


def _loop_shape(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """True for the original's Optimizer(parameter_space, search_algorithm, ...)."""
    return bool(args and isinstance(args[0], ParameterSpace)) or any(
        k in kwargs for k in ("search_algorithm", "backtest_function", "max_trials"))


def _objective_of_run(params: dict[str, Any]) -> Any:
    raise RuntimeError("this ParallelOptimizer runs a search object: call run(objective)")


_ORIGINAL_RUN_OPTIONS = ("max_eval_time", "verbose", "maxtasksperchild")


def _original_run_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The original ParallelOptimizer's own arguments, checked as it checks
    them, as btopt options: max_eval_time is eval_timeout; verbose (a tqdm bar)
    and maxtasksperchild (btopt replaces a worker only when it dies) change
    nothing in btopt."""
    rest = {k: v for k, v in kwargs.items() if k not in _ORIGINAL_RUN_OPTIONS}
    max_eval_time = kwargs.get("max_eval_time")
    if max_eval_time is not None:
        if max_eval_time <= 0:
            raise ValueError("max_eval_time must be positive")
        rest["eval_timeout"] = float(max_eval_time)
    if kwargs.get("maxtasksperchild", 1) <= 0:
        raise ValueError("maxtasksperchild must be positive")
    return rest


class _SearchWatch:
    """The progress callback of a run(): applies the search object's stopping
    rules that btopt's engine lacks, on the best score as trials finish in
    trial order, and cancels the run when one fires."""

    def __init__(self, search: SearchAlgorithm, user_callback: Any) -> None:
        self.search = search
        self.user_callback = user_callback
        self.optimizer: ParallelOptimizer | None = None
        self.restart()

    def restart(self) -> None:
        self.reason: str | None = None
        self.started = time.monotonic()
        self.best: float | None = None
        self.best_at = 0

    def __call__(self, done: int, total: int, best: float) -> None:
        if math.isfinite(best) and (self.best is None or best > self.best):
            self.best, self.best_at = best, done
        if self.reason is None:
            self.reason = self.search._stop_reason(self.best, done - self.best_at, time.monotonic() - self.started)
            if self.reason is not None and self.optimizer is not None:
                self.optimizer.cancel()
        if self.user_callback is not None:
            self.user_callback(done, total, best)


def _config_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _install_sigint(handler: Callable[[int, FrameType | None], None]) -> Any:
    """Routes Ctrl-C to cancel() for the run, when this is the main thread and
    SIGINT still has Python's default handler. Returns what to restore."""
    if threading.current_thread() is not threading.main_thread():
        return None
    try:
        if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            return None
        signal.signal(signal.SIGINT, handler)
    except (ValueError, OSError):
        return None
    return signal.default_int_handler


def _restore_sigint(previous: Any) -> None:
    if previous is not None:
        signal.signal(signal.SIGINT, previous)
