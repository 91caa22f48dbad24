#!/usr/bin/env bash
# The same seeded genetic run over the same plugin from C, Rust, Go and Python
# must print identical trials (points, order, scores, statuses).
# Usage: crosslang.sh C_PROGRAM LIB_DIR REPO_ROOT
set -euo pipefail
c_program=$1 lib_dir=$2 root=$3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$c_program" > "$out/c.txt"
(cd "$root/bindings/rust" && BTOPT_LIB_DIR="$lib_dir" cargo run -q --offline --example crosslang) > "$out/rust.txt"
(cd "$root/bindings/go" && PKG_CONFIG_PATH="$lib_dir/.." go run ./cmd/crosslang) > "$out/go.txt"
BTOPT_LIBRARY="$lib_dir/libbtopt.so.1" python3 "$root/bindings/python/examples/crosslang.py" > "$out/python.txt"
lines=$(wc -l < "$out/c.txt")
[ "$lines" -gt 0 ] || { echo "the C run printed no trials"; exit 1; }
failed=0
for lang in rust go python; do
  if diff -u "$out/c.txt" "$out/$lang.txt" > "$out/$lang.diff"; then
    echo "$lang: $lines trials identical to C"
  else
    echo "$lang differs from C:"; head -20 "$out/$lang.diff"; failed=$((failed + 1))
  fi
done
echo "$((3 - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
