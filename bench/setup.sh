#!/usr/bin/env bash
# Python peers for the benchmarks: never needed by the library or its tests.
# Creates, under the build folder (default build-bench):
#   bench-venv          python3 with numpy and joblib (multiprocessing peers, numpy sweep)
#   bench-venv-rustybt  python >= 3.12 with rustybt (the Python original), when it installs;
#                       the outcome is written to bench-venv-rustybt.status either way.
# Usage: bench/setup.sh [BUILD_DIR]
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-${BTOPT_BENCH_BUILD:-$ROOT/build-bench}}"
mkdir -p "$BUILD"

PY="${PYTHON:-python3}"
VENV="$BUILD/bench-venv"
if ! "$VENV/bin/python" -c 'import numpy, joblib' 2>/dev/null; then
    echo "setup: creating $VENV (numpy, joblib)"
    "$PY" -m venv "$VENV" || exit 1
    "$VENV/bin/pip" install -q --disable-pip-version-check numpy joblib || exit 1
fi

# rustybt requires Python >= 3.12 (its metadata says so) and builds Cython
# extensions from its sdist; it is tried once, and the reason is kept when it fails.
RVENV="$BUILD/bench-venv-rustybt"
STATUS="$BUILD/bench-venv-rustybt.status"
if [ "${BTOPT_BENCH_SKIP_RUSTYBT:-0}" != 1 ] && [ ! -f "$STATUS" ]; then
    PY312=""
    for cand in python3.13 python3.12 "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3; do
        if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            PY312="$(command -v "$cand")"; break
        fi
    done
    if [ -z "$PY312" ]; then
        echo "failed: rustybt needs Python >= 3.12 and none was found ($("$PY" --version 2>&1) only)" > "$STATUS"
    else
        echo "setup: installing rustybt with $PY312 into $RVENV (a large install; log in $RVENV.log)"
        "$PY312" -m venv "$RVENV" && "$RVENV/bin/pip" install --disable-pip-version-check rustybt > "$RVENV.log" 2>&1
        # rustybt 0.3.3 imports scikit-learn, scikit-optimize and deap in rustybt.optimization
        # without declaring them: install them as a user would after the ImportError.
        EXTRA=""
        if ! "$RVENV/bin/python" -c 'from rustybt.optimization import ParallelOptimizer' >> "$RVENV.log" 2>&1; then
            EXTRA=" (plus scikit-learn, scikit-optimize and deap, which rustybt.optimization imports but rustybt does not declare)"
            "$RVENV/bin/pip" install --disable-pip-version-check scikit-learn scikit-optimize deap >> "$RVENV.log" 2>&1
        fi
        if "$RVENV/bin/python" -c 'from rustybt.optimization import ParallelOptimizer' >> "$RVENV.log" 2>&1; then
            echo "ok: rustybt $("$RVENV/bin/python" -c 'import importlib.metadata as m; print(m.version("rustybt"))') with $("$PY312" --version 2>&1)$EXTRA" > "$STATUS"
        else
            echo "failed: pip install rustybt with $("$PY312" --version 2>&1): $(grep -E 'ERROR|error:' "$RVENV.log" | tail -3 | tr '\n' ' ')" > "$STATUS"
        fi
    fi
fi
echo "setup: rustybt: $(cat "$STATUS" 2>/dev/null || echo skipped)"
