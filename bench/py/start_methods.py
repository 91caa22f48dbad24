"""How a Python objective's start method performs (issue 16, item 8): the same
grid of a CPU-bound objective inline, on forked workers (backend 'process')
and on spawned workers (start_method 'spawn'), medians of --reps runs and
their ratio to inline, in the same run, with what each result reports.

    BTOPT_LIBRARY=build/src/libbtopt.so.1 python3 bench/py/start_methods.py [--points 200] [--ms 5] [--jobs 2]

Standalone (not run by bench/run.sh yet). The numbers say something only on
a machine with --jobs free cores: compare the "inline" row's speedup (the
share of a core one evaluator got) with 1 first.
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindings", "python", "src"))

import btopt  # noqa: E402

SPIN_S = 0.005


def spin(params):
    until = time.process_time() + SPIN_S  # CPU time, so a busy machine stretches the wall time, not the work
    while time.process_time() < until:
        pass
    return float(params["a"])


def run(points, jobs, options):
    space = btopt.ParameterSpace([btopt.DiscreteParameter("a", 0, points - 1)])
    started = time.perf_counter()
    result = btopt.ParallelOptimizer(objective_function=spin, parameter_space=space, algorithm="grid", n_jobs=jobs,
                                     **options).optimize()
    return time.perf_counter() - started, result


def main():
    global SPIN_S
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--ms", type=float, default=5.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    SPIN_S = args.ms / 1000.0
    setups = [("inline", 1, {}), ("fork", args.jobs, {"backend": "process"}),
              ("spawn", args.jobs, {"start_method": "spawn"})]
    print("%d points of %.1f ms CPU, %d workers, %d reps, load %.1f" % (args.points, args.ms, args.jobs, args.reps,
                                                                     os.getloadavg()[0]))
    medians = {}
    for name, jobs, options in setups:
        outer, wall, efficiency = [], [], []
        for _ in range(args.reps):
            seconds, result = run(args.points, jobs, options)
            outer.append(seconds)
            wall.append(result.wall_seconds)
            efficiency.append(result.efficiency)
        medians[name] = statistics.median(outer)
        print("%-7s median %.3f s (run %.3f s), x%.2f of inline, reported efficiency %.2f" % (
            name, medians[name], statistics.median(wall), medians["inline"] / medians[name],
            statistics.median(efficiency)))


if __name__ == "__main__":
    main()
