"""The ``btopt`` command a wheel installs: runs the engine's own command,
which lies in the package (btopt/_engine/bin/btopt) and finds its libbtopt
beside it through its rpath."""

from __future__ import annotations

import os
import sys


def command_path() -> str:
    """The bundled ``btopt`` executable; OSError when this install has none."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_engine", "bin", "btopt")
    if not os.access(path, os.X_OK):
        raise OSError("this btopt package has no bundled command (%s): install it from a wheel" % path)
    return path


def main() -> None:
    try:
        path = command_path()
    except OSError as e:
        sys.exit("btopt: %s" % e)
    os.execv(path, [path] + sys.argv[1:])
