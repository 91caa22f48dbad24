"""Plugins declare their config keys and their metrics' directions in a
descriptor that can grow: an unknown key or a value out of range is refused
before anything runs, naming the key; a metric where lower is better is
minimised by itself; older (shorter) and newer (longer) descriptors load."""
import json
import re

import pytest

from conftest import ok_trials, test_plugin
from test_report import report_data


def refused(result, *words):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    for word in words:
        assert word in result.stderr, result.stderr
    assert "Trials:" not in result.stdout  # nothing ran


@pytest.mark.parametrize("key", ["comission", "Commission", "nosuchkey"])
def test_an_unknown_config_key_is_refused_listing_the_known_ones(btopt, key):
    result = btopt("run", "sma_crossover", "--quiet", "--set", f"{key}=0.01", "--json", "out.json")
    refused(result, f"--set {key}=0.01", f"no config key '{key}'", "commission", "periods_per_year", "data")
    assert not (btopt.cwd / "out.json").exists()


@pytest.mark.parametrize("setting,words", [
    ("commission=-1", ["'commission' = '-1'", "0 to 1"]),
    ("commission=abc", ["'commission' = 'abc'", "not a finite number"]),
    ("periods_per_year=0", ["'periods_per_year' = '0'", "at least 1"]),
    ("synthetic_bars=-5", ["'synthetic_bars' = '-5'", "2 to 10000000"]),
    ("synthetic_bars=2.5", ["'synthetic_bars' = '2.5'", "whole number"]),
    ("price=open", ["'price' = 'open'", "close, adj_close"]),
])
def test_a_config_value_out_of_range_names_the_key(btopt, setting, words):
    result = btopt("run", "sma_crossover", "--quiet", "--set", setting)
    refused(result, *words)
    assert "vector" not in result.stderr


def test_a_plugin_that_declares_nothing_still_gets_any_key(btopt):
    result = btopt("run", test_plugin("c_quadratic"), "--quiet", "--jobs", "2", "--set", "offset=10",
                   "--set", "anything=1")
    assert result.returncode == 0, result.stderr


def test_describe_shows_config_keys_and_metric_directions(btopt):
    result = btopt("describe", "sma_crossover")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Config (--set KEY=VALUE)" in out
    assert "commission" in out and "(number, 0 to 1, default 0)" in out
    assert "(choice, close, adj_close, default close)" in out
    assert re.search(r"\n  max_drawdown +lower is better\n", out)
    assert re.search(r"\n  sharpe +higher is better  \(default objective\)\n", out)


def test_objective_max_drawdown_minimises_by_itself(btopt):
    result = btopt("run", "sma_crossover", "--jobs", "2", "--objective", "max_drawdown", "--json", "out.json")
    assert result.returncode == 0, result.stderr
    assert "minimize max_drawdown" in result.stdout
    data = json.loads((btopt.cwd / "out.json").read_text())
    drawdowns = [t["metrics"]["max_drawdown"] for t in ok_trials(data)]
    assert data["best_score"] == min(drawdowns)
    assert min(drawdowns) < max(drawdowns)


@pytest.mark.parametrize("size", ["short", "first", "long"])
def test_descriptors_of_other_sizes_load(btopt, size):
    plugin = test_plugin(f"descriptor_{size}")
    described = btopt("describe", plugin)
    assert described.returncode == 0, described.stderr
    assert "descriptor_sizes 1.0" in described.stdout
    result = btopt("run", plugin, "--quiet", "--jobs", "2", "--report", "r.html", "--json", "out.json")
    assert result.returncode == 0, result.stderr
    data = json.loads((btopt.cwd / "out.json").read_text())
    assert len(ok_trials(data)) == 4
    equity = report_data((btopt.cwd / "r.html").read_text())["equity"]
    # SHORT's equity_curve pointer lies past its struct_size: the host must not use it.
    assert (equity.get("missing") == "this plugin does not report equity curves") == (size == "short")


def test_only_a_descriptor_that_declares_keys_refuses_unknown_ones(btopt):
    for size in ("short", "first"):
        result = btopt("run", test_plugin(f"descriptor_{size}"), "--quiet", "--jobs", "1", "--set", "whatever=1")
        assert result.returncode == 0, result.stderr
    long = test_plugin("descriptor_long")
    refused(btopt("run", long, "--quiet", "--set", "whatever=1"), "no config key 'whatever'", "scale, count, mode, label")
    refused(btopt("run", long, "--quiet", "--set", "scale=11"), "'scale' = '11'", "0 to 10")
    refused(btopt("run", long, "--quiet", "--set", "count=0"), "'count' = '0'", "at least 1")
    refused(btopt("run", long, "--quiet", "--set", "mode=medium"), "fast, slow")
    ok = btopt("run", long, "--quiet", "--jobs", "1", "--set", "scale=10", "--set", "count=7", "--set", "mode=slow",
               "--set", "label=x y")
    assert ok.returncode == 0, ok.stderr


def test_a_longer_descriptor_declares_its_metric_directions(btopt):
    long = test_plugin("descriptor_long")
    described = btopt("describe", long)
    assert re.search(r"\n  loss +lower is better\n", described.stdout)
    assert "scale" in described.stdout and "a factor" in described.stdout
    _, data = btopt.json("run", long, "--quiet", "--jobs", "1", "--objective", "loss")
    assert data["best_score"] == 1
    _, data = btopt.json("run", long, "--quiet", "--jobs", "1", "--objective", "score")
    assert data["best_score"] == 4
