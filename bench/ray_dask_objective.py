"""The objective bench/ray_dask.py ships to Ray and Dask workers: it waits
BTOPT_BENCH_DELAY_MS milliseconds (the workers inherit the variable)."""

import os
import time


def sleeper(params):
    time.sleep(float(os.environ.get("BTOPT_BENCH_DELAY_MS", "10")) / 1000)
    return float(params["x"])
