"""Size and write time of the JSON and CSV result files of a strategy plugin's run.

    BTOPT_LIBRARY=build/lib/libbtopt.so PYTHONPATH=bindings/python/src \
        python3 bench/result_files.py [GOOG.csv] [REPS]

Runs sma_crossover once per case (its default 62-point grid on the synthetic
series; with GOOG.csv, the 8,643-point sweep fast=2:100:1, slow=20:400:4),
then writes the result REPS times (default 15), JSON and CSV alternating, and
prints the file sizes and the median wall time of btopt_result_write_json /
_csv (min-max in brackets). Only the writers are timed, not the run.
"""
import os
import statistics
import sys
import tempfile
import time

import btopt


def cases(goog):
    yield "sma_crossover, 62-point default grid", None, {}
    if goog:
        space = btopt.ParameterSpace([btopt.DiscreteParameter("fast", 2, 100, 1),
                                      btopt.DiscreteParameter("slow", 20, 400, 4)], ["fast < slow"])
        yield "sma_crossover, GOOG sweep", space, {"data": goog}


def timed(write, path, reps):
    seconds = []
    for _ in range(reps):
        started = time.perf_counter()
        write(path)
        seconds.append(time.perf_counter() - started)
    return seconds


def main():
    goog = sys.argv[1] if len(sys.argv) > 1 and os.path.exists(sys.argv[1]) else None
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    print(f"libbtopt {btopt.__file__}, {reps} writes each, load {os.getloadavg()[0]:.1f}")
    print("| case | trials | metrics in result | JSON bytes | JSON ms | CSV bytes | CSV ms |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name, space, config in cases(goog):
            result = btopt.ParallelOptimizer(parameter_space=space, plugin="sma_crossover", plugin_config=config,
                                             objective_metric="sharpe", n_jobs=2).optimize()
            json_path, csv_path = os.path.join(folder, "r.json"), os.path.join(folder, "r.csv")
            times = {"json": [], "csv": []}
            for _ in range(reps):  # alternating, so the load hits both alike
                times["json"] += timed(result.write_json, json_path, 1)
                times["csv"] += timed(result.write_csv, csv_path, 1)
            cells = []
            for kind, path in (("json", json_path), ("csv", csv_path)):
                t = sorted(x * 1e3 for x in times[kind])
                cells += [f"{os.path.getsize(path):,}", f"{statistics.median(t):.2f} ({t[0]:.2f}-{t[-1]:.2f})"]
            print(f"| {name} | {len(result.trials)} | {len(result.metric_names)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
