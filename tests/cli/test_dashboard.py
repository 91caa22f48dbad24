"""btopt dashboard STUDY and btopt run --study F --dashboard: an HTTP server on
loopback with an access token, checked over plain HTTP (403 without the token,
404 outside its files, 405 for anything but GET, the bound address) and in a
real browser (headless Chromium) while a run writes the study: the counter
rises, the best shown is the study's best, the heatmap has a cell per grid
point, the filter (max_drawdown < X && trades >= 30) shows exactly the study's matching trials, and the page logs
no error. Every server a test starts is stopped by the test."""
import hashlib
import os
import http.client
import json
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.parse

import pytest

from browser import Page, find_chromium
from conftest import ARTIFACTS, BTOPT, CRASH_WORDS
from study_chunks import stored_trials

# A browser run under a sanitizer takes minutes (the run it watches is ~11 s
# plain and 10-20x slower instrumented): the plain build runs the browser
# tests; the sanitized builds still run the server's own tests below.
BROWSER = pytest.mark.skipif(find_chromium() is None or os.environ.get("BTOPT_SANITIZED") == "1",
                             reason="no Chromium, or a sanitized build (minutes per browser run)")

GRID = ["--param", "fast=5:100:5", "--param", "slow=50:300:10"]  # 20 x 26 points, 484 meet fast < slow


class Server:
    """A btopt process that prints a dashboard URL; stopped (SIGINT, then killed) on exit."""

    def __init__(self, cwd, *args):
        self.process = subprocess.Popen([BTOPT, *map(str, args)], cwd=cwd, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        self.stderr = []
        deadline = time.monotonic() + 30
        for line in self.process.stderr:
            self.stderr.append(line)
            if line.startswith("Dashboard: "):
                self.url = line.split(" ", 1)[1].strip()
                break
            assert time.monotonic() < deadline, "".join(self.stderr)
        else:
            self.stop()
            pytest.fail("no dashboard URL: " + "".join(self.stderr))
        parts = urllib.parse.urlsplit(self.url)
        self.host, self.port = parts.hostname, parts.port
        self.token = urllib.parse.parse_qs(parts.query)["token"][0]
        self._drain = threading.Thread(target=lambda: self.stderr.extend(self.process.stderr), daemon=True)
        self._drain.start()

    def get(self, path, method="GET", token=True):
        """(status, body) of a request sent with the path exactly as given."""
        if token:
            path += ("&" if "?" in path else "?") + "token=" + self.token
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            connection.request(method, path, body=b"{}" if method == "POST" else None)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def api(self, name, **params):
        status, body = self.get(f"/api/{name}?" + urllib.parse.urlencode(params))
        assert status == 200, body
        return json.loads(body)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def study_trials(path):
    """Every trial of the study's last run: number, status, score and metrics by name."""
    trials, names = stored_trials(path)
    return [{"number": t["number"], "status": t["status"], "score": t["score"], "metrics": dict(zip(names, t["metrics"]))}
            for t in trials]


def listening_address(port):
    """The local address of the socket listening on port, from /proc/net/tcp (IPv4)."""
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                return ".".join(str(b) for b in reversed(bytes.fromhex(address)))
    return None


@pytest.fixture
def finished_study(btopt):
    result = btopt("run", "sma_crossover", *GRID, "--jobs", "1", "--backend", "inline", "--study", "s.db", "--quiet")
    assert result.returncode == 0, result.stderr
    return btopt.cwd / "s.db"


def test_requests_need_the_token_only_get_and_only_its_files(finished_study):
    before = hashlib.sha256(finished_study.read_bytes()).hexdigest()
    with Server(finished_study.parent, "dashboard", finished_study) as server:
        assert server.host == "127.0.0.1" and listening_address(server.port) == "127.0.0.1"
        assert server.get("/", token=False)[0] == 403
        assert server.get("/api/summary", token=False)[0] == 403
        assert server.get("/?token=" + "0" * len(server.token), token=False)[0] == 403
        status, page = server.get("/")
        assert status == 200 and b"echarts.min.js?token=" + server.token.encode() in page
        assert server.get("/echarts.min.js")[0] == 200 and server.get("/ECHARTS-LICENSE.txt")[0] == 200
        for path in ("/../", "/../etc/passwd", "/%2e%2e/", "/echartsXmin.js", "/api/nothing", "/dashboard.js/x"):
            assert server.get(path)[0] == 404, path
        assert server.get("/", method="POST")[0] == 405
        assert server.get("/api/summary", method="DELETE")[0] == 405
        status, body = server.get("/api/table?filter=" + urllib.parse.quote("nonsense >= 1"))
        assert status == 400 and b"nonsense" in body and b"trades" in body  # names what exists
        summary = server.api("summary")
        trials = study_trials(finished_study)
        assert summary["done"] == len(trials) == summary["total"] == 484
        assert summary["best"]["score"] == max(t["score"] for t in trials if t["status"] == "ok")

        slices = server.api("slices")["params"]
        assert [s["name"] for s in slices] == ["fast", "slow"] and len(slices[0]["points"]) == 20
        best_at_fast = {}
        for t in stored_trials(finished_study)[0]:
            if t["status"] == "ok":
                fast = t["point"]["fast"]
                best_at_fast[fast] = max(best_at_fast.get(fast, t["score"]), t["score"])
        scores = {t["number"]: t["score"] for t in trials}
        for at, value, ok, failed, cancelled, number in slices[0]["points"]:
            assert value == best_at_fast[int(slices[0]["labels"][at])] and failed == cancelled == 0
            assert scores[number] == value  # the trial that holds the value
        best = server.api("best", limit=10)
        scores = sorted((t["score"] for t in trials if t["status"] == "ok"), reverse=True)
        assert [row[-1] for row in best["rows"]] == scores[:10] and best["of"] == 484
    assert hashlib.sha256(finished_study.read_bytes()).hexdigest() == before  # never writes the study


def test_host_names_the_bound_address(finished_study):
    with Server(finished_study.parent, "dashboard", finished_study, "--host", "127.0.0.2") as server:
        assert server.host == "127.0.0.2" and listening_address(server.port) == "127.0.0.2"
        assert server.get("/api/runs")[0] == 200


def test_an_address_it_cannot_listen_on_is_refused(btopt, finished_study):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = btopt("dashboard", finished_study, "--port", port, timeout=30)
        assert result.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in result.stderr
    result = btopt("dashboard", finished_study, "--host", "203.0.113.7", timeout=30)  # not this machine's
    assert result.returncode == 2 and "cannot listen on 203.0.113.7:a free port" in result.stderr


def test_refusals(btopt, tmp_path):
    result = btopt("run", "sma_crossover", "--dashboard", "--quiet")
    assert result.returncode == 2 and "--dashboard needs --study FILE" in result.stderr
    result = btopt("dashboard", "missing.db")
    assert result.returncode == 1 and "study 'missing.db' does not exist" in result.stderr
    (tmp_path / "notes.db").write_text("not a database at all, just text " * 100)
    result = btopt("dashboard", "notes.db")
    assert result.returncode == 1 and "is not a btopt study" in result.stderr


def wait_for(page, expression, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(expression)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {expression}")


# The heatmap's cells per series (ok, not evaluated, failed, cancelled); null before it is drawn.
HEATMAP_CELLS = """(() => { const c = window.echarts && echarts.getInstanceByDom(document.getElementById('heatmap'));
  const o = c && c.getOption();
  return o && o.series ? o.series.filter(s => s.type === 'heatmap').map(s => [s.name, s.data.length]) : null; })()"""


@BROWSER
def test_a_run_with_its_dashboard_in_a_browser(tmp_path):
    # About 11 s of work on one worker: long enough to watch the counter rise
    # (the browser starts first: on a loaded machine that alone takes seconds).
    with Page(find_chromium(), width=1280, height=800) as page, \
            Server(tmp_path, "run", "sma_crossover", *GRID, "--set", "synthetic_bars=4000000", "--jobs", "1",
                   "--backend", "inline", "--study", "s.db", "--dashboard", "--quiet") as server:
        started = time.monotonic()
        page.load(server.url)
        loaded = time.monotonic() - started
        seen = []
        while True:
            done = int(page.evaluate("document.getElementById('done').textContent.replace(/,/g, '')"))
            if not seen or done != seen[-1]:
                seen.append(done)
            if page.evaluate("document.getElementById('status').textContent") not in ("running", ""):
                break
            time.sleep(0.2)
        # it rose while the run went
        assert len([d for d in seen if 0 < d < 484]) >= 2, f"counter seen {seen}; the page took {loaded:.1f} s to load"

        trials = study_trials(tmp_path / "s.db")
        assert len(trials) == 484
        wait_for(page, "document.getElementById('done').textContent === '484'")
        best = max(t["score"] for t in trials if t["status"] == "ok")
        assert float(page.evaluate("document.getElementById('best-score').dataset.value")) == best

        wait_for(page, f"(({HEATMAP_CELLS}) || []).some(s => s[0] === 'ok' && s[1] === 484)")  # its last update
        cells = dict(page.evaluate(HEATMAP_CELLS))
        assert sum(cells.values()) == 20 * 26  # one per grid point
        assert cells["ok"] == 484 and cells["failed"] == 0 and cells["cancelled"] == 0

        # The example filter; the drawdown bound (the study's median) makes about half match.
        drawdowns = sorted(t["metrics"]["max_drawdown"] for t in trials)
        bound = drawdowns[len(drawdowns) // 2]
        page.evaluate(f"document.getElementById('filter').value = 'max_drawdown < {bound!r} && trades >= 30';"
                      "document.getElementById('filter-form').requestSubmit(); 0")
        matching = [t["number"] for t in trials
                    if t["metrics"]["max_drawdown"] < bound and t["metrics"]["trades"] >= 30]
        assert 0 < len(matching) < 484
        wait_for(page, f"document.getElementById('matched').dataset.matched === '{len(matching)}'")
        rows = page.evaluate("[...document.querySelectorAll('#table tbody tr')].map(r => Number(r.dataset.number))")
        assert rows == matching[:50]

        page.evaluate("document.querySelector('#table tbody tr').click(); 0")
        wait_for(page, f"document.getElementById('trial-number').textContent === '{matching[0]}'")
        assert "btopt" in page.evaluate("document.getElementById('command').textContent")
        assert page.problems() == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(ARTIFACTS / "dashboard-1280x800.png")
    assert server.process.returncode is not None
    for word in CRASH_WORDS:
        assert word not in "".join(server.stderr)


@BROWSER
@pytest.mark.parametrize("width,height", [(1920, 1080), (390, 844)])
def test_dashboard_page_at_other_sizes(finished_study, width, height):
    with Server(finished_study.parent, "dashboard", finished_study) as server, \
            Page(find_chromium(), width=width, height=height) as page:
        if width < 500:  # headless Chromium's smallest window: a phone is emulated
            page.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                      deviceScaleFactor=1, mobile=True)
        page.load(server.url)
        wait_for(page, "document.getElementById('done').textContent === '484'")
        wait_for(page, HEATMAP_CELLS)
        # nothing wider than the window: no sideways scrolling of the page
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.problems() == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(ARTIFACTS / f"dashboard-{width}x{height}.png")


def test_heatmap_tells_failed_cancelled_and_not_evaluated_apart(tmp_path):
    """faulty fails where (10a + b) % 7 == 0 and never returns at a == 9, so
    a Ctrl-C cancels those; the constraint leaves out a + b == 5."""
    from conftest import test_plugin
    run = subprocess.Popen([BTOPT, "run", test_plugin("faulty"), "--set", "fail_mod=7", "--set", "hang_at=9",
                            "--constraint", "a + b != 5", "--ignore-errors", "--backend", "process", "--jobs", "2",
                            "--batch-size", "1",  # a batch's outcomes come back together: none waits on a hung one
                            "--study", "s.db", "--quiet"], cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    study = tmp_path / "s.db"
    try:
        # Until the workers hang at a == 9 and the count stands still (workers
        # may hold finished outcomes until the stop, which keeps them).
        deadline, finished = time.monotonic() + 60, [0]
        while time.monotonic() < deadline and not (finished[-1] > 0 and finished[-7:] == finished[-1:] * 7):
            time.sleep(0.3)
            if study.exists():
                try:
                    finished.append(len([t for t in study_trials(study) if t["status"] != "cancelled"]))
                except (sqlite3.OperationalError, TypeError):
                    pass  # the file exists before its schema and its run row are committed
    finally:
        run.send_signal(signal.SIGINT)
        try:
            assert run.wait(timeout=30) == 130, run.stderr.read()
        finally:
            if run.poll() is None:
                run.kill()
                run.wait()
    stored = {tuple(t["point"].values()): t["status"] for t in stored_trials(study)[0]}
    assert set(stored.values()) == {"ok", "failed", "cancelled"}
    assert all(stored[9, b] == "cancelled" for b in range(10))

    with Server(tmp_path, "dashboard", study) as server:
        summary = server.api("summary")
        assert summary["run"]["status"] == "cancelled"
        assert summary["statuses"] == {s: list(stored.values()).count(s) for s in ("ok", "failed", "cancelled")}
        heatmap = server.api("heatmap", x="a", y="b", metric="a_plus_b")
        assert heatmap["x"]["labels"] == [str(v) for v in range(10)] == heatmap["y"]["labels"]  # integers, no ".0"
        assert len(heatmap["cells"]) == 100
        for x, y, value, state, count, number in heatmap["cells"]:
            expected = {"ok": "ok", "failed": "failed", "cancelled": "cancelled", None: "none"}[stored.get((x, y))]
            assert state == expected, (x, y)
            assert (value == x + y) if state == "ok" else value is None
            assert count == (0 if state == "none" else 1)
            if x + y == 5:
                assert state == "none"  # infeasible: never proposed


def test_heatmap_of_a_float_and_a_choice(btopt):
    """slow_bowl: x int 0..29, y float -1..1 step 0.1, mode calm|wild."""
    from conftest import test_plugin
    result = btopt("run", test_plugin("slow_bowl"), "--study", "s.db", "--quiet", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    with Server(btopt.cwd, "dashboard", btopt.cwd / "s.db") as server:
        heatmap = server.api("heatmap", x="y", y="mode", metric="ripple")
        assert heatmap["x"]["labels"] == [f"{v / 10:g}" for v in range(-10, 11)]  # -0.4, not -0.3999999999999999
        assert heatmap["y"]["labels"] == ["calm", "wild"]
        assert len(heatmap["cells"]) == 42 and {c[3] for c in heatmap["cells"]} == {"ok"}
        wild = server.api("table", filter="mode == 1 && x >= 29", sort="y")
        assert wild["matched"] == 21 and {r["params"]["mode"] for r in wild["rows"]} == {"wild"}


def test_a_trials_equity_curve_over_dates(btopt, tmp_path):
    """The run's plugin computes any trial's curve again: one value per bar, dated when the data is."""
    from test_refusals import bars, write
    write(tmp_path / "prices.csv", bars(300))  # daily bars from 2000-01-01
    result = btopt("run", "sma_crossover", "--param", "fast=5:20:5", "--param", "slow=30:60:10", "--jobs", "2",
                   "--data", "prices.csv", "--study", "s.db", "--quiet")
    assert result.returncode == 0, result.stderr
    trials = study_trials(tmp_path / "s.db")
    with Server(tmp_path, "dashboard", tmp_path / "s.db") as server:
        curves = {t["number"]: server.api("equity", number=t["number"]) for t in trials[:3]}
        status, body = server.get("/api/equity?number=999")
        assert status == 400 and b"no trial 999" in body
    for t in trials[:3]:
        c = curves[t["number"]]
        assert c["number"] == t["number"] and len(c["equity"]) == len(c["buy_and_hold"]) == len(c["dates"]) == 300
        # growth of 1 to the end is the trial's total return (docs/METRICS.md)
        assert c["equity"][-1] - 1 == pytest.approx(t["metrics"]["total_return"], rel=1e-9, abs=1e-12)
        assert c["dates"] == sorted(c["dates"]) and c["dates"][0] == 10957  # 2000-01-01, days since 1970-01-01
    assert curves[trials[0]["number"]]["buy_and_hold"] == curves[trials[1]["number"]]["buy_and_hold"]


def test_an_equity_curve_without_its_plugin_is_refused_in_words(btopt, tmp_path):
    import shutil
    from conftest import test_plugin
    plugin = tmp_path / "gone.so"
    shutil.copy(test_plugin("c_quadratic"), plugin)
    result = btopt("run", plugin, "--jobs", "1", "--study", "s.db", "--quiet")
    assert result.returncode == 0, result.stderr
    plugin.unlink()
    with Server(tmp_path, "dashboard", tmp_path / "s.db") as server:
        answer = server.api("equity", number=0)
    assert answer == {"missing": f"the plugin that made this run ({plugin}) is not on this machine"}
    result = btopt("report", "s.db", "--report", "r.html")
    assert result.returncode == 0, result.stderr
    assert "is not on this machine" in (tmp_path / "r.html").read_text()


def test_an_equity_curve_from_a_changed_plugin_is_refused_in_words(btopt, tmp_path):
    """A plugin rebuilt or replaced since the run would draw a curve from other code: the dashboard (and the
    report) hash the file as the study's provenance did and say so instead of drawing."""
    import shutil
    from test_refusals import bars, write
    write(tmp_path / "prices.csv", bars(300))
    described = btopt("describe", "sma_crossover")
    assert described.returncode == 0, described.stderr
    original = next(line.split("file: ", 1)[1] for line in described.stdout.splitlines() if "file: " in line)
    plugin = tmp_path / "sma.so"
    shutil.copy(original, plugin)
    result = btopt("run", plugin, "--param", "fast=5:20:5", "--param", "slow=30:60:10", "--jobs", "1",
                   "--data", "prices.csv", "--study", "s.db", "--quiet")
    assert result.returncode == 0, result.stderr
    stored = json.loads(__import__("sqlite3").connect(tmp_path / "s.db").execute(
        "SELECT provenance FROM runs").fetchone()[0])["plugin"]["xxh3_128"]
    with Server(tmp_path, "dashboard", tmp_path / "s.db") as server:
        assert "equity" in server.api("equity", number=0)  # the same bytes: a curve
        with open(plugin, "ab") as f:
            f.write(b"rebuilt")  # still a loadable plugin, no longer the run's bytes
        answer = server.api("equity", number=0)
    assert set(answer) == {"missing"}, answer
    assert answer["missing"].startswith(f"the plugin that made this run ({plugin}) changed since the run: ")
    assert f"the study has {stored}" in answer["missing"]
    result = btopt("report", "s.db", "--report", "r.html")
    assert result.returncode == 0, result.stderr
    assert "changed since the run" in (tmp_path / "r.html").read_text()


def test_an_equity_curve_from_changed_data_is_refused_in_words(btopt, tmp_path):
    """The same for a data file the run's config named: other bars would draw another curve."""
    from test_refusals import bars, write
    write(tmp_path / "prices.csv", bars(300))
    result = btopt("run", "sma_crossover", "--param", "fast=5:20:5", "--param", "slow=30:60:10", "--jobs", "1",
                   "--data", "prices.csv", "--study", "s.db", "--quiet")
    assert result.returncode == 0, result.stderr
    write(tmp_path / "prices.csv", bars(300, start=90.0))
    with Server(tmp_path, "dashboard", tmp_path / "s.db") as server:
        answer = server.api("equity", number=0)
    assert set(answer) == {"missing"}, answer
    assert answer["missing"].startswith("the data file prices.csv (data) changed since the run: "), answer


def test_requests_answered_in_parallel_while_a_run_writes(tmp_path):
    """The server answers requests in parallel (a shared lock on its copy of the study) while its poller appends
    what the run commits: four clients at once get whole, consistent answers, and the counts only grow. Under
    ThreadSanitizer (CI) a data race between the readers and the poller stops the process, and this fails.
    5 ms an evaluation (about 3 s of run on 2 workers): with 2 ms the run sometimes ended under TSan before a
    client saw it running."""
    from conftest import test_plugin
    with Server(tmp_path, "run", test_plugin("slow_bowl"), "--set", "delay_us=5000", "--jobs", "2", "--backend",
                "thread", "--study", "s.db", "--quiet", "--dashboard") as server:
        queries = [("summary", {}), ("convergence", {}), ("heatmap", {"x": "x", "y": "y"}), ("slices", {}),
                   ("table", {"filter": "score > 0", "sort": "score", "order": "desc"}), ("trials", {"since": 0}),
                   ("best", {"limit": 20}), ("runs", {})]
        failures, seen_running = [], []

        def client(k):
            done = -1
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not any("the run ended" in line for line in server.stderr):
                name, params = queries[k % len(queries)]
                k += 1
                status, body = server.get(f"/api/{name}?" + urllib.parse.urlencode(params))
                if status == 404 and b"no run yet" in body:
                    continue  # the run has not registered yet
                if status != 200:
                    failures.append((name, status, body[:200]))
                    return
                answer = json.loads(body)
                if name == "summary":
                    if answer["done"] < done:
                        failures.append(("summary went back", done, answer["done"]))
                    done = answer["done"]
                    if answer["run"]["status"] == "running" and 0 < done < 1260:
                        seen_running.append(done)
                if name == "table" and not answer["matched"] <= answer["total"]:
                    failures.append(("table", answer["matched"], answer["total"]))

        clients = [threading.Thread(target=client, args=(k,)) for k in range(4)]
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        assert not failures, failures
        assert seen_running, "no answer came while the run wrote the study"
        deadline = time.monotonic() + 10  # the poller reads the run's last commit within about 0.2 s
        while server.api("summary")["done"] < 1260 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.api("summary")["done"] == len(study_trials(tmp_path / "s.db")) == 1260
    for word in CRASH_WORDS + ("ThreadSanitizer",):
        assert word not in "".join(server.stderr)
