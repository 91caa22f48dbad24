#!/usr/bin/env bash
# The first command of the README: installs what is missing, builds btopt and
# runs the main job, `btopt demo`: a grid over the sma_crossover strategy on a
# synthetic series, with worker processes on every CPU, a live progress line,
# the summary, and btopt-demo-report.html. Warnings do not stop this build (a
# newer compiler's new warning must not stop a user); the test builds keep -Werror.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBTOPT_BUILD_TESTS=OFF -DBTOPT_BUILD_BENCH=OFF \
  -DBTOPT_WARNINGS_AS_ERRORS=OFF >/dev/null
cmake --build build -j"$(nproc)"
./build/bin/btopt demo
