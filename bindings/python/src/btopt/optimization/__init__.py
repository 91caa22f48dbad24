"""``btopt.optimization``: the import path of ``rustybt.optimization``, so code
written for the original switches by changing its import line."""

from ..optimizer import Optimizer, ParallelOptimizer
from ..result import OptimizationResult
from .parameter_space import CategoricalParameter, ContinuousParameter, DiscreteParameter, ParameterSpace

__all__ = [
    "CategoricalParameter",
    "ContinuousParameter",
    "DiscreteParameter",
    "OptimizationResult",
    "Optimizer",
    "ParallelOptimizer",
    "ParameterSpace",
]
