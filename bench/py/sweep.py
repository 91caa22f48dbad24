"""The sma_crossover sweep in Python: numpy for the backtest, multiprocessing.
Pool for the grid (fast-major, as btopt's grid), scored by the Sharpe ratio as
docs/METRICS.md defines it (no commission, 252 periods a year). Ties go to the
first point in grid order, as in btopt.

  plain        what a user writes: each evaluation computes both SMAs with cumsum
  cached SMAs  each worker keeps every window's SMA once computed (a tuned user)

`seconds` covers loading the CSV, starting the pool and the map (btopt's call
covers starting its worker server, init, forking and the sweep)."""
import argparse
import csv
import json
import multiprocessing
import sys
import time

import numpy as np

CLOSES = None
SMA_CACHE = {}


def load_closes(path):
    with open(path, newline="") as f:
        rows = csv.reader(f)
        header = [h.strip().lower().replace(" ", "").replace("_", "") for h in next(rows)]
        k = header.index("close")
        return np.array([float(r[k]) for r in rows if r], dtype=np.float64)


def sma(c, n):
    """SMA(n) at every bar (NaN before bar n-1)."""
    cs = np.concatenate(([0.0], np.cumsum(c)))
    out = np.full(c.shape, np.nan)
    out[n - 1:] = (cs[n:] - cs[:-n]) / n
    return out


def sharpe(c, long_signal):
    p = long_signal.astype(np.float64)
    r = p[:-1] * (c[1:] / c[:-1] - 1.0)
    sd = r.std(ddof=1) if r.size >= 2 else 0.0
    return float(r.mean() / sd * np.sqrt(252.0)) if sd > 0 else 0.0


def evaluate(point):
    fast, slow = point
    c = CLOSES
    f, s = sma(c, fast), sma(c, slow)
    with np.errstate(invalid="ignore"):
        signal = f > s  # NaN compares false: flat until both are defined
    return sharpe(c, signal)


def cached_sma(n):
    v = SMA_CACHE.get(n)
    if v is None:
        v = SMA_CACHE[n] = sma(CLOSES, n)
    return v


def evaluate_cached(point):
    fast, slow = point
    with np.errstate(invalid="ignore"):
        signal = cached_sma(fast) > cached_sma(slow)
    return sharpe(CLOSES, signal)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", required=True)
    ap.add_argument("--fast", default="2:101")
    ap.add_argument("--slow", default="102:201")
    ap.add_argument("--jobs", type=int, default=multiprocessing.cpu_count())
    ap.add_argument("--variant", default="plain", choices=["plain", "cached"])
    ap.add_argument("--rep", type=int, default=0)
    a = ap.parse_args()
    f_lo, f_hi = (int(x) for x in a.fast.split(":"))
    s_lo, s_hi = (int(x) for x in a.slow.split(":"))
    grid = [(f, s) for f in range(f_lo, f_hi + 1) for s in range(s_lo, s_hi + 1)]
    global CLOSES
    t0 = time.perf_counter()
    CLOSES = load_closes(a.data)
    fn = evaluate if a.variant == "plain" else evaluate_cached
    with multiprocessing.Pool(a.jobs) as pool:
        scores = pool.map(fn, grid)
    seconds = time.perf_counter() - t0
    best = max(range(len(grid)), key=lambda i: (scores[i], -i))
    sys.stdout.write(json.dumps(dict(
        bench="sweep", impl="numpy + mp.Pool" + (" (cached SMAs)" if a.variant == "cached" else ""),
        backend="python", jobs=a.jobs, n=len(grid), call=seconds, wall=seconds,
        best_fast=grid[best][0], best_slow=grid[best][1], best_score=scores[best], data=a.data,
        rep=a.rep)) + "\n")


if __name__ == "__main__":
    main()
