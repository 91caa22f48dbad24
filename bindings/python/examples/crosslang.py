"""The cross-language check: the same genetic search over the sma_crossover
plugin from every binding (C, Rust, Go, Python) prints the same lines.

One line per trial, in trial order:
    NUMBER fast=FAST slow=SLOW SCORE STATUS
SCORE is Python's repr of the float (the shortest text that reads back to the
same double; 'nan' for a trial that did not end ok), STATUS the integer
btopt_trial_status.

Run:  BTOPT_LIBRARY=/path/to/libbtopt.so.1 python3 examples/crosslang.py
"""

import os
import sys

try:  # an installed btopt (a wheel, with its engine), else this checkout's
    import btopt  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

from btopt import ParallelOptimizer  # noqa: E402


def main() -> None:
    result = ParallelOptimizer(
        plugin="sma_crossover",
        parameter_space=None,
        algorithm="genetic",
        random_seed=7,
        population_size=16,
        n_generations=5,
        n_jobs=2,
        backend="process",
    ).optimize()
    for trial in result.trials:
        number = trial.number
        fast = trial.params["fast"]
        slow = trial.params["slow"]
        score = float("nan") if trial.score is None else float(trial.score)
        status = int(trial.status)
        print(f"{number} fast={fast} slow={slow} {score!r} {status}")


if __name__ == "__main__":
    main()
