"""Ctrl-C: SIGINT cancels the run, the finished trials are summarised and
written, the exit code is 130 and no worker process is left behind."""
import json
import os
import pathlib
import signal
import subprocess
import time
import uuid

from conftest import BTOPT, test_plugin
from test_report import report_data


def processes_tagged(tag):
    """Pids whose environment holds BTOPT_CLI_TEST_TAG=tag: this test's btopt and its workers only."""
    needle = f"BTOPT_CLI_TEST_TAG={tag}".encode()
    found = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue  # gone, or not ours to read
    return found


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_ctrl_c_keeps_the_finished_trials(tmp_path):
    tag = uuid.uuid4().hex
    env = dict(os.environ, BTOPT_CLI_TEST_TAG=tag)
    stderr_path = tmp_path / "stderr.txt"
    # Trials with a == 5 never return: the run cannot finish on its own.
    with open(stderr_path, "w") as stderr:
        process = subprocess.Popen([BTOPT, "run", test_plugin("faulty"), "--jobs", "2", "--set", "hang_at=5",
                                    "--json", "out.json", "--csv", "out.csv", "--report", "out.html"],
                                   cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True)
        try:
            # The first progress line comes once a trial has finished.
            assert wait_for(lambda: "progress:" in stderr_path.read_text(), 60), stderr_path.read_text()
            time.sleep(0.5)
            workers = [pid for pid in processes_tagged(tag) if pid != process.pid]
            assert workers, "the run's btopt-worker processes should be visible"
            assert process.poll() is None
            process.send_signal(signal.SIGINT)
            stdout, _ = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    errors = stderr_path.read_text()
    assert process.returncode == 130, errors
    assert "cancelled" in errors
    assert "CANCELLED: partial results" in stdout
    assert "Best: trial" in stdout
    assert "Wrote out.json, out.csv, out.html" in stdout

    data = json.loads((tmp_path / "out.json").read_text())
    assert data["plugin"] == "faulty"
    finished = [t for t in data["trials"] if t["status"] == "ok"]
    assert finished and all(t["params"]["a"] != 5 for t in finished)
    assert f"btopt: cancelled after {len(finished)} finished trials" in errors
    assert all(t["status"] in ("ok", "cancelled") for t in data["trials"])
    assert any(t["status"] == "cancelled" for t in data["trials"])
    assert len((tmp_path / "out.csv").read_text().splitlines()) == len(data["trials"]) + 1
    page = report_data((tmp_path / "out.html").read_text())
    assert page["summary"]["run"]["status"] == "cancelled"
    assert sorted(row[0] for row in page["trials"]) == sorted(t["id"] for t in data["trials"])
    # Nothing of the run outlives it.
    assert wait_for(lambda: not processes_tagged(tag), 10), processes_tagged(tag)
