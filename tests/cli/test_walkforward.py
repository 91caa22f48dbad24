"""`btopt walkforward`: each window's train bars are searched, the best point
is traded on the test bars right after (docs/VALIDATION.md, "Walk-forward")."""
import json
import statistics

import pytest

from conftest import SHARED_DATA, test_plugin

SAMPLES = ["sma_crossover", "momentum", "rsi_reversion", "donchian_breakout"]


def windows_of(data):
    """What must not depend on the backend or the worker count."""
    return [{k: w[k] for k in ("window", "train", "test", "params", "in_sample", "out_of_sample")}
            for w in data["windows"]]


def test_selection_that_knows_the_train_future_gains_nothing_out_of_sample(btopt):
    _, data = btopt.json("walkforward", test_plugin("snooper"), "--train", "500", "--test", "250", "--jobs", "2",
                         "--quiet")
    windows = data["windows"]
    assert len(windows) == 8  # 500 + 250 k + 250 <= 2520
    in_sample = [w["in_sample"]["sharpe"] for w in windows]
    out_of_sample = [w["out_of_sample"]["sharpe"] for w in windows]
    assert min(in_sample) > 2.0, in_sample  # the best of 4096 paths looks excellent on its own bars
    assert abs(statistics.mean(out_of_sample)) < 0.6, out_of_sample  # and knows nothing after them
    assert abs(data["walk_forward_efficiency"]["efficiency"]) < 0.3, data["walk_forward_efficiency"]


def test_windows_are_the_same_for_every_backend_and_worker_count(btopt):
    runs = []
    for backend, jobs in (("inline", 1), ("thread", 2), ("process", 1), ("process", 2)):
        _, data = btopt.json("walkforward", test_plugin("snooper"), "--train", "400", "--test", "300", "--step",
                             "200", "--param", "path=0:255", "--backend", backend, "--jobs", jobs, "--quiet",
                             name=f"{backend}{jobs}.json")
        runs.append(windows_of(data))
    assert runs[0] == runs[1] == runs[2] == runs[3]
    assert [w["train"]["first_bar"] for w in runs[0]] == [0, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800]


def test_anchored_windows_all_train_from_the_first_bar(btopt):
    _, data = btopt.json("walkforward", test_plugin("snooper"), "--train", "1000", "--test", "500", "--anchored",
                         "--param", "path=0:15", "--quiet")
    assert [(w["train"]["first_bar"], w["train"]["last_bar"], w["test"]["first_bar"], w["test"]["last_bar"])
            for w in data["windows"]] == [(0, 999, 1000, 1499), (0, 1499, 1500, 1999), (0, 1999, 2000, 2499)]


def test_a_validation_period_chooses_the_best_of_the_top_train_points_on_its_own_bars(btopt):
    _, data = btopt.json("walkforward", test_plugin("snooper"), "--train", "500", "--validation", "250", "--test",
                         "250", "--jobs", "2", "--quiet")
    windows = data["windows"]
    assert len(windows) == 7 and data["validation"] == "250"
    for w in windows:
        assert (w["train"]["last_bar"] + 1, w["validation"]["last_bar"] + 1) == (w["validation"]["first_bar"],
                                                                                  w["test"]["first_bar"])
        assert w["validation_candidates"] == 10
    # The chosen point is the best on the validation bars among the 10 best on the train
    # bars: its in-sample score is one of those, and not always the very best.
    _, plain = btopt.json("walkforward", test_plugin("snooper"), "--train", "500", "--test", "250", "--jobs", "2",
                          "--quiet", name="plain.json")
    assert any(w["in_sample_score"] < p["in_sample_score"] for w, p in zip(windows, plain["windows"]))


def test_the_plugin_is_initialised_once_for_every_window(btopt, tmp_path):
    log = tmp_path / "init.log"
    _, data = btopt.json("walkforward", test_plugin("snooper"), "--train", "500", "--test", "250", "--param",
                         "path=0:63", "--jobs", "2", "--set", f"init_log={log}", "--quiet")
    assert len(data["windows"]) == 8
    assert len(log.read_text().split()) == 1


def test_windows_that_do_not_fit_the_data_are_refused_naming_the_window(btopt):
    result = btopt("walkforward", test_plugin("snooper"), "--train", "2500", "--test", "100")
    assert result.returncode == 1
    assert "walk-forward window 1 does not fit the data" in result.stderr and "--train" in result.stderr
    result = btopt("walkforward", test_plugin("snooper"), "--train", "500", "--test", "1")
    assert result.returncode == 1
    assert "walk-forward window 1 has a test period of 1 bar(s)" in result.stderr
    result = btopt("walkforward", test_plugin("snooper"), "--train", "2y", "--test", "6m")
    assert result.returncode == 1 and "need dated bars" in result.stderr
    result = btopt("walkforward", test_plugin("snooper"), "--train", "2q", "--test", "6m")
    assert result.returncode == 1 and "--train" in result.stderr and "'2q'" in result.stderr


def test_a_plugin_without_ranges_is_refused(btopt):
    result = btopt("walkforward", test_plugin("c_quadratic"), "--train", "10", "--test", "10")
    assert result.returncode == 1
    assert "cannot evaluate a range of bars" in result.stderr and "walk-forward" in result.stderr


def test_the_summary_shows_every_window_efficiency_and_stability(btopt):
    result = btopt("walkforward", test_plugin("snooper"), "--train", "1000", "--test", "500", "--param", "path=0:15")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Walk-forward of snooper: 3 windows" in out
    assert "Walk-forward efficiency:" in out and "Parameter stability across windows:" in out
    assert "path:" in out


@pytest.mark.skipif(not (SHARED_DATA / "GOOG.csv").exists(), reason="../shared/data is absent")
@pytest.mark.parametrize("plugin", SAMPLES)
def test_every_sample_plugin_walks_forward_on_goog_in_calendar_windows(btopt, plugin):
    result, data = btopt.json("walkforward", plugin, "--data", SHARED_DATA / "GOOG.csv", "--train", "2y", "--test",
                              "6m", "--jobs", "2")
    windows = data["windows"]
    assert len(windows) >= 10
    assert windows[0]["train"]["start"] == "2004-08-19" and windows[0]["test"]["start"] >= "2006-08-19"
    for before, after in zip(windows, windows[1:]):
        assert after["test"]["first_bar"] == before["test"]["last_bar"] + 1  # test windows tile the data
    assert all(w["out_of_sample_status"] == "ok" for w in windows)
    assert "Walk-forward efficiency" in result.stdout


# EURUSD holds 5000 hourly bars (under a year): shorter windows.
@pytest.mark.parametrize("data_file, train, test", [("NVDA.csv", "2y", "6m"), ("ORCL.csv", "2y", "6m"),
                                                    ("YHOO.csv", "2y", "6m"), ("EURUSD.csv", "3m", "1m")])
def test_sma_crossover_walks_forward_on_the_other_shared_data(btopt, data_file, train, test):
    if not (SHARED_DATA / data_file).exists():
        pytest.skip("../shared/data is absent")
    _, data = btopt.json("walkforward", "sma_crossover", "--data", SHARED_DATA / data_file, "--train", train, "--test",
                         test, "--jobs", "2", "--quiet")
    assert len(data["windows"]) >= 2
    assert all(w["out_of_sample_status"] == "ok" for w in data["windows"])


def test_what_a_walk_forward_cannot_do_yet_is_refused_by_name(btopt):
    common = ("walkforward", "momentum", "--train", "500", "--test", "250")
    for extra, words, code in ((("--study", "s.db"), "not recorded in a study yet", 1),
                               (("--start", "10"), "leave out options 'start' and 'end'", 1),
                               (("--backend", "mpi"), "not mpi yet", 1),
                               (("--report", "r.html"), "--report is written by `btopt run`", 2)):
        result = btopt(*common, *extra)
        assert result.returncode == code and words in result.stderr, result.stderr
        assert "Walk-forward of" not in result.stdout
