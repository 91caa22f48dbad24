#!/usr/bin/env bash
# Makes the Python binding's source distribution: the files of
# bindings/python with the engine's sources in engine/ beside them, which
# pyproject.toml builds from when it builds from an sdist (its from-sdist
# override), so `pip install btopt-X.tar.gz` builds the engine into the wheel
# as `pip install ./bindings/python` does. An sdist made from
# bindings/python alone would lack the engine, which lies outside it.
#
# usage: scripts/python-sdist.sh OUT_DIR [PYTHON]
# PYTHON (default python3) needs the `build` and `scikit-build-core` packages.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
python=${2:-python3}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# The files git knows (tracked, or new and not ignored): no build folders.
copy() { # destination, paths...
  local to=$1
  shift
  (cd "$root" && git ls-files -z --cached --others --exclude-standard -- "$@" |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    xargs -0 cp --parents -t "$to")
}

copy "$stage" bindings/python
mv "$stage/bindings/python" "$stage/btopt" && rmdir "$stage/bindings"
mkdir "$stage/btopt/engine"
# What the wheel's CMake build reads (tests, benchmarks and bindings are off).
copy "$stage/btopt/engine" CMakeLists.txt LICENSE cmake include src plugins examples third_party

"$python" -m build --sdist --no-isolation --outdir "$out" "$stage/btopt" >"$stage/build.log" 2>&1 ||
  { cat "$stage/build.log"; exit 1; }
ls "$out"/btopt-*.tar.gz
