#!/usr/bin/env python3
"""What the dashboard costs a run (docs/DASHBOARD.md, Performance).

Runs the same sweep with --study alone and with --dashboard plus a client
that asks what the page asks (the summary after every event; the
convergence, heatmap and table at most once a second, or five times as long
as they took), alternating,
and prints each run's wall time (from the study) and the CPU seconds of the
dashboard's threads (named btopt-dashboard). Use a quiet machine.

    scripts/bench_dashboard.py BTOPT DATA.csv [ROUNDS]
"""
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

btopt, data = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
ARGS = ["run", "sma_crossover", "--data", data, "--param", "fast=2:300:1", "--param", "slow=10:1500:1",
        "--jobs", "2", "--quiet"]
folder = tempfile.mkdtemp(prefix="btopt-bench-dashboard-")


def wall(study):
    with sqlite3.connect(study) as db:
        return db.execute("SELECT wall_seconds FROM runs").fetchone()[0]


def client(base, token, stop):
    def get(query):
        urllib.request.urlopen(f"{base}/api/{query}token={token}").read()

    try:
        events = urllib.request.urlopen(f"{base}/api/events?token={token}")
        last = took = 0.0
        while not stop.is_set():
            events.readline()
            get("summary?")
            if time.monotonic() - last >= max(1.0, 5 * took):
                last = time.monotonic()
                for query in ("convergence?", "heatmap?x=fast&y=slow&", "table?sort=score&order=desc&"):
                    get(query)
                took = time.monotonic() - last
    except OSError:
        pass  # the server stopped


def dashboard_cpu(pid):
    tick, cpu = os.sysconf("SC_CLK_TCK"), 0.0
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            if f.read().strip() != "btopt-dashboard":
                continue
        with open(f"/proc/{pid}/task/{tid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu += (int(fields[11]) + int(fields[12])) / tick
    return cpu


def run(k, dashboard):
    study = os.path.join(folder, f"{k}-{dashboard}.db")
    if not dashboard:
        subprocess.run([btopt, *ARGS, "--study", study], check=True)
        return wall(study), None
    p = subprocess.Popen([btopt, *ARGS, "--study", study, "--dashboard"], stderr=subprocess.PIPE, text=True)
    try:
        url = next(line.split()[1] for line in p.stderr if line.startswith("Dashboard: "))
        base, token = url.split("/?token=")
        stop = threading.Event()
        threading.Thread(target=client, args=(base, token, stop), daemon=True).start()
        next(line for line in p.stderr if "the run ended" in line)
        stop.set()
        return wall(study), dashboard_cpu(p.pid)
    finally:
        p.send_signal(signal.SIGINT)
        p.wait(timeout=30)


for k in range(rounds):
    print(f"without: {run(k, False)[0]:.3f} s", flush=True)
    seconds, cpu = run(k, True)
    print(f"with:    {seconds:.3f} s (dashboard threads: {cpu:.2f} CPU s)", flush=True)
    time.sleep(1)
