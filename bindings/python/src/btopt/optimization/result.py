"""``btopt.optimization.result``: the original's per-trial record.

Here ``OptimizationResult`` is one trial of the original's ``Optimizer`` loop
(trial_id, params, score, timestamp, backtest_metrics, error,
duration_seconds), as ``rustybt.optimization.result`` defines it. The result
of a whole btopt run, which ``btopt.OptimizationResult`` and
``btopt.optimization.OptimizationResult`` name, is another class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Dict, Optional

_FAILED = Decimal("-Infinity")


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class OptimizationResult:
    """One evaluated point: a failed one has ``error`` set and score -Infinity."""

    trial_id: int
    params: Dict[str, Any]
    score: Decimal
    timestamp: datetime
    backtest_metrics: Dict[str, Any] = field(default_factory=dict)
    error: Optional[str] = None
    duration_seconds: Decimal = Decimal("0")

    def __post_init__(self) -> None:
        object.__setattr__(self, "score", _decimal(self.score))
        object.__setattr__(self, "duration_seconds", _decimal(self.duration_seconds))
        if self.error is not None and self.score != _FAILED:
            raise ValueError("a failed trial's score must be -Infinity, not %s" % self.score)

    @property
    def is_success(self) -> bool:
        return self.error is None

    def to_dict(self) -> Dict[str, Any]:
        """Plain JSON-ready data: Decimals as text, the timestamp in ISO form."""
        return {
            "trial_id": self.trial_id,
            "params": {k: str(v) if isinstance(v, Decimal) else v for k, v in self.params.items()},
            "score": str(self.score),
            "timestamp": self.timestamp.isoformat(),
            "backtest_metrics": self.backtest_metrics,
            "error": self.error,
            "duration_seconds": str(self.duration_seconds),
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "OptimizationResult":
        return cls(trial_id=data["trial_id"], params=data["params"], score=Decimal(data["score"]),
                   timestamp=datetime.fromisoformat(data["timestamp"]), backtest_metrics=data["backtest_metrics"],
                   error=data.get("error"), duration_seconds=Decimal(data.get("duration_seconds", "0")))


__all__ = ["OptimizationResult"]
