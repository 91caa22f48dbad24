#!/usr/bin/env bash
# Builds the libFuzzer targets with Debian's clang under AddressSanitizer and
# UndefinedBehaviorSanitizer, replays every kept crash input (regressions/),
# then fuzzes each target for BTOPT_FUZZ_SECONDS (default 60) seconds from a
# seed corpus: the heads of the CSV files in ../shared/data for the CSV
# reader, the sample plugins' constraints and a few conditions for the
# constraint parser. A new crash input is left in the build folder and fails
# the run: copy it into regressions/<target>/ once fixed.
#
#   fuzz/run.sh [build folder, default build-fuzz]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/build-fuzz}" && cd "${1:-$root/build-fuzz}" && pwd)
seconds=${BTOPT_FUZZ_SECONDS:-60}
cxx=${BTOPT_FUZZ_CXX:-clang++}
if ! command -v "$cxx" >/dev/null; then
  echo "fuzz: $cxx not found (apt-get install clang libclang-rt-14-dev): skipped"
  exit 0
fi

flags=(-std=c++2b -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
  -I"$root/include" -I"$root/src" -I"$root/src/kit/include" -DFMT_SHARED)
"$cxx" "${flags[@]}" "$root/fuzz/csv_fuzzer.cpp" "$root/src/kit/csv.cpp" "$root/src/kit/bars.cpp" \
  -lfmt -o "$out/csv_fuzzer"
"$cxx" "${flags[@]}" "$root/fuzz/constraint_fuzzer.cpp" "$root/src/core/constraints.cpp" "$root/src/core/space.cpp" \
  -lmuparser -lfmt -o "$out/constraint_fuzzer"

# Seeds, rebuilt each time in the build folder (never copied into the repository).
shared=${BTOPT_SHARED_DATA:-$root/../shared/data}
rm -rf "$out/seeds" && mkdir -p "$out/seeds/csv" "$out/seeds/constraints"
for csv in "$shared"/*.csv; do
  [ -f "$csv" ] && head -c 4096 "$csv" > "$out/seeds/csv/$(basename "$csv")"
done
i=0
for expression in "fast < slow" "fast * 2 <= slow" "x >= 0.5 && fast != 0" "(fast < 2) || (slow > 1)" \
  "fast = 1" "fast < slow < 3" "fast" "max(fast, slow) > x"; do
  printf '%s' "$expression" > "$out/seeds/constraints/$((i += 1))"
done

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for target in csv constraints; do
  binary="$out/csv_fuzzer"
  [ "$target" = constraints ] && binary="$out/constraint_fuzzer"
  kept=("$root/fuzz/regressions/$target"/*)
  if [ -e "${kept[0]}" ]; then
    echo "== $target: replaying ${#kept[@]} kept inputs"
    "$binary" "${kept[@]}"
  fi
  echo "== $target: fuzzing for $seconds s"
  mkdir -p "$out/corpus/$target"
  (cd "$out" && "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    "$out/corpus/$target" "$out/seeds/$target")
done
