"""btopt run --require: a constraint over a trial's metrics. A trial that
breaks it is recorded as infeasible with its score and metrics, is never the
best, and the run goes on; an unknown metric is refused before any trial."""
import json

from conftest import test_plugin

# c_quadratic: x in -5..5 (x != 0), y in -1..1 by 0.5, mode add|mul;
# metrics x_times_y and score = -(x - 2)^2 - y^2 (+0.5 for mul).
QUADRATIC = ("run", test_plugin("c_quadratic"), "--quiet", "--param", "mode=add")


def by_point(data):
    return {tuple(t["params"].values()): t for t in data["trials"]}


def test_grid_best_under_require_is_the_best_of_the_filtered_grid(btopt):
    _, free = btopt.json(*QUADRATIC, "--jobs", "2", name="free.json")
    _, held = btopt.json(*QUADRATIC, "--jobs", "2", "--require", "x_times_y <= -1", name="held.json")
    feasible = [t for t in free["trials"] if t["status"] == "ok" and t["metrics"]["x_times_y"] <= -1]
    assert feasible and len(feasible) < len(free["trials"])
    best = max(feasible, key=lambda t: (t["score"], -t["id"]))
    assert held["best_params"] == best["params"] and held["best_score"] == best["score"]
    assert held["best_score"] < free["best_score"]  # the unconstrained best (x=2, y=0) breaks it
    same = by_point(free)
    for t in held["trials"]:
        want = "ok" if t["metrics"]["x_times_y"] <= -1 else "infeasible"
        assert t["status"] == want, t
        # an infeasible trial keeps what it scored, so users see why
        assert t["score"] == same[tuple(t["params"].values())]["score"]
        assert t["metrics"] == same[tuple(t["params"].values())]["metrics"]


def test_summary_counts_infeasible_trials(btopt):
    result = btopt("run", test_plugin("c_quadratic"), "--param", "mode=add", "--jobs", "1", "--require",
                   "x_times_y <= -1 && score > -50")
    assert result.returncode == 0, result.stderr
    assert "infeasible" in result.stdout, result.stdout


def test_require_names_the_score(btopt):
    _, data = btopt.json(*QUADRATIC, "--require", "score >= -2")
    assert {t["status"] for t in data["trials"]} == {"ok", "infeasible"}
    assert all((t["status"] == "ok") == (t["score"] >= -2) for t in data["trials"])


def test_unknown_metric_is_refused_before_any_trial(btopt):
    result = btopt(*QUADRATIC, "--require", "trades >= 30", "--json", "out.json")
    assert result.returncode != 0
    assert "trades" in result.stderr and "x_times_y" in result.stderr, result.stderr
    assert not (btopt.cwd / "out.json").exists()


def test_require_that_does_not_parse_is_refused(btopt):
    result = btopt(*QUADRATIC, "--require", "x_times_y >")
    assert result.returncode != 0 and "require" in result.stderr, result.stderr


def test_bayesian_search_with_require_is_the_same_for_any_jobs(btopt):
    args = (*QUADRATIC, "--algorithm", "bayesian", "--param", "y=-1:1", "--iterations", "20", "--seed", "5",
            "--require", "x_times_y <= 0")
    _, one = btopt.json(*args, "--jobs", "1", name="one.json")
    _, three = btopt.json(*args, "--jobs", "3", name="three.json")
    assert [(t["params"], t["status"]) for t in one["trials"]] == [(t["params"], t["status"]) for t in three["trials"]]
    assert "infeasible" in {t["status"] for t in one["trials"]}
    assert one["best_params"]["x"] * one["best_params"]["y"] <= 0


def test_dashboard_shows_infeasible_cells_apart_from_failed_ones(btopt):
    from test_dashboard import Server
    result = btopt(*QUADRATIC, "--require", "x_times_y <= -1", "--study", "s.db")
    assert result.returncode == 0, result.stderr
    _, free = btopt.json(*QUADRATIC, name="free.json")
    feasible = {(t["params"]["x"], t["params"]["y"]): t["metrics"]["x_times_y"] <= -1 for t in free["trials"]}
    with Server(btopt.cwd, "dashboard", btopt.cwd / "s.db") as server:
        summary = server.api("summary")
        assert summary["statuses"]["infeasible"] == list(feasible.values()).count(False) > 0
        heatmap = server.api("heatmap", x="x", y="y", metric="score")
        xs, ys = heatmap["x"]["labels"], heatmap["y"]["labels"]
        for cx, cy, value, state, count, number in heatmap["cells"]:
            point = (int(xs[cx]), float(ys[cy]))
            if point not in feasible:
                assert state == "none"  # x == 0: the plugin's own constraint leaves it out
            else:
                assert state == ("ok" if feasible[point] else "infeasible"), point
                assert (value is None) == (state == "infeasible") and count == 1


def test_a_study_resumed_with_another_require_judges_its_stored_trials_again(btopt):
    # --keep 0: with a study a run keeps only its best ok trials in memory by default
    study = ("--study", "s.db", "--keep", "0")
    _, held = btopt.json(*QUADRATIC, "--require", "x_times_y <= -1", *study, name="held.json")
    assert "infeasible" in {t["status"] for t in held["trials"]}
    _, free = btopt.json(*QUADRATIC, *study, name="free.json")  # every outcome reused, none evaluated
    assert {t["status"] for t in free["trials"]} == {"ok"}
    assert all(t["seconds"] == h["seconds"] for t, h in zip(free["trials"], held["trials"]))  # stored, not rerun
    assert [t["score"] for t in free["trials"]] == [t["score"] for t in held["trials"]]
    _, again = btopt.json(*QUADRATIC, "--require", "x_times_y >= 1", *study, name="again.json")
    assert all((t["status"] == "ok") == (t["metrics"]["x_times_y"] >= 1) for t in again["trials"])
