"""btopt run --max-seconds: a wall-clock budget. Once it is spent nothing more
is proposed, the trials not started are not evaluated (recorded cancelled,
saying why), and the run ends ok with what it has; the summary says so."""
import json

from conftest import test_plugin

# slow_bowl: 30 x 21 x 2 = 1260 points of 20 ms each: 12.6 s on 2 workers.
SLOW = ("run", test_plugin("slow_bowl"), "--set", "delay_us=20000", "--jobs", "2")


def test_run_ends_ok_on_its_budget_and_says_so(btopt):
    result = btopt(*SLOW, "--max-seconds", "0.5", "--json", "out.json", timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Stopped on the budget: --max-seconds 0.5 ran out" in result.stdout, result.stdout
    data = json.loads((btopt.cwd / "out.json").read_text())
    evaluated = [t for t in data["trials"] if t["status"] == "ok"]
    unstarted = [t for t in data["trials"] if t["status"] == "cancelled"]
    assert evaluated and len(evaluated) < 1260
    assert all("max_seconds" in t["error"] for t in unstarted)
    assert data["best_score"] == max(t["score"] for t in evaluated)
    # a grid in order: what ran is the grid's beginning
    assert [t["id"] for t in data["trials"]] == list(range(len(data["trials"])))


def test_negative_budget_is_refused(btopt):
    result = btopt(*SLOW, "--max-seconds", "-1")
    assert result.returncode != 0 and "--max-seconds" in result.stderr, result.stderr
