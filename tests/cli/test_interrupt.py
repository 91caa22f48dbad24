"""Ctrl-C: SIGINT cancels the run, the finished trials are summarised and
written, the exit code is 130 and no worker process is left behind."""
import json
import os
import pathlib
import signal
import sqlite3
import subprocess
import time
import uuid

from conftest import BTOPT, test_plugin
from study_chunks import integrity, stored_trials
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


def command_line(pid):
    """The arguments of process `pid` (empty once it is gone)."""
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:-1]
    except OSError:
        return []


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


def test_ctrl_c_interrupts_a_slow_plugin_init(tmp_path):
    # evil's init sleeps 30 s. Ctrl-C one second in ends the run at once
    # (exit 130, nothing written, no worker left), not when init returns.
    # A second Ctrl-C, while the first one's cancel winds down, ends btopt at
    # once by design (SA_RESETHAND: "Ctrl-C again quits at once"), without a
    # summary or files.
    tag = uuid.uuid4().hex
    env = dict(os.environ, BTOPT_CLI_TEST_TAG=tag)
    process = subprocess.Popen([BTOPT, "run", test_plugin("evil"), "--jobs", "2", "--set", "init_sleep=30",
                                "--json", "out.json"],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The worker server, not `btopt-worker describe`, which runs before the
        # run (and its Ctrl-C handler) starts.
        assert wait_for(lambda: any(command_line(pid)[-1:] == [b"serve"] for pid in processes_tagged(tag)), 30)
        time.sleep(1.0)
        start = time.monotonic()
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=20)
        took = time.monotonic() - start
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert took < 5, took
    assert "cancelled while plugin" in stderr and "initialising" in stderr and "no trial ran" in stderr, stderr
    assert not (tmp_path / "out.json").exists()
    assert wait_for(lambda: not processes_tagged(tag), 10), processes_tagged(tag)


def test_a_second_ctrl_c_quits_at_once_and_loses_no_finished_trial(tmp_path):
    # evil's finish never returns: after the last trial btopt waits out the
    # worker server's grace period. A user who presses Ctrl-C twice there
    # quits at once (by design, "Ctrl-C again quits at once"): without a
    # summary or files, but every finished trial is in the study, and the
    # same command then reuses all of them.
    tag = uuid.uuid4().hex
    env = dict(os.environ, BTOPT_CLI_TEST_TAG=tag)
    study = tmp_path / "s.db"
    command = [BTOPT, "run", test_plugin("evil"), "--jobs", "2", "--set", "finish_hang=1", "--study", str(study),
               "--json", "out.json"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert wait_for(lambda: study.exists() and len(stored_or_none(study)) == 100, 60)
        process.send_signal(signal.SIGINT)
        time.sleep(0.2)
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
        took = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode in (-signal.SIGINT, 130), stderr
    assert took < 2, took
    assert not (tmp_path / "out.json").exists()
    assert wait_for(lambda: not processes_tagged(tag), 10), processes_tagged(tag)
    assert integrity(study) == "ok"
    again = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    result = json.loads((tmp_path / "out.json").read_text())
    assert result["n_reused"] == result["n_trials"] == 100


def stored_or_none(study):
    """The trials committed to the study so far; [] while it cannot be read yet."""
    try:
        return stored_trials(study)[0]
    except sqlite3.Error:
        return []
