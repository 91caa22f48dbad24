"""Shared helpers for the tests of the `btopt` command.

ctest passes the paths: BTOPT_CLI (the binary), BTOPT_LIB (libbtopt),
BTOPT_STUDY_METRICS (study_metrics.c, the metrics of a study through the C ABI),
BTOPT_TEST_PLUGIN_DIR (faulty, c_quadratic, broken_*), BTOPT_SHARED_DATA
(../shared/data, may be absent) and BTOPT_CLI_ARTIFACTS (where screenshots go).
"""
import json
import os
import pathlib
import subprocess

import pytest


def _required(name):
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run these tests through ctest", returncode=2)
    return value


BTOPT = _required("BTOPT_CLI")
PLUGIN_DIR = pathlib.Path(_required("BTOPT_TEST_PLUGIN_DIR"))
SHARED_DATA = pathlib.Path(os.environ.get("BTOPT_SHARED_DATA", "/nonexistent"))
ARTIFACTS = pathlib.Path(os.environ.get("BTOPT_CLI_ARTIFACTS", "."))

# Words that mean the process died instead of failing cleanly.
CRASH_WORDS = ("terminate called", "Traceback", "Segmentation fault", "Aborted", "core dumped", "what():")


def test_plugin(name):
    """Path of a plugin from tests/plugins."""
    path = PLUGIN_DIR / f"{name}.so"
    assert path.exists(), f"{path} is missing: build the btopt-cli-tests target"
    return str(path)


test_plugin.__test__ = False  # a helper, not a test


class Btopt:
    """Runs the command in a test's own folder."""

    def __init__(self, cwd):
        self.cwd = cwd

    def __call__(self, *args, timeout=180, env=None):
        result = subprocess.run([BTOPT, *map(str, args)], cwd=self.cwd, capture_output=True, text=True,
                                timeout=timeout, env=env)
        for word in CRASH_WORDS:
            assert word not in result.stderr, result.stderr
        return result

    def json(self, *args, name="out.json", **kwargs):
        """Runs with --json and returns (result, parsed file)."""
        result = self(*args, "--json", name, **kwargs)
        assert result.returncode == 0, result.stderr
        return result, json.loads((self.cwd / name).read_text())


@pytest.fixture
def btopt(tmp_path):
    return Btopt(tmp_path)


def ok_trials(data):
    return [t for t in data["trials"] if t["status"] == "ok"]


def study_metrics(study):
    """{trial number: {metric: value}} of the last run of a study, through the C ABI: every metric, the "btopt."
    ones too, which the result files leave out (docs/RESULTS.md)."""
    result = subprocess.run([_required("BTOPT_STUDY_METRICS"), str(study)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    trials = {}
    for line in result.stdout.splitlines():
        number, *pairs = line.split(" ")
        trials[int(number)] = {name: float(value) for name, _, value in (p.rpartition("=") for p in pairs)}
    return trials
