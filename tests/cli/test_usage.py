"""--help, --version and every usage error: exit 2 and a message naming the flag."""
import ctypes
import os
import re

import pytest

from conftest import test_plugin

RUN_FLAGS = ["--data", "--set", "--param", "--constraint", "--algorithm", "--jobs", "--iterations", "--seed",
             "--population", "--generations", "--objective", "--minimize", "--backend", "--batch-size", "--timeout",
             "--max-memory", "--ignore-errors", "--json", "--csv", "--report", "--heatmap", "--top", "--quiet",
             "--force"]


def test_help_lists_the_subcommands(btopt):
    result = btopt("--help")
    assert result.returncode == 0
    for word in ("run", "describe", "demo", "--version", "Exit codes"):
        assert word in result.stdout


def test_run_help_lists_every_flag(btopt):
    result = btopt("run", "--help")
    assert result.returncode == 0
    for flag in RUN_FLAGS:
        assert flag in result.stdout, flag
    assert "PLUGIN" in result.stdout


@pytest.mark.skipif(os.environ.get("BTOPT_SANITIZED") == "1",
                    reason="a sanitizer-built libbtopt cannot be loaded into an uninstrumented python")
def test_version_is_the_library_version(btopt):
    library = ctypes.CDLL(os.environ["BTOPT_LIB"])
    library.btopt_version.restype = ctypes.c_char_p
    result = btopt("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"btopt {library.btopt_version().decode()}"
    assert re.fullmatch(r"btopt \d+\.\d+\.\d+", result.stdout.strip())


def test_a_subcommand_is_required(btopt):
    result = btopt()
    assert result.returncode == 2
    assert "subcommand" in result.stderr


SMA_ERRORS = [
    (["--bogus"], "--bogus"),
    (["--param", "fast"], "--param"),
    (["--param", "fast="], "--param"),
    (["--param", "fast=a:b"], "--param"),
    (["--param", "fast=1:2:3:4"], "--param"),
    (["--param", "fast=10.5:20:5"], "--param"),
    (["--param", "fast=20:10"], "--param"),
    (["--param", "fast=10:20:0"], "--param"),
    (["--param", "fast=10,20"], "--param"),
    (["--param", "nosuch=1:2"], "--param"),
    (["--objective", "nosuch"], "--objective"),
    (["--algorithm", "bayes"], "--algorithm"),
    (["--backend", "gpu"], "--backend"),
    (["--jobs", "x"], "--jobs"),
    (["--jobs", "0"], "--jobs"),
    (["--iterations", "0"], "--iterations"),
    (["--population", "-3"], "--population"),
    (["--top", "0"], "--top"),
    (["--timeout", "-1"], "--timeout"),
    (["--batch-size", "-1"], "--batch-size"),
    (["--max-memory", "lots"], "--max-memory"),
    (["--set", "noequals"], "--set"),
    (["--set", "=x"], "--set"),
    (["--heatmap", "fast"], "--heatmap"),
    (["--heatmap", "fast,nosuch"], "--heatmap"),
    (["--heatmap", "fast,fast"], "--heatmap"),
    (["--constraint", "fast <"], "--constraint"),
    (["--constraint", "nosuch > 1"], "--constraint"),
]


@pytest.mark.parametrize("args,flag", SMA_ERRORS, ids=[" ".join(a) for a, _ in SMA_ERRORS])
def test_usage_error_names_the_flag(btopt, args, flag):
    result = btopt("run", "sma_crossover", "--quiet", *args)
    assert result.returncode == 2, result.stderr
    assert flag in result.stderr
    assert result.stdout == ""  # nothing ran


def test_malformed_param_says_what_was_expected(btopt):
    result = btopt("run", "sma_crossover", "--param", "fast=a:b")
    assert result.returncode == 2
    assert "fast=LO:HI:STEP" in result.stderr and "'a' is not an integer" in result.stderr


def test_unknown_parameter_lists_the_parameters(btopt):
    result = btopt("run", "sma_crossover", "--param", "nosuch=1:2")
    assert result.returncode == 2
    assert "nosuch" in result.stderr and "fast, slow" in result.stderr


def test_unknown_metric_lists_the_metrics(btopt):
    result = btopt("run", "sma_crossover", "--objective", "profit")
    assert result.returncode == 2
    for metric in ("sharpe", "sortino", "total_return", "cagr", "max_drawdown", "trades", "exposure"):
        assert metric in result.stderr


def test_unknown_algorithm_lists_the_algorithms(btopt):
    result = btopt("run", "sma_crossover", "--algorithm", "annealing")
    assert result.returncode == 2
    for name in ("grid", "random", "genetic", "bayesian", "cmaes"):
        assert name in result.stderr


QUADRATIC_ERRORS = [
    (["--param", "y=-1:1"], "--algorithm"),  # continuous on a grid
    (["--param", "mode=1:2"], "--param"),  # numbers for a categorical parameter
    (["--param", "y=a,b"], "--param"),  # choices for a float parameter
    (["--param", "mode=add,add"], "--param"),
    (["--param", "y=0:1:0"], "--param"),
]


@pytest.mark.parametrize("args,flag", QUADRATIC_ERRORS, ids=[" ".join(a) for a, _ in QUADRATIC_ERRORS])
def test_usage_error_on_float_and_choice_parameters(btopt, args, flag):
    result = btopt("run", test_plugin("c_quadratic"), "--quiet", *args)
    assert result.returncode == 2, result.stderr
    assert flag in result.stderr


def test_plugin_is_required(btopt):
    result = btopt("run")
    assert result.returncode == 2
    assert "PLUGIN" in result.stderr


def test_describe_needs_a_plugin(btopt):
    result = btopt("describe")
    assert result.returncode == 2
    assert "PLUGIN" in result.stderr
