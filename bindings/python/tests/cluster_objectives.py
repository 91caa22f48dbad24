"""Objectives the Ray and Dask tests ship to their workers (test_ray_dask.py):
a module of its own, which the workers import through PYTHONPATH."""

import math
import os
import random

import btopt

#: The test process: an objective that kills its worker never kills it.
DRIVER_PID = int(os.environ.get("BTOPT_TEST_DRIVER_PID", "0"))


def noisy_bowl(params):
    """A smooth bowl plus draws from the trial's seed and from the seeded
    global generator, so a point scores the same only with the same seed."""
    x, y = params["x"], params["y"]
    shift = {"calm": 0.0, "wild": 0.7}[params["mode"]]
    return -(x - 6) ** 2 - 10 * (y - 0.3) ** 2 + shift + random.random() * 1e-3 + (btopt.trial_seed() % 997) * 1e-7


def fails_on_five(params):
    if params["x"] == 5:
        raise ValueError("x is five")
    return float(params["x"])


def dies_on_three(params):
    """Kills the worker process evaluating x == 3 (never the test process)."""
    if params["x"] == 3 and os.getpid() != DRIVER_PID:
        os._exit(3)
    return math.sqrt(params["x"])
