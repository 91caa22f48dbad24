"""btopt's searches without a run: ask for trials, evaluate them wherever you
like (your own threads, a cluster, Ray or Dask), tell the outcomes in any
order. Over the C ABI's ``btopt_search_*``.

The search hears the outcomes in trial order, as in a run, so the trials
depend on the algorithm, its options and the seed only, never on the order
outcomes come back in: they are the trials ``ParallelOptimizer`` evaluates
with the same options::

    search = Search(space, "bayesian", random_seed=1, n_iterations=100, batch_q=8)
    while not search.done:
        trials = search.ask(8)                    # [] while it waits for outcomes
        futures = {pool.submit(backtest, t.params): t.number for t in trials}
        for future in as_completed(futures):       # any order
            search.tell(futures[future], future.result())
    number, score, params = search.best

A host that evaluates a batch at a time (Ray's ``ray.get``, Dask's
``as_completed``) asks for as many trials as it has workers and tells each
outcome as it lands; ``state()``/``restore()`` carry a search across a restart.
"""

from __future__ import annotations

import math
from ctypes import byref, c_char_p, c_double, c_size_t, c_uint64, c_void_p
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Tuple

from . import _lib
from ._handle import Handle
from .errors import InternalError, UnsupportedError, check
from .result import TrialStatus
from .space import ParameterSpace, ParamsReader

Params = Dict[str, Any]


def _view(pointer: Optional[int]) -> int:
    if not pointer:
        raise InternalError("btopt handed out a NULL params view", _lib.ERR_INTERNAL)
    return pointer


class AskedTrial(NamedTuple):
    """A trial the search proposed: its number (0, 1, 2, ... in proposal order) and its point."""

    number: int
    params: Params


class Search:
    """One of btopt's searches ("grid", "random", "genetic", "bayesian",
    "cmaes") driven by ask/tell. ``options`` are those a search reads
    (random_seed, n_iterations, population_size, n_generations,
    tournament_size, elite_count, crossover_rate, mutation_rate, batch_q,
    patience, direction); a run's options (n_jobs, backend, ...) are refused."""

    def __init__(self, parameter_space: ParameterSpace, algorithm: str, **options: Any) -> None:
        if not isinstance(parameter_space, ParameterSpace):
            raise TypeError("parameter_space must be a ParameterSpace, not %s" % type(parameter_space).__name__)
        lib = _lib.library()
        if not hasattr(lib, "btopt_search_create"):
            raise UnsupportedError("the loaded libbtopt (%s) has no ask/tell API (btopt_search_*): it is older "
                                   "than this binding" % lib.path)
        self.parameter_space = parameter_space
        self.algorithm = algorithm
        out = c_void_p()
        check(lib.btopt_search_create(byref(out), parameter_space._pointer, _lib.encode(algorithm, "algorithm")))
        self._handle = Handle(out.value, lib.btopt_search_destroy, "Search")
        self._read = ParamsReader(parameter_space._decoders())
        from .optimizer import option_catalogue  # here: btopt.optimizer imports this module's users

        types = {o["name"]: o["type"] for o in option_catalogue()}
        for name, value in options.items():
            self._set(name, value, types.get(name, "int"))

    def _set(self, name: str, value: Any, kind: str) -> None:
        lib, pointer, key = _lib.library(), self._handle.pointer, _lib.encode(name, "an option name")
        if kind == "string":
            check(lib.btopt_search_set_string(pointer, key, _lib.encode(str(value), "an option value")))
        elif kind == "double":
            check(lib.btopt_search_set_double(pointer, key, float(value)))
        else:
            check(lib.btopt_search_set_int(pointer, key, int(value)))

    @classmethod
    def _of_optimizer(cls, optimizer_pointer: int, algorithm: str) -> "Search":
        """The search a run of this C optimizer would make (btopt_optimizer_search):
        its space (a plugin's, narrowed by the user's), options and direction."""
        lib = _lib.library()
        if not hasattr(lib, "btopt_optimizer_search"):
            raise UnsupportedError("the loaded libbtopt (%s) has no btopt_optimizer_search: it is older than this "
                                   "binding" % lib.path)
        space_out = c_void_p()
        check(lib.btopt_optimizer_space(optimizer_pointer, byref(space_out)))
        space_handle = Handle(space_out.value, lib.btopt_space_destroy, "ParameterSpace")
        try:
            space = ParameterSpace._read(space_handle.pointer)
        finally:
            space_handle.close()
        out = c_void_p()
        check(lib.btopt_optimizer_search(optimizer_pointer, byref(out)))
        search = cls.__new__(cls)
        search._handle = Handle(out.value, lib.btopt_search_destroy, "Search")
        search.parameter_space = space
        search.algorithm = algorithm
        search._read = ParamsReader(space._decoders())
        return search

    def ask(self, n: int = 1) -> List[AskedTrial]:
        """Up to ``n`` new trials; [] while the search waits for the outcomes
        of trials in flight (tell them, ask again) or when it is done."""
        return [AskedTrial(number, params) for number, params, _ in self._ask_seeded(n)]

    def _ask_seeded(self, n: int) -> List[Tuple[int, Params, int]]:
        """ask(), with each trial's seed (the one a run hands its objective: btopt.trial_seed())."""
        if n < 0:
            raise ValueError("n must not be negative")
        lib = _lib.library()
        numbers = (c_uint64 * max(n, 1))()
        views = (c_void_p * max(n, 1))()
        count = c_size_t()
        check(lib.btopt_search_ask(self._handle.pointer, n, numbers, views, byref(count)))
        seed = c_uint64()
        asked = []
        for i in range(count.value):
            view = _view(views[i])
            check(lib.btopt_params_seed(view, byref(seed)))
            asked.append((int(numbers[i]), self._read(view), int(seed.value)))
        return asked

    def tell(self, number: int, score: Optional[float] = None, status: Optional[int] = None,
             metrics: Iterable[float] = ()) -> None:
        """The outcome of trial ``number``: its score (higher is better unless
        direction='minimize'), or ``score=None`` / a NaN or infinite score /
        a ``status`` other than OK for a trial that gave no result."""
        if status is None:
            status = TrialStatus.OK if score is not None and math.isfinite(float(score)) else TrialStatus.FAILED
        values = [float(m) for m in metrics]
        array = (c_double * len(values))(*values) if values else None
        value = float(score) if score is not None and int(status) == TrialStatus.OK else 0.0
        check(_lib.library().btopt_search_tell(self._handle.pointer, number, int(status), value,
                                               array, len(values)))

    @property
    def done(self) -> bool:
        """True when the search proposes no more trials and every one proposed was told."""
        return bool(_lib.library().btopt_search_done(self._handle.pointer))

    @property
    def best(self) -> Optional[Tuple[int, float, Params]]:
        """(number, score, params) of the best successful trial heard so far, or None."""
        number, score, view = c_uint64(), c_double(), c_void_p()
        status = _lib.library().btopt_search_best(self._handle.pointer, byref(number), byref(score), byref(view))
        if status == _lib.ERR_NOT_FOUND:
            return None
        check(status)
        return int(number.value), float(score.value), self._read(_view(view.value))

    def state(self) -> str:
        """The search's state as JSON text (the points proposed, the outcomes told)."""
        text = c_char_p()
        check(_lib.library().btopt_search_state(self._handle.pointer, byref(text)))
        return _lib.decode(text.value)

    def restore(self, state: str) -> None:
        """Replays a state into this new search (same space, algorithm and
        options): it goes on as the saved one would; trials proposed but never
        told come back first from ask()."""
        check(_lib.library().btopt_search_restore(self._handle.pointer, _lib.encode(state, "a state")))

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> "Search":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["AskedTrial", "Search"]
