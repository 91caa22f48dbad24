#!/usr/bin/env bash
# The second command of the README: builds and runs every test — the C++
# suites, the C ABI from C, the CLI, the MPI tests under mpirun, the Rust,
# Go and Python bindings and the cross-language check — then the whole suite
# again under AddressSanitizer + UndefinedBehaviorSanitizer and under
# ThreadSanitizer, each in its own build folder, and the fuzzers (fuzz/run.sh)
# for a minute each. Set BTOPT_SKIP_SANITIZERS=1 to run only the plain build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)

# No process of the suite may outlive it.
assert_nothing_left() {
  local left
  left=$(pgrep -a -x btopt-worker || true)
  if [ -n "$left" ]; then
    echo "processes left behind by the tests:"; echo "$left"; exit 1
  fi
}

run_suite() { # build folder, extra cmake arguments...
  local dir=$1
  shift
  echo "== $dir"
  cmake -S . -B "$dir" -G Ninja -DBTOPT_BUILD_TESTS=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  ctest --test-dir "$dir" -j"$jobs" --output-on-failure
  assert_nothing_left
}

run_suite build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ -f bench/run.sh ]; then
  bench/run.sh --smoke --build build-test
fi
if [ "${BTOPT_SKIP_SANITIZERS:-0}" != 1 ]; then
  ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DBTOPT_SANITIZE=address,undefined
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    run_suite build-tsan -DCMAKE_BUILD_TYPE=Debug -DBTOPT_SANITIZE=thread
  # The CSV reader and the constraint parser under libFuzzer (ASan + UBSan), 60 s each.
  fuzz/run.sh build-fuzz
fi
