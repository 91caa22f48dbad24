#!/usr/bin/env bash
# Every benchmark table of issue 8 in one command (bench/README.md).
#
#   bench/run.sh                full suite (about 20 minutes on 2 cores), tables in OUT/tables.md
#   bench/run.sh --smoke        every benchmark on tiny inputs, < 60 s once built (CI); checks they run
#
# Options: --build DIR (default build-bench), --out DIR (default BUILD/bench-results/{full,smoke}),
#          --reps N (repetitions; default 3, smoke 1), --wait-quiet MIN (first wait up to MIN minutes
#          for a 1-minute load average below 1.5), --no-setup (no Python venv setup), --no-rustybt.
# Environment: BTOPT_BENCH_GOOG (the CSV of the sweep; default ../shared/data/GOOG.csv beside the
#          repository, else a synthetic 2,520-bar CSV), BTOPT_BENCH_BUILD_JOBS (default 2).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SMOKE=0
BUILD="$ROOT/build-bench"
OUT=""
REPS=""
SETUP=1
RUSTYBT=1
WAIT_MIN=0
COMMAND="bench/run.sh $*"
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) SMOKE=1 ;;
        --build) BUILD="$(cd "$2" 2>/dev/null && pwd || echo "$2")"; shift ;;
        --out) OUT="$2"; shift ;;
        --reps) REPS="$2"; shift ;;
        --wait-quiet) WAIT_MIN="$2"; shift ;;
        --no-setup) SETUP=0 ;;
        --no-rustybt) RUSTYBT=0 ;;
        -h|--help) sed -n 2,13p "$0"; exit 0 ;;
        *) echo "run.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$REPS" ] || REPS=$([ $SMOKE = 1 ] && echo 1 || echo 3)
[ -n "$OUT" ] || OUT="$BUILD/bench-results/$([ $SMOKE = 1 ] && echo smoke || echo full)"
rm -rf "$OUT"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
LOG="$OUT/log.txt"
: > "$RESULTS"
: > "$LOG"
PASSED=0
FAILED=0
START=$(date +%s)

say() { echo "bench: $*" | tee -a "$LOG" >&2; }

# step NAME COMMAND...: runs it, its JSON lines into results.jsonl, the rest into log.txt.
step() {
    local name="$1"; shift
    local t0=$(date +%s.%N)
    if "$@" > "$OUT/step.out" 2>> "$LOG"; then
        grep '^{' "$OUT/step.out" >> "$RESULTS"
        grep -v '^{' "$OUT/step.out" >> "$LOG"
        PASSED=$((PASSED + 1))
        say "$(printf '%-34s ok    %6.1f s' "$name" "$(echo "$(date +%s.%N) - $t0" | bc)")"
    else
        cat "$OUT/step.out" >> "$LOG"
        FAILED=$((FAILED + 1))
        say "$(printf '%-34s FAILED (see %s)' "$name" "$LOG")"
    fi
}

load1() { cut -d' ' -f1 /proc/loadavg; }
note_load() { echo "{\"bench\": \"load\", \"section\": \"$1\", \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >> "$RESULTS"; }

# ---- build --------------------------------------------------------------------------
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    say "configuring $BUILD (Release)"
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBTOPT_BUILD_TESTS=OFF \
        -DBTOPT_WARNINGS_AS_ERRORS=OFF >> "$LOG" 2>&1 || { say "configure failed"; exit 1; }
fi
say "building the benchmarks in $BUILD"
cmake --build "$BUILD" -j"${BTOPT_BENCH_BUILD_JOBS:-2}" --target btopt-bench-all >> "$LOG" 2>&1 \
    || { say "build failed (see $LOG)"; tail -20 "$LOG" >&2; exit 1; }
BIN="$BUILD/bench"
SMA="$BUILD/src/btopt/plugins/sma_crossover.so"
SPIN="$BIN/bench_spin.so"
SPINPW="$BIN/bench_spin_per_worker.so"
START=$(date +%s)

# ---- Python ---------------------------------------------------------------------------
PY="$BUILD/bench-venv/bin/python"
RPY=""
if [ $SMOKE = 0 ] && [ $SETUP = 1 ]; then
    [ $RUSTYBT = 1 ] || export BTOPT_BENCH_SKIP_RUSTYBT=1
    "$ROOT/bench/setup.sh" "$BUILD" 2>&1 | tee -a "$LOG" >&2
fi
[ -x "$PY" ] || PY="$(command -v python3)"
if [ $SMOKE = 0 ] && [ $RUSTYBT = 1 ] && grep -q '^ok' "$BUILD/bench-venv-rustybt.status" 2>/dev/null; then
    RPY="$BUILD/bench-venv-rustybt/bin/python"
fi
HAVE_NUMPY=0
"$PY" -c 'import numpy' 2>/dev/null && HAVE_NUMPY=1

# ---- data -----------------------------------------------------------------------------
DATA_DIR="$BUILD/bench-data"
mkdir -p "$DATA_DIR"
GOOG="${BTOPT_BENCH_GOOG:-$ROOT/../shared/data/GOOG.csv}"
if [ ! -f "$GOOG" ]; then
    GOOG="$DATA_DIR/synthetic-2520.csv"
    [ -f "$GOOG" ] || step "data: synthetic 2,520-bar CSV" "$BIN/btopt-bench" gencsv --bars 2520 --seed 42 --out "$GOOG"
fi
BIG_BARS=$([ $SMOKE = 1 ] && echo 20000 || echo 1000000)
CSV_BIG="$DATA_DIR/bars-$BIG_BARS.csv"
[ -f "$CSV_BIG" ] || step "data: $BIG_BARS-bar CSV" "$BIN/btopt-bench" gencsv --bars "$BIG_BARS" --out "$CSV_BIG"

# ---- a quiet machine --------------------------------------------------------------------
if [ "$WAIT_MIN" -gt 0 ]; then
    waited=0
    while awk -v l="$(load1)" 'BEGIN { exit !(l >= 1.5) }' && [ $waited -lt "$WAIT_MIN" ]; do
        say "1-minute load $(load1) >= 1.5: waiting (minute $waited of $WAIT_MIN)"
        sleep 60
        waited=$((waited + 1))
    done
    say "starting at load $(cut -d' ' -f1-3 /proc/loadavg)"
fi

cat > "$OUT/machine.json" <<EOF
{"cpu": "$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)",
 "cores": "$(nproc) (lscpu: $(lscpu | sed -n 's/^CPU(s):[[:space:]]*//p' | head -1) CPUs, $(lscpu | sed -n 's/^Thread(s) per core:[[:space:]]*//p') thread(s) per core)",
 "memory": "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)",
 "kernel": "$(uname -r)",
 "date": "$(date -u '+%Y-%m-%d %H:%M UTC')",
 "command": "$COMMAND",
 "commit": "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null) ($(git -C "$ROOT" status --porcelain 2>/dev/null | grep -vc '^??') files modified, not committed)",
 "python": "$("$PY" --version 2>&1)$([ $HAVE_NUMPY = 1 ] && "$PY" -c 'import numpy; print(", numpy", numpy.__version__)' 2>/dev/null)",
 "rustybt": "$(cat "$BUILD/bench-venv-rustybt.status" 2>/dev/null || echo 'not tried (smoke run or --no-rustybt)')",
 "load average at start": "$(cut -d' ' -f1-3 /proc/loadavg)",
 "sweep data": "$GOOG"}
EOF

# ---- the sections --------------------------------------------------------------------------
if [ $SMOKE = 1 ]; then
    SPINS="0,100"; JOBS="2"; TARGET=0.02; PEER_CAP=300; SWEEP_FAST="2:21"; SWEEP_SLOW="102:121"
    MEM_WORKERS="1,2"; SCALE_POINTS=20000; GEN_POP=50; GEN_GENS=5
    KIT_ARGS=(--benchmark_min_time=0.01 --benchmark_filter='SmaEval|PluginEvaluate|LoadCsv')
else
    SPINS="0,10,100,1000,10000"; JOBS="1,2"; TARGET=0.4; PEER_CAP=50000; SWEEP_FAST="2:101"; SWEEP_SLOW="102:201"
    MEM_WORKERS="1,2,4"; SCALE_POINTS=1000000; GEN_POP=1000; GEN_GENS=200
    KIT_ARGS=(--benchmark_repetitions=5 --benchmark_report_aggregates_only=true)
fi
export PYTHONPATH="$ROOT/bench/py${PYTHONPATH:+:$PYTHONPATH}"

note_load dispatch
for rep in $(seq 1 "$REPS"); do
    step "dispatch btopt (rep $rep)" "$BIN/btopt-bench" dispatch --backends inline,thread,fork,server --jobs "$JOBS" \
        --batch 1,0 --spin "$SPINS" --target "$TARGET" --spin-plugin "$SPIN" --rep "$rep"
    step "dispatch Python peers (rep $rep)" "$PY" "$ROOT/bench/py/peers.py" --spin "$SPINS" --jobs "$JOBS" \
        --target "$TARGET" --cap "$PEER_CAP" --rep "$rep"
    if [ -n "$RPY" ]; then
        step "dispatch rustybt (rep $rep)" "$RPY" "$ROOT/bench/py/rustybt_peer.py" --spin "$SPINS" --jobs "$JOBS" \
            --target "$TARGET" --rep "$rep"
    fi
done

note_load sweep
for rep in $(seq 1 "$REPS"); do
    step "sweep btopt process (rep $rep)" "$BIN/btopt-bench" sweep --plugin "$SMA" --data "$GOOG" \
        --fast "$SWEEP_FAST" --slow "$SWEEP_SLOW" --jobs -1 --backend process --rep "$rep"
    step "sweep btopt inline (rep $rep)" "$BIN/btopt-bench" sweep --plugin "$SMA" --data "$GOOG" \
        --fast "$SWEEP_FAST" --slow "$SWEEP_SLOW" --jobs 1 --backend inline --rep "$rep"
    if [ $HAVE_NUMPY = 1 ]; then
        for variant in plain cached; do
            step "sweep numpy $variant (rep $rep)" "$PY" "$ROOT/bench/py/sweep.py" --data "$GOOG" \
                --fast "$SWEEP_FAST" --slow "$SWEEP_SLOW" --variant "$variant" --rep "$rep"
        done
    fi
done

note_load start
step "worker start" "$BIN/btopt-bench" start --plugin "$SMA" --spin-plugin "$SPIN" --spin-per-worker "$SPINPW" \
    --data "$GOOG" --csv1m "$CSV_BIG" --reps "$([ $SMOKE = 1 ] && echo 2 || echo 7)"

note_load memory
for mode in server csv fork; do
    step "memory $mode" "$BIN/btopt-bench" memory --plugin "$SMA" --mode "$mode" --workers "$MEM_WORKERS" \
        --bars "$BIG_BARS" --data "$CSV_BIG"
done

note_load scale
for rep in $(seq 1 "$REPS"); do
    step "scale grid thread (rep $rep)" "$BIN/btopt-bench" scale --points "$SCALE_POINTS" --backend thread --jobs 2 --rep "$rep"
    step "scale grid fork (rep $rep)" "$BIN/btopt-bench" scale --points "$SCALE_POINTS" --backend fork --jobs 2 --rep "$rep"
    step "scale grid thread keep (rep $rep)" "$BIN/btopt-bench" scale --points "$SCALE_POINTS" --backend thread --jobs 2 \
        --keep 1000 --rep "$rep"
    step "genetic thread (rep $rep)" "$BIN/btopt-bench" genetic --pop "$GEN_POP" --gens "$GEN_GENS" --backend thread \
        --jobs 2 --rep "$rep"
    step "genetic fork (rep $rep)" "$BIN/btopt-bench" genetic --pop "$GEN_POP" --gens "$GEN_GENS" --backend fork \
        --jobs 2 --rep "$rep"
done

note_load files
# Result files and studies (issue 13): CPU time of writing JSON/CSV, of recording every trial in a study,
# of a rerun that reuses every stored trial, and of exporting the study; text in OUT/study.txt.
STUDY_POINTS=$([ $SMOKE = 1 ] && echo 20000 || echo 1000000)
mkdir -p "$OUT/study-scratch"
step "files and studies" sh -c "'$BIN/btopt-bench-study' $STUDY_POINTS '$OUT/study-scratch' | tee '$OUT/study.txt'"
# Trivial trials a second on the thread backend with and without a study, and the peak RSS of a run of
# 10,000,000 trials with one (each in a process of its own, alternating).
THREAD_POINTS=$([ $SMOKE = 1 ] && echo 100000 || echo 10000000)
for rep in $(seq "$REPS"); do
    for mode in thread thread-nostudy; do
        step "study, thread backend ($mode)" sh -c "'$BIN/btopt-bench-study' $THREAD_POINTS '$OUT/study-scratch' $mode | tee -a '$OUT/study.txt'"
    done
done
# The study's cost on the GOOG sweep (skipped without the data).
STUDY_GOOG="${BTOPT_BENCH_GOOG:-$ROOT/../shared/data/GOOG.csv}"
if [ -f "$STUDY_GOOG" ]; then
    step "study, GOOG sweep" sh -c "python3 '$ROOT/bench/study_sweep.py' '$BUILD/bin/btopt' '$STUDY_GOOG' $([ $SMOKE = 1 ] && echo 2 || echo 10) '$OUT/study-scratch' | tee -a '$OUT/study.txt'"
else
    echo "skipping the study's GOOG sweep: no $STUDY_GOOG"
fi
rm -rf "$OUT/study-scratch"

note_load kit
if [ -x "$BIN/btopt-bench-kit" ]; then
    step "kit (Google Benchmark)" env BTOPT_BENCH_PLUGIN="$SMA" BTOPT_BENCH_CSV="$CSV_BIG" BTOPT_BENCH_GOOG="$GOOG" \
        "$BIN/btopt-bench-kit" \
        "${KIT_ARGS[@]}" --benchmark_out="$OUT/kit.json" --benchmark_out_format=json
fi
note_load end

sed -i "s|^ \"load average at start\".*| \"load average at start\": \"$(grep '"load average at start"' "$OUT/machine.json" | sed 's/.*: "\(.*\)",*/\1/')\", \"load average at end\": \"$(cut -d' ' -f1-3 /proc/loadavg)\",|" "$OUT/machine.json"
if python3 "$ROOT/bench/report.py" "$OUT" > "$OUT/tables.md" 2>> "$LOG"; then
    PASSED=$((PASSED + 1))
    [ $SMOKE = 1 ] || cat "$OUT/tables.md"
else
    FAILED=$((FAILED + 1))
    say "report.py failed (see $LOG)"
fi
say "results in $OUT (tables.md, results.jsonl, kit.json, log.txt); $(( $(date +%s) - START )) s"
echo "bench$([ $SMOKE = 1 ] && echo ' smoke'): $PASSED passed, $FAILED failed"
[ $FAILED = 0 ]
