"""btopt describe: name, version, description, parameters, constraints, metrics, default objective."""
import re

from conftest import test_plugin


def test_describe_a_sample_plugin_by_name(btopt):
    result = btopt("describe", "sma_crossover")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("sma_crossover 1.0\n")
    assert "moving average" in out
    assert "sma_crossover.so" in out
    assert "fast  integer  10..50 step 5  (9 values)" in out
    assert "slow  integer  50..200 step 25  (7 values)" in out
    assert "Constraints\n  fast < slow\n" in out
    for metric in ("sortino", "total_return", "cagr", "trades", "exposure"):
        assert re.search(rf"\n  {metric} +higher is better\n", out), metric
    assert re.search(r"\n  max_drawdown +lower is better\n", out)
    assert re.search(r"\n  sharpe +higher is better  \(default objective\)\n", out)
    assert "Default objective: sharpe" in out
    # What the selection-bias statistics read is counted, not listed (docs/VALIDATION.md).
    assert "btopt.block" not in out
    assert "\n  and 33 numbers for the selection-bias statistics (btopt.*, docs/VALIDATION.md)\n" in out
    assert "Grid size: 63 points before constraints" in out


def test_describe_by_path_shows_float_and_choice_ranges(btopt):
    result = btopt("describe", test_plugin("c_quadratic"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "x     integer  -5..5  (11 values)" in out
    assert "y     float    -1..1 step 0.5  (5 values)" in out
    assert "mode  choice   add, mul  (2 values)" in out
    assert "x != 0" in out
    assert "Default objective: score" in out


def test_describe_an_unknown_plugin_is_a_run_time_error(btopt):
    result = btopt("describe", "no_such_plugin")
    assert result.returncode == 1
    assert "no_such_plugin" in result.stderr and result.stderr.startswith("btopt: error:")
