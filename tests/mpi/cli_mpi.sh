#!/usr/bin/env bash
# `mpirun -np 3 btopt run sma_crossover --backend mpi` prints the same best
# parameters and writes the same trials as the process backend; only rank 0
# prints and writes; with --start/--end every rank trades the same bars.
# Usage: cli_mpi.sh BTOPT MPIRUN_ARGS...
set -euo pipefail
btopt=$1
shift
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$out"
"$@" "$btopt" run sma_crossover --backend mpi --jobs 1 --json mpi.json > mpi.txt 2>mpi.err || { cat mpi.err; exit 1; }
"$btopt" run sma_crossover --backend process --jobs 2 --json process.json > process.txt 2>process.err || { cat process.err; exit 1; }
"$@" "$btopt" run sma_crossover --backend mpi --jobs 1 --start 500 --end 1500 --quiet --json mpi_range.json 2>mpi.err || { cat mpi.err; exit 1; }
"$btopt" run sma_crossover --backend process --jobs 2 --start 500 --end 1500 --quiet --json process_range.json 2>process.err || { cat process.err; exit 1; }
python3 - <<'PY'
import json, sys
mpi, proc, mpi_range, proc_range = (json.load(open(f)) for f in ("mpi.json", "process.json", "mpi_range.json",
                                                                  "process_range.json"))
trials = lambda r: [(t["id"], t["params"], t["score"], t["metrics"], t["status"]) for t in r["trials"]]
checks = {
    "same trials": trials(mpi) == trials(proc) and len(mpi["trials"]) == 62,
    "same best": mpi["best_params"] == proc["best_params"] and mpi["best_score"] == proc["best_score"],
    "one summary": open("mpi.txt").read().count("Trials:") == 1,
    "same trials on a range": trials(mpi_range) == trials(proc_range) and trials(mpi_range) != trials(proc),
    "same best printed": [l for l in open("mpi.txt") if l.startswith("Best")] == [l for l in open("process.txt") if l.startswith("Best")],
}
for name, ok in checks.items():
    print(("ok     " if ok else "FAILED ") + name)
failed = sum(not ok for ok in checks.values())
print(f"{len(checks) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
