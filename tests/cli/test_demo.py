"""btopt demo: a grid over sma_crossover's synthetic data on every CPU, the
summary, and btopt-demo-report.html as the only file it leaves."""
from test_report import heatmap_cells


def test_demo_writes_only_the_report(btopt):
    result = btopt("demo")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in btopt.cwd.iterdir()] == ["btopt-demo-report.html"]
    assert "sma_crossover 1.0 · grid search · process backend · maximize sharpe" in result.stdout
    assert "Best: trial" in result.stdout and "Trials: 2308 evaluated: 2308 ok" in result.stdout
    assert "Wrote btopt-demo-report.html" in result.stdout
    assert "progress: 2308/2308" in result.stderr
    page = (btopt.cwd / "btopt-demo-report.html").read_text()
    assert len(heatmap_cells(page)) == 48 * 51  # fast 5..99 step 2 by slow 50..300 step 5 and 'class="chart equity"' in page
