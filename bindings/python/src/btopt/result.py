"""What a run found: ``OptimizationResult`` and its ``Trial`` records.

A result owns its C ``btopt_result`` and stays valid after its optimizer and
space are gone. The trial list is read from C on first use, then cached as
plain Python objects (which outlive the result).
"""

from __future__ import annotations

import enum
import json
import math
import os
from ctypes import byref, c_char_p, c_double, c_int32, c_int64, c_size_t, c_uint64, c_void_p, sizeof
from typing import Any, Iterator, Mapping

from . import _lib
from ._handle import Detached, Handle
from .errors import check
from .space import Parameter, ParamsReader


class TrialStatus(enum.IntEnum):
    """How a trial ended (btopt_trial_status)."""

    OK = 0
    FAILED = 1  #: the objective raised, or returned NaN / an infinity
    CRASHED = 2  #: the worker process evaluating it died
    TIMEOUT = 3  #: it ran past eval_timeout
    CANCELLED = 4  #: the run stopped before it finished
    INFEASIBLE = 5  #: it ended ok, but its metrics break ``require``; its score is kept, it is never the best

    @property
    def label(self) -> str:
        """The library's name for it: 'ok', 'failed', 'crashed', 'timeout', 'cancelled', 'infeasible'."""
        return _lib.decode(_lib.library().btopt_trial_status_name(int(self)))

    def __str__(self) -> str:
        return self.label


def _status_of(code: int) -> TrialStatus | int:
    try:
        return TrialStatus(code)
    except ValueError:  # a status a newer library added: keep the number
        return code


_TRIAL_FIELDS = ("number", "params", "score", "status", "error", "metrics", "seconds")


class Trial(Mapping[str, Any]):
    """One evaluated point.

    Attributes: ``number`` (position in proposal order), ``params`` (dict),
    ``score`` (float, None unless ok or infeasible), ``status`` (TrialStatus), ``error``
    (why it did not end ok; '' when ok), ``metrics`` (dict of a plugin's
    metrics; empty for a Python objective), ``seconds`` (its evaluation time).

    A trial is also a read-only mapping of those fields (``trial['score']``,
    ``dict(trial)``), so ``pandas.DataFrame(result.trials)`` has one column
    per field; ``result.to_pandas()`` has one per parameter and metric.
    """

    __slots__ = ("number", "params", "score", "status", "error", "metrics", "seconds", "_handle", "_index")

    def __init__(self, number: int, params: dict[str, Any], score: float | None, status: TrialStatus | int,
                 error: str, metrics: dict[str, float | None], seconds: float, handle: Handle | Detached | None = None,
                 index: int | None = None) -> None:
        self.number = number
        self.params = params
        self.score = score
        self.status = status
        self.error = error
        self.metrics = metrics
        self.seconds = seconds
        self._handle = handle  # keeps the C result alive for equity_curve
        self._index = index

    @property
    def ok(self) -> bool:
        return bool(self.status == TrialStatus.OK)

    def __getitem__(self, field: str) -> Any:
        if field not in _TRIAL_FIELDS:
            raise KeyError(field)
        return getattr(self, field)

    def __iter__(self) -> Iterator[str]:
        return iter(_TRIAL_FIELDS)

    def __len__(self) -> int:
        return len(_TRIAL_FIELDS)

    # Pickled as plain data: the C result it points into stays behind.
    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__ if not name.startswith("_")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self._handle = None
        self._index = None

    def __repr__(self) -> str:
        return "Trial(number=%d, params=%r, score=%r, status=%s%s)" % (
            self.number,
            self.params,
            self.score,
            _status_name(self.status),
            ", error=%r" % self.error if self.error else "",
        )

    def _params_pointer(self) -> int | None:
        if self._handle is None or self._index is None:
            raise ValueError("this trial does not come from a result")
        lib = _lib.library()
        view = c_void_p()
        check(lib.btopt_result_trial(self._handle.pointer, self._index, byref(view), None, None))
        return view.value


def _status_name(status: TrialStatus | int) -> str:
    return status.name if isinstance(status, TrialStatus) else str(status)


def _finite_or_none(x: float) -> float | None:
    return None if math.isnan(x) else x


class OptimizationResult:
    """The outcome of ``optimize()``.

    Attributes (read once, at construction): ``best_params`` (dict, None when
    no trial succeeded), ``best_score`` (float or None), ``best_metrics``,
    ``speedup`` (what the evaluations would have taken one after another on
    one core, over the wall time: CPU time, or wall time for evaluations that
    mostly wait; btopt.h), ``efficiency`` (speedup / workers), ``wall_seconds``,
    ``eval_seconds``, ``workers``, ``n_trials`` (evaluated, kept or not),
    ``metric_names``, ``status_counts`` ({TrialStatus: count}), ``selection``
    (the selection-bias statistics of docs/VALIDATION.md, a dict; see _selection).
    ``trials`` is the list of kept trials, in trial order.
    """

    def _selection(self, lib: Any, h: int) -> dict[str, Any] | None:
        """The selection-bias statistics (docs/VALIDATION.md) as a dict: ``psr``, ``dsr``,
        ``sharpe`` (per return), ``expected_max_sharpe``, ``sharpe_variance``, ``n_trials``,
        ``n_returns``, ``skewness``, ``kurtosis`` (None when not computed), ``pbo``,
        ``pbo_logit_mean``, ``pbo_blocks``, ``pbo_strategies``, ``pbo_splits``,
        ``pbo_all_splits`` (None when not computed); for grid runs ``robust_radius``, ``robust_index``
        (the trial index of the most robust point), ``robust_score``, ``best_neighbourhood`` and
        ``sensitivity`` ({parameter: (min_score, max_score, points)} along each axis through the best);
        ``chosen_index`` (the trial option ``select`` picks) and ``note`` (why one is missing)."""
        if not hasattr(lib, "btopt_result_selection"):
            return None
        s = _lib.Selection()
        s.struct_size = sizeof(_lib.Selection)
        if lib.btopt_result_selection(h, byref(s)) != _lib.OK:
            return None
        sharpe = ("psr", "dsr", "sharpe", "expected_max_sharpe", "sharpe_variance", "n_trials", "n_returns",
                  "skewness", "kurtosis")
        pbo = ("pbo", "pbo_logit_mean", "pbo_blocks", "pbo_strategies", "pbo_splits", "pbo_all_splits")
        out: dict[str, Any] = {name: getattr(s, name) if s.has_sharpe else None for name in sharpe}
        out.update({name: getattr(s, name) if s.has_pbo else None for name in pbo})
        robust = ("robust_radius", "robust_index", "robust_score", "best_neighbourhood")
        out.update({name: getattr(s, name) if s.has_robust else None for name in robust})
        out["sensitivity"] = None
        if s.has_robust:
            sensitivity: dict[str, tuple[float, float, int]] = {}
            out["sensitivity"] = sensitivity
            params = lib.btopt_result_best_params(h)
            lo, hi, n = c_double(), c_double(), c_uint64()
            for k in range(lib.btopt_params_count(params)):
                check(lib.btopt_result_sensitivity(h, k, byref(lo), byref(hi), byref(n)))
                sensitivity[_lib.decode(lib.btopt_params_name(params, k))] = (lo.value, hi.value, n.value)
        out["chosen_index"] = s.chosen_index
        out["note"] = _lib.decode(lib.btopt_result_selection_note(h))
        return out

    def __init__(self, pointer: int | None, decoders: Mapping[str, Parameter] | None = None) -> None:
        lib = _lib.library()
        self._handle: Handle | Detached = Handle(pointer, lib.btopt_result_destroy, "OptimizationResult")
        self._reader: ParamsReader | None = ParamsReader(decoders)
        self._trials: list[Trial] | None = None
        h = self._handle.pointer
        self.metric_names: list[str] = [
            _lib.decode(lib.btopt_result_metric_name(h, m)) for m in range(lib.btopt_result_metric_count(h))
        ]
        self.wall_seconds: float = lib.btopt_result_wall_seconds(h)
        self.eval_seconds: float = lib.btopt_result_eval_seconds(h)
        self.speedup: float = lib.btopt_result_speedup(h)
        #: speedup / workers; speedup_cpu_share: how much of its basis is CPU time (btopt.h).
        has = hasattr(lib, "btopt_result_efficiency")
        self.efficiency: float = (lib.btopt_result_efficiency(h) if has
                                  else self.speedup / max(lib.btopt_result_workers(h), 1))
        self.speedup_cpu_share: float = lib.btopt_result_speedup_cpu_share(h) if has else 0.0
        self.workers: int = lib.btopt_result_workers(h)
        self.n_trials: int = lib.btopt_result_evaluated_count(h)
        #: The MPI rank the result is from (0 without MPI; only rank 0's holds trials).
        self.rank: int = lib.btopt_result_rank(h) if hasattr(lib, "btopt_result_rank") else 0
        self.status_counts: dict[TrialStatus, int] = {s: lib.btopt_result_status_count(h, int(s)) for s in TrialStatus}
        #: Trials whose outcome a study supplied instead of an evaluation.
        self.reused_count: int = lib.btopt_result_reused_count(h)
        #: What produced the run (dict; docs/STUDIES.md), None without a study.
        provenance = _lib.decode(lib.btopt_result_provenance(h))
        self.provenance: dict[str, Any] | None = json.loads(provenance) if provenance else None
        self.selection: dict[str, Any] | None = self._selection(lib, h)
        #: What went wrong without costing a trial (a plugin's finish that crashed), a line each.
        warnings = _lib.decode(lib.btopt_result_warnings(h)) if hasattr(lib, "btopt_result_warnings") else ""
        self.warnings: list[str] = warnings.splitlines()
        #: Whether ``max_seconds`` ended the run (the trials not started by then are cancelled).
        self.stopped_on_budget: bool = bool(lib.btopt_result_stopped_on_budget(h)) if hasattr(
            lib, "btopt_result_stopped_on_budget") else False
        best = lib.btopt_result_best_params(h)
        self.best_params: dict[str, Any] | None = self._reader(best) if best else None
        self.best_score: float | None = _finite_or_none(lib.btopt_result_best_score(h)) if best else None
        index = c_uint64()
        self.best_index: int | None = None
        self.best_metrics: dict[str, float | None] | None = None
        if best and lib.btopt_result_best_index(h, byref(index)) == _lib.OK:
            self.best_index = index.value
            self.best_metrics = self._metrics(index.value)

    # -- trials ----------------------------------------------------------
    def _metrics(self, i: int) -> dict[str, float | None]:
        lib = _lib.library()
        h = self._handle.pointer
        out: dict[str, float | None] = {}
        value = c_double()
        for m, name in enumerate(self.metric_names):
            check(lib.btopt_result_trial_metric(h, i, m, byref(value)))
            out[name] = _finite_or_none(value.value)
        return out

    def _trial(self, i: int) -> Trial:
        lib = _lib.library()
        h = self._handle.pointer
        view, score, status = c_void_p(), c_double(), c_int32()
        number, error, seconds = c_uint64(), c_char_p(), c_double()
        check(lib.btopt_result_trial(h, i, byref(view), byref(score), byref(status)))
        check(lib.btopt_result_trial_info(h, i, byref(number), byref(error), byref(seconds)))
        assert self._reader is not None and view.value is not None
        return Trial(
            number=number.value,
            params=self._reader(view.value),
            score=score.value if status.value in (TrialStatus.OK, TrialStatus.INFEASIBLE) else None,
            status=_status_of(status.value),
            error=_lib.decode(error.value),
            metrics=self._metrics(i),
            seconds=seconds.value,
            handle=self._handle,
            index=i,
        )

    @property
    def trials(self) -> list[Trial]:
        """The kept trials (all unless keep_trials was set), in trial order."""
        if self._trials is None:
            count = _lib.library().btopt_result_trial_count(self._handle.pointer)
            self._trials = [self._trial(i) for i in range(count)]
        return self._trials

    @property
    def best_trial(self) -> Trial | None:
        """The best trial (a Trial), or None when no trial succeeded."""
        if self.best_index is None:
            return None
        return self.trials[self.best_index]

    def __len__(self) -> int:
        if self._trials is not None:
            return len(self._trials)
        return int(_lib.library().btopt_result_trial_count(self._handle.pointer))

    # -- pickling: plain data --------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        """Every attribute and every kept trial, as plain data (the C result
        itself cannot leave this process): an unpickled result reads like the
        original; write_json, write_csv and equity curves need the original."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("_handle", "_reader")}
        state["_trials"] = list(self.trials)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._handle = Detached("OptimizationResult")
        self._reader = None

    # -- files -----------------------------------------------------------
    def to_pandas(self) -> Any:
        """The kept trials as a pandas DataFrame, one row per trial: number,
        each parameter, score, status, error, seconds and each metric. Works
        the same on a live result and on one from open_study. Needs pandas,
        which btopt itself never imports."""
        pandas = _lib.optional_module("pandas", "OptimizationResult.to_pandas")
        return pandas.DataFrame(self._rows(), columns=self._columns())

    def _columns(self) -> list[str]:
        """The flat columns: number, each parameter, score, status, error,
        seconds, each metric; ValueError when a name is used twice."""
        params = list(self.trials[0].params) if self.trials else list(self.best_params or {})
        columns = ["number", *params, "score", "status", "error", "seconds", *self.metric_names]
        clashes = sorted({c for c in columns if columns.count(c) > 1})
        if clashes:
            raise ValueError("parameter or metric names clash with other columns: %s" % ", ".join(clashes))
        return columns

    def _rows(self) -> list[dict[str, Any]]:
        return [{"number": t.number, **t.params, "score": t.score, "status": str(t.status), "error": t.error,
                 "seconds": t.seconds, **t.metrics} for t in self.trials]

    def trials_array(self) -> Any:
        """The kept trials as a numpy record array with the columns of
        to_pandas(): ints and floats as numbers (a score that is not ok is
        NaN), choices and texts as objects. Needs numpy."""
        numpy = _lib.optional_module("numpy", "OptimizationResult.trials_array")
        columns = self._columns()
        rows = self._rows()
        arrays = []
        for name in columns:
            values = [row[name] for row in rows]
            if name == "score":
                values = [math.nan if v is None else v for v in values]
            array = numpy.asarray(values)
            if array.dtype.kind not in "biuf":
                array = numpy.asarray(values, dtype=object)
            arrays.append(array)
        if not rows:
            return numpy.rec.fromarrays([numpy.empty(0)] * len(columns), names=columns)
        return numpy.rec.fromarrays(arrays, names=columns)

    def write_json(self, path: str | os.PathLike[str]) -> None:
        """Writes the run and every kept trial as JSON (docs/RESULTS.md);
        BtoptIOError when the file cannot be written."""
        check(_lib.library().btopt_result_write_json(self._handle.pointer, _lib.encode(os.fspath(path), "a path")))

    def write_csv(self, path: str | os.PathLike[str]) -> None:
        """One row per kept trial (docs/RESULTS.md); BtoptIOError when the file
        cannot be written."""
        check(_lib.library().btopt_result_write_csv(self._handle.pointer, _lib.encode(os.fspath(path), "a path")))

    # -- ownership -------------------------------------------------------
    def close(self) -> None:
        """Frees the C result now. Attributes and an already read ``trials``
        list stay; reading anything else from C raises ValueError."""
        self._handle.close()

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def __enter__(self) -> OptimizationResult:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return "OptimizationResult(best_params=%r, best_score=%r, n_trials=%d, speedup=%.2f)" % (
            self.best_params,
            self.best_score,
            self.n_trials,
            self.speedup,
        )


def open_study(path: str | os.PathLike[str], run: int = 0) -> OptimizationResult:
    """A stored run of a study (run 0: the last one) as a result with every
    trial it recorded; it may be read while a run writes the study."""
    out = c_void_p()
    check(_lib.library().btopt_study_open(byref(out), _lib.encode(os.fspath(path), "a path"), run))
    return OptimizationResult(out.value)


def study_runs(path: str | os.PathLike[str]) -> list[int]:
    """The ids of a study's runs, oldest first."""
    lib = _lib.library()
    encoded = _lib.encode(os.fspath(path), "a path")
    count = c_size_t()
    check(lib.btopt_study_runs(encoded, None, 0, byref(count)))
    ids = (c_int64 * max(count.value, 1))()
    check(lib.btopt_study_runs(encoded, ids, count.value, byref(count)))
    return list(ids[: count.value])
