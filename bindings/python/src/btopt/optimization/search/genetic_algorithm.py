"""``btopt.optimization.search.genetic_algorithm``: mirrors ``rustybt.optimization.search.genetic_algorithm``."""

from ...searches import GeneticAlgorithm

__all__ = ["GeneticAlgorithm"]
