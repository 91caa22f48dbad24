"""Bar ranges: --start and --end restrict a run to a range of the data's bars
(docs/CLI.md, "Bar ranges"). The bars before the range warm the indicators up
but are not traded; a plugin without ranges and a bar outside the data are
refused before anything runs, naming the flag."""
import csv
import json
import math

import pytest

from conftest import SHARED_DATA, test_plugin

GOOG = SHARED_DATA / "GOOG.csv"
needs_goog = pytest.mark.skipif(not GOOG.exists(), reason="../shared/data is absent")


def goog_bars():
    with open(GOOG, newline="") as f:
        rows = list(csv.reader(f))[1:]
    return [r[0] for r in rows], [float(r[4]) for r in rows]


def momentum_metrics(closes, lookback, threshold_x100, first, end):
    """The momentum strategy and the kit's sharpe and total return, written
    from docs/METRICS.md: positions over every bar, returns of bars first+1 ..
    end-1 (no position is held into the range)."""
    pos = [1 if t >= lookback and closes[t] / closes[t - lookback] - 1.0 > threshold_x100 / 100.0 else 0
           for t in range(len(closes))]
    c, p = closes[first:end], pos[first:end]
    r = [p[t - 1] * (c[t] / c[t - 1] - 1.0) for t in range(1, len(c))]
    mean = sum(r) / len(r)
    sd = math.sqrt(sum((x - mean) ** 2 for x in r) / (len(r) - 1))
    total = math.prod(1.0 + x for x in r) - 1.0
    return mean / sd * math.sqrt(252.0), total


def trial_metrics(data, lookback, threshold):
    for t in data["trials"]:
        if t["params"] == {"lookback": lookback, "threshold_x100": threshold}:
            return t["metrics"]
    raise AssertionError("no such trial")


@needs_goog
def test_a_range_trades_only_its_bars_with_warm_up_before_it(btopt):
    dates, closes = goog_bars()
    first, last = dates.index("2009-01-02"), dates.index("2011-12-30")
    _, data = btopt.json("run", "momentum", "--data", GOOG, "--param", "lookback=50:60:10", "--param",
                         "threshold_x100=2:3", "--jobs", "2", "--quiet", "--start", "2009-01-01", "--end",
                         "2011-12-31")
    assert len(data["trials"]) == 4
    for lookback in (50, 60):
        for threshold in (2, 3):
            sharpe, total = momentum_metrics(closes, lookback, threshold, first, last + 1)
            m = trial_metrics(data, lookback, threshold)
            assert m["sharpe"] == pytest.approx(sharpe, rel=1e-9)
            assert m["total_return"] == pytest.approx(total, rel=1e-9)


@needs_goog
def test_the_whole_data_as_a_range_equals_no_range_and_dates_equal_bar_numbers(btopt):
    dates, _ = goog_bars()
    common = ("run", "momentum", "--data", GOOG, "--param", "lookback=20:40:10", "--quiet")
    _, whole = btopt.json(*common, name="whole.json")
    _, ranged = btopt.json(*common, "--start", "0", "--end", len(dates) - 1, name="ranged.json")
    assert len(ranged["trials"]) == len(whole["trials"]) == 30
    for a, b in zip(ranged["trials"], whole["trials"]):
        assert a["metrics"] == pytest.approx(b["metrics"], rel=1e-12)
    _, by_date = btopt.json(*common, "--start", "2010-01-04", "--end", "2010-12-31", name="by_date.json")
    _, by_bar = btopt.json(*common, "--start", dates.index("2010-01-04"), "--end", dates.index("2010-12-31"),
                           name="by_bar.json")
    assert [t["metrics"] for t in by_date["trials"]] == [t["metrics"] for t in by_bar["trials"]]
    # The statistics read the per-block returns that the files leave out ("btopt." metrics): the same blocks.
    assert by_date["selection"] == by_bar["selection"]


@needs_goog
@pytest.mark.parametrize("plugin", ["sma_crossover", "momentum", "rsi_reversion", "donchian_breakout"])
def test_every_backend_trades_the_same_range(btopt, plugin):
    outcomes = []
    for backend, jobs in (("inline", 1), ("thread", 2), ("process", 2)):
        _, data = btopt.json("run", plugin, "--data", GOOG, "--backend", backend, "--jobs", jobs, "--quiet",
                             "--start", "2008-06-01", "--end", "2010-06-01", "--ignore-errors",
                             name=f"{backend}.json")
        outcomes.append([(t["params"], t["metrics"]) for t in data["trials"]] + [data["selection"]])
    assert outcomes[0] == outcomes[1] == outcomes[2]
    assert any(m["trades"] > 0 for _, m in outcomes[0][:-1])


def test_a_bar_outside_the_data_is_refused_naming_the_flag(btopt):
    # The synthetic series (2520 bars) of a sample plugin.
    result = btopt("run", "momentum", "--start", "3000")
    assert result.returncode == 1
    assert "option 'start' (--start) = '3000': the data has bars 0 to 2519 only" in result.stderr
    result = btopt("run", "momentum", "--start", "20", "--end", "10")
    assert result.returncode == 1 and "leave no bar" in result.stderr
    result = btopt("run", "momentum", "--end", "2010-02-30")
    assert result.returncode == 2 and "--end 2010-02-30" in result.stderr and "YYYY-MM-DD" in result.stderr


@needs_goog
def test_a_date_outside_the_data_names_the_data_s_dates(btopt):
    result = btopt("run", "momentum", "--data", GOOG, "--end", "2020-01-01")
    assert result.returncode == 1
    assert "option 'end' (--end) = '2020-01-01': the data runs from 2004-08-19 to 2013-03-01" in result.stderr


def test_a_plugin_without_ranges_is_refused_before_it_runs(btopt):
    result = btopt("run", test_plugin("c_quadratic"), "--start", "10")
    assert result.returncode != 0
    assert "cannot evaluate a range of bars" in result.stderr and "--start" in result.stderr
    assert "Evaluat" not in result.stdout


def test_a_study_tells_runs_on_other_bars_apart(btopt):
    # Runs on other bars belong in the same study (a walk-forward's windows do), and reuse nothing of each other.
    _, first = btopt.json("run", "momentum", "--quiet", "--study", "s.db", "--start", "100", name="a.json")
    _, other = btopt.json("run", "momentum", "--quiet", "--study", "s.db", "--start", "200", name="c.json")
    assert other["n_reused"] == 0
    assert [t["metrics"] for t in other["trials"]] != [t["metrics"] for t in first["trials"]]
    _, whole = btopt.json("run", "momentum", "--quiet", "--study", "s.db", name="d.json")
    assert whole["n_reused"] == 0
    _, again = btopt.json("run", "momentum", "--quiet", "--study", "s.db", "--start", "100", name="b.json")
    assert again["n_reused"] == again["n_trials"] == first["n_trials"]
    assert [t["metrics"] for t in again["trials"]] == [t["metrics"] for t in first["trials"]]
    assert again["provenance"]["bars"]["first_bar"] == 100 and "bars" not in whole["provenance"]
    assert again["selection"] == first["selection"]  # from the per-block returns, which the files leave out
