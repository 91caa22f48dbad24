"""The dispatch workload, shared by btopt-bench and the Python peers: how many
evaluations a (spin, workers) cell gets, so every implementation runs the same
n unless its own cap (a slow peer) is lower. Keep in step with
btopt-bench dispatch (--target, --floor-us, --min-per-worker)."""
import argparse
import json
import sys


def evaluations(spin_us, jobs, target=0.4, floor_us=2.5, min_per_worker=40):
    if spin_us > 0:
        return int(max(min_per_worker * jobs, round(jobs * target / (spin_us * 1e-6))))
    return int(round(jobs * target / (floor_us * 1e-6)))


def numbers(text):
    return [float(x) for x in text.split(",") if x]


def common_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--spin", default="0,10,100,1000,10000", help="microseconds per evaluation, comma-separated")
    p.add_argument("--jobs", default="1,2")
    p.add_argument("--target", type=float, default=0.4)
    p.add_argument("--floor-us", type=float, default=2.5)
    p.add_argument("--min-per-worker", type=float, default=40)
    p.add_argument("--cap", type=int, default=50000, help="at most this many evaluations per cell")
    p.add_argument("--rep", type=int, default=0)
    return p


def emit(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()
