"""Cheap deterministic stand-ins for the original documentation's backtests."""

import math
from decimal import Decimal


def sharpe_of(params):
    """A smooth bowl over whatever numeric parameters a point has: deterministic
    and distinct enough that ties are rare."""
    total = 0.0
    for i, (name, value) in enumerate(sorted(params.items())):
        if isinstance(value, (int, float)):
            total += math.sin(0.37 * value + i) * (1 + i) - 0.0001 * value * value
    return round(total, 12)


class BacktestResult(float):
    """The documentation uses run_backtest both as an objective (a score) and
    as a function returning a dict of results: this is both."""

    def __getitem__(self, key):
        return {"sharpe_ratio": float(self), "sharpe": float(self)}[key]


def run_backtest(params=None, strategy=None, start_date=None, end_date=None):
    """Stand-in for the original's run_backtest."""
    if strategy is not None:
        params = {"ma_short": strategy.short_window, "ma_long": strategy.long_window}
    return BacktestResult(sharpe_of(params))


class MACrossover:
    def __init__(self, short_window, long_window):
        self.short_window = short_window
        self.long_window = long_window


def calculate_sharpe(result):
    return Decimal(str(result["sharpe"]))


def trial_rows(result):
    """What determinism compares: everything but timings."""
    return [(t.number, t.params, t.score, int(t.status), t.error, t.metrics) for t in result.trials]
