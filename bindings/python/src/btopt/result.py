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

from . import _lib
from ._handle import Handle
from .errors import check
from .space import ParamsReader


class TrialStatus(enum.IntEnum):
    """How a trial ended (btopt_trial_status)."""

    OK = 0
    FAILED = 1  #: the objective raised, or returned NaN / an infinity
    CRASHED = 2  #: the worker process evaluating it died
    TIMEOUT = 3  #: it ran past eval_timeout
    CANCELLED = 4  #: the run stopped before it finished

    @property
    def label(self) -> str:
        """The library's name for it: 'ok', 'failed', 'crashed', 'timeout', 'cancelled'."""
        return _lib.decode(_lib.library().btopt_trial_status_name(int(self)))

    def __str__(self):
        return self.label


def _status_of(code: int):
    try:
        return TrialStatus(code)
    except ValueError:  # a status a newer library added: keep the number
        return code


class Trial:
    """One evaluated point.

    Attributes: ``number`` (position in proposal order), ``params`` (dict),
    ``score`` (float, None unless ok), ``status`` (TrialStatus), ``error``
    (why it did not end ok; '' when ok), ``metrics`` (dict of a plugin's
    metrics; empty for a Python objective), ``seconds`` (its evaluation time).
    """

    __slots__ = ("number", "params", "score", "status", "error", "metrics", "seconds", "_handle", "_index")

    def __init__(self, number, params, score, status, error, metrics, seconds, handle=None, index=None):
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
        return self.status == TrialStatus.OK

    def __repr__(self):
        return "Trial(number=%d, params=%r, score=%r, status=%s%s)" % (
            self.number,
            self.params,
            self.score,
            _status_name(self.status),
            ", error=%r" % self.error if self.error else "",
        )

    def _params_pointer(self):
        if self._handle is None:
            raise ValueError("this trial does not come from a result")
        lib = _lib.library()
        view = c_void_p()
        check(lib.btopt_result_trial(self._handle.pointer, self._index, byref(view), None, None))
        return view.value


def _status_name(status):
    return status.name if isinstance(status, TrialStatus) else str(status)


def _finite_or_none(x: float):
    return None if math.isnan(x) else x


class OptimizationResult:
    """The outcome of ``optimize()``.

    Attributes (read once, at construction): ``best_params`` (dict, None when
    no trial succeeded), ``best_score`` (float or None), ``best_metrics``,
    ``speedup`` (evaluation seconds / wall seconds), ``wall_seconds``,
    ``eval_seconds``, ``workers``, ``n_trials`` (evaluated, kept or not),
    ``metric_names``, ``status_counts`` ({TrialStatus: count}), ``selection``
    (the selection-bias statistics of docs/VALIDATION.md, a dict; see _selection).
    ``trials`` is the list of kept trials, in trial order.
    """

    def _selection(self, lib, h):
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
        out = {name: getattr(s, name) if s.has_sharpe else None for name in sharpe}
        out.update({name: getattr(s, name) if s.has_pbo else None for name in pbo})
        robust = ("robust_radius", "robust_index", "robust_score", "best_neighbourhood")
        out.update({name: getattr(s, name) if s.has_robust else None for name in robust})
        out["sensitivity"] = None
        if s.has_robust:
            out["sensitivity"] = {}
            params = lib.btopt_result_best_params(h)
            lo, hi, n = c_double(), c_double(), c_uint64()
            for k in range(lib.btopt_params_count(params)):
                check(lib.btopt_result_sensitivity(h, k, byref(lo), byref(hi), byref(n)))
                out["sensitivity"][_lib.decode(lib.btopt_params_name(params, k))] = (lo.value, hi.value, n.value)
        out["chosen_index"] = s.chosen_index
        out["note"] = _lib.decode(lib.btopt_result_selection_note(h))
        return out

    def __init__(self, pointer: int, decoders=None):
        lib = _lib.library()
        self._handle = Handle(pointer, lib.btopt_result_destroy, "OptimizationResult")
        self._reader = ParamsReader(decoders)
        self._trials = None
        h = pointer
        self.metric_names = [
            _lib.decode(lib.btopt_result_metric_name(h, m)) for m in range(lib.btopt_result_metric_count(h))
        ]
        self.wall_seconds = lib.btopt_result_wall_seconds(h)
        self.eval_seconds = lib.btopt_result_eval_seconds(h)
        self.speedup = lib.btopt_result_speedup(h)
        self.workers = lib.btopt_result_workers(h)
        self.n_trials = lib.btopt_result_evaluated_count(h)
        #: The MPI rank the result is from (0 without MPI; only rank 0's holds trials).
        self.rank = lib.btopt_result_rank(h) if hasattr(lib, "btopt_result_rank") else 0
        self.status_counts = {s: lib.btopt_result_status_count(h, int(s)) for s in TrialStatus}
        #: Trials whose outcome a study supplied instead of an evaluation.
        self.reused_count = lib.btopt_result_reused_count(h)
        #: What produced the run (dict; docs/STUDIES.md), None without a study.
        provenance = _lib.decode(lib.btopt_result_provenance(h))
        self.provenance = json.loads(provenance) if provenance else None
        self.selection = self._selection(lib, h)
        best = lib.btopt_result_best_params(h)
        self.best_params = self._reader(best) if best else None
        self.best_score = _finite_or_none(lib.btopt_result_best_score(h)) if best else None
        index = c_uint64()
        self.best_index = None
        self.best_metrics = None
        if best and lib.btopt_result_best_index(h, byref(index)) == _lib.OK:
            self.best_index = index.value
            self.best_metrics = self._metrics(index.value)

    # -- trials ----------------------------------------------------------
    def _metrics(self, i):
        lib = _lib.library()
        h = self._handle.pointer
        out = {}
        value = c_double()
        for m, name in enumerate(self.metric_names):
            check(lib.btopt_result_trial_metric(h, i, m, byref(value)))
            out[name] = _finite_or_none(value.value)
        return out

    def _trial(self, i) -> Trial:
        lib = _lib.library()
        h = self._handle.pointer
        view, score, status = c_void_p(), c_double(), c_int32()
        number, error, seconds = c_uint64(), c_char_p(), c_double()
        check(lib.btopt_result_trial(h, i, byref(view), byref(score), byref(status)))
        check(lib.btopt_result_trial_info(h, i, byref(number), byref(error), byref(seconds)))
        return Trial(
            number=number.value,
            params=self._reader(view.value),
            score=score.value if status.value == TrialStatus.OK else None,
            status=_status_of(status.value),
            error=_lib.decode(error.value),
            metrics=self._metrics(i),
            seconds=seconds.value,
            handle=self._handle,
            index=i,
        )

    @property
    def trials(self):
        """The kept trials (all unless keep_trials was set), in trial order."""
        if self._trials is None:
            count = _lib.library().btopt_result_trial_count(self._handle.pointer)
            self._trials = [self._trial(i) for i in range(count)]
        return self._trials

    @property
    def best_trial(self):
        """The best trial (a Trial), or None when no trial succeeded."""
        if self.best_index is None:
            return None
        return self.trials[self.best_index]

    def __len__(self):
        return _lib.library().btopt_result_trial_count(self._handle.pointer)

    # -- files -----------------------------------------------------------
    def to_pandas(self):
        """The kept trials as a pandas DataFrame, one row per trial: number,
        each parameter, score, status, error, seconds and each metric. Works
        the same on a live result and on one from open_study. Needs pandas,
        which btopt itself never imports."""
        try:
            import pandas
        except ImportError as e:
            raise ImportError("OptimizationResult.to_pandas needs pandas: pip install pandas") from e
        rows = []
        for t in self.trials:
            row = {"number": t.number, **t.params, "score": t.score, "status": str(t.status), "error": t.error,
                   "seconds": t.seconds}
            row.update(t.metrics)
            rows.append(row)
        return pandas.DataFrame(rows)

    def write_json(self, path) -> None:
        """Writes the run and every kept trial as JSON (docs/RESULTS.md);
        BtoptIOError when the file cannot be written."""
        check(_lib.library().btopt_result_write_json(self._handle.pointer, _lib.encode(os.fspath(path), "a path")))

    def write_csv(self, path) -> None:
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

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "OptimizationResult(best_params=%r, best_score=%r, n_trials=%d, speedup=%.2f)" % (
            self.best_params,
            self.best_score,
            self.n_trials,
            self.speedup,
        )


def open_study(path, run: int = 0) -> OptimizationResult:
    """A stored run of a study (run 0: the last one) as a result with every
    trial it recorded; it may be read while a run writes the study."""
    out = c_void_p()
    check(_lib.library().btopt_study_open(byref(out), _lib.encode(os.fspath(path), "a path"), run))
    return OptimizationResult(out.value)


def study_runs(path) -> list:
    """The ids of a study's runs, oldest first."""
    lib = _lib.library()
    encoded = _lib.encode(os.fspath(path), "a path")
    count = c_size_t()
    check(lib.btopt_study_runs(encoded, None, 0, byref(count)))
    ids = (c_int64 * max(count.value, 1))()
    check(lib.btopt_study_runs(encoded, ids, count.value, byref(count)))
    return list(ids[: count.value])
