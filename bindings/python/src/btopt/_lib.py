"""Loading libbtopt and declaring its C ABI to ctypes.

Every function of include/btopt/btopt.h is declared here with its exact
argument and return types, so a wrong call fails in Python instead of
corrupting memory. Handles travel as ``c_void_p`` (opaque pointers).

The library is found through the ``BTOPT_LIBRARY`` environment variable (the
full path of libbtopt.so.1), else in the engine the wheel installed inside
this package (``btopt/_engine/lib``), else through the usual loader search. It
is loaded on first use, so ``import btopt`` works without it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import importlib
import os
import threading
from typing import Any
from ctypes import (
    CFUNCTYPE,
    POINTER,
    c_char_p,
    c_double,
    c_int32,
    c_int64,
    c_size_t,
    c_uint32,
    c_uint64,
    c_void_p,
    Structure,
)

#: The ABI this binding was written against (BTOPT_ABI_VERSION).
ABI_VERSION = 1

# btopt_status
OK = 0
ERR_INVALID_ARGUMENT = 1
ERR_UNSUPPORTED = 2
ERR_NOT_FOUND = 3
ERR_PLUGIN = 4
ERR_OBJECTIVE = 5
ERR_CANCELLED = 6
ERR_IO = 7
ERR_INTERNAL = 8

# btopt_param_kind
PARAM_INT = 0
PARAM_FLOAT = 1
PARAM_CHOICE = 2

UINT64_MAX = 2**64 - 1

_status = c_int32  # btopt_status is an enum: an int on every ABI we run on
_p = c_void_p  # every opaque handle

#: btopt_objective_fn: btopt_status (*)(void *user, const btopt_params *, double *score)
OBJECTIVE_FN = CFUNCTYPE(c_int32, c_void_p, c_void_p, POINTER(c_double))
#: btopt_progress_fn: void (*)(void *user, uint64_t done, uint64_t total, double best)
PROGRESS_FN = CFUNCTYPE(None, c_void_p, c_uint64, c_uint64, c_double)
#: btopt_fork_hook_fn: void (*)(void *user)
FORK_HOOK_FN = CFUNCTYPE(None, c_void_p)


class ProgressStruct(Structure):
    """btopt_progress: what btopt_progress_ex_fn receives (read a field only
    when struct_size reaches past it)."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("done", c_uint64),
        ("total", c_uint64),
        ("ok", c_uint64),
        ("failed", c_uint64),
        ("crashed", c_uint64),
        ("timeout", c_uint64),
        ("cancelled", c_uint64),
        ("reused", c_uint64),
        ("best_score", c_double),
        ("evaluations_per_second", c_double),
        ("elapsed_seconds", c_double),
        ("trial", c_int64),
        ("infeasible", c_uint64),  # added later: read only when struct_size covers it
    ]


#: btopt_progress_ex_fn: void (*)(void *user, const btopt_progress *)
PROGRESS_EX_FN = CFUNCTYPE(None, c_void_p, POINTER(ProgressStruct))

#: Functions added after ABI 1.0 shipped: bound when the loaded library has
#: them (``hasattr(lib, name)``), so the binding also runs on an older build.
OPTIONAL = frozenset({"btopt_result_rank", "btopt_result_efficiency", "btopt_result_speedup_cpu_share",
                      "btopt_unregister_objective", "btopt_option_count", "btopt_option_info",
                      "btopt_optimizer_get_int", "btopt_optimizer_get_double", "btopt_optimizer_get_string",
                      "btopt_result_selection", "btopt_result_selection_note", "btopt_result_sensitivity",
                      "btopt_optimizer_walkforward", "btopt_walkforward_destroy", "btopt_walkforward_json",
                      "btopt_walkforward_window_count", "btopt_optimizer_set_progress_ex",
                      "btopt_result_warnings", "btopt_optimizer_set_fork_hooks", "btopt_params_seed",
                      "btopt_report_cpu_seconds", "btopt_series_dates", "btopt_result_stopped_on_budget",
                      "btopt_fail_trial", "btopt_plugin_info_metric_lower_is_better",
                      "btopt_plugin_info_config_declared", "btopt_plugin_info_config_count",
                      "btopt_plugin_info_config_key"})
#: The ask/tell API (btopt_search_*), added in one block: btopt.ask_tell needs all of it.
ASK_TELL = frozenset({"btopt_search_create", "btopt_search_destroy", "btopt_search_set_int", "btopt_search_set_double",
                      "btopt_search_set_string", "btopt_search_ask", "btopt_search_tell", "btopt_search_done",
                      "btopt_search_best", "btopt_search_state", "btopt_search_restore"})
#: For hosts with a cluster of their own (btopt.cluster: backend='ray' and 'dask').
CLUSTER = frozenset({"btopt_optimizer_search", "btopt_optimizer_space", "btopt_evaluator_create",
                     "btopt_evaluator_destroy", "btopt_evaluator_metric_count", "btopt_evaluator_evaluate"})
OPTIONAL = OPTIONAL | ASK_TELL | CLUSTER

# btopt_option_type
OPTION_INT = 0
OPTION_DOUBLE = 1
OPTION_STRING = 2


class WalkForwardSpec(Structure):
    """btopt_walkforward_spec: the windows of a walk-forward."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("train", c_char_p),
        ("test", c_char_p),
        ("step", c_char_p),
        ("anchored", c_int32),
        ("validation", c_char_p),
    ]


class OptionDesc(Structure):
    """btopt_option_desc: one entry of the option catalogue."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("name", c_char_p),
        ("type", c_int32),
        ("default_value", c_char_p),
        ("applies_to", c_char_p),
        ("cli_flag", c_char_p),
        ("doc", c_char_p),
    ]

class Selection(Structure):
    """btopt_selection: the selection-bias statistics of a run (docs/VALIDATION.md)."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("has_sharpe", c_int32),
        ("psr", c_double),
        ("dsr", c_double),
        ("sharpe", c_double),
        ("expected_max_sharpe", c_double),
        ("sharpe_variance", c_double),
        ("n_trials", c_uint64),
        ("n_returns", c_uint64),
        ("skewness", c_double),
        ("kurtosis", c_double),
        ("has_pbo", c_int32),
        ("pbo", c_double),
        ("pbo_logit_mean", c_double),
        ("pbo_blocks", c_uint32),
        ("pbo_strategies", c_uint64),
        ("pbo_splits", c_uint64),
        ("pbo_all_splits", c_uint64),
        ("has_robust", c_int32),
        ("robust_radius", c_uint32),
        ("robust_index", c_uint64),
        ("robust_score", c_double),
        ("best_neighbourhood", c_double),
        ("chosen_index", c_uint64),
    ]


# name: (restype, argtypes), in the order of btopt.h.
PROTOTYPES = {
    # Library
    "btopt_abi_version": (c_uint32, []),
    "btopt_version": (c_char_p, []),
    "btopt_last_error": (c_char_p, []),
    "btopt_status_name": (c_char_p, [_status]),
    "btopt_trial_status_name": (c_char_p, [c_int32]),
    "btopt_fail": (_status, [c_char_p]),
    # Parameter spaces
    "btopt_space_create": (_status, [POINTER(_p)]),
    "btopt_space_destroy": (None, [_p]),
    "btopt_space_add_int": (_status, [_p, c_char_p, c_int64, c_int64, c_int64]),
    "btopt_space_add_float": (_status, [_p, c_char_p, c_double, c_double, c_double]),
    "btopt_space_add_choice": (_status, [_p, c_char_p, POINTER(c_char_p), c_size_t]),
    "btopt_space_add_constraint": (_status, [_p, c_char_p]),
    "btopt_space_cardinality": (_status, [_p, POINTER(c_uint64)]),
    "btopt_space_param_count": (c_size_t, [_p]),
    "btopt_space_param_name": (c_char_p, [_p, c_size_t]),
    "btopt_space_param_kind": (c_int32, [_p, c_size_t]),
    "btopt_space_param_int_range": (
        _status,
        [_p, c_size_t, POINTER(c_int64), POINTER(c_int64), POINTER(c_int64)],
    ),
    "btopt_space_param_float_range": (
        _status,
        [_p, c_size_t, POINTER(c_double), POINTER(c_double), POINTER(c_double)],
    ),
    "btopt_space_param_choice_count": (c_size_t, [_p, c_size_t]),
    "btopt_space_param_choice": (c_char_p, [_p, c_size_t, c_size_t]),
    "btopt_space_constraint_count": (c_size_t, [_p]),
    "btopt_space_constraint": (c_char_p, [_p, c_size_t]),
    # One point
    "btopt_params_count": (c_size_t, [_p]),
    "btopt_params_name": (c_char_p, [_p, c_size_t]),
    "btopt_params_kind": (c_int32, [_p, c_size_t]),
    "btopt_params_get_int": (_status, [_p, c_char_p, POINTER(c_int64)]),
    "btopt_params_get_double": (_status, [_p, c_char_p, POINTER(c_double)]),
    "btopt_params_get_string": (_status, [_p, c_char_p, POINTER(c_char_p)]),
    # Objectives and progress
    "btopt_register_objective": (_status, [c_char_p, OBJECTIVE_FN, c_void_p]),
    "btopt_unregister_objective": (_status, [c_char_p]),
    # Optimizers
    "btopt_optimizer_create": (_status, [POINTER(_p), _p, c_char_p]),
    "btopt_optimizer_destroy": (None, [_p]),
    "btopt_optimizer_set_int": (_status, [_p, c_char_p, c_int64]),
    "btopt_optimizer_set_double": (_status, [_p, c_char_p, c_double]),
    "btopt_optimizer_set_string": (_status, [_p, c_char_p, c_char_p]),
    "btopt_optimizer_get_int": (_status, [_p, c_char_p, POINTER(c_int64)]),
    "btopt_optimizer_get_double": (_status, [_p, c_char_p, POINTER(c_double)]),
    "btopt_optimizer_get_string": (_status, [_p, c_char_p, POINTER(c_char_p)]),
    "btopt_option_count": (c_size_t, []),
    "btopt_option_info": (_status, [c_size_t, POINTER(OptionDesc)]),
    "btopt_optimizer_set_objective": (_status, [_p, OBJECTIVE_FN, c_void_p]),
    "btopt_optimizer_use_objective": (_status, [_p, c_char_p]),
    "btopt_optimizer_set_progress": (_status, [_p, PROGRESS_FN, c_void_p]),
    "btopt_optimizer_set_progress_ex": (_status, [_p, PROGRESS_EX_FN, c_void_p]),
    "btopt_optimizer_set_fork_hooks": (_status, [_p, FORK_HOOK_FN, FORK_HOOK_FN, FORK_HOOK_FN, c_void_p]),
    "btopt_params_seed": (_status, [_p, POINTER(c_uint64)]),
    "btopt_report_cpu_seconds": (_status, [c_double]),
    "btopt_fail_trial": (_status, [c_int32, c_char_p]),
    "btopt_optimizer_use_plugin": (_status, [_p, c_char_p]),
    "btopt_optimizer_set_plugin_config": (_status, [_p, c_char_p, c_char_p]),
    "btopt_optimizer_set_objective_metric": (_status, [_p, c_char_p]),
    "btopt_optimizer_run": (_status, [_p, POINTER(_p)]),
    "btopt_optimizer_cancel": (None, [_p]),
    # Walk-forward
    "btopt_optimizer_walkforward": (_status, [_p, POINTER(WalkForwardSpec), POINTER(_p)]),
    "btopt_walkforward_destroy": (None, [_p]),
    "btopt_walkforward_json": (c_char_p, [_p]),
    "btopt_walkforward_window_count": (c_size_t, [_p]),
    # Plugins
    "btopt_plugin_describe": (_status, [POINTER(_p), c_char_p]),
    "btopt_plugin_info_destroy": (None, [_p]),
    "btopt_plugin_info_name": (c_char_p, [_p]),
    "btopt_plugin_info_version": (c_char_p, [_p]),
    "btopt_plugin_info_description": (c_char_p, [_p]),
    "btopt_plugin_info_path": (c_char_p, [_p]),
    "btopt_plugin_info_metric_count": (c_size_t, [_p]),
    "btopt_plugin_info_metric": (c_char_p, [_p, c_size_t]),
    "btopt_plugin_info_default_metric": (c_size_t, [_p]),
    "btopt_plugin_info_space": (_p, [_p]),
    "btopt_plugin_info_metric_lower_is_better": (c_int32, [_p, c_size_t]),
    "btopt_plugin_info_config_declared": (c_int32, [_p]),
    "btopt_plugin_info_config_count": (c_size_t, [_p]),
    "btopt_plugin_info_config_key": (_status, [_p, c_size_t] + [POINTER(c_char_p)] * 5),
    "btopt_optimizer_equity_curve": (_status, [POINTER(_p), _p, _p]),
    "btopt_series_destroy": (None, [_p]),
    "btopt_series_length": (c_size_t, [_p]),
    "btopt_series_equity": (POINTER(c_double), [_p]),
    "btopt_series_buy_and_hold": (POINTER(c_double), [_p]),
    "btopt_series_dates": (POINTER(c_int64), [_p]),
    # Results
    "btopt_result_destroy": (None, [_p]),
    "btopt_result_best_score": (c_double, [_p]),
    "btopt_result_best_params": (_p, [_p]),
    "btopt_result_best_index": (_status, [_p, POINTER(c_uint64)]),
    "btopt_result_trial_count": (c_uint64, [_p]),
    "btopt_result_trial": (
        _status,
        [_p, c_uint64, POINTER(_p), POINTER(c_double), POINTER(c_int32)],
    ),
    "btopt_result_trial_info": (
        _status,
        [_p, c_uint64, POINTER(c_uint64), POINTER(c_char_p), POINTER(c_double)],
    ),
    "btopt_result_metric_count": (c_size_t, [_p]),
    "btopt_result_metric_name": (c_char_p, [_p, c_size_t]),
    "btopt_result_trial_metric": (_status, [_p, c_uint64, c_size_t, POINTER(c_double)]),
    "btopt_result_evaluated_count": (c_uint64, [_p]),
    "btopt_result_status_count": (c_uint64, [_p, c_int32]),
    "btopt_result_wall_seconds": (c_double, [_p]),
    "btopt_result_eval_seconds": (c_double, [_p]),
    "btopt_result_speedup": (c_double, [_p]),
    "btopt_result_efficiency": (c_double, [_p]),
    "btopt_result_speedup_cpu_share": (c_double, [_p]),
    "btopt_result_workers": (c_uint32, [_p]),
    "btopt_result_rank": (c_int32, [_p]),
    "btopt_result_write_json": (_status, [_p, c_char_p]),
    "btopt_result_write_csv": (_status, [_p, c_char_p]),
    "btopt_result_reused_count": (c_uint64, [_p]),
    "btopt_result_provenance": (c_char_p, [_p]),
    "btopt_result_selection": (_status, [_p, POINTER(Selection)]),
    "btopt_result_sensitivity": (_status, [_p, c_size_t, POINTER(c_double), POINTER(c_double), POINTER(c_uint64)]),
    "btopt_result_selection_note": (c_char_p, [_p]),
    "btopt_result_warnings": (c_char_p, [_p]),
    "btopt_result_stopped_on_budget": (c_int32, [_p]),
    "btopt_study_open": (_status, [POINTER(_p), c_char_p, c_int64]),
    "btopt_study_runs": (_status, [c_char_p, POINTER(c_int64), c_size_t, POINTER(c_size_t)]),
    "btopt_study_export": (_status, [c_char_p, c_int64, c_char_p, c_char_p]),
    # Ask and tell
    "btopt_search_create": (_status, [POINTER(_p), _p, c_char_p]),
    "btopt_search_destroy": (None, [_p]),
    "btopt_search_set_int": (_status, [_p, c_char_p, c_int64]),
    "btopt_search_set_double": (_status, [_p, c_char_p, c_double]),
    "btopt_search_set_string": (_status, [_p, c_char_p, c_char_p]),
    "btopt_search_ask": (_status, [_p, c_size_t, POINTER(c_uint64), POINTER(_p), POINTER(c_size_t)]),
    "btopt_search_tell": (_status, [_p, c_uint64, c_int32, c_double, POINTER(c_double), c_size_t]),
    "btopt_search_done": (c_int32, [_p]),
    "btopt_search_best": (_status, [_p, POINTER(c_uint64), POINTER(c_double), POINTER(_p)]),
    "btopt_search_state": (_status, [_p, POINTER(c_char_p)]),
    "btopt_search_restore": (_status, [_p, c_char_p]),
    "btopt_optimizer_search": (_status, [_p, POINTER(_p)]),
    "btopt_optimizer_space": (_status, [_p, POINTER(_p)]),
    "btopt_evaluator_create": (_status, [POINTER(_p), _p]),
    "btopt_evaluator_destroy": (None, [_p]),
    "btopt_evaluator_metric_count": (c_size_t, [_p]),
    "btopt_evaluator_evaluate": (_status, [_p, POINTER(c_double), c_size_t, c_uint64, POINTER(c_int32),
                                           POINTER(c_double), POINTER(c_double), c_size_t, POINTER(c_char_p)]),
}


class _Library:
    """The loaded library: ``lib.btopt_xxx`` are the declared functions.

    Every call releases the GIL (ctypes.CDLL), btopt_optimizer_run included:
    the objective and progress trampolines take it back when C calls them.
    Releasing it matters for the process backend too: a worker forked while
    the GIL is free can take it, whereas a run holding it for its whole length
    would leave other threads' pending drop requests in every worker, which
    hangs them at their first Python instruction.
    """

    def __init__(self, path: str):
        self._cdll = ctypes.CDLL(path)
        self.path = _loaded_file(self._cdll, path)
        for name, (restype, argtypes) in PROTOTYPES.items():
            try:
                fn = getattr(self._cdll, name)
            except AttributeError:
                if name in OPTIONAL:
                    continue
                raise OSError("%s lacks %s: is it an older or foreign libbtopt?" % (path, name)) from None
            fn.restype = restype
            fn.argtypes = argtypes
            setattr(self, name, fn)

    def __getattr__(self, name: str) -> Any:
        # Reached only for a name __init__ did not set (an optional function
        # this library lacks): hasattr() stays False. Typed Any for the rest.
        raise AttributeError(name)


_lock = threading.Lock()
_loaded: _Library | None = None


class _DlInfo(Structure):
    _fields_ = [("dli_fname", c_char_p), ("dli_fbase", c_void_p), ("dli_sname", c_char_p), ("dli_saddr", c_void_p)]


def _loaded_file(cdll: ctypes.CDLL, fallback: str) -> str:
    """The file the loader mapped (a bare soname names no file): dladdr of one of its functions."""
    try:
        dladdr = ctypes.CDLL(None).dladdr
    except AttributeError:
        return fallback
    dladdr.argtypes = [c_void_p, POINTER(_DlInfo)]
    info = _DlInfo()
    address = ctypes.cast(cdll.btopt_abi_version, c_void_p)
    if dladdr(address, ctypes.byref(info)) and info.dli_fname:
        return os.path.realpath(bytes(info.dli_fname).decode())
    return fallback


def bundled_library() -> str | None:
    """The libbtopt a wheel installed inside this package, if any."""
    engine = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_engine")
    hits = sorted(glob.glob(os.path.join(engine, "lib*", "libbtopt.so.%d" % ABI_VERSION)))
    return hits[0] if hits else None


def _candidates() -> list[str]:
    explicit = os.environ.get("BTOPT_LIBRARY")
    if explicit:
        return [explicit]
    names = []
    bundled = bundled_library()
    if bundled:
        names.append(bundled)
    names.append("libbtopt.so.%d" % ABI_VERSION)
    found = ctypes.util.find_library("btopt")
    if found:
        names.append(found)
    return names


def library() -> _Library:
    """The loaded libbtopt, loading it on first use.

    Raises OSError when it cannot be found or was built for another ABI.
    """
    global _loaded
    if _loaded is not None:
        return _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        errors = []
        for candidate in _candidates():
            try:
                lib = _Library(candidate)
            except OSError as e:
                errors.append("%s: %s" % (candidate, e))
                continue
            abi = lib.btopt_abi_version()
            if abi != ABI_VERSION:
                raise OSError(
                    "%s has btopt ABI version %d; this binding needs %d" % (candidate, abi, ABI_VERSION)
                )
            _loaded = lib
            return lib
        raise OSError(
            "cannot load libbtopt (set BTOPT_LIBRARY to the full path of libbtopt.so.%d): %s"
            % (ABI_VERSION, "; ".join(errors))
        )


def encode(text: str, what: str = "a string") -> bytes:
    """UTF-8 bytes for a C string; refuses an embedded NUL, which C would cut at."""
    if not isinstance(text, str):
        raise TypeError("%s must be a str, not %s" % (what, type(text).__name__))
    data = text.encode("utf-8")
    if b"\0" in data:
        raise ValueError("%s must not contain a NUL character: %r" % (what, text))
    return data


def decode(data: bytes | None) -> str:
    """A C string (bytes or None) as str."""
    return "" if data is None else data.decode("utf-8", "replace")


def optional_module(name: str, needed_by: str) -> Any:
    """An optional package (pandas, numpy) that btopt imports only when a
    method needs it; ImportError saying which method and how to install it."""
    try:
        return importlib.import_module(name)
    except ImportError as e:
        raise ImportError("%s needs %s: pip install %s" % (needed_by, name, name)) from e
