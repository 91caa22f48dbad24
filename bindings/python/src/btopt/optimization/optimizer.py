"""``btopt.optimization.optimizer``: mirrors ``rustybt.optimization.optimizer``.

``Optimizer(parameter_space, search_algorithm, objective_function, backtest_function, max_trials).optimize()``
(the original's loop) as well as the documented ``Optimizer(objective_function=..., parameter_space=...)``."""

from ..optimizer import Optimizer

__all__ = ["Optimizer"]
