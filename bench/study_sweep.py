"""What a study costs on the GOOG sma_crossover sweep (issue 13): the whole
`btopt run` process with and without `--study` (a new study file each time, so
nothing is reused), alternating, REPS pairs; medians of wall and of CPU
(user + system of the process and its workers), and their ratio.

    python3 bench/study_sweep.py BTOPT GOOG.csv REPS SCRATCH_DIR [MORE btopt run FLAGS]

(e.g. `--pbo-blocks 4`: the selection statistics' CSCV over 16 blocks is
most of this sweep's CPU, and its noise hides the study's.)
"""
import os
import resource
import statistics
import subprocess
import sys
import time

btopt, data, reps, scratch = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
os.makedirs(scratch, exist_ok=True)
study = os.path.join(scratch, "sweep.db")
command = [btopt, "run", "sma_crossover", "--data", data, "--param", "fast=2:100:1", "--param", "slow=20:400:4",
           "--jobs", "2", "--quiet", *sys.argv[5:]]


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


times = {"no study": [], "study": []}
for rep in range(reps):
    order = ["no study", "study"] if rep % 2 == 0 else ["study", "no study"]
    for mode in order:
        times[mode].append(timed(command + (["--study", study] if mode == "study" else [])))
wall = {mode: statistics.median(w for w, _ in t) for mode, t in times.items()}
cpu = {mode: statistics.median(c for _, c in t) for mode, t in times.items()}
print(f"GOOG sma_crossover sweep (fast 2:100:1, slow 20:400:4, 2 workers{''.join(' ' + a for a in sys.argv[5:])}), "
      f"{reps} alternating pairs, medians:")
for mode in times:
    print(f"  {mode:9}  wall {wall[mode]:.3f} s   CPU {cpu[mode]:.3f} s")
print(f"  study / no study: wall {wall['study'] / wall['no study']:.3f}, CPU {cpu['study'] / cpu['no study']:.3f}")
