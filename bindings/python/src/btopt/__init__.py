"""btopt: parallel parameter optimisation for trading strategies.

The Python original's API over libbtopt's C ABI (ctypes; no compiler needed)::

    from btopt import ParameterSpace, DiscreteParameter, ParallelOptimizer

    space = ParameterSpace(parameters=[DiscreteParameter('lookback', 10, 100, step=10),
                                       DiscreteParameter('threshold_x100', 1, 10)])
    result = ParallelOptimizer(objective_function=run_backtest, parameter_space=space,
                               algorithm='grid', n_jobs=4).optimize()
    result.best_params, result.best_score, result.speedup

The same names are importable from ``btopt.optimization`` and
``btopt.optimization.parameter_space``, mirroring ``rustybt.optimization``;
the original's code shape (search objects with suggest/update,
``ParallelOptimizer(algorithm=<search>).run(objective)``, the ``Optimizer``
loop) lives in the original's modules under ``btopt.optimization``.
The library is found through BTOPT_LIBRARY (the path of libbtopt.so.1), else
the loader's search path.
"""

from __future__ import annotations

from . import _lib
from .errors import (
    BtoptError,
    BtoptIOError,
    CancelledError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    ObjectiveError,
    PluginError,
    UnsupportedError,
)
from .optimizer import (EquityCurve, Optimizer, ParallelOptimizer, Progress, option_catalogue, register_objective,
                        trial_seed, unregister_objective)
from .plugins import describe_plugin
from .result import OptimizationResult, Trial, TrialStatus, open_study, study_runs
from .space import CategoricalParameter, ContinuousParameter, DiscreteParameter, Parameter, ParameterSpace
from .walkforward import WalkForwardOptimizer, WalkForwardResult, WindowConfig

__version__ = "0.1.0"


def library_version() -> str:
    """The loaded libbtopt's version, e.g. '0.1.0'."""
    return _lib.decode(_lib.library().btopt_version())


def abi_version() -> int:
    """The loaded libbtopt's ABI version (1)."""
    return int(_lib.library().btopt_abi_version())


def library_path() -> str:
    """The full path of the file libbtopt was loaded from (resolved, never a bare soname)."""
    return _lib.library().path


__all__ = [
    "BtoptError",
    "BtoptIOError",
    "CancelledError",
    "CategoricalParameter",
    "ContinuousParameter",
    "DiscreteParameter",
    "EquityCurve",
    "InternalError",
    "InvalidArgumentError",
    "NotFoundError",
    "ObjectiveError",
    "OptimizationResult",
    "Optimizer",
    "ParallelOptimizer",
    "Progress",
    "Parameter",
    "ParameterSpace",
    "PluginError",
    "Trial",
    "TrialStatus",
    "UnsupportedError",
    "WalkForwardOptimizer",
    "WalkForwardResult",
    "WindowConfig",
    "open_study",
    "study_runs",
    "abi_version",
    "describe_plugin",
    "library_path",
    "option_catalogue",
    "library_version",
    "register_objective",
    "trial_seed",
    "unregister_objective",
]
