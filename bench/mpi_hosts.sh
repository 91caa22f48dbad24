#!/usr/bin/env bash
# The MPI backend's cost per trial across three hosts (network namespaces,
# TCP) against one host (shared memory), on the GOOG sweep: the `bench` case
# of tests/mpi/across_hosts.py. Needs root (ip netns). About 30 s on 2 cores.
#   bench/mpi_hosts.sh [BUILD_DIR]      (default build-test); REPS=N (default 3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build-test}" && pwd)
exec "$root/tests/mpi/three_hosts.sh" bench "$build/bin/btopt" "$build/tests/plugins"
