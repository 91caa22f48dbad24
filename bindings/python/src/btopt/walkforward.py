"""Walk-forward, with the Python original's names: ``WindowConfig`` and
``WalkForwardOptimizer`` (docs/VALIDATION.md, "Walk-forward")::

    from btopt import ParallelOptimizer, WalkForwardOptimizer, WindowConfig

    optimizer = ParallelOptimizer(plugin="sma_crossover", plugin_config={"data": "GOOG.csv"}, n_jobs=4)
    result = WalkForwardOptimizer(optimizer, WindowConfig(train_period="2y", test_period="6m")).run()
    result.windows[0]["out_of_sample"]["sharpe"], result.walk_forward_efficiency, result.parameter_stability

The plugin is initialised once for every window; each window's train bars
are searched with the optimizer's algorithm and options, and the best point
is evaluated on the test bars right after.
"""

from __future__ import annotations

import json
from ctypes import byref, c_void_p, sizeof
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import _lib
from .errors import InternalError, UnsupportedError, error_for

if TYPE_CHECKING:
    from .optimizer import ParallelOptimizer

_WINDOW_TYPES = ("rolling", "expanding")


def _length(value: object, name: str) -> str:
    """A length as the C ABI reads it: bars (an int) or a period ("6m")."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError("%s must be a number of bars (int) or a period such as '6m' (str)" % name)
    return str(value)


@dataclass
class WindowConfig:
    """The windows: lengths in bars (int) or calendar periods ("30d", "4w",
    "6m", "2y"). ``step_size`` defaults to ``test_period``; ``window_type``
    'rolling' moves the train window, 'expanding' keeps it starting at the
    first bar. ``validation_period``: bars between train and test; the 10 best
    train points are evaluated on them and the best there is traded on the
    test bars."""

    train_period: int | str
    validation_period: int | str | None = None
    test_period: int | str | None = None
    step_size: int | str | None = None
    window_type: str = "rolling"

    def _spec(self) -> _lib.WalkForwardSpec:
        if self.test_period is None:
            raise TypeError("WindowConfig needs test_period")
        if self.window_type not in _WINDOW_TYPES:
            raise ValueError("window_type must be 'rolling' or 'expanding', not %r" % (self.window_type,))
        step = None if self.step_size is None else _length(self.step_size, "step_size")
        validation = None if self.validation_period is None else _length(self.validation_period, "validation_period")
        return _lib.WalkForwardSpec(sizeof(_lib.WalkForwardSpec), _lib.encode(_length(self.train_period, "train_period")),
                                    _lib.encode(_length(self.test_period, "test_period")),
                                    None if step is None else _lib.encode(step),
                                    1 if self.window_type == "expanding" else 0,
                                    None if validation is None else _lib.encode(validation))


class WalkForwardResult:
    """What a walk-forward found; ``data`` is the whole JSON document."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        #: per window: train, test, params, in_sample, out_of_sample, ...
        self.windows = data["windows"]
        #: stitched test windows: total_return, cagr, equity
        self.out_of_sample = data["out_of_sample"]
        #: out-of-sample / in-sample annualised return
        self.walk_forward_efficiency = data["walk_forward_efficiency"]["efficiency"]
        self.parameter_stability = data["parameter_stability"]

    @property
    def in_sample_scores(self) -> list[float | None]:
        return [w["in_sample_score"] for w in self.windows]

    @property
    def out_of_sample_scores(self) -> list[float | None]:
        return [w["out_of_sample_score"] for w in self.windows]

    @property
    def chosen_params(self) -> list[dict[str, Any]]:
        return [w["params"] for w in self.windows]


class WalkForwardOptimizer:
    """Runs a walk-forward with a configured ParallelOptimizer (its plugin,
    plugin config, algorithm and options)."""

    def __init__(self, optimizer: ParallelOptimizer, window_config: WindowConfig) -> None:
        if not isinstance(window_config, WindowConfig):
            raise TypeError("window_config must be a WindowConfig")
        self.optimizer = optimizer
        self.window_config = window_config

    def run(self) -> WalkForwardResult:
        """Raises UnsupportedError (a host objective, a plugin without bar
        ranges), InvalidArgumentError (windows that do not fit the data,
        naming the window), ObjectiveError or CancelledError (with
        ``partial_result``: the windows done before)."""
        lib = _lib.library()
        if not hasattr(lib, "btopt_optimizer_walkforward"):
            raise UnsupportedError("the loaded libbtopt has no walk-forward", _lib.ERR_UNSUPPORTED)
        spec = self.window_config._spec()
        out = c_void_p()
        status = lib.btopt_optimizer_walkforward(self.optimizer._handle.pointer, byref(spec), byref(out))
        message = _lib.decode(lib.btopt_last_error()) if status != _lib.OK else ""
        result = None
        if out.value:
            try:
                result = WalkForwardResult(json.loads(_lib.decode(lib.btopt_walkforward_json(out.value))))
            finally:
                lib.btopt_walkforward_destroy(out.value)
        if status != _lib.OK:
            raise error_for(status, message, partial_result=result)
        if result is None:
            raise InternalError("btopt_optimizer_walkforward succeeded without a result", _lib.ERR_INTERNAL)
        return result
