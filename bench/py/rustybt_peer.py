"""The dispatch workload with the Python original: rustybt's ParallelOptimizer
(multiprocessing backend, its defaults: PersistentWorkerPool, batch_size
2 * n_jobs, maxtasksperchild 100) over a GridSearchAlgorithm of n points,
objective spinning like btopt-bench's. Run with the python of the rustybt venv
(bench/setup.sh). Its run() starts its own pool, so `wall` = `call` here."""
import functools
import logging
import os
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
os.environ["PYTHONPATH"] = HERE + os.pathsep + os.environ.get("PYTHONPATH", "")

import spinlib  # noqa: E402
import workload  # noqa: E402

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

import structlog  # noqa: E402

structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))

from rustybt.optimization import ParallelOptimizer  # noqa: E402
from rustybt.optimization.parameter_space import DiscreteParameter, ParameterSpace  # noqa: E402
from rustybt.optimization.search import GridSearchAlgorithm  # noqa: E402


def main():
    p = workload.common_args(__doc__)
    p.set_defaults(cap=1000)
    a = p.parse_args()
    for spin_us in workload.numbers(a.spin):
        for jobs in (int(j) for j in workload.numbers(a.jobs)):
            n_full = workload.evaluations(spin_us, jobs, a.target, a.floor_us, a.min_per_worker)
            n = min(n_full, a.cap)
            space = ParameterSpace(parameters=[DiscreteParameter(name="i", min_value=0, max_value=n - 1)])
            algorithm = GridSearchAlgorithm(space)
            optimizer = ParallelOptimizer(algorithm, n_jobs=jobs, verbose=False)
            fn = functools.partial(spinlib.spin_params, int(spin_us * 1000))
            t0 = time.perf_counter()
            optimizer.run(fn)
            wall = time.perf_counter() - t0
            stats = optimizer.get_worker_statistics()
            done = sum(s.evaluations_completed for s in stats.values())
            workload.emit(bench="dispatch", impl="rustybt ParallelOptimizer", backend="python", jobs=jobs,
                          batch=-1, spin_us=spin_us, n=n, n_full=n_full, wall=wall, call=wall, workers=jobs,
                          evaluated=done, rep=a.rep)


if __name__ == "__main__":
    main()
