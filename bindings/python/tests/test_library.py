"""Where libbtopt comes from, as a user finds out."""

import os
import subprocess
import sys

import btopt
from btopt import _lib


def test_library_path_is_the_loaded_file_even_when_found_by_soname():
    # Found by the loader (LD_LIBRARY_PATH, no BTOPT_LIBRARY): the path named
    # is still the file that was mapped, never the bare soname.
    lib_dir = os.path.dirname(btopt.library_path())
    env = {k: v for k, v in os.environ.items() if k != "BTOPT_LIBRARY"}
    env["LD_LIBRARY_PATH"] = lib_dir
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    code = "import btopt; print(btopt.library_path())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    path = out.stdout.strip()
    assert os.path.isabs(path), path
    assert os.path.isfile(path), path
    assert os.path.realpath(path) == os.path.realpath(btopt.library_path())


def test_a_wheel_finds_its_bundled_engine_before_the_loader():
    # In the repository there is no bundled engine; in a wheel there is, and
    # it comes before the loader's search (tests/bindings/python_wheel.sh
    # runs this file in a venv with the wheel installed).
    bundled = _lib.bundled_library()
    if bundled is None:
        assert "BTOPT_LIBRARY" in os.environ or btopt.library_path()
        return
    if "BTOPT_LIBRARY" not in os.environ:
        assert os.path.realpath(btopt.library_path()) == os.path.realpath(bundled)
