#!/usr/bin/env python3
"""The dashboard's answers as its server gives them, for two btopt binaries at
once (e.g. main's and a branch's) on the same study: each of a redraw's five
requests alone, then the five sent together from five threads; the binaries
alternate, ROUNDS times; medians in ms. No browser: what the server costs.

    bench/dashboard_ab.py STUDY BTOPT_A BTOPT_B [ROUNDS]

STUDY: a study of c_quadratic (parameters x, y), e.g. the 1,000,000-trial one
bench/dashboard.py writes (`btopt run c_quadratic.so --param x=1:1000:1
--param y=0:999:1 --param mode=add --backend thread --jobs 2 --study S`).
"""
import concurrent.futures
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

study, binaries = sys.argv[1], sys.argv[2:4]
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 15
QUERIES = ["summary?", "convergence?", "heatmap?x=x&y=y&metric=score&", "slices?metric=score&",
           "table?sort=score&order=desc&offset=0&limit=50&"]


def start(binary):
    process = subprocess.Popen([binary, "dashboard", study], stderr=subprocess.PIPE, text=True)
    for line in process.stderr:
        if line.startswith("Dashboard: "):
            base, token = line.split()[1].split("/?token=")
            urllib.request.urlopen(f"{base}/api/summary?token={token}").read()  # the first read of the run
            return process, base, token
    raise RuntimeError(f"{binary}: no dashboard URL")


def seconds(base, token, query):
    started = time.perf_counter()
    urllib.request.urlopen(f"{base}/api/{query}token={token}").read()
    return time.perf_counter() - started


servers = [start(b) for b in binaries]
times = {b: {q: [] for q in QUERIES + ["together"]} for b in binaries}
with concurrent.futures.ThreadPoolExecutor(len(QUERIES)) as pool:
    try:
        for _ in range(rounds):
            for binary, (_, base, token) in zip(binaries, servers):
                for query in QUERIES:
                    times[binary][query].append(seconds(base, token, query))
                started = time.perf_counter()
                list(pool.map(lambda q: seconds(base, token, q), QUERIES))
                times[binary]["together"].append(time.perf_counter() - started)
    finally:
        for process, _, _ in servers:
            process.send_signal(signal.SIGINT)
            process.wait()
print(f"load average {os.getloadavg()[0]:.1f}; medians of {rounds}, ms")
for binary in binaries:
    print(binary, "  ".join(f"{q.split('?')[0]} {statistics.median(v) * 1000:.0f}" for q, v in times[binary].items()))
