"""The original's ``Optimizer(parameter_space, search_algorithm,
objective_function, backtest_function, max_trials)``: one point at a time,
on the calling thread, from a search object (btopt.searches), each trial
recorded as a ``btopt.optimization.result.OptimizationResult``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, Dict, List, Optional

from .errors import UnsupportedError
from .optimization.result import OptimizationResult as TrialResult
from .optimizer import Optimizer
from .searches import SearchAlgorithm
from .space import ParameterSpace

Params = Dict[str, Any]


class SearchLoopOptimizer(Optimizer):
    """What ``Optimizer(parameter_space, search_algorithm, ...)`` makes (see Optimizer)."""

    def __init__(self, parameter_space: ParameterSpace, search_algorithm: SearchAlgorithm,
                 objective_function: Any, backtest_function: Callable[[Params], Dict[str, Any]],
                 max_trials: int, checkpoint_dir: Any = None, checkpoint_frequency: int = 10) -> None:
        if not isinstance(search_algorithm, SearchAlgorithm):
            raise TypeError("search_algorithm must be one of btopt.optimization.search's search objects")
        if search_algorithm.parameter_space is not parameter_space:
            raise ValueError("search_algorithm searches another parameter space than parameter_space")
        if not (callable(objective_function) or callable(getattr(objective_function, "evaluate", None))):
            raise TypeError("objective_function must be an ObjectiveFunction (or a callable of the backtest's result)")
        if not callable(backtest_function):
            raise TypeError("backtest_function must be callable")
        if max_trials <= 0:
            raise ValueError("max_trials must be positive")
        if checkpoint_frequency <= 0:
            raise ValueError("checkpoint_frequency must be positive")
        if checkpoint_dir is not None:
            raise UnsupportedError("checkpoint_dir: btopt's Optimizer loop writes no checkpoint files; "
                                   "search_algorithm.get_state()/set_state() checkpoint the search (a dict), and "
                                   "ParallelOptimizer(..., study='file.db') records every trial and resumes")
        self.parameter_space = parameter_space
        self.search_algorithm = search_algorithm
        self.objective_function = objective_function
        self.backtest_function = backtest_function
        self.max_trials = max_trials
        self.checkpoint_dir = None
        self.checkpoint_frequency = checkpoint_frequency
        self.results: List[TrialResult] = []
        self.best_result: Optional[TrialResult] = None
        self.current_trial = 0

    def optimize(self) -> TrialResult:  # type: ignore[override]
        """Runs the loop; returns the best trial's record. ValueError when
        no trial succeeded."""
        search = self.search_algorithm
        try:
            while self.current_trial < self.max_trials and not search.is_complete():
                params = search.suggest()
                self.parameter_space.validate_params(params)
                record = self._evaluate(params)
                search.update(params, record.score)
                self.results.append(record)
                self.current_trial += 1
                if record.is_success and (self.best_result is None or record.score > self.best_result.score):
                    self.best_result = record
        finally:
            search.close()
        if self.best_result is None:
            raise ValueError("Optimization completed but no successful trials found")
        return self.best_result

    def _score(self, backtest_result: Dict[str, Any]) -> Decimal:
        evaluate = getattr(self.objective_function, "evaluate", None)
        score = evaluate(backtest_result) if callable(evaluate) else self.objective_function(backtest_result)
        return score if isinstance(score, Decimal) else Decimal(str(score))

    def _evaluate(self, params: Params) -> TrialResult:
        started = datetime.now()
        try:
            backtest_result = self.backtest_function(params)
            score = self._score(backtest_result)
            if not score.is_finite():
                raise ValueError("the objective gave %s" % score)
            metrics = backtest_result.get("performance_metrics", {}) if hasattr(backtest_result, "get") else {}
            error = None
        except Exception as e:  # noqa: BLE001 - a failing backtest is a failed trial, as in the original
            score, metrics, error = Decimal("-Infinity"), {}, str(e) or type(e).__name__
        seconds = (datetime.now() - started).total_seconds()
        return TrialResult(trial_id=self.current_trial, params=params, score=score, timestamp=started,
                           backtest_metrics=metrics, error=error, duration_seconds=Decimal(str(seconds)))

    def get_history(self) -> List[TrialResult]:
        return list(self.results)

    def get_best_params(self) -> Params:
        if self.best_result is None:
            raise ValueError("No successful results available yet")
        return dict(self.best_result.params)

    def load_checkpoint(self, checkpoint_file: Any) -> None:
        raise UnsupportedError("btopt's Optimizer loop has no checkpoints; a study resumes a ParallelOptimizer run")

    def cancel(self) -> None:
        self.search_algorithm.close()

    def close(self) -> None:
        self.search_algorithm.close()

    @property
    def closed(self) -> bool:
        return True
