"""btopt run: the summary, the results files and each group of flags, on the
sample plugins' synthetic series (no data files needed)."""
import csv
import json
import fcntl
import os
import pty
import struct
import subprocess
import termios

import pytest

from conftest import BTOPT, ok_trials, study_metrics, test_plugin

METRICS = ["sharpe", "sortino", "total_return", "cagr", "max_drawdown", "trades", "exposure", "skewness", "kurtosis"]
# What the selection-bias statistics read (docs/VALIDATION.md): in the result and the study, never in the summary
# or the files (tests/cli/test_validation.py reads them through the C ABI).
STAT_METRICS = ["btopt.returns", *(f"btopt.block_sum.{k}" for k in range(1, 17)),
                *(f"btopt.block_sumsq.{k}" for k in range(1, 17))]
SMA_GRID = [(f, s) for f in range(10, 51, 5) for s in range(50, 201, 25) if f < s]  # 62 points
JSON_KEYS = {"plugin", "algorithm", "objective", "direction", "n_jobs", "backend", "seed", "best_params",
             "best_score", "best_metrics", "n_trials", "wall_seconds", "eval_seconds", "speedup", "efficiency",
             "speedup_cpu_share", "selection", "trials"}
TRIAL_KEYS = {"id", "params", "score", "metrics", "status", "error", "seconds"}


def points(data):
    return [tuple(t["params"].values()) for t in data["trials"]]


def scores(data):
    return [(tuple(t["params"].values()), t["score"], t["status"]) for t in data["trials"]]


def test_quiet_prints_nothing_but_errors(btopt):
    result = btopt("run", "sma_crossover", "--jobs", "2", "--quiet", "--json", "quiet.json")
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    assert json.loads((btopt.cwd / "quiet.json").read_text())["trials"]
    failed = btopt("run", "sma_crossover", "--jobs", "2", "--quiet", "--param", "fast=10:20:5",
                   "--constraint", "fast > 1000")
    assert failed.returncode == 3 and failed.stdout == ""
    assert "constraints" in failed.stderr


def test_summary_shows_best_metrics_top_counts_and_times(btopt):
    result = btopt("run", "sma_crossover", "--jobs", "2", "--top", "3")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "sma_crossover 1.0 · grid search · process backend · maximize sharpe" in out
    assert "Best: trial " in out
    best_block = out.split("Best: trial ")[1].split("Top ")[0]
    for name in ["fast", "slow", *METRICS]:
        assert f"\n    {name} " in best_block, name
    assert "btopt." not in out  # the statistics' own metrics are not shown
    assert "deflated Sharpe" in best_block and "probabilistic Sharpe" in best_block
    table = out.split("Top 3 of 62 successful trials by sharpe")[1].split("\n\n")[0].splitlines()
    assert table[1].split()[:4] == ["rank", "trial", "fast", "slow"]
    assert [row.split()[0] for row in table[2:]] == ["1", "2", "3"]
    assert "Trials: 62 evaluated: 62 ok, 0 failed, 0 crashed, 0 timed out, 0 cancelled" in out
    assert "speedup" in out and "on 2 workers" in out and "parallel efficiency" in out


def test_json_has_the_documented_schema_and_the_plugin(btopt):
    result, data = btopt.json("run", "sma_crossover", "--jobs", "2")
    assert set(data) == JSON_KEYS
    assert list(data)[0] == "plugin" and data["plugin"] == "sma_crossover"
    assert (data["algorithm"], data["objective"], data["direction"], data["backend"]) == \
        ("grid", "sharpe", "maximize", "process")
    assert data["n_jobs"] == 2 and data["n_trials"] == 62 == len(data["trials"])
    for trial in data["trials"]:
        assert set(trial) == TRIAL_KEYS
        assert trial["status"] == "ok" and set(trial["metrics"]) == set(METRICS)
        assert all(isinstance(v, int) for v in trial["params"].values())
    assert sorted(points(data)) == sorted(SMA_GRID)
    best = max(ok_trials(data), key=lambda t: (t["score"], -t["id"]))
    assert data["best_params"] == best["params"] and data["best_score"] == best["score"]
    assert data["best_metrics"]["sharpe"] == data["best_score"] and set(data["best_metrics"]) == set(METRICS)
    # The summary shows the same best.
    assert f"Best: trial {best['id']}," in result.stdout
    assert f"    fast          {best['params']['fast']}\n" in result.stdout


def test_csv_has_a_row_per_trial(btopt):
    result = btopt("run", "sma_crossover", "--jobs", "2", "--csv", "out.csv")
    assert result.returncode == 0, result.stderr
    with open(btopt.cwd / "out.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["id", "fast", "slow", "score", *METRICS, "status", "seconds", "error"]
    assert len(rows) == 63
    assert f"Wrote out.csv" in result.stdout


def test_files_leave_out_what_the_statistics_read_and_the_study_keeps_it(btopt):
    """A "btopt." metric costs ~50 bytes a trial in a file that nobody reads; the study keeps them for the
    statistics of a resumed run, and the C ABI gives them."""
    _, data = btopt.json("run", "sma_crossover", "--jobs", "2", "--csv", "out.csv", "--study", "s.db")
    export = btopt("export", "s.db", "--json", "e.json", "--csv", "e.csv")
    assert export.returncode == 0, export.stderr
    stored = study_metrics(btopt.cwd / "s.db")
    assert len(stored) == 62
    for name in ("out", "e"):
        written = json.loads((btopt.cwd / f"{name}.json").read_text())
        assert set(written["best_metrics"]) == set(METRICS)
        for t in written["trials"]:
            assert set(stored[t["id"]]) == set(METRICS + STAT_METRICS)
            assert t["metrics"] == {k: stored[t["id"]][k] for k in METRICS}
        with open(btopt.cwd / f"{name}.csv", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == ["id", "fast", "slow", "score", *METRICS, "status", "seconds", "error"] and len(rows) == 63
    # The statistics they feed are there.
    assert data["selection"]["dsr"] is not None and data["selection"]["pbo"] is not None, data["selection"]


def test_param_narrows_ranges_and_others_keep_the_default(btopt):
    _, data = btopt.json("run", "sma_crossover", "--jobs", "2", "--quiet", "--param", "fast=10:20:5")
    assert sorted(points(data)) == [(f, s) for f in (10, 15, 20) for s in range(50, 201, 25)]
    _, data = btopt.json("run", "sma_crossover", "--jobs", "2", "--quiet", "--param", "fast=10:20:5",
                         "--param", "slow=100")
    assert sorted(points(data)) == [(10, 100), (15, 100), (20, 100)]


def test_param_float_step_and_choices(btopt):
    _, data = btopt.json("run", test_plugin("c_quadratic"), "--jobs", "2", "--quiet", "--param", "y=0:1:0.5",
                         "--param", "mode=mul")
    xs = [x for x in range(-5, 6) if x != 0]  # the plugin's constraint x != 0 still holds
    assert sorted(points(data)) == sorted((x, y, "mul") for x in xs for y in (0.0, 0.5, 1.0))


def test_continuous_param_with_random_search(btopt):
    _, data = btopt.json("run", test_plugin("c_quadratic"), "--quiet", "--algorithm", "random", "--param",
                         "y=-1:1", "--iterations", "12", "--seed", "3")
    assert data["algorithm"] == "random" and data["seed"] == 3 and data["n_trials"] == 12
    ys = [t["params"]["y"] for t in data["trials"]]
    assert all(-1 <= y <= 1 for y in ys)
    assert any(y not in (-1, -0.5, 0, 0.5, 1) for y in ys)  # continuous, not the default grid


def test_constraint_is_added_to_the_plugins(btopt):
    _, data = btopt.json("run", "sma_crossover", "--jobs", "2", "--quiet", "--constraint", "fast * 4 <= slow")
    assert sorted(points(data)) == sorted(p for p in SMA_GRID if p[0] * 4 <= p[1])


def test_objective_and_minimize(btopt):
    _, data = btopt.json("run", "sma_crossover", "--jobs", "2", "--quiet", "--objective", "max_drawdown",
                         "--minimize")
    assert data["objective"] == "max_drawdown" and data["direction"] == "minimize"
    assert data["best_score"] == min(t["metrics"]["max_drawdown"] for t in ok_trials(data))
    assert all(t["score"] == t["metrics"]["max_drawdown"] for t in ok_trials(data))


def test_set_reaches_the_plugin_config(btopt):
    _, plain = btopt.json("run", "sma_crossover", "--jobs", "2", "--quiet", name="plain.json")
    _, costly = btopt.json("run", "sma_crossover", "--jobs", "2", "--quiet", "--set", "commission=0.01",
                           name="costly.json")
    _, other = btopt.json("run", "sma_crossover", "--jobs", "2", "--quiet", "--set", "synthetic_seed=7",
                          "--set", "synthetic_bars=600", name="other.json")
    by_point = {tuple(t["params"].values()): t for t in plain["trials"]}
    for trial in costly["trials"]:  # costs lower every return of a strategy that trades
        twin = by_point[tuple(trial["params"].values())]
        assert trial["metrics"]["total_return"] < twin["metrics"]["total_return"]
    assert scores(other) != scores(plain)


@pytest.mark.parametrize("algorithm,extra", [
    ("random", ["--iterations", "10", "--seed", "7"]),
    ("genetic", ["--population", "8", "--generations", "3", "--seed", "5"]),
])
def test_random_and_genetic_are_the_same_on_every_backend(btopt, algorithm, extra):
    runs = []
    for i, execution in enumerate([["--jobs", "1", "--backend", "inline"],
                                   ["--jobs", "2", "--backend", "process", "--batch-size", "3"],
                                   ["--jobs", "2", "--backend", "thread"]]):
        _, data = btopt.json("run", "rsi_reversion", "--quiet", "--algorithm", algorithm, *extra, *execution,
                             name=f"{i}.json")
        runs.append(data)
    assert runs[0]["algorithm"] == algorithm
    assert [r["backend"] for r in runs] == ["inline", "process", "thread"]
    assert scores(runs[0]) == scores(runs[1]) == scores(runs[2])
    if algorithm == "random":
        assert runs[0]["n_trials"] == 10
    else:
        assert 8 <= runs[0]["n_trials"] <= 24


def test_progress_on_a_pipe_is_plain_lines(btopt):
    result = btopt("run", "sma_crossover", "--jobs", "2")
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("progress: ") for line in lines)
    assert "\r" not in result.stderr
    assert lines[-1].startswith("progress: 62/62 evaluations (100%)")
    assert "eval/s" in lines[-1] and "ETA" in lines[-1] and "failed 0" in lines[-1] and "best " in lines[-1]


def test_progress_on_a_terminal_is_one_redrawn_line(tmp_path):
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # 120 columns
    try:
        process = subprocess.run([BTOPT, "run", "sma_crossover", "--jobs", "2"], cwd=tmp_path, stdout=subprocess.PIPE,
                                 stderr=terminal, timeout=120)
        os.close(terminal)
        terminal = None
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if terminal is not None:
            os.close(terminal)
        os.close(controller)
    assert process.returncode == 0
    text = shown.decode()
    assert text.startswith("\r") and text.count("\n") == 1 and text.endswith("\n")
    assert "\u2588" in text  # the bar
    last = text.rstrip("\r\n").split("\r")[-1]  # the terminal turns "\n" into "\r\n"
    for word in ("62/62", "100%", "eval/s", "elapsed", "ETA", "failed 0", "best "):
        assert word in last


def test_inline_thread_and_process_give_the_same_grid(btopt):
    runs = [btopt.json("run", "momentum", "--quiet", "--backend", backend, "--jobs", jobs, name=f"{backend}.json")[1]
            for backend, jobs in (("inline", "1"), ("thread", "2"), ("process", "2"))]
    assert scores(runs[0]) == scores(runs[1]) == scores(runs[2])
    assert runs[0]["n_trials"] == 100


def test_mpi_backend_is_a_clean_result_or_a_clean_error(btopt):
    result = btopt("run", "sma_crossover", "--quiet", "--backend", "mpi", "--jobs", "2")
    if result.returncode != 0:
        assert result.returncode == 1
        assert result.stderr.startswith("btopt: error:") and "MPI" in result.stderr.upper()


@pytest.mark.parametrize("algorithm", ["bayesian", "cmaes", "gp"])
def test_adaptive_searches_give_the_same_trials_on_every_backend_and_jobs(btopt, algorithm):
    batch = ["--batch-q", "4"] if algorithm != "cmaes" else []
    runs = [btopt.json("run", "sma_crossover", "--quiet", "--algorithm", algorithm, "--iterations", "24",
                       "--seed", "5", "--backend", backend, "--jobs", jobs, *batch,
                       name=f"{algorithm}-{backend}{jobs}.json")[1]
            for backend, jobs in (("inline", "1"), ("thread", "2"), ("thread", "3"), ("process", "2"))]
    assert [r["backend"] for r in runs] == ["inline", "thread", "thread", "process"]
    assert runs[0]["algorithm"] == algorithm
    assert len(runs[0]["trials"]) == 24
    assert scores(runs[0]) == scores(runs[1]) == scores(runs[2]) == scores(runs[3])


def test_progress_counts_failures_with_ignore_errors(btopt):
    # 10a + b divisible by 7: 15 of the 100 points fail. The line used to say
    # "failed ?" while such a run went on, since the old callback had no count.
    result = btopt("run", test_plugin("faulty"), "--jobs", "2", "--set", "fail_mod=7", "--ignore-errors")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("progress:")]
    assert lines and not any("failed ?" in line for line in lines)
    assert lines[-1].startswith("progress: 100/100 evaluations (100%)") and "failed 15" in lines[-1], lines[-1]
