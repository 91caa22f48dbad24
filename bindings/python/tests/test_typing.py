"""The package's type hints are complete and precise: ``mypy --strict`` over
bindings/python/src finds nothing, and a typed user of the public API gets
real types (a score is ``float | None``, not ``Any``). Skips where mypy
cannot be imported (pip install mypy)."""

import pathlib
import subprocess
import sys
import textwrap

import pytest

SRC = pathlib.Path(__file__).resolve().parent.parent / "src"


def mypy(tmp_path, *args):
    pytest.importorskip("mypy.api")
    command = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), *args]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={"MYPYPATH": str(SRC), "PATH": "/usr/bin:/bin"})
    return run.returncode, run.stdout + run.stderr


def test_mypy_strict_finds_nothing_in_the_package(tmp_path):
    status, output = mypy(tmp_path, str(SRC / "btopt"))
    assert status == 0, output


def test_a_typed_user_gets_real_types(tmp_path):
    user = tmp_path / "user.py"
    user.write_text(textwrap.dedent("""
        from btopt import DiscreteParameter, ParallelOptimizer, ParameterSpace
        from btopt.optimization.search.grid_search import GridSearchAlgorithm

        space = ParameterSpace(parameters=[DiscreteParameter("a", 1, 3)])
        result = ParallelOptimizer(objective_function=lambda p: p["a"], parameter_space=space).optimize()
        score: str = result.best_score
        names: int = space.names
        ParameterSpace(parameters=3)
        GridSearchAlgorithm(space).suggest() + 1
    """))
    status, output = mypy(tmp_path, "user.py")
    assert status == 1
    errors = [line for line in output.splitlines() if ": error:" in line]
    assert len(errors) == 4, output
    assert '"float | None"' in errors[0] and '"list[str]"' in errors[1]
    assert "ParameterSpace" in errors[2] and "dict[str, Any]" in errors[3]
