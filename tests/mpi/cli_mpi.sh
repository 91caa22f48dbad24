#!/usr/bin/env bash
# `mpirun -np 3 btopt run sma_crossover --backend mpi` prints the same best
# parameters and writes the same trials as the process backend; only rank 0
# prints and writes, a study too; with --start/--end every rank trades the
# same bars. Usage: cli_mpi.sh BTOPT MPIRUN_ARGS...
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
# Ctrl-C on rank 0 while the ranks evaluate big batches (500 points of 2 ms):
# rank 0 gives up on them after 300 ms, yet a rank that then sends their
# outcomes must still hear its stop: the run ends within seconds, cancelled.
"$@" sh -c '[ "$OMPI_COMM_WORLD_RANK" = 0 ] && echo $$ > rank0.pid; exec "$@"' sh "$btopt" run \
  "$BTOPT_TEST_PLUGIN_DIR/slow_bowl.so" --backend mpi --jobs 1 --batch-size 500 --set delay_us=2000 > cancel.txt 2>&1 &
job=$!
for _ in $(seq 100); do [ -s rank0.pid ] && break; sleep 0.1; done
sleep 1.5
kill -INT "$(cat rank0.pid)"
for _ in $(seq 300); do kill -0 $job 2> /dev/null || break; sleep 0.1; done
if kill -0 $job 2> /dev/null; then
  kill -TERM $job; sleep 3; kill -KILL $job 2> /dev/null || true
  echo "FAILED a Ctrl-C on rank 0 did not end the run within 30 s"; cat cancel.txt; exit 1
fi
wait $job && code=0 || code=$?
[ $code = 130 ] || { echo "FAILED a Ctrl-C on rank 0: exit $code, not 130 (cancelled)"; cat cancel.txt; exit 1; }
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
