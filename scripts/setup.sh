#!/usr/bin/env bash
# The first command of the README: installs what is missing, builds btopt and
# runs the main job (the quickstart: a grid sequential and in parallel).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBTOPT_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
./build/examples/quickstart
