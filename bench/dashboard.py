#!/usr/bin/env python3
"""What the dashboard costs a run, and how quick its page is on a large study
(issue 14, Performance; bench/RESULTS.md has the figures).

1. The GOOG sma_crossover sweep (fast 2:100:1, slow 20:400:4, --jobs 2, a
   study), alternating runs without and with --dashboard plus a client that
   holds the event stream and asks what the page asks (the summary after
   every event; convergence, heatmap and table at most once a second). The
   run's wall time is the study's wall_seconds. Medians, and their ratio;
   and the CPU time the dashboard's threads (/proc/PID/task/*/sched, thread
   name btopt-dashboard) and the client used until the run ended.
   Skipped when DATA (GOOG.csv) is absent.
2. A study of 1,000,000 trials (c_quadratic, x=1:1000:1 y=0:999:1), served
   by `btopt dashboard`: the page in headless Chromium (first contentful
   paint; the time until its counters show the million), then the answers one
   update of the page needs (summary, convergence, heatmap, a table page),
   fetched by the page itself: medians of 10.

    bench/dashboard.py BUILD_DIR [DATA.csv] [ROUNDS]
e.g. bench/dashboard.py build /work/shared/data/GOOG.csv 7
"""
import os
import pathlib
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

build = pathlib.Path(sys.argv[1])
data = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else None
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
btopt = str(build / "bin" / "btopt")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests" / "cli"))
from browser import Page, find_chromium  # noqa: E402

folder = pathlib.Path(tempfile.mkdtemp(prefix="btopt-bench-dashboard-"))


def wall(study):
    with sqlite3.connect(study) as db:
        return db.execute("SELECT wall_seconds FROM runs").fetchone()[0]


def dashboard_url(process):
    for line in process.stderr:
        if line.startswith("Dashboard: "):
            return line.split()[1].split("/?token=")
    raise RuntimeError("no dashboard URL")


def dashboard_cpu(pid):
    """CPU seconds the process's btopt-dashboard threads (poller, listener, HTTP pool) used so far."""
    seconds = 0.0
    for task in pathlib.Path(f"/proc/{pid}/task").iterdir():
        try:
            if (task / "comm").read_text().strip() != "btopt-dashboard":
                continue
            sched = (task / "sched").read_text()  # se.sum_exec_runtime: ms, to the µs
            seconds += float(sched.split("se.sum_exec_runtime")[1].split()[1]) / 1000
        except (OSError, IndexError):
            pass  # the thread ended
    return seconds


def client(base, token, stop, cpu):
    def get(query):
        urllib.request.urlopen(f"{base}/api/{query}token={token}").read()

    try:
        events = urllib.request.urlopen(f"{base}/api/events?token={token}")
        last = 0.0
        while not stop.is_set():
            events.readline()
            get("summary?")
            if time.monotonic() - last >= 1.0:
                last = time.monotonic()
                for query in ("convergence?", "heatmap?x=fast&y=slow&", "table?sort=score&order=desc&"):
                    get(query)
    except OSError:
        pass  # the server stopped
    cpu.append(time.thread_time())


def stop(process):
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def sweep_run(k, dashboard, costs=None):
    study = folder / f"goog-{k}-{int(dashboard)}.db"
    args = [btopt, "run", "sma_crossover", "--data", str(data), "--param", "fast=2:100:1", "--param", "slow=20:400:4",
            "--jobs", "2", "--quiet", "--study", str(study)]
    if not dashboard:
        subprocess.run(args, check=True)
        return wall(study)
    p = subprocess.Popen(args + ["--dashboard"], stderr=subprocess.PIPE, text=True)
    try:
        base, token = dashboard_url(p)
        done, cpu = threading.Event(), []
        watcher = threading.Thread(target=client, args=(base, token, done, cpu), daemon=True)
        watcher.start()
        next(line for line in p.stderr if "the run ended" in line)
        server_cpu = dashboard_cpu(p.pid)
        done.set()
        watcher.join(timeout=5)
        costs.append((server_cpu, cpu[0] if cpu else float("nan")))
        return wall(study)
    finally:
        stop(p)


def sweep():
    if not data or not data.exists():
        print("1. GOOG sweep: skipped (no data file)")
        return
    without, with_, costs = [], [], []
    for k in range(rounds):
        without.append(sweep_run(k, False))
        with_.append(sweep_run(k, True, costs))
    a, b = statistics.median(without), statistics.median(with_)
    print(f"1. GOOG sma_crossover sweep, {rounds} alternating rounds, run wall time (s)")
    print(f"   without dashboard: median {a:.3f}  {[round(x, 3) for x in without]}")
    print(f"   with dashboard + client: median {b:.3f}  {[round(x, 3) for x in with_]}")
    print(f"   ratio with/without: {b / a:.3f}")
    server = [c[0] for c in costs]
    print(f"   CPU of the dashboard's threads until the run ended: median {statistics.median(server):.4f} s "
          f"{[round(x, 4) for x in server]}; of the client (Python, same machine): median {statistics.median(c[1] for c in costs):.3f} s")


def large_study():
    study = folder / "million.db"
    started = time.monotonic()
    subprocess.run([btopt, "run", str(build / "tests" / "plugins" / "c_quadratic.so"), "--param", "x=1:1000:1",
                    "--param", "y=0:999:1", "--param", "mode=add", "--backend", "thread", "--jobs", "2",
                    "--study", str(study), "--quiet"], check=True)
    print(f"2. a 1,000,000-trial study written in {time.monotonic() - started:.1f} s")
    server = subprocess.Popen([btopt, "dashboard", str(study)], stderr=subprocess.PIPE, text=True)
    try:
        base, token = dashboard_url(server)
        started = time.monotonic()
        urllib.request.urlopen(f"{base}/api/summary?token={token}").read()  # the server reads the run, once
        print(f"   the server's first read of the run: {time.monotonic() - started:.2f} s (once per server)")
        with Page(find_chromium(), width=1280, height=800) as page:
            started = time.monotonic()
            page.load(f"{base}/?token={token}")
            while page.evaluate("document.getElementById('done').textContent") != "1,000,000":
                time.sleep(0.01)
            counters = time.monotonic() - started
            paint = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime")
            print(f"   page: first contentful paint {paint:.0f} ms; counters show the million after {counters * 1000:.0f} ms")
            update = """(async () => { const q = (p) => fetch(`api/${p}&token=""" + token + """`).then(r => r.json());
              const t = performance.now();
              await Promise.all([q('summary?'), q('convergence?'), q('heatmap?x=x&y=y&metric=score'),
                                 q('slices?metric=score'), q('table?sort=score&order=desc&offset=0&limit=50')]);
              return performance.now() - t; })()"""
            times = [page.call("Runtime.evaluate", session=True, expression=update, awaitPromise=True,
                               returnByValue=True)["result"]["value"] for _ in range(10)]
            print(f"   one update's answers (summary, convergence, heatmap, slices, table page), fetched and parsed "
                  f"by the page: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms")
            one = """(async (p) => { const t = performance.now();
              await fetch(`api/${p}&token=""" + token + """`).then(r => r.json()); return performance.now() - t; })"""
            for query in ("summary?", "convergence?", "heatmap?x=x&y=y&metric=score", "slices?metric=score",
                          "table?sort=score&order=desc&offset=0&limit=50",
                          "table?filter=" + urllib.parse.quote("x > 500 && score < 0") + "&sort=score&offset=0&limit=50"):
                times = [page.call("Runtime.evaluate", session=True, expression=f"({one})('{query}')",
                                   awaitPromise=True, returnByValue=True)["result"]["value"] for _ in range(5)]
                print(f"   {query.split('?')[0]:12s} {query.split('?')[1][:40]:42s} median {statistics.median(times):6.0f} ms")
    finally:
        stop(server)


print(f"btopt {subprocess.run([btopt, '--version'], capture_output=True, text=True).stdout.strip()}, "
      f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
sweep()
large_study()
print(f"load average {os.getloadavg()[0]:.1f} at the end")
