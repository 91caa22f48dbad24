"""``btopt.optimization.search.grid_search``: mirrors ``rustybt.optimization.search.grid_search``."""

from ...searches import GridSearchAlgorithm

__all__ = ["GridSearchAlgorithm"]
