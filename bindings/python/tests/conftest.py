"""Test setup: btopt from ../src (no install needed), libbtopt from BTOPT_LIBRARY.

    BTOPT_LIBRARY=/path/to/build/src/libbtopt.so.1 python3 -m pytest bindings/python/tests -q

Where a wheel is installed (it carries its engine), the tests run against that
installed package instead, with no environment variable: that is how
tests/bindings/python_wheel.sh checks the wheel.

The test plugins (faulty.so, c_quadratic.so) are looked for in
BTOPT_TEST_PLUGIN_DIR, else in the build's tests/plugins next to the library.
"""

import os
import pathlib
import sys

import pytest

SRC = pathlib.Path(__file__).resolve().parent.parent / "src"


def _installed_wheel():
    """True where `import btopt` finds an installed package with its engine."""
    import importlib.util

    spec = importlib.util.find_spec("btopt")
    if spec is None or spec.origin is None:
        return False
    package = pathlib.Path(spec.origin).resolve().parent
    return package.parent != SRC and (package / "_engine").is_dir()


if not _installed_wheel():
    sys.path.insert(0, str(SRC))

import btopt  # noqa: E402
from btopt import _lib  # noqa: E402


def pytest_configure(config):
    try:
        _lib.library()
    except OSError as e:
        raise pytest.UsageError("btopt's Python tests need libbtopt: %s" % e)


def _test_plugin_dir():
    explicit = os.environ.get("BTOPT_TEST_PLUGIN_DIR")
    if explicit:
        return pathlib.Path(explicit)
    return pathlib.Path(_lib.library().path).resolve().parent.parent / "tests" / "plugins"


@pytest.fixture(scope="session")
def test_plugin():
    """The path of a test plugin by name (faulty, c_quadratic); skips when not built."""

    def find(name):
        path = _test_plugin_dir() / (name + ".so")
        if not path.exists():
            pytest.skip("test plugin %s not built (set BTOPT_TEST_PLUGIN_DIR)" % path)
        return str(path)

    return find


def pytest_report_header(config):
    return "btopt library: %s (version %s)" % (_lib.library().path, btopt.library_version())


def pytest_collection_modifyitems(session, config, items):
    """The Ray and Dask tests run last: a Dask client leaves a thread in this
    process (its offload pool), and with other threads alive btopt's default
    for a Python objective becomes spawned workers, which would change what
    the other modules' tests run."""
    items.sort(key=lambda item: item.fspath.basename == "test_ray_dask.py")
