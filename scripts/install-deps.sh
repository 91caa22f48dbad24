#!/usr/bin/env bash
# Installs the Debian 12 packages btopt needs to build and test, if any is
# missing (chromium: the test that opens the HTML report in a real browser).
# Go, Rust and Python with pytest come with the machine (see ../shared/TOOLCHAIN.md).
set -euo pipefail

packages=(build-essential cmake ninja-build pkg-config libboost-dev libboost-filesystem-dev libmsgsl-dev
  doctest-dev libexpected-dev libmuparser-dev nlohmann-json3-dev libfmt-dev libcli11-dev libbenchmark-dev
  libopenmpi-dev openmpi-bin binutils chromium libsqlite3-dev libxxhash-dev)

packages+=(libxxhash-dev) # XXH3-128: the kit's CSV cache is keyed by the file's content
packages+=(clang libclang-rt-14-dev) # libFuzzer for fuzz/run.sh
packages+=(strace) # tests/cli/test_study.py: the run's end is synced to disk (it skips without strace)
packages+=(dpkg-dev) # dpkg-shlibdeps: cpack -G DEB works out the packages' dependencies
packages+=(iproute2 util-linux) # ip netns and unshare: the MPI tests' three hosts (tests/mpi/three_hosts.sh)
packages+=(libcpp-httplib-dev) # the HTTP server of btopt dashboard (docs/DASHBOARD.md)
# Python packages for the binding and its tests, into the python3 that runs them: cloudpickle
# (start_method 'spawn' sends the objective to its workers), numpy (per-trial seeding of its
# global generator), nbclient, ipykernel and nbformat (the test in a real Jupyter kernel), pandas
# (result.to_pandas(), equity curves as Series over dates: the tests skip them without it), scipy
# (tests/cli/test_validation.py: the statistics against the papers' formulas; skipped without it), ray
# and dask[distributed] (backend='ray' and 'dask': tests/test_ray_dask.py starts a local cluster of each).
python_packages=(cloudpickle numpy nbclient ipykernel nbformat pandas scipy ray "dask[distributed]")
if ! python3 -c "import cloudpickle, numpy, nbclient, ipykernel, nbformat, pandas, scipy, ray, dask.distributed" 2>/dev/null; then
  python3 -m pip install -q "${python_packages[@]}"
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Rust binding's crates (pkg-config, cmake, serde), so its tests build
# with --offline; a no-op when they are in Cargo's cache already.
if command -v cargo >/dev/null; then
  cargo fetch -q --manifest-path "$(dirname "$0")/../bindings/rust/Cargo.toml"
fi
