"""``btopt.optimization.parallel_optimizer``: mirrors ``rustybt.optimization.parallel_optimizer``.

``ParallelOptimizer(algorithm=GridSearchAlgorithm(space), n_jobs=2).run(objective)``
then ``get_best_result()``, as well as the documented
``ParallelOptimizer(objective_function=..., parameter_space=..., algorithm='grid').optimize()``."""

from ..optimizer import ParallelOptimizer

__all__ = ["ParallelOptimizer"]
