"""``btopt.optimization.search``: the original's search objects over btopt's engine (btopt.searches)."""

from ...searches import BayesianOptimizer, GeneticAlgorithm, GridSearchAlgorithm, RandomSearchAlgorithm, SearchAlgorithm

__all__ = ["BayesianOptimizer", "GeneticAlgorithm", "GridSearchAlgorithm", "RandomSearchAlgorithm", "SearchAlgorithm"]
