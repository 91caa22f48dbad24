"""``btopt.optimization.search.random_search``: mirrors ``rustybt.optimization.search.random_search``."""

from ...searches import RandomSearchAlgorithm

__all__ = ["RandomSearchAlgorithm"]
