"""Real price files from ../shared/data (skipped when the folder is absent)."""
import pytest

from conftest import SHARED_DATA
from test_report import report_data

pytestmark = pytest.mark.skipif(not (SHARED_DATA / "GOOG.csv").exists(), reason="../shared/data is absent")


def test_goog(btopt):
    result, data = btopt.json("run", "sma_crossover", "--jobs", "2", "--data", SHARED_DATA / "GOOG.csv",
                              "--report", "goog.html")
    assert data["plugin"] == "sma_crossover" and data["n_trials"] == 62
    assert all(t["status"] == "ok" for t in data["trials"])
    assert "Best: trial" in result.stdout
    page = report_data((btopt.cwd / "goog.html").read_text())
    assert len(page["equity"]["equity"]) == 2148
    assert page["provenance"]["provenance"]["data"]["data"]["file"].endswith("GOOG.csv")


def test_adjusted_closes_need_the_column(btopt):
    result = btopt("run", "momentum", "--quiet", "--data", SHARED_DATA / "GOOG.csv", "--set", "price=adj_close")
    assert result.returncode == 1
    assert "Adj Close" in result.stderr
    _, data = btopt.json("run", "momentum", "--jobs", "2", "--quiet", "--data", SHARED_DATA / "ORCL.csv",
                         "--set", "price=adj_close")
    assert data["n_trials"] == 100
