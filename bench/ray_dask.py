#!/usr/bin/env python3
"""btopt on Ray and on Dask (backend='ray' / 'dask', batches per worker)
against using Ray and Dask directly, one task per evaluation, in one run.

Every evaluation waits --delay-ms (10 ms: a Python objective that sleeps, or
the slow_bowl test plugin with delay_us), 2 workers, --evals evaluations.
Efficiency = evaluations x delay / (wall x 2 workers): 100 % is no overhead.
For btopt, "whole" is optimize() from call to return (with Ray: starting the
run's 2 actors, which are killed at its end, and loading the objective in
them); "evaluating" is the result's wall_seconds, from the first batch sent
to the last outcome told (the workers ready).
Each figure is the median of --repeats runs; the clusters start once, before
any timing (their start is not counted), on loopback.

    BTOPT_LIBRARY=build/src/libbtopt.so.1 BTOPT_TEST_PLUGIN_DIR=build/tests/plugins \\
        python3 bench/ray_dask.py --evals 400 --repeats 3
"""

import argparse
import os
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bindings/python/src"))
os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT / "bindings/python/src"), str(ROOT / "bench")]
                                           + [p for p in [os.environ.get("PYTHONPATH")] if p])

import btopt  # noqa: E402
from btopt import CategoricalParameter, ContinuousParameter, DiscreteParameter, ParallelOptimizer  # noqa: E402
from btopt import ParameterSpace  # noqa: E402

from ray_dask_objective import sleeper  # noqa: E402  (a module the workers import)


def space():
    return ParameterSpace([DiscreteParameter("x", 0, 999), ContinuousParameter("y", -1.0, 1.0, step=0.1),
                           CategoricalParameter("mode", ["calm", "wild"])])


def plugin_path():
    folder = os.environ.get("BTOPT_TEST_PLUGIN_DIR") or str(ROOT / "build/tests/plugins")
    path = pathlib.Path(folder) / "slow_bowl.so"
    if not path.exists():
        sys.exit("no slow_bowl.so in %s: build the tests (cmake --build build --target slow_bowl)" % folder)
    return str(path)


def timed(run):
    """(whole wall, evaluation-phase wall: the result's wall_seconds or None, evaluations)."""
    started = time.perf_counter()
    result = run()
    whole = time.perf_counter() - started
    count = len(result.trials) if hasattr(result, "trials") else len(result)
    return whole, getattr(result, "wall_seconds", None), count


def btopt_python(backend, extra, args):
    return lambda: ParallelOptimizer(sleeper, space(), "random", n_iterations=args.evals, random_seed=1,
                                     backend=backend, n_jobs=2, **extra).optimize()


def btopt_plugin(backend, extra, args):
    return lambda: ParallelOptimizer(plugin=plugin_path(), plugin_config={"delay_us": int(args.delay_ms * 1000)},
                                     algorithm="random", n_iterations=args.evals, random_seed=1, backend=backend,
                                     n_jobs=2, **extra).optimize()


def points(args):
    return [{"x": k % 30, "y": 0.1, "mode": "calm"} for k in range(args.evals)]


def ray_direct(ray, args):
    task = ray.remote(num_cpus=1)(sleeper)
    return lambda: ray.get([task.remote(p) for p in points(args)])


def dask_direct(client, args):
    return lambda: client.gather(client.map(sleeper, points(args), pure=False))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evals", type=int, default=400)
    parser.add_argument("--delay-ms", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--engines", default="ray,dask")
    args = parser.parse_args()
    os.environ["BTOPT_BENCH_DELAY_MS"] = str(args.delay_ms)
    cases = []
    engines = args.engines.split(",")
    if "ray" in engines:
        import ray

        ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False,
                 configure_logging=False)
        cases += [("Ray", "btopt, Python objective", btopt_python("ray", {}, args)),
                  ("Ray", "btopt, plugin (slow_bowl)", btopt_plugin("ray", {}, args)),
                  ("Ray", "Ray directly, a task per evaluation", ray_direct(ray, args))]
    if "dask" in engines:
        import dask.distributed as distributed

        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                           dashboard_address=None)
        client = distributed.Client(cluster)
        cases += [("Dask", "btopt, Python objective", btopt_python("dask", {"client": client}, args)),
                  ("Dask", "btopt, plugin (slow_bowl)", btopt_plugin("dask", {"client": client}, args)),
                  ("Dask", "Dask directly, a task per evaluation", dask_direct(client, args))]
    print("--evals %d evaluations of %.1f ms on 2 workers (the plugin's space has 1,260 points: at most that many); "
          "median of %d; load average %.2f" % (args.evals, args.delay_ms, args.repeats, os.getloadavg()[0]))
    print()
    print("| engine | how | evaluations | ideal (s) | whole: wall (s) | whole: efficiency | evaluating: wall (s) "
          "| evaluating: efficiency | runs, whole (s) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for engine, how, run in cases:
        run()  # warm: imports, Ray's task workers, Dask's workers
        runs = [timed(run) for _ in range(args.repeats)]
        count = runs[0][2]
        ideal = count * args.delay_ms / 1000 / 2
        whole = statistics.median(w for w, _, _ in runs)
        phase = statistics.median(p for _, p, _ in runs) if runs[0][1] is not None else None
        print("| %s | %s | %d | %.2f | %.3f | %.1f %% | %s | %s | %s |" % (
            engine, how, count, ideal, whole, 100 * ideal / whole, "%.3f" % phase if phase else "-",
            "%.1f %%" % (100 * ideal / phase) if phase else "-", ", ".join("%.3f" % w for w, _, _ in runs)),
            flush=True)
    if "ray" in engines:
        ray.shutdown()
    if "dask" in engines:
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
