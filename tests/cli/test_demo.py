"""btopt demo: a grid over sma_crossover's synthetic data on every CPU, the
summary, and btopt-demo-report.html as the only file it leaves."""
from test_report import report_data


def test_demo_writes_only_the_report(btopt):
    result = btopt("demo")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in btopt.cwd.iterdir()] == ["btopt-demo-report.html"]
    assert "sma_crossover 1.0 · grid search · process backend · maximize sharpe" in result.stdout
    assert "Best: trial" in result.stdout and "Trials: 2308 evaluated: 2308 ok" in result.stdout
    assert "Wrote btopt-demo-report.html" in result.stdout
    assert "progress: 2308/2308" in result.stderr
    page = (btopt.cwd / "btopt-demo-report.html").read_text()
    data = report_data(page)
    assert len(data["trials"]) == 2308
    assert len(data["heatmaps"]["fast\nslow"]["cells"]) == 48 * 51  # fast 5..99 step 2 by slow 50..300 step 5
    assert len(data["equity"]["equity"]) == 2520
    # One file that opens anywhere: under 2 MB (docs/DASHBOARD.md says its size).
    assert len(page.encode()) < 2_000_000
