"""``btopt.optimization``: the import path of ``rustybt.optimization``, so code
written for the original switches by changing its import line. The modules
of the original's layout are here too: ``parameter_space``,
``parallel_optimizer``, ``optimizer``, ``objective``, ``result`` and
``search`` (``grid_search``, ``random_search``, ``genetic_algorithm``,
``bayesian_search``)."""

from ..optimizer import Optimizer, ParallelOptimizer
from ..result import OptimizationResult
from ..searches import BayesianOptimizer, GeneticAlgorithm, GridSearchAlgorithm, RandomSearchAlgorithm
from .objective import ObjectiveFunction
from .parameter_space import CategoricalParameter, ContinuousParameter, DiscreteParameter, ParameterSpace

__all__ = [
    "BayesianOptimizer",
    "CategoricalParameter",
    "ContinuousParameter",
    "DiscreteParameter",
    "GeneticAlgorithm",
    "GridSearchAlgorithm",
    "ObjectiveFunction",
    "OptimizationResult",
    "Optimizer",
    "ParallelOptimizer",
    "ParameterSpace",
    "RandomSearchAlgorithm",
]
