"""``btopt.optimization.base``: mirrors ``rustybt.optimization.base``.

``SearchAlgorithm`` is the base of the search objects. A subclass of your own
that overrides ``suggest()``, ``update()`` and ``is_complete()`` runs in the
``Optimizer(parameter_space, search_algorithm, ...)`` loop; btopt's
``ParallelOptimizer`` runs only btopt's own searches."""

from ..searches import SearchAlgorithm

__all__ = ["SearchAlgorithm"]
