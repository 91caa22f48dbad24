"""Run-time errors exit 1 with a clear message; --ignore-errors, --timeout and
--max-memory turn failing trials into counts (the tests' plugin `faulty`
misbehaves where its config says)."""
import json
import os
import time

import pytest

from conftest import test_plugin

COUNTS = "Trials: {} evaluated: {} ok, {} failed, {} crashed, {} timed out, {} cancelled"


def test_a_failing_trial_stops_the_run_with_the_point(btopt):
    result = btopt("run", test_plugin("faulty"), "--jobs", "2", "--quiet", "--set", "fail_mod=7", "--json", "out.json")
    assert result.returncode == 1
    assert result.stderr.startswith("btopt: error: ")
    assert "a=0, b=0" in result.stderr and "refused point 0" in result.stderr
    assert "--ignore-errors" in result.stderr
    data = json.loads((btopt.cwd / "out.json").read_text())  # the partial result is kept
    assert data["trials"][0]["status"] == "failed" and "refused point 0" in data["trials"][0]["error"]


def test_ignore_errors_counts_failed_trials(btopt):
    result = btopt("run", test_plugin("faulty"), "--jobs", "2", "--set", "fail_mod=7", "--ignore-errors")
    assert result.returncode == 0, result.stderr
    assert COUNTS.format(100, 85, 15, 0, 0, 0) in result.stdout  # 0, 7, ..., 98
    assert "Best: trial 73, score = 0" in result.stdout  # a=7, b=3


def test_crashing_trials_are_counted(btopt):
    result = btopt("run", test_plugin("faulty"), "--jobs", "2", "--set", "crash_mod=13", "--ignore-errors")
    assert result.returncode == 0, result.stderr
    assert COUNTS.format(100, 92, 0, 8, 0, 0) in result.stdout  # 0, 13, ..., 91


def test_timeout_stops_hanging_trials(btopt):
    start = time.monotonic()
    result = btopt("run", test_plugin("faulty"), "--jobs", "2", "--set", "hang_at=5", "--param", "a=4:6",
                   "--param", "b=0:1", "--timeout", "1", "--ignore-errors", "--json", "out.json")
    assert result.returncode == 0, result.stderr
    assert COUNTS.format(6, 4, 0, 0, 2, 0) in result.stdout
    assert time.monotonic() - start < 60
    data = json.loads((btopt.cwd / "out.json").read_text())
    assert sorted(t["params"]["a"] for t in data["trials"] if t["status"] == "timeout") == [5, 5]


@pytest.mark.skipif(os.environ.get("BTOPT_SANITIZED") == "1",
                    reason="AddressSanitizer and ThreadSanitizer reserve more address space than any cap allows")
def test_max_memory_fails_the_greedy_trials(btopt):
    result = btopt("run", test_plugin("faulty"), "--jobs", "2", "--set", "alloc_at=5", "--param", "a=4:6",
                   "--param", "b=0:1", "--max-memory", "256MB", "--ignore-errors", "--json", "out.json")
    assert result.returncode == 0, result.stderr
    assert COUNTS.format(6, 4, 2, 0, 0, 0) in result.stdout
    data = json.loads((btopt.cwd / "out.json").read_text())
    greedy = [t for t in data["trials"] if t["status"] != "ok"]
    assert [t["params"]["a"] for t in greedy] == [5, 5]
    assert all("memory" in t["error"] for t in greedy)


def write_csv(path, rows):
    path.write_text("Date,Open,High,Low,Close,Volume\n" + "".join(row + "\n" for row in rows))


def test_bad_data_names_the_file_and_line(btopt):
    write_csv(btopt.cwd / "bad.csv", ["2020-01-01,1,2,0.5,1.5,100", "2020-01-02,1,2,0.5,1.6,100",
                                      "2020-01-03,1,2,0.5,abc,100", "2020-01-06,1,2,0.5,1.7,100"])
    result = btopt("run", "sma_crossover", "--quiet", "--data", "bad.csv")
    assert result.returncode == 1
    assert result.stderr.startswith("btopt: error: ")
    assert "bad.csv:4" in result.stderr and "abc" in result.stderr
    assert result.stdout == ""


def test_missing_data_file_is_a_run_time_error(btopt):
    result = btopt("run", "sma_crossover", "--quiet", "--data", "no-such-file.csv")
    assert result.returncode == 1
    assert "no-such-file.csv" in result.stderr


def test_a_config_value_the_plugin_does_not_allow_is_a_usage_error(btopt):
    result = btopt("run", "sma_crossover", "--quiet", "--set", "price=bogus")
    assert result.returncode == 2
    assert "--set price=bogus" in result.stderr and "close, adj_close" in result.stderr


def test_unknown_plugin_is_a_run_time_error(btopt):
    result = btopt("run", "no_such_plugin", "--quiet")
    assert result.returncode == 1
    assert "no_such_plugin" in result.stderr


def test_plugin_whose_init_fails(btopt):
    result = btopt("run", test_plugin("broken_init_fails"), "--quiet")
    assert result.returncode == 1
    assert result.stderr.startswith("btopt: error: ")


def test_unwritable_output_is_refused_before_the_run(btopt):
    result = btopt("run", "sma_crossover", "--quiet", "--json", "no/such/folder/out.json")
    assert result.returncode == 2
    assert "--json no/such/folder/out.json: the folder 'no/such/folder' does not exist" in result.stderr
    assert "Best: trial" not in result.stdout  # nothing ran
