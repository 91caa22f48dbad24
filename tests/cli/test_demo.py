"""btopt demo: a grid over sma_crossover's synthetic data on every CPU, the
summary, and btopt-demo-report.html as the only file it leaves."""
from test_report import heatmap_cells


def test_demo_writes_only_the_report(btopt):
    result = btopt("demo")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in btopt.cwd.iterdir()] == ["btopt-demo-report.html"]
    assert "sma_crossover 1.0 · grid search · process backend · maximize sharpe" in result.stdout
    assert "Best: trial" in result.stdout and "Trials: 62 evaluated: 62 ok" in result.stdout
    assert "Wrote btopt-demo-report.html" in result.stdout
    assert "progress: 62/62" in result.stderr
    page = (btopt.cwd / "btopt-demo-report.html").read_text()
    assert len(heatmap_cells(page)) == 63 and 'class="chart equity"' in page
