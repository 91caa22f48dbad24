"""``btopt.optimization.search.bayesian_search``: mirrors ``rustybt.optimization.search.bayesian_search``."""

from ...searches import BayesianOptimizer

__all__ = ["BayesianOptimizer"]
