"""The dispatch workload with what a Python user would use instead of btopt:
multiprocessing.Pool.map (chunksize 1 and the default), concurrent.futures.
ProcessPoolExecutor.map and joblib.Parallel (its default loky backend). Each
worker spins like btopt-bench's objective. One JSON line per cell.

`wall` is the map alone on a started and warmed pool (as btopt's own wall
excludes starting its workers); `call` adds starting and stopping the pool."""
import functools
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
os.environ["PYTHONPATH"] = HERE + os.pathsep + os.environ.get("PYTHONPATH", "")

import spinlib  # noqa: E402
import workload  # noqa: E402

try:
    import joblib
except ImportError:  # the smoke run may have no venv
    joblib = None


def run_pool(fn, n, jobs, chunksize):
    t0 = time.perf_counter()
    with multiprocessing.Pool(jobs) as pool:
        pool.map(fn, range(2 * jobs), chunksize=1)  # warm: every worker started
        t1 = time.perf_counter()
        out = pool.map(fn, range(n), chunksize=chunksize)
        t2 = time.perf_counter()
    t3 = time.perf_counter()
    assert len(out) == n
    return t2 - t1, t3 - t0


def run_executor(fn, n, jobs):
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as ex:
        list(ex.map(fn, range(2 * jobs)))
        t1 = time.perf_counter()
        out = list(ex.map(fn, range(n)))
        t2 = time.perf_counter()
    t3 = time.perf_counter()
    assert len(out) == n
    return t2 - t1, t3 - t0


def run_joblib(fn, n, jobs):
    t0 = time.perf_counter()
    with joblib.Parallel(n_jobs=jobs) as parallel:
        parallel(joblib.delayed(fn)(i) for i in range(2 * jobs))
        t1 = time.perf_counter()
        out = parallel(joblib.delayed(fn)(i) for i in range(n))
        t2 = time.perf_counter()
    t3 = time.perf_counter()
    assert len(out) == n
    return t2 - t1, t3 - t0


PEERS = {
    "mp.Pool.map chunksize=1": lambda fn, n, jobs: run_pool(fn, n, jobs, 1),
    "mp.Pool.map default chunksize": lambda fn, n, jobs: run_pool(fn, n, jobs, None),
    "ProcessPoolExecutor.map": run_executor,
    "joblib.Parallel (loky)": run_joblib,
}


def main():
    p = workload.common_args(__doc__)
    p.add_argument("--peers", default=",".join(PEERS))
    a = p.parse_args()
    names = [x for x in a.peers.split(",") if x]
    for spin_us in workload.numbers(a.spin):
        for jobs in (int(j) for j in workload.numbers(a.jobs)):
            n_full = workload.evaluations(spin_us, jobs, a.target, a.floor_us, a.min_per_worker)
            fn = functools.partial(spinlib.spin, int(spin_us * 1000))
            for name in names:
                if name.startswith("joblib") and joblib is None:
                    continue
                # Peers that pay a round trip per evaluation get at most --cap of them;
                # the chunked Pool.map runs the full workload.
                n = n_full if "default chunksize" in name else min(n_full, a.cap)
                wall, call = PEERS[name](fn, n, jobs)
                workload.emit(bench="dispatch", impl=name, backend="python", jobs=jobs, batch=-1,
                              spin_us=spin_us, n=n, n_full=n_full, wall=wall, call=call, workers=jobs,
                              evaluated=n, rep=a.rep)


if __name__ == "__main__":
    main()
