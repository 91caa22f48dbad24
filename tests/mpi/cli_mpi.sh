#!/usr/bin/env bash
# `mpirun -np 3 btopt run sma_crossover --backend mpi` prints the same best
# parameters and writes the same trials as the process backend; only rank 0
# prints and writes, a study too. Usage: cli_mpi.sh BTOPT MPIRUN_ARGS...
set -euo pipefail
btopt=$1
shift
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$out"
"$@" "$btopt" run sma_crossover --backend mpi --jobs 1 --json mpi.json > mpi.txt 2>mpi.err || { cat mpi.err; exit 1; }
# Rank 0 records the run in a study; run again, every trial comes from it.
for again in 1 2; do
  "$@" "$btopt" run sma_crossover --backend mpi --jobs 1 --study s.db --json study$again.json > study$again.txt 2>study.err || { cat study.err; exit 1; }
done
# A sweep of fast points: rank 0 and a rank once sent each other batches too
# big to go without a matching receive, both blocking: the run never ended.
sweep=(--param fast=2:60:1 --param slow=61:200:1)
timeout 60 "$@" "$btopt" run sma_crossover --backend mpi --jobs 1 "${sweep[@]}" --quiet --json sweep-mpi.json 2>sweep.err \
  || { echo "FAILED the 8260-point sweep under MPI did not finish within 60 s (exit $?)"; cat sweep.err; exit 1; }
"$btopt" run sma_crossover --backend process --jobs 2 "${sweep[@]}" --quiet --json sweep-process.json
"$btopt" run sma_crossover --backend process --jobs 2 --json process.json > process.txt 2>process.err || { cat process.err; exit 1; }
python3 - <<'PY'
import json, sys
mpi, proc = (json.load(open(f)) for f in ("mpi.json", "process.json"))
trials = lambda r: [(t["id"], t["params"], t["score"], t["metrics"], t["status"]) for t in r["trials"]]
checks = {
    "same trials": trials(mpi) == trials(proc) and len(mpi["trials"]) == 62,
    "same best": mpi["best_params"] == proc["best_params"] and mpi["best_score"] == proc["best_score"],
    "one summary": open("mpi.txt").read().count("Trials:") == 1,
    "same best printed": [l for l in open("mpi.txt") if l.startswith("Best")] == [l for l in open("process.txt") if l.startswith("Best")],
}
sweep_mpi, sweep_proc = (json.load(open(f)) for f in ("sweep-mpi.json", "sweep-process.json"))
checks["a fast 8260-point sweep: the same trials"] = trials(sweep_mpi) == trials(sweep_proc) and len(sweep_proc["trials"]) == 8260
first, again = (json.load(open(f)) for f in ("study1.json", "study2.json"))
checks["a study under MPI: the same trials"] = trials(first) == trials(again) == trials(proc)
checks["a study under MPI: the second run reuses every trial"] = first["n_reused"] == 0 and again["n_reused"] == 62
for name, ok in checks.items():
    print(("ok     " if ok else "FAILED ") + name)
failed = sum(not ok for ok in checks.values())
print(f"{len(checks) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
