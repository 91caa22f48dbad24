"""``btopt.optimization.objective``: the original's ``ObjectiveFunction``, the
score the ``Optimizer`` loop reads from a backtest's result."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Dict, Optional

METRICS = ("sharpe_ratio", "sortino_ratio", "calmar_ratio", "total_return", "max_drawdown", "win_rate",
           "profit_factor", "custom")


class ObjectiveFunction:
    """``metric`` is read from the backtest result's ``performance_metrics``;
    ``'custom'`` calls ``custom_function(backtest_result)`` instead. With
    ``higher_is_better=False`` the score is negated (the loop maximises)."""

    def __init__(self, metric: str, custom_function: Optional[Callable[[Dict[str, Any]], Any]] = None,
                 higher_is_better: bool = True) -> None:
        if metric not in METRICS:
            raise ValueError("metric must be one of %s, not %r" % (", ".join(METRICS), metric))
        if (metric == "custom") != (custom_function is not None):
            raise ValueError("custom_function is required with metric='custom', and only then")
        self.metric = metric
        self.custom_function = custom_function
        self.higher_is_better = higher_is_better

    def evaluate(self, backtest_result: Dict[str, Any]) -> Decimal:
        if self.custom_function is not None:
            value = self.custom_function(backtest_result)
        else:
            metrics = backtest_result.get("performance_metrics", {})
            if self.metric not in metrics:
                raise KeyError("Metric %r not in backtest results" % self.metric)
            value = metrics[self.metric]
        score = value if isinstance(value, Decimal) else Decimal(str(value))
        return score if self.higher_is_better else -score

    def __repr__(self) -> str:
        return "ObjectiveFunction(metric=%r, higher_is_better=%r)" % (self.metric, self.higher_is_better)


__all__ = ["ObjectiveFunction"]
