"""The Dask side of backend='dask' (btopt.cluster): a worker plugin that
makes the run's objective once per worker (again on a worker its nanny
restarts), and the task that evaluates a batch with it. Imported only where
Dask distributed is installed."""

from __future__ import annotations

import importlib
from typing import Any, List, Sequence, Tuple

from .cluster import Outcome, Task, evaluate_batch, make_objective

# By name: Dask is no dependency of btopt (nor read by its type checks).
_distributed: Any = importlib.import_module("distributed")


class ObjectivePlugin(_distributed.WorkerPlugin):  # type: ignore[misc]
    def __init__(self, work: Tuple[str, Any], name: str) -> None:
        self.work = work
        self.name = name
        self.objective: Any = None

    def setup(self, worker: Any) -> None:
        self.objective = make_objective(self.work)

    def teardown(self, worker: Any) -> None:
        if self.objective is not None:
            self.objective.close()
            self.objective = None


def run_batch(name: str, batch: Sequence[Task]) -> List[Outcome]:
    plugin: ObjectivePlugin = _distributed.get_worker().plugins[name]
    return evaluate_batch(plugin.objective, batch)
