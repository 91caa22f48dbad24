"""The HTML report is the dashboard's page, frozen: `btopt run --report F` and
`btopt report STUDY --report F [--run N]` write one file with the page, its
script, style and ECharts inlined and one run of the study embedded (the API's
answers and the trials). Checked as data (the embedded JSON against the
run's --json and the study) and in a real browser (headless Chromium over
DevTools) from file:// with the network off: nothing is fetched, and it shows
what the live dashboard shows for the same study."""
import json
import re
import signal
import subprocess
import time

import pytest

from browser import Page, find_chromium
from conftest import ARTIFACTS, BTOPT, test_plugin
from study_chunks import stored_trials
from test_dashboard import BROWSER, GRID, HEATMAP_CELLS, Server, study_trials, wait_for


def report_data(page):
    """The run embedded in a report page."""
    match = re.search(r'<script type="application/json" id="btopt-report">(.*?)</script>', page, re.S)
    assert match, "the page embeds no run"
    return json.loads(match.group(1))


def report(btopt, *args, name="report.html"):
    """Runs with --report and --json: (the embedded data, the run's JSON)."""
    result = btopt("run", *args, "--quiet", "--report", name, "--json", "out.json")
    assert result.returncode == 0, result.stderr
    return report_data((btopt.cwd / name).read_text()), json.loads((btopt.cwd / "out.json").read_text())


def decoded(data):
    """The embedded trials by number: status, score, params (by name; choices by index), metrics, error."""
    s = data["summary"]
    names, metrics = [p["name"] for p in s["params"]], s["metrics"]
    out = {}
    for row in data["trials"]:
        values = row[6:]
        out[row[0]] = {"status": row[1], "score": row[2], "error": row[5],
                       "params": dict(zip(names, values[:len(names)])),
                       "metrics": dict(zip(metrics, values[len(names):]))}
    return out


def test_report_is_one_file_with_everything_inlined(btopt):
    report(btopt, "sma_crossover", "--jobs", "2")
    page = (btopt.cwd / "report.html").read_text()
    assert page.startswith("<!doctype html>")
    markup = re.sub(r"(<script[^>]*>).*?</script>", r"\1</script>", page, flags=re.S)  # the page without script bodies
    assert markup.count("<script") == 3  # ECharts, the run, the page's script: inline
    assert "<script src" not in markup and "<link" not in markup.replace('<link rel="icon" href="data:,">', "")
    assert "<img" not in markup and "{{token}}" not in page and "?token=" not in markup and "@import" not in page
    assert "Apache ECharts 6.1.0" in markup and "echarts.init" in page
    # the run's own temporary study is gone
    assert sorted(p.name for p in btopt.cwd.iterdir()) == ["out.json", "report.html"]


def test_report_embeds_every_trial_and_a_cell_per_grid_point(btopt):
    data, run = report(btopt, "sma_crossover", "--jobs", "2")
    trials = decoded(data)
    assert len(trials) == len(run["trials"]) == 62  # 9 x 7, less fast = slow = 50
    for t in run["trials"]:
        mine = trials[t["id"]]
        assert mine["status"] == t["status"] and mine["score"] == t["score"]  # the exact double
        assert mine["params"] == t["params"]
        assert mine["metrics"] == t["metrics"]  # neither shows the "btopt." ones
    assert data["summary"]["best"]["score"] == max(t["score"] for t in run["trials"])
    heatmap = data["heatmaps"]["fast\nslow"]
    assert heatmap["x"]["labels"] == [str(v) for v in range(10, 55, 5)]  # integers: no "1.96e+03", no "43.7"
    assert len(heatmap["cells"]) == 9 * 7  # every (fast, slow) of the grid, fast=50,slow=50 included
    by_point = {(t["params"]["fast"], t["params"]["slow"]): t for t in run["trials"]}
    for x, y, value, state, count, number in heatmap["cells"]:
        point = (int(heatmap["x"]["labels"][x]), int(heatmap["y"]["labels"][y]))
        if point in by_point:
            assert state == "ok" and value == by_point[point]["score"] and number == by_point[point]["id"]
        else:
            assert state == "none" and point[0] >= point[1]  # the plugin's constraint left it out
    assert "fast < slow" in data["provenance"]["provenance"]["space"]["constraints"]
    assert data["selection"]["dsr"] == pytest.approx(run["selection"]["dsr"], rel=1e-12)


def test_binned_heatmap_says_so(btopt):
    data, _ = report(btopt, test_plugin("c_quadratic"), "--algorithm", "random", "--iterations", "30",
                     "--param", "y=-1:1", "--jobs", "2")
    heatmap = data["heatmaps"]["x\ny"]
    assert heatmap["y"]["binned"] and len(heatmap["y"]["labels"]) == 40 and "–" in heatmap["y"]["labels"][0]
    assert not heatmap["x"]["binned"]


def test_failed_and_cancelled_trials_are_kept_apart(btopt):
    data, _ = report(btopt, test_plugin("faulty"), "--jobs", "2", "--set", "fail_mod=7", "--ignore-errors")
    failed = [t for t in decoded(data).values() if t["status"] == "failed"]
    assert failed and all("refused point" in t["error"] for t in failed)
    assert data["summary"]["statuses"]["failed"] == len(failed)


def test_a_plugin_without_equity_curves_says_so(btopt):
    data, _ = report(btopt, test_plugin("c_quadratic"), "--jobs", "2")
    assert data["equity"] == {"missing": "this plugin does not report equity curves"}


def test_report_of_a_study_while_a_run_writes_it_and_after(btopt):
    """btopt report STUDY: a consistent moment of a running study, then the whole run; --run picks one."""
    plugin = test_plugin("faulty")
    first = btopt("run", plugin, "--jobs", "2", "--study", "s.db", "--quiet")
    assert first.returncode == 0, first.stderr
    # Trials with a == 5 never return: the second run goes on until Ctrl-C.
    run = subprocess.Popen([BTOPT, "run", plugin, "--set", "hang_at=5", "--jobs", "2", "--study", "s.db",
                            "--study-mode", "new", "--quiet"], cwd=btopt.cwd, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if stored_trials(btopt.cwd / "s.db", run=2)[0]:
                break
            time.sleep(0.2)
        result = btopt("report", "s.db", "--report", "during.html")
        assert result.returncode == 0, result.stderr
        assert run.poll() is None, "the run should still be going"
    finally:
        run.send_signal(signal.SIGINT)
        assert run.wait(timeout=60) == 130, run.stderr.read()
    during = report_data((btopt.cwd / "during.html").read_text())
    assert during["summary"]["run"]["id"] == 2 and during["summary"]["run"]["status"] == "running"
    assert 0 < len(during["trials"]) < 100
    stored = {t["number"]: t["score"] for t in stored_trials(btopt.cwd / "s.db", run=2)[0]}
    assert all(stored[row[0]] == row[2] for row in during["trials"])

    result = btopt("report", "s.db", "--report", "after.html")
    assert result.returncode == 0 and "Wrote after.html" in result.stdout, result.stderr
    after = report_data((btopt.cwd / "after.html").read_text())
    assert after["summary"]["run"]["status"] == "cancelled" and len(after["trials"]) == len(stored)
    assert after["summary"]["statuses"]["cancelled"] > 0

    result = btopt("report", "s.db", "--report", "one.html", "--run", "1")
    assert result.returncode == 0, result.stderr
    one = report_data((btopt.cwd / "one.html").read_text())
    assert one["summary"]["run"]["status"] == "finished" and len(one["trials"]) == 100


@pytest.mark.parametrize("args,words", [
    (["nothing.db"], "study 'nothing.db' does not exist"),
    (["s.db", "--run", "7"], "has no run 7"),
    (["notastudy.txt"], "not a btopt study"),
])
def test_report_refusals(btopt, args, words):
    (btopt.cwd / "notastudy.txt").write_text("not a database at all, just text " * 100)
    result = btopt("run", "sma_crossover", "--jobs", "1", "--study", "s.db", "--quiet")
    assert result.returncode == 0, result.stderr
    result = btopt("report", *args, "--report", "r.html")
    assert result.returncode == 1 and words in result.stderr, result.stderr
    assert not (btopt.cwd / "r.html").exists()


# What the page shows, as text and chart data: the same for the dashboard and the report.
SNAPSHOT = """(() => {
  const $ = (id) => document.getElementById(id);
  const series = (id) => { const c = echarts.getInstanceByDom($(id)); const o = c && c.getOption();
    return o && o.series ? o.series.map(s => [s.name, s.data.map(d => d && d.value !== undefined ? d.value : d)]) : null; };
  const axis = (id) => { const c = echarts.getInstanceByDom($(id)); const o = c && c.getOption();
    return o && o.xAxis ? [o.xAxis[0].name, o.xAxis[0].data, o.yAxis[0].name, o.yAxis[0].data] : null; };
  return { done: $('done').textContent, total: $('total').textContent, rate: $('rate').textContent,
    best: $('best-score').dataset.value, bestValues: $('best-values').textContent, statuses: $('statuses').textContent,
    matched: $('matched').textContent, rows: [...document.querySelectorAll('#table tbody tr')].map(r => r.textContent),
    heatmap: series('heatmap'), heatmapAxes: axis('heatmap'), note: $('heatmap-note').textContent,
    slices: series('slices'), parallel: series('parallel'), convergence: series('convergence'),
    trial: $('trial-values').textContent, provenance: $('provenance').textContent, command: $('command').textContent };
})()"""


def act(page, script):
    page.evaluate(f"(() => {{ {script} }})(); 0")


def choose(select, value):
    return (f"{{ const s = document.getElementById('{select}'); s.value = '{value}';"
            "s.dispatchEvent(new Event('change')); }")


def walk(page, trials):
    """The same clicks on either page: each step's snapshot."""
    snapshots = []
    wait_for(page, "document.getElementById('done').textContent === '484'")
    wait_for(page, f"(({HEATMAP_CELLS}) || []).some(s => s[0] === 'ok' && s[1] === 484)")
    wait_for(page, "document.querySelectorAll('#table tbody tr').length === 50")
    snapshots.append(page.evaluate(SNAPSHOT))
    # the filter
    matching = [t["number"] for t in trials if t["metrics"]["trades"] >= 30 and t["metrics"]["max_drawdown"] < 0.3]
    act(page, "document.getElementById('filter').value = 'trades >= 30 && max_drawdown < 0.3';"
              "document.getElementById('filter-form').requestSubmit();")
    wait_for(page, f"document.getElementById('matched').dataset.matched === '{len(matching)}'")
    rows = page.evaluate("[...document.querySelectorAll('#table tbody tr')].map(r => Number(r.dataset.number))")
    assert rows == matching[:50]
    # sorted by a metric, highest first
    act(page, "document.querySelector('#table th[data-column=\"trades\"]').click();")
    wait_for(page, "document.querySelector('#table th[aria-sort]').dataset.column === 'trades'")
    act(page, "document.querySelector('#table th[data-column=\"trades\"]').click();")
    wait_for(page, "!!document.querySelector('#table th[aria-sort=descending]')")
    time.sleep(0.5)
    snapshots.append(page.evaluate(SNAPSHOT))
    # the heatmap turned (slow across) of another metric
    act(page, choose("hmetric", "trades") + choose("hy", "fast") + choose("hx", "slow"))
    wait_for(page, f"(() => {{ const a = ({SNAPSHOT}).heatmapAxes; return a && a[0] === 'slow' && a[2] === 'fast'; }})()")
    time.sleep(0.5)
    act(page, "document.querySelector('#table tbody tr').click();")
    wait_for(page, "!document.getElementById('trial-panel').hidden && document.getElementById('trial-values').textContent")
    time.sleep(0.5)
    snapshots.append(page.evaluate(SNAPSHOT))
    return snapshots


@BROWSER
def test_frozen_report_offline_shows_what_the_dashboard_shows(btopt):
    result = btopt("run", "sma_crossover", *GRID, "--jobs", "2", "--study", "s.db", "--report", "r.html", "--quiet")
    assert result.returncode == 0, result.stderr
    trials = study_trials(btopt.cwd / "s.db")
    with Server(btopt.cwd, "dashboard", btopt.cwd / "s.db") as server, \
            Page(find_chromium(), width=1280, height=800) as page:
        page.load(server.url)
        live = walk(page, trials)
        assert page.problems() == []
    with Page(find_chromium(), width=1280, height=800) as page:
        page.offline()
        page.load((btopt.cwd / "r.html").as_uri())
        frozen = walk(page, trials)
        assert page.problems() == []
        assert all(url.startswith(("file://", "data:")) for url in page.requested()), page.requested()
        assert page.evaluate("document.getElementById('live').textContent").endswith("not live")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(ARTIFACTS / "report-1280x800.png")
    for step, (a, b) in enumerate(zip(live, frozen)):
        for key in a:
            if key == "trial" and step < 2:
                continue  # the report opens the best trial at once, the dashboard on a click
            assert a[key] == b[key], (step, key)
    best = max(t["score"] for t in trials if t["status"] == "ok")
    assert float(frozen[0]["best"]) == best


# A chart's axis ticks as ECharts laid them out.
TICKS = """((id, dim, index) => { const c = echarts.getInstanceByDom(document.getElementById(id));
  return c.getModel().getComponent(dim, index).axis.scale.getTicks().map(t => t.value); })"""


@BROWSER
def test_report_charts_in_a_browser(btopt):
    """Integer axes tick at integers; the equity chart is over dates, on a log scale when its values span more
    than two decades (prices that grow ×700 over ten years), with its drawdown below."""
    import datetime
    import math
    day = datetime.date(2000, 1, 3)
    rows = ["Date,Open,High,Low,Close,Volume"]
    for i in range(2600):
        close = 10 * 1.0025 ** i * (1 + 0.05 * math.sin(i / 9))
        rows.append(f"{day + datetime.timedelta(days=i)},{close:.4f},{close * 1.01:.4f},{close * 0.99:.4f},{close:.4f},1000")
    (btopt.cwd / "rising.csv").write_text("\n".join(rows) + "\n")
    data, _ = report(btopt, "sma_crossover", "--algorithm", "random", "--iterations", "23", "--seed", "3",
                     "--data", "rising.csv", "--jobs", "2")
    equity = data["equity"]
    assert equity["number"] == data["summary"]["best"]["number"] and len(equity["equity"]) == 2600
    assert equity["dates"][0] == (day - datetime.date(1970, 1, 1)).days and len(equity["dates"]) == 2600
    values = [v for v in equity["equity"] + equity["buy_and_hold"] if v > 0]
    log = max(values) / min(values) > 100
    with Page(find_chromium(), width=1280, height=800) as page:
        page.offline()
        page.load((btopt.cwd / "report.html").as_uri())
        wait_for(page, "document.getElementById('done').textContent === '23'")
        wait_for(page, "!document.getElementById('equity').hidden")
        ticks = page.evaluate(f"({TICKS})('convergence', 'xAxis', 0)")
        assert ticks and all(float(t).is_integer() for t in ticks), ticks  # trial numbers: no 2.5
        option = page.evaluate("echarts.getInstanceByDom(document.getElementById('equity')).getOption().yAxis"
                               ".map(a => a.type)")
        assert option == ["log" if log else "value", "value"]
        series = page.evaluate("echarts.getInstanceByDom(document.getElementById('equity')).getOption().series"
                               ".map(s => [s.name, s.data.length])")
        assert series == [[f"trial {equity['number']}", 2600], ["buy and hold", 2600], ["drawdown", 2600]]
        assert page.evaluate("echarts.getInstanceByDom(document.getElementById('equity')).getOption().xAxis"
                             ".map(a => a.type)") == ["time", "time"]
        assert page.problems() == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(ARTIFACTS / "report-equity.png")
    assert log, "the test needs a series that spans more than two decades (change the seed or length)"
