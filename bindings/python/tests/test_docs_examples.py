"""The Python original's documentation examples (parallel-optimization.md),
adapted only by their import lines (rustybt -> btopt), over a cheap
deterministic run_backtest stand-in. Where the original says "must be
picklable", btopt's forked workers run lambdas and nested functions as they
are: those examples are checked to work rather than to fail."""

import logging
import time
from decimal import Decimal

import pytest

from helpers import MACrossover, calculate_sharpe, run_backtest, sharpe_of

logger = logging.getLogger(__name__)


def brute_force_best(names_ranges):
    import itertools

    names = [n for n, _ in names_ranges]
    best = None
    for values in itertools.product(*[r for _, r in names_ranges]):
        params = dict(zip(names, values))
        score = sharpe_of(params)
        if best is None or score > best[1]:
            best = (params, score)
    return best


BASIC_BEST = brute_force_best([("lookback", range(10, 101, 10)), ("threshold_x100", range(1, 11))])


def basic_space():
    from btopt.optimization.parameter_space import ParameterSpace, DiscreteParameter

    return ParameterSpace(parameters=[
        DiscreteParameter('lookback', 10, 100, step=10),
        DiscreteParameter('threshold_x100', 1, 10, step=1)
    ])


# ## Basic Usage
def test_basic_usage(capsys):
    from btopt.optimization import ParallelOptimizer
    from btopt.optimization.parameter_space import ParameterSpace, DiscreteParameter

    # Define parameter space
    param_space = ParameterSpace(parameters=[
        DiscreteParameter('lookback', 10, 100, step=10),
        DiscreteParameter('threshold_x100', 1, 10, step=1)
    ])

    # Create parallel optimizer
    parallel = ParallelOptimizer(
        objective_function=run_backtest,
        parameter_space=param_space,
        algorithm='grid',
        n_jobs=4  # Use 4 CPU cores
    )

    # Run optimization (automatically parallelized)
    result = parallel.optimize()

    print(f"Best params: {result.best_params}")
    print(f"Best score: {result.best_score}")
    print(f"Time saved: {result.speedup:.1f}x")

    out = capsys.readouterr().out
    assert "Best params: {'lookback'" in out and "Time saved:" in out
    assert param_space.cardinality() == 100
    assert len(result.trials) == 100
    assert (result.best_params, result.best_score) == BASIC_BEST


# ## Supported Algorithms
def test_grid_search():
    from btopt.optimization import ParallelOptimizer

    param_space = basic_space()
    parallel_grid = ParallelOptimizer(
        objective_function=run_backtest,
        parameter_space=param_space,
        algorithm='grid',
        n_jobs=8
    )

    result = parallel_grid.optimize()
    assert result.workers == 8
    assert (result.best_params, result.best_score) == BASIC_BEST


def test_random_search():
    from btopt.optimization import ParallelOptimizer

    param_space = basic_space()
    parallel_random = ParallelOptimizer(
        objective_function=run_backtest,
        parameter_space=param_space,
        algorithm='random',
        n_iterations=1000,
        n_jobs=8,
        random_seed=42
    )

    result = parallel_random.optimize()
    # 1000 iterations over 100 points: each point once, then the search stops.
    assert len(result.trials) == 100
    assert len({tuple(t.params.values()) for t in result.trials}) == 100
    assert (result.best_params, result.best_score) == BASIC_BEST


def test_genetic_algorithm():
    from btopt.optimization import ParallelOptimizer

    param_space = basic_space()
    parallel_ga = ParallelOptimizer(
        objective_function=run_backtest,
        parameter_space=param_space,
        algorithm='genetic',
        n_jobs=8,
        population_size=40,  # Parallelizes population evaluation
        n_generations=50
    )

    result = parallel_ga.optimize()
    assert 40 <= len(result.trials) <= 100
    assert result.best_score == max(t.score for t in result.trials if t.ok)


def test_bayesian_is_supported():
    # The original refuses Bayesian search in ParallelOptimizer; btopt runs it
    # with trials that do not depend on n_jobs (batch_q sets the batch).
    from btopt.optimization import ParallelOptimizer

    runs = [ParallelOptimizer(objective_function=lambda p: -abs(p['lookback'] - 40) - p['threshold_x100'],
                              parameter_space=basic_space(), algorithm='bayesian', n_iterations=15,
                              n_jobs=jobs, backend='thread', batch_q=2).optimize()
            for jobs in (1, 2)]
    assert len(runs[0].trials) == 15
    assert [t.params for t in runs[0].trials] == [t.params for t in runs[1].trials]


# ## Complete Example
def run_backtest_with_params(params):
    """
    Backtest function for parallel execution.

    IMPORTANT: Must be module-level function, not lambda or nested.
    """
    result = run_backtest(
        strategy=MACrossover(
            short_window=params['ma_short'],
            long_window=params['ma_long']
        ),
        start_date='2020-01-01',
        end_date='2023-12-31'
    )
    return Decimal(str(result['sharpe_ratio']))


def test_complete_example(capsys):
    # The original imports only ParallelOptimizer here but uses Optimizer too.
    from btopt.optimization import ParallelOptimizer, Optimizer
    from btopt.optimization.parameter_space import ParameterSpace, DiscreteParameter

    # Define parameter space
    param_space = ParameterSpace(parameters=[
        DiscreteParameter('ma_short', 10, 50, step=5),   # 9 values
        DiscreteParameter('ma_long', 50, 200, step=25)   # 7 values
    ])
    # Total: 9 * 7 = 63 combinations

    print(f"Total combinations: {param_space.cardinality()}")
    print("Running sequential grid search...")

    # Sequential baseline
    start = time.time()
    sequential = Optimizer(
        objective_function=run_backtest_with_params,
        parameter_space=param_space,
        algorithm='grid'
    )
    seq_result = sequential.optimize()
    seq_time = time.time() - start

    print(f"Sequential time: {seq_time:.1f}s")
    print(f"Best Sharpe: {seq_result.best_score:.3f}")

    # Parallel optimization
    print("\nRunning parallel grid search...")
    start = time.time()

    parallel = ParallelOptimizer(
        objective_function=run_backtest_with_params,
        parameter_space=param_space,
        algorithm='grid',
        n_jobs=8  # 8 cores
    )

    par_result = parallel.optimize()
    par_time = time.time() - start

    print(f"Parallel time: {par_time:.1f}s")
    print(f"Best Sharpe: {par_result.best_score:.3f}")
    print(f"Speedup: {seq_time/par_time:.1f}x")

    # Results should be identical
    assert seq_result.best_params == par_result.best_params
    assert seq_result.best_score == par_result.best_score

    assert "Total combinations: 63" in capsys.readouterr().out
    best = brute_force_best([("ma_short", range(10, 51, 5)), ("ma_long", range(50, 201, 25))])
    assert (seq_result.best_params, seq_result.best_score) == best


# ## Performance Optimization
def test_batch_size():
    from btopt.optimization import ParallelOptimizer

    parallel = ParallelOptimizer(
        objective_function=run_backtest, parameter_space=basic_space(), algorithm='grid',
        n_jobs=8,
        batch_size=10  # Evaluate 10 at a time per worker
    )
    assert (parallel.optimize().best_params, ) == (BASIC_BEST[0], )


def test_memory_management():
    from btopt.optimization import ParallelOptimizer

    # Limit memory per worker
    parallel = ParallelOptimizer(
        objective_function=run_backtest, parameter_space=basic_space(), algorithm='grid',
        n_jobs=4,  # Fewer workers if memory-constrained
        max_memory_per_worker='2GB'
    )
    assert parallel.optimize().best_params == BASIC_BEST[0]


# ## Progress Monitoring
def test_progress_callback(capsys):
    from btopt.optimization import ParallelOptimizer

    def progress_callback(iteration, total, best_score):
        """Called after each evaluation."""
        percent = iteration / total * 100
        print(f"[{percent:.1f}%] Iteration {iteration}/{total}, Best: {best_score:.3f}")

    parallel = ParallelOptimizer(
        objective_function=run_backtest, parameter_space=basic_space(), algorithm='grid', n_jobs=2,
        callback=progress_callback
    )
    parallel.optimize()
    lines = capsys.readouterr().out.splitlines()
    assert lines and lines[-1].startswith("[100.0%] Iteration 100/100, Best: ")
    assert lines[-1].endswith(f"{BASIC_BEST[1]:.3f}")


# ## Best Practices
def test_lambda_and_nested_objectives_work():
    from btopt.optimization import ParallelOptimizer

    # The original: "WRONG: Lambda not picklable". btopt forks: it just works.
    objective = lambda p: run_backtest(p)['sharpe']

    # ❌ WRONG (in the original): Nested function not picklable
    def outer():
        def run_backtest_inner(params):
            return sharpe_of(params)
        return run_backtest_inner

    # ✅ RIGHT: Module-level function
    def run_backtest_picklable(params):
        """Module-level function can be pickled."""
        result = run_backtest(params)
        return Decimal(str(result['sharpe']))

    bests = []
    for fn in (objective, outer(), run_backtest_picklable):
        parallel = ParallelOptimizer(objective_function=fn, parameter_space=basic_space(), algorithm='grid',
                                     n_jobs=2)
        r = parallel.optimize()
        bests.append((r.best_params, r.best_score))
    assert bests == [BASIC_BEST] * 3


def test_handle_failures_gracefully():
    from btopt.optimization import ParallelOptimizer
    from btopt import TrialStatus

    def run_backtest(params):  # fails on a tenth of the points
        if params['threshold_x100'] == 3:
            raise RuntimeError("no data")
        return {"sharpe": sharpe_of(params)}

    def robust_objective(params):
        """Objective function with error handling."""
        try:
            result = run_backtest(params)
            return calculate_sharpe(result)
        except Exception as e:
            logger.error(f"Backtest failed: {e}")
            return Decimal('-Infinity')

    parallel = ParallelOptimizer(
        objective_function=robust_objective,
        parameter_space=basic_space(), algorithm='grid', n_jobs=2,
        ignore_errors=True  # Continue on worker failures
    )
    result = parallel.optimize()
    # An infinite score marks the trial failed: never the best.
    failed = [t for t in result.trials if t.status == TrialStatus.FAILED]
    assert len(failed) == 10 and all(t.params['threshold_x100'] == 3 for t in failed)
    assert result.status_counts[TrialStatus.OK] == 90
    assert result.best_params['threshold_x100'] != 3


def test_class_method_objective_works():
    from btopt.optimization import ParallelOptimizer

    # The original's "Common Pitfalls": class methods are not picklable. They work here.
    class Strategy:
        def objective(self, params):
            return self.run_backtest(params)

        def run_backtest(self, params):
            return sharpe_of(params)

    strategy = Strategy()
    parallel = ParallelOptimizer(
        objective_function=strategy.objective, parameter_space=basic_space(), algorithm='grid', n_jobs=2
    )
    assert parallel.optimize().best_params == BASIC_BEST[0]


# ## Benchmarking
def test_benchmark_parallelization(capsys):
    from btopt.optimization import ParallelOptimizer, Optimizer

    def benchmark_parallelization(param_space, n_jobs_list):
        """Benchmark different worker counts."""
        results = {}

        # Sequential baseline
        start = time.time()
        seq = Optimizer(objective_function=run_backtest,
                       parameter_space=param_space,
                       algorithm='grid')
        seq.optimize()
        baseline_time = time.time() - start

        print(f"Sequential: {baseline_time:.1f}s")

        # Test different worker counts
        for n_jobs in n_jobs_list:
            start = time.time()
            parallel = ParallelOptimizer(
                objective_function=run_backtest,
                parameter_space=param_space,
                algorithm='grid',
                n_jobs=n_jobs
            )
            parallel.optimize()
            parallel_time = time.time() - start

            speedup = baseline_time / parallel_time
            efficiency = speedup / n_jobs

            print(f"{n_jobs} workers: {parallel_time:.1f}s, "
                  f"speedup={speedup:.2f}x, "
                  f"efficiency={efficiency:.1%}")

            results[n_jobs] = {
                'time': parallel_time,
                'speedup': speedup,
                'efficiency': efficiency
            }

        return results

    my_space = basic_space()
    # Run benchmark
    results = benchmark_parallelization(
        param_space=my_space,
        n_jobs_list=[2, 4, 8, 16]
    )
    assert sorted(results) == [2, 4, 8, 16]
    assert "16 workers:" in capsys.readouterr().out


# ## Troubleshooting
def test_inconsistent_results_solution():
    from btopt.optimization import ParallelOptimizer

    def run():
        parallel = ParallelOptimizer(
            objective_function=run_backtest, parameter_space=basic_space(), algorithm='random',
            n_iterations=20, n_jobs=2,
            random_seed=42,  # Ensure reproducibility
            deterministic=True
        )
        return [(t.params, t.score) for t in parallel.optimize().trials]

    assert run() == run()
