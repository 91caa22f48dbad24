"""Turns what bench/run.sh recorded (results.jsonl, kit.json, machine.json in
one folder) into the Markdown tables of bench/RESULTS.md, with a verdict line
per target of issue 8. Medians over repetitions; every ratio compares figures
of the same run. Standard library only.

    python3 bench/report.py OUT_DIR > OUT_DIR/tables.md
"""
import json
import math
import os
import statistics
import sys
from collections import defaultdict

SPINS = [0.0, 10.0, 100.0, 1000.0, 10000.0]


def load(out):
    rows = []
    with open(os.path.join(out, "results.jsonl")) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                rows.append(json.loads(line))
    machine = {}
    if os.path.exists(os.path.join(out, "machine.json")):
        with open(os.path.join(out, "machine.json")) as f:
            machine = json.load(f)
    kit = None
    if os.path.exists(os.path.join(out, "kit.json")):
        try:
            with open(os.path.join(out, "kit.json")) as f:
                kit = json.load(f)
        except ValueError:
            kit = None
    return rows, machine, kit


def med(values):
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return statistics.median(values) if values else float("nan")


def fmt(v, digits=1):
    if v is None or (isinstance(v, float) and (math.isnan(v) or math.isinf(v))):
        return "—"
    if abs(v) >= 1e6:
        return f"{v / 1e6:.{max(digits, 2)}f} M"
    if abs(v) >= 100 or digits == 0:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


# ---- dispatch ------------------------------------------------------------------

BACKEND_LABEL = {"thread": "btopt thread", "fork": "btopt process (fork)", "server": "btopt process (server, plugin)",
                 "inline": "btopt inline"}


def dispatch_label(r):
    if r["impl"] == "btopt":
        return f"{BACKEND_LABEL.get(r['backend'], r['backend'])}, batch {'auto' if r['batch'] == 0 else r['batch']}"
    return r["impl"]


def dispatch_cells(rows):
    """(label, jobs, spin) -> dict(n, wall, call, workers, overhead_us, eff, eps, python)"""
    groups = defaultdict(list)
    for r in rows:
        if r.get("bench") == "dispatch":
            groups[(dispatch_label(r), r["jobs"], float(r["spin_us"]))].append(r)
    cells = {}
    for key, rs in groups.items():
        label, jobs, spin = key
        n = rs[0]["n"]
        wall = med([r["wall"] for r in rs])
        w = rs[0].get("workers") or jobs
        ideal = n * spin * 1e-6 / w
        cells[key] = dict(n=n, wall=wall, call=med([r["call"] for r in rs]), workers=w,
                          overhead_us=(wall - ideal) / n * 1e6, eff=(ideal / wall if spin > 0 else float("nan")),
                          eps=n / wall, python=rs[0]["impl"] != "btopt", reps=len(rs),
                          batch=rs[0]["batch"], backend=rs[0]["backend"])
    return cells


def ordered_labels(cells, jobs):
    labels = sorted({k[0] for k in cells if k[1] == jobs},
                    key=lambda l: (not l.startswith("btopt"), l))
    return labels


def dispatch_section(cells, spins):
    out = []
    for jobs in sorted({k[1] for k in cells}):
        labels = ordered_labels(cells, jobs)
        out.append(f"#### n_jobs = {jobs}: overhead per evaluation (µs) = (wall − n·X / workers) / n\n")
        out.append(table(["implementation"] + [f"X = {fmt(s, 0)} µs" for s in spins],
                         [[l] + [fmt(cells[(l, jobs, s)]["overhead_us"], 2) if (l, jobs, s) in cells else "—"
                                 for s in spins] for l in labels]))
        out.append(f"\n#### n_jobs = {jobs}: efficiency = n·X / (workers · wall)\n")
        out.append(table(["implementation"] + [f"X = {fmt(s, 0)} µs" for s in spins if s > 0],
                         [[l] + [f"{cells[(l, jobs, s)]['eff'] * 100:.1f} %" if (l, jobs, s) in cells else "—"
                                 for s in spins if s > 0] for l in labels]))
        out.append(f"\n#### n_jobs = {jobs}: evaluations per second, and n (evaluations per cell)\n")
        out.append(table(["implementation"] + [f"X = {fmt(s, 0)} µs" for s in spins],
                         [[l] + [f"{fmt(cells[(l, jobs, s)]['eps'], 0)} (n={cells[(l, jobs, s)]['n']:,})"
                                 if (l, jobs, s) in cells else "—" for s in spins] for l in labels]))
        out.append("")
    return "\n".join(out)


def best_peer(cells, jobs, spin, unbatched_only=False):
    best = None
    for (label, j, s), c in cells.items():
        if j != jobs or s != spin or not c["python"]:
            continue
        # joblib batches automatically (batch_size='auto') and Pool.map's default chunksize is
        # n / (4 · workers): neither sends one evaluation per message.
        if unbatched_only and ("default chunksize" in label or "joblib" in label):
            continue
        if best is None or c["overhead_us"] < best[1]["overhead_us"]:
            best = (label, c)
    return best


def ratio_section(cells, spins):
    out = ["#### btopt / best Python peer, overhead per evaluation (lower is better; target ≤ 0.20 at batch 1)\n"]
    rows = []
    for jobs in sorted({k[1] for k in cells}):
        for spin in spins:
            peer = best_peer(cells, jobs, spin)
            peer1 = best_peer(cells, jobs, spin, unbatched_only=True)
            if not peer:
                continue
            for label in ordered_labels(cells, jobs):
                c = cells.get((label, jobs, spin))
                if not c or c["python"]:
                    continue
                rows.append([jobs, fmt(spin, 0), label, fmt(c["overhead_us"], 2),
                             f"{peer[0]} ({fmt(peer[1]['overhead_us'], 2)})",
                             ratio_text(c["overhead_us"], peer[1]["overhead_us"]),
                             ratio_text(c["overhead_us"], peer1[1]["overhead_us"]) if peer1 else "—"])
    out.append(table(["n_jobs", "X µs", "btopt", "overhead µs", "best Python peer (overhead µs)",
                      "ratio to best peer", "ratio to best unbatched peer"], rows))
    return "\n".join(out)


def ratio_text(a, b):
    if b is None or b <= 0 or math.isnan(b) or math.isnan(a):
        return "— (peer overhead ≤ 0: below noise)"
    return f"{a / b:.3f}"


# ---- the other sections --------------------------------------------------------------

def sweep_section(rows):
    groups = defaultdict(list)
    for r in rows:
        if r.get("bench") == "sweep":
            label = f"{r['impl']} {r['backend']}" if r["impl"].startswith("btopt") else r["impl"]
            groups[(label, r["jobs"])].append(r)
    if not groups:
        return "", {}
    summary = {}
    ref = None
    for (label, jobs), rs in groups.items():
        summary[label] = dict(seconds=med([r["call"] for r in rs]), jobs=jobs, n=rs[0]["n"],
                              eval_us=med([r.get("eval_seconds", float("nan")) for r in rs]) / rs[0]["n"] * 1e6,
                              best=(rs[-1]["best_fast"], rs[-1]["best_slow"]), score=rs[-1]["best_score"],
                              reps=len(rs), data=rs[0].get("data", ""),
                              same_best=len({(r["best_fast"], r["best_slow"]) for r in rs}) == 1)
        if label == "btopt process":
            ref = summary[label]
    out = []
    rows_out = []
    for label, s in sorted(summary.items(), key=lambda kv: kv[1]["seconds"]):
        rows_out.append([label, s["jobs"], f"{s['n']:,}", f"{s['seconds'] * 1e3:.1f} ms",
                         f"{s['n'] / s['seconds']:,.0f}", fmt(s["eval_us"], 1),
                         f"fast={int(s['best'][0])}, slow={int(s['best'][1])}", f"{s['score']:.12g}",
                         f"{s['seconds'] / ref['seconds']:.1f}×" if ref else "—"])
    out.append(table(["implementation", "workers", "points", "time (median)", "points/s",
                      "µs per evaluation (in the worker)", "best point",
                      "best Sharpe", "time / btopt process"], rows_out))
    return "\n".join(out), summary


def start_section(rows):
    groups = defaultdict(list)
    firsts = defaultdict(list)
    for r in rows:
        if r.get("bench") == "start":
            groups[r["what"]].append(r)
        elif r.get("bench") == "first":
            firsts[(r["what"], r["jobs"])].append(r)
    out = []
    if groups:
        out.append(table(["step", "time (µs, median)", "note"],
                         [[w, fmt(med([r["us"] for r in rs]), 1), rs[0].get("note", "")] for w, rs in groups.items()]))
    if firsts:
        out.append("\nTime to the first result and the whole call of a small run (2 points per worker):\n")
        out.append(table(["run", "n_jobs", "first result (ms)", "whole call (ms)"],
                         [[w, j, f"{med([r['first_us'] for r in rs]) / 1e3:.2f}",
                           f"{med([r['call_us'] for r in rs]) / 1e3:.2f}"] for (w, j), rs in firsts.items()]))
    return "\n".join(out)


MODE_LABEL = {"server": "server, synthetic bars (heap, init once)",
              "csv": "server, CSV with mapped cache",
              "fork": "fork, host holds the bars"}


def memory_section(rows):
    groups = defaultdict(list)
    for r in rows:
        if r.get("bench") == "memory":
            groups[(r["mode"], r["workers"])].append(r)
    out_rows = []
    summary = {}
    for (mode, w), rs in sorted(groups.items()):
        get = lambda k: med([r[k] for r in rs])  # noqa: E731
        summary[(mode, w)] = dict(ratio=get("ratio"), total=get("pss_total_mb"), data=get("data_mb"),
                                  held=get("held_mb"), ratio_held=get("ratio_held"))
        out_rows.append([MODE_LABEL.get(mode, mode), w, f"{rs[0]['bars']:,}", fmt(get("data_mb"), 1),
                         fmt(get("held_mb"), 1), fmt(get("pss_total_mb"), 1), fmt(get("pss_coordinator_mb"), 1),
                         fmt(get("pss_server_mb"), 1), fmt(get("pss_workers_mb"), 1), fmt(get("rss_total_mb"), 1),
                         f"{get('ratio_held'):.2f}×", f"{get('ratio'):.2f}×"])
    if not out_rows:
        return "", summary
    return table(["start method, data", "workers", "bars", "the bars (MB)", "one prepared copy, as held (MB)",
                  "total PSS (MB)", "coordinator", "worker server", "workers (sum)", "total RSS (MB)",
                  "PSS / prepared copy", "PSS / bars"],
                 out_rows), summary


def scale_section(rows):
    out_rows = []
    summary = {}
    groups = defaultdict(list)
    for r in rows:
        if r.get("bench") in ("scale", "genetic"):
            key = (r["bench"], r["backend"], r["jobs"], r.get("batch", 0), r.get("keep", 0), r.get("pop"), r.get("gens"))
            groups[key].append(r)
    for key, rs in groups.items():
        bench, backend, jobs, batch, keep, pop, gens = key
        what = (f"grid of {rs[0]['n']:,} points" if bench == "scale" else f"genetic {gens} generations × {pop:,}")
        get = lambda k: med([r[k] for r in rs])  # noqa: E731
        label = f"{what}, {BACKEND_LABEL.get(backend, backend)}" + (f", keep_trials {keep}" if keep else "")
        summary[label] = dict(bench=bench, backend=backend, keep=keep, eps=get("evals_per_s"),
                              rss=get("peak_rss_mb"))
        out_rows.append([label, jobs, f"{get('n'):,.0f}", f"{get('call'):.2f} s", fmt(get("evals_per_s"), 2),
                         fmt(get("rss_before_mb"), 1), fmt(get("peak_rss_mb"), 1)])
    if not out_rows:
        return "", summary
    return table(["run", "n_jobs", "evaluations", "whole call", "evaluations/s", "RSS before (MB)",
                  "coordinator peak RSS (MB)"], out_rows), summary


def kit_section(kit):
    if not kit:
        return "", {}
    rows = []
    summary = {}
    for b in kit.get("benchmarks", []):
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        name = b.get("run_name", b["name"])
        unit = b.get("time_unit", "ns")
        scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[unit]
        if b.get("error_occurred"):
            rows.append([name, "skipped: " + b.get("error_message", ""), "", ""])
            continue
        us = b["real_time"] * scale
        cpu = b["cpu_time"] * scale
        summary[name] = (us, cpu)
        bars = name.split("/")[1] if name.count("/") == 1 and name.split("/")[1].isdigit() else ""
        rows.append([name, f"{us:,.2f}", f"{cpu:,.2f}", f"{cpu * 1e3 / int(bars):.2f}" if bars else ""])
    return table(["benchmark (median of repetitions)", "wall µs per iteration", "CPU µs per iteration",
                  "CPU ns per bar"], rows), summary


# ---- verdicts --------------------------------------------------------------------

def verdicts(cells, sweep, memory, scale, kit):
    out = []
    cores = max([k[1] for k in cells] or [2])

    def add(name, ok, text):
        out.append(f"- **{name}**: {'met' if ok else 'MISSED'} — {text}")

    # 1. overhead at batch 1 vs the best Python peer that also sends one evaluation per
    # message (the issue names Pool.map with chunksize 1); batching peers are target 2's.
    for label in (f"{BACKEND_LABEL['fork']}, batch 1", f"{BACKEND_LABEL['server']}, batch 1",
                  f"{BACKEND_LABEL['thread']}, batch 1"):
        parts, ok = [], True
        for spin in (0.0, 10.0):
            c = cells.get((label, cores, spin))
            peer1 = best_peer(cells, cores, spin, unbatched_only=True)
            if not c or not peer1:
                continue
            r1 = c["overhead_us"] / peer1[1]["overhead_us"] if peer1[1]["overhead_us"] > 0 else float("nan")
            ok = ok and r1 <= 0.2
            peer = best_peer(cells, cores, spin)
            r = c["overhead_us"] / peer[1]["overhead_us"] if peer[1]["overhead_us"] > 0 else float("nan")
            parts.append(f"X={fmt(spin, 0)} µs: {fmt(c['overhead_us'], 2)} µs vs {peer1[0]} "
                         f"{fmt(peer1[1]['overhead_us'], 2)} µs, ratio {r1:.3f}"
                         f" (vs the best batching peer, {peer[0]} {fmt(peer[1]['overhead_us'], 2)} µs: {r:.3f})")
        if parts:
            add(f"overhead at batch_size 1 ≤ 1/5 of the best Python peer ({label}, n_jobs={cores})", ok,
                "; ".join(parts))

    # 2. automatic batching: 5 M trivial evaluations per second.
    best_eps = []
    for key, s in scale.items():
        if s["bench"] == "scale":
            best_eps.append((s["eps"], key))
    for (label, jobs, spin), c in cells.items():
        if not c["python"] and spin == 0 and c["batch"] == 0 and jobs == cores:
            best_eps.append((c["eps"], f"dispatch X=0, {label}"))
    if best_eps:
        eps, where = max(best_eps)
        add("automatic batching ≥ 5 M trivial evaluations/s", eps >= 5e6,
            f"best {eps / 1e6:.2f} M/s ({where}); all: " +
            "; ".join(f"{e / 1e6:.2f} M/s {w}" for e, w in sorted(best_eps, reverse=True)))

    # 3. efficiency at n_jobs = cores.
    for spin, goal in ((1000.0, 0.97), (100.0, 0.90)):
        parts, ok_any, ok_all = [], False, True
        for (label, jobs, s), c in sorted(cells.items()):
            if c["python"] or jobs != cores or s != spin or "inline" in label:
                continue
            parts.append(f"{label} {c['eff'] * 100:.1f} %")
            ok_any = ok_any or c["eff"] >= goal
            ok_all = ok_all and c["eff"] >= goal
        if parts:
            add(f"efficiency ≥ {goal * 100:.0f} % at X = {spin:.0f} µs, n_jobs = {cores}", ok_all,
                ("every btopt configuration" if ok_all else ("some configurations" if ok_any else "none")) +
                ": " + "; ".join(parts))

    # 4. the sweep.
    if "btopt process" in sweep:
        b = sweep["btopt process"]
        for label, s in sweep.items():
            if not label.startswith("numpy") or "cached" in label:
                continue
            speed = s["seconds"] / b["seconds"]
            same = tuple(map(int, s["best"])) == tuple(map(int, b["best"]))
            add(f"10,000-point sweep ≥ 20× faster than {label}, same best point",
                speed >= 20 and same,
                f"{speed:.1f}× ({b['seconds'] * 1e3:.1f} ms vs {s['seconds'] * 1e3:.1f} ms); best point "
                f"{'the same' if same else 'DIFFERENT'}: btopt fast={int(b['best'][0])}, slow={int(b['best'][1])}"
                f" (Sharpe {b['score']:.10g}), Python fast={int(s['best'][0])}, slow={int(s['best'][1])}"
                f" (Sharpe {s['score']:.10g})")

    # 5. memory.
    for (mode, w), m in sorted(memory.items()):
        if w == 4:
            add(f"PSS with 4 workers ≤ 1.5× one copy of the data ({MODE_LABEL.get(mode, mode)})",
                m["ratio_held"] <= 1.5,
                f"{m['total']:.1f} MB for one prepared copy of {m['held']:.1f} MB: {m['ratio_held']:.2f}× "
                f"({m['ratio']:.2f}× the {m['data']:.1f} MB of bars it was prepared from)")

    # 6. scale.
    for label, s in scale.items():
        if s["bench"] == "scale" and "1,000,000" in label:
            add(f"coordinator peak RSS < 256 MB ({label})", s["rss"] < 256,
                f"{s['rss']:.1f} MB, {s['eps'] / 1e6:.2f} M evaluations/s")

    # kit.
    for name, (us, cpu) in kit.items():
        if name.split("/")[-1] == "2520" and ("SmaEval" in name or name.startswith("PluginEvaluate")):
            add(f"one sma_crossover evaluation on 2,520 bars < 5 µs ({name}"
                ")", us < 5,
                f"{us:.2f} µs wall, {cpu:.2f} µs CPU")
    return "\n".join(out)


def main():
    out = sys.argv[1]
    rows, machine, kit = load(out)
    cells = dispatch_cells(rows)
    spins = sorted({k[2] for k in cells}) or SPINS
    parts = []
    if machine:
        parts.append("### Machine and run\n")
        parts.append(table(["", ""], [[k, v] for k, v in machine.items()]))
    parts.append("### 1–2. Dispatch overhead: btopt and the Python peers (same workload, same run)\n")
    parts.append("X = the objective's spin per evaluation; wall = the dispatch loop with the workers already "
                 "started (btopt_result_wall_seconds; for Python the map on a started pool, except rustybt, whose "
                 "run() starts its own pool). Medians over repetitions.\n")
    parts.append(dispatch_section(cells, spins))
    parts.append(ratio_section(cells, spins))
    sweep_md, sweep = sweep_section(rows)
    if sweep_md:
        parts.append("\n### 3. A real sweep: sma_crossover over 10,000 points\n")
        parts.append(sweep_md)
    start_md = start_section(rows)
    if start_md:
        parts.append("\n### 4. Worker start\n")
        parts.append(start_md)
    mem_md, memory = memory_section(rows)
    if mem_md:
        parts.append("\n### 5. Memory: total PSS of coordinator, worker server and workers\n")
        parts.append(mem_md)
    scale_md, scale = scale_section(rows)
    if scale_md:
        parts.append("\n### 6. Scale\n")
        parts.append(scale_md)
    kit_md, kit_summary = kit_section(kit)
    if kit_md:
        parts.append("\n### The evaluation itself and CSV loading (Google Benchmark)\n")
        parts.append(kit_md)
    parts.append("\n### Targets\n")
    parts.append(verdicts(cells, sweep, memory, scale, kit_summary))
    print("\n".join(parts))


if __name__ == "__main__":
    main()
