"""--report: one self-contained HTML file with the settings, a heatmap (one
.cell per grid point inside #heatmap), convergence for random and genetic
runs, the equity curve against buy-and-hold, and the top trials; checked as
text and in a real browser (headless Chromium; skipped where it is absent)."""
import html
import json
import re

import pytest

from browser import Page, find_chromium
from conftest import ARTIFACTS, test_plugin


def heatmap_cells(page):
    """The <rect class="cell ..."> elements of <svg id="heatmap">, with their titles."""
    svg = page.split('<svg id="heatmap"', 1)[1].split("</svg>", 1)[0]
    cells = re.findall(r'<rect class="cell( [a-z]+)?"[^>]*><title>(.*?)</title></rect>', svg, re.S)
    return [(kind.strip(), html.unescape(title)) for kind, title in cells]


def title_score(title, metric):
    """The score a cell's title shows (4 decimals or 4 significant digits)."""
    return float(re.search(rf"\n{metric} (\S+)", title).group(1))


def close(shown, value):
    return abs(shown - value) <= max(5e-5, abs(value) * 1e-3)


def report(btopt, *args, name="report.html"):
    result = btopt("run", *args, "--quiet", "--report", name, "--json", "out.json")
    assert result.returncode == 0, result.stderr
    return (btopt.cwd / name).read_text(), json.loads((btopt.cwd / "out.json").read_text())


def test_report_is_self_contained(btopt):
    page, _ = report(btopt, "sma_crossover", "--jobs", "2")
    assert page.startswith("<!doctype html>")
    assert "http://" not in page and "https://" not in page and "//cdn" not in page
    assert "<script" not in page and "<link rel=\"stylesheet\"" not in page and "<img" not in page
    assert "@import" not in page and "url(http" not in page


def test_grid_report_has_a_cell_per_grid_point_and_the_sections(btopt):
    page, data = report(btopt, "sma_crossover", "--jobs", "2", "--top", "4")
    cells = heatmap_cells(page)
    assert len(cells) == 9 * 7  # every (fast, slow) of the grid, fast=50,slow=50 included
    by_point = {(t["params"]["fast"], t["params"]["slow"]): t for t in data["trials"]}
    for kind, title in cells:
        fast, slow = map(int, re.match(r"fast = (\d+), slow = (\d+)", title).groups())
        if (fast, slow) in by_point:
            assert kind == "" and close(title_score(title, "sharpe"), by_point[fast, slow]["score"])
        else:
            assert kind == "empty" and fast >= slow  # the plugin's constraint left it out
    assert 'class="best-ring"' in page
    assert "Settings" in page and "fast &lt; slow" in page
    assert 'class="chart equity"' in page and "buy and hold" in page
    assert 'class="chart convergence"' not in page  # a grid has nothing to converge
    top = page.split("<h2>Top 4 trials</h2>", 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    assert top.count("<tr") == 4 and top.count('<tr class="best">') == 1


def test_random_report_has_convergence(btopt):
    page, data = report(btopt, "sma_crossover", "--jobs", "2", "--algorithm", "random", "--iterations", "20")
    assert 'class="chart convergence"' in page
    assert page.count('<circle class="dot"') == 20
    cells = heatmap_cells(page)
    assert len(cells) == 63 and sum(kind == "" for kind, _ in cells) == 20


def test_heatmap_flag_and_best_over_the_other_parameters(btopt):
    page, data = report(btopt, "rsi_reversion", "--jobs", "2", "--param", "period=5:10:5", "--heatmap", "upper,lower")
    cells = heatmap_cells(page)
    assert len(cells) == 7 * 7
    for _, title in cells:
        upper, lower = map(int, re.match(r"upper = (\d+), lower = (\d+)", title).groups())
        scores = [t["score"] for t in data["trials"]
                  if t["params"]["upper"] == upper and t["params"]["lower"] == lower]
        assert len(scores) == 2 and "best of 2 trials" in title
        assert close(title_score(title, "sharpe"), max(scores))


def test_categorical_heatmap_and_a_plugin_without_equity_curves(btopt):
    page, _ = report(btopt, test_plugin("c_quadratic"), "--jobs", "2", "--heatmap", "x,mode")
    assert len(heatmap_cells(page)) == 11 * 2
    assert "No equity chart: this plugin does not report equity curves" in page


def test_heatmap_of_a_continuous_parameter_uses_bins(btopt):
    page, _ = report(btopt, test_plugin("c_quadratic"), "--algorithm", "genetic", "--param", "y=-1:1",
                     "--population", "10", "--generations", "3", "--heatmap", "y,x")
    cells = heatmap_cells(page)
    assert len(cells) == 24 * 11
    assert 'class="chart convergence"' in page


def test_cancelled_or_failed_trials_are_listed(btopt):
    page, _ = report(btopt, test_plugin("faulty"), "--jobs", "2", "--set", "fail_mod=7", "--ignore-errors")
    assert "Trials that did not finish ok" in page and "refused point 7" in page


@pytest.fixture(scope="module")
def chromium():
    path = find_chromium()
    if not path:
        pytest.skip("chromium is not installed")
    return path


def test_the_browser_check_sees_console_errors_and_failed_loads(chromium, tmp_path):
    control = tmp_path / "control.html"
    control.write_text('<!doctype html><p>x</p><script>console.error("control error")</script><img src="gone.png">')
    with Page(chromium) as page:
        page.load(control.as_uri())
        problems = page.problems()
    assert any("control error" in p for p in problems)
    assert any("gone.png" in p for p in problems)


def test_report_in_a_real_browser(chromium, btopt):
    report(btopt, "sma_crossover", "--jobs", "2", "--param", "fast=10:45:5")
    with Page(chromium) as page:
        page.load((btopt.cwd / "report.html").as_uri())
        assert page.problems() == []
        assert page.evaluate("document.querySelectorAll('#heatmap .cell').length") == 8 * 7
        assert page.evaluate("document.querySelectorAll('#heatmap .cell > title').length") == 8 * 7
        assert page.evaluate("document.querySelectorAll('svg.chart.equity polyline').length") == 2
        # Laid out, not only parsed: the heatmap has a size on the page.
        assert page.evaluate("document.getElementById('heatmap').getBoundingClientRect().width") > 400
        shot = ARTIFACTS / "report-screenshot.png"
        page.screenshot(shot)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20000
