"""`btopt walkforward`: each window's train bars are searched, the best point
is traded on the test bars right after (docs/VALIDATION.md, "Walk-forward")."""
import json
import os
import random
import statistics
import sqlite3
import subprocess
import time

import pytest

from conftest import BTOPT, CRASH_WORDS, SHARED_DATA, test_plugin
from study_chunks import integrity

SANITIZED = os.environ.get("BTOPT_SANITIZED") == "1"

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
    for extra, words, code in ((("--start", "10"), "leave out options 'start' and 'end'", 1),
                               (("--backend", "mpi"), "not mpi yet", 1),
                               (("--report", "r.html"), "--report is written by `btopt run`", 2)):
        result = btopt(*common, *extra)
        assert result.returncode == code and words in result.stderr, result.stderr
        assert "Walk-forward of" not in result.stdout


# ---- walk-forward in a study -------------------------------------------------------

def comparable(data):
    """What a resumed walk-forward must give exactly as an uninterrupted one: every window, its choice and
    metrics, and what is computed from them (everything but times and reuse counts)."""
    windows = [{k: w[k] for k in ("window", "train", "test", "params", "trials", "in_sample_score", "in_sample",
                                  "out_of_sample_status", "out_of_sample_score", "out_of_sample")}
               for w in data["windows"]]
    return (windows, data["status"], data["out_of_sample"], data["walk_forward_efficiency"],
            data["parameter_stability"])


# 10 windows of 64 paths, each evaluation sleeping 2 ms: long enough to be killed in the middle.
STUDY_WALK = ["walkforward", test_plugin("snooper"), "--train", "400", "--test", "300", "--step", "200", "--param",
              "path=0:63", "--set", "delay_us=2000"]


def stored_trials(path):
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return db.execute("SELECT coalesce(sum(count), 0) FROM chunks").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:  # being created
        return 0


def walk_with_kills(cwd, args, kills_wanted, rng):
    """Runs the walk-forward with a study, SIGKILLs it at a random moment after it stored more trials, and
    resumes, until a run ends on its own; returns (kills, its stdout, its JSON)."""
    study = cwd / "s.db"
    kills = 0
    for attempt in range(40):
        before = stored_trials(study)
        process = subprocess.Popen([BTOPT, *args, "--study", "s.db", "--json", "out.json"], cwd=cwd,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if kills < kills_wanted:
            deadline = time.monotonic() + 60
            while process.poll() is None and stored_trials(study) <= before and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.4))
            if process.poll() is None:
                process.kill()
                process.communicate()
                kills += 1
                assert integrity(study) == "ok"
                continue
        stdout, stderr = process.communicate(timeout=120)
        for word in CRASH_WORDS:
            assert word not in stderr, stderr
        assert process.returncode == 0, stdout + stderr
        return kills, stdout, json.loads((cwd / "out.json").read_text())
    pytest.fail("the walk-forward never finished")


@pytest.mark.parametrize("backend, jobs", [("inline", 1), ("thread", 2), ("process", 2)])
def test_a_killed_and_resumed_walk_forward_study_equals_an_uninterrupted_walk_forward(tmp_path, backend, jobs):
    if SANITIZED:
        pytest.skip("timing-dependent kills are too slow under sanitizers")
    args = [*STUDY_WALK, "--backend", backend, "--jobs", str(jobs), "--quiet"]
    reference = tmp_path / "reference"
    reference.mkdir()
    subprocess.run([BTOPT, *args, "--json", "ref.json"], cwd=reference, check=True, capture_output=True, timeout=120)
    expected = json.loads((reference / "ref.json").read_text())
    assert expected["study"] is None and expected["n_reused"] == 0

    seed = random.randrange(1 << 30)
    print(f"kill moments seeded with {seed}")  # shown when the test fails: rerun with it
    resumed = tmp_path / "resumed"
    resumed.mkdir()
    kills, _, final = walk_with_kills(resumed, args, 3, random.Random(seed))
    assert kills == 3
    assert comparable(final) == comparable(expected)
    assert final["study"] == "s.db" and final["n_reused"] > 0
    # Every window's search and test is a run of the study on its own bars: the last command's 20 runs, finished.
    listed = subprocess.run([BTOPT, "export", "s.db", "--list"], cwd=resumed, capture_output=True, text=True,
                            check=True).stdout.splitlines()
    last = listed[-20:]
    assert all(": finished," in line for line in last), listed
    assert [("walkforward-test on bars" in line) for line in last] == [False, True] * 10, last
    assert last[0].endswith("grid on bars 0..399") and last[-1].endswith("walkforward-test on bars 2200..2499"), last


def test_a_second_identical_walk_forward_reuses_everything(tmp_path):
    args = [*STUDY_WALK[:-2], "--validation", "100", "--jobs", "2", "--study", "s.db"]
    subprocess.run([BTOPT, *args, "--json", "a.json"], cwd=tmp_path, check=True, capture_output=True, timeout=120)
    first = json.loads((tmp_path / "a.json").read_text())
    assert first["n_reused"] == 0 and first["n_evaluated"] > 0
    again = subprocess.run([BTOPT, *args, "--json", "b.json"], cwd=tmp_path, capture_output=True, text=True,
                           timeout=120)
    assert again.returncode == 0, again.stderr
    second = json.loads((tmp_path / "b.json").read_text())
    assert comparable(second) == comparable(first)
    # Searches, validations and tests: nothing is evaluated again.
    assert second["n_evaluated"] == 0 and second["n_reused"] == first["n_evaluated"], second
    assert f"{first['n_evaluated']} trials reused, 0 evaluated" in again.stdout, again.stdout
    assert not (tmp_path / "s.db-wal").exists()  # checkpointed into the study as the walk-forward let it go
    assert integrity(tmp_path / "s.db") == "ok"


def test_a_walk_forward_study_refuses_another_setup_naming_it(tmp_path):
    args = ["walkforward", test_plugin("snooper"), "--train", "1000", "--test", "500", "--param", "path=0:7",
            "--quiet", "--study", "s.db"]
    subprocess.run([BTOPT, *args], cwd=tmp_path, check=True, capture_output=True, timeout=120)
    result = subprocess.run([BTOPT, *args, "--set", "seed=8"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1 and "the config changed: seed = 8" in result.stderr, result.stderr
