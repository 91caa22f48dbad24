"""What the Python peers run in their workers: the same spin as btopt-bench's
objective (busy-wait for x_ns nanoseconds on the monotonic clock, then score
the point by its index). Importable by worker processes (PYTHONPATH)."""
from time import perf_counter_ns  # CLOCK_MONOTONIC on Linux


def spin(x_ns, i):
    if x_ns:
        end = perf_counter_ns() + x_ns
        while perf_counter_ns() < end:
            pass
    return i


def spin_params(x_ns, params):
    """The objective as rustybt's ParallelOptimizer calls it: a dict of parameters."""
    if x_ns:
        end = perf_counter_ns() + x_ns
        while perf_counter_ns() < end:
            pass
    return params["i"]
