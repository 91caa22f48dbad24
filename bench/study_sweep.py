"""What a study costs on the GOOG sma_crossover sweep (issue 13): the whole
`btopt run` process with and without `--study` (a new study file each time, so
nothing is reused), alternating, REPS pairs; medians of wall and of CPU
(user + system of the process and its workers), and their ratio.

    python3 bench/study_sweep.py BTOPT[,BTOPT...] GOOG.csv REPS SCRATCH_DIR [MORE btopt run FLAGS]

Several btopt commands (comma-separated; e.g. the builds before and after a
change) take turns within each pair, so they see the same machine load.

(e.g. `--pbo-blocks 4`: the selection statistics' CSCV over 16 blocks is
most of this sweep's CPU, and its noise hides the study's.)
"""
import os
import resource
import statistics
import subprocess
import sys
import time

btopts, data, reps, scratch = sys.argv[1].split(","), sys.argv[2], int(sys.argv[3]), sys.argv[4]
os.makedirs(scratch, exist_ok=True)
study = os.path.join(scratch, "sweep.db")
sweep = ["run", "sma_crossover", "--data", data, "--param", "fast=2:100:1", "--param", "slow=20:400:4",
         "--jobs", "2", "--quiet", *sys.argv[5:]]


LOAD_BEFORE = f"{os.getloadavg()[0]:.1f}"


def timed(args):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(study + suffix):
            os.remove(study + suffix)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed: {result.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


times = {btopt: {"no study": [], "study": []} for btopt in btopts}
for rep in range(reps):
    order = ["no study", "study"] if rep % 2 == 0 else ["study", "no study"]
    for btopt in btopts if rep % 2 == 0 else reversed(btopts):
        for mode in order:
            times[btopt][mode].append(timed([btopt, *sweep, *(["--study", study] if mode == "study" else [])]))
print(f"GOOG sma_crossover sweep (fast 2:100:1, slow 20:400:4, 2 workers{''.join(' ' + a for a in sys.argv[5:])}), "
      f"{reps} alternating pairs, medians; load average before/after: {LOAD_BEFORE} / {os.getloadavg()[0]:.1f}:")
for btopt in btopts:
    wall = {mode: statistics.median(w for w, _ in t) for mode, t in times[btopt].items()}
    cpu = {mode: statistics.median(c for _, c in t) for mode, t in times[btopt].items()}
    ratios = sorted(s[0] / n[0] for s, n in zip(times[btopt]["study"], times[btopt]["no study"]))
    if len(btopts) > 1:
        print(btopt)
    for mode in times[btopt]:
        print(f"  {mode:9}  wall {wall[mode]:.3f} s   CPU {cpu[mode]:.3f} s")
    print(f"  study / no study: wall {wall['study'] / wall['no study']:.3f}, CPU {cpu['study'] / cpu['no study']:.3f}; "
          f"median of the pairs' wall ratios {statistics.median(ratios):.3f} "
          f"(quartiles {ratios[len(ratios) // 4]:.3f}–{ratios[3 * len(ratios) // 4]:.3f})")
