#!/usr/bin/env bash
# The second command of the README: builds and runs every test, then the whole
# suite again under AddressSanitizer + UndefinedBehaviorSanitizer and under
# ThreadSanitizer, each in its own build folder.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)

run_suite() { # name, extra cmake arguments...
  local dir="build-$1"
  shift
  echo "== $dir"
  cmake -S . -B "$dir" -G Ninja -DBTOPT_BUILD_TESTS=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  ctest --test-dir "$dir" -j"$jobs" --output-on-failure
}

run_suite test -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ "${BTOPT_SKIP_SANITIZERS:-0}" != 1 ]; then
  # halt_on_error keeps a finding from scrolling by; detect_leaks checks every handle is released.
  ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite asan -DCMAKE_BUILD_TYPE=Debug -DBTOPT_SANITIZE=address,undefined
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    run_suite tsan -DCMAKE_BUILD_TYPE=Debug -DBTOPT_SANITIZE=thread
fi
