"""Durable runs: output files written whole or not at all, SIGTERM/SIGHUP as
clean stops, and studies (--study): every trial on disk, resume after any
kill with the result of an uninterrupted run, provenance that refuses a
changed plugin, data or config."""
import json
import os
import pathlib
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import BTOPT, CRASH_WORDS, test_plugin
from study_chunks import integrity, pragma

SANITIZED = os.environ.get("BTOPT_SANITIZED") == "1"


def run(cwd, *args, timeout=120, check=None):
    result = subprocess.run([BTOPT, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    for word in CRASH_WORDS:
        assert word not in result.stderr, result.stderr
    if check is not None:
        assert result.returncode == check, result.stdout + result.stderr
    return result


def comparable(data):
    """What must be equal between a resumed run and an uninterrupted one: everything but the times."""
    trials = [{k: t[k] for k in ("id", "params", "score", "metrics", "status", "error")} for t in data["trials"]]
    return trials, data["best_params"], data["best_score"], data["n_trials"]


# ---- output files -------------------------------------------------------------

def test_json_past_the_file_size_limit_fails_and_leaves_the_old_file(tmp_path):
    old = '{"old": true}\n'
    (tmp_path / "out.json").write_text(old)
    (tmp_path / "out.csv").write_text("old\n")
    # ~1,200 trials of JSON are far past 40 KB.
    command = (f"ulimit -f 40; exec '{BTOPT}' run '{test_plugin('slow_bowl')}' --backend thread --jobs 2 --quiet "
               f"--json out.json")
    result = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "--json out.json" in result.stderr and "File too large" in result.stderr, result.stderr
    assert (tmp_path / "out.json").read_text() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "out.json"]  # no temporary file left


def test_json_keeps_its_schema_and_parses(tmp_path):
    result = run(tmp_path, "run", test_plugin("c_quadratic"), "--backend", "thread", "--jobs", "2", "--json", "out.json", "--csv", "out.csv", check=0)
    data = json.loads((tmp_path / "out.json").read_text())
    assert list(data)[:3] == ["plugin", "algorithm", "objective"]
    assert data["plugin"] == "c_quadratic"
    assert "provenance" not in data  # only runs with a study carry one
    assert len(data["trials"]) == data["n_trials"] == len((tmp_path / "out.csv").read_text().splitlines()) - 1
    t = data["trials"][0]
    assert list(t) == ["id", "params", "score", "metrics", "status", "error", "seconds"]
    assert isinstance(t["params"]["y"], float) and isinstance(t["params"]["x"], int)
    assert t["params"]["mode"] in ("add", "mul")
    assert "Wrote out.json, out.csv" in result.stdout


# ---- signals -------------------------------------------------------------------

@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_stop_like_ctrl_c(tmp_path, sig, code):
    stderr_path = tmp_path / "stderr.txt"
    with open(stderr_path, "w") as stderr:
        process = subprocess.Popen([BTOPT, "run", test_plugin("faulty"), "--jobs", "2", "--set", "hang_at=5",
                                    "--json", "out.json"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=stderr, text=True)
        try:
            deadline = time.monotonic() + 60
            while "progress:" not in stderr_path.read_text() and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)
            process.send_signal(sig)
            stdout, _ = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == code, stderr_path.read_text()
    assert "CANCELLED: partial results" in stdout
    data = json.loads((tmp_path / "out.json").read_text())
    assert any(t["status"] == "ok" for t in data["trials"])


# ---- studies -------------------------------------------------------------------

SETUPS = {
    "grid": ["--algorithm", "grid"],
    "random": ["--algorithm", "random", "--iterations", "900", "--seed", "11"],
    "genetic": ["--algorithm", "genetic", "--population", "24", "--generations", "40", "--seed", "5"],
}


def run_with_kills(tmp_path, setup, backend, kills_wanted, rng):
    """Runs with a study, SIGKILLs at random moments and resumes until a run
    finishes on its own; returns (kills, the final JSON)."""
    plugin = test_plugin("slow_bowl")
    args = [BTOPT, "run", plugin, *SETUPS[setup], "--backend", backend, "--jobs", "2", "--set", "delay_us=4000", "--study", "study.db", "--json", "out.json"]
    kills = 0
    for attempt in range(60):
        process = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if kills < kills_wanted:
            try:
                process.wait(timeout=rng.uniform(0.1, 0.5))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                kills += 1
                # A kill before the study was made leaves no file: nothing to check.
                if (tmp_path / "study.db").exists():
                    assert integrity(tmp_path / "study.db") == "ok"
                continue
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stdout + stderr
        return kills, stdout, json.loads((tmp_path / "out.json").read_text())
    pytest.fail("the run never finished")


@pytest.mark.parametrize("setup, backend, kills_wanted", [("grid", "thread", 8), ("random", "process", 7),
                                                          ("genetic", "thread", 7)])
def test_killed_and_resumed_runs_equal_an_uninterrupted_one(tmp_path, setup, backend, kills_wanted):
    if SANITIZED:
        pytest.skip("timing-dependent kills are too slow under sanitizers")
    reference_dir = tmp_path / "reference"
    reference_dir.mkdir()
    run(reference_dir, "run", test_plugin("slow_bowl"), *SETUPS[setup], "--backend", backend, "--jobs", "2",
        "--set", "delay_us=4000", "--json", "ref.json", check=0)
    reference = json.loads((reference_dir / "ref.json").read_text())

    study_dir = tmp_path / "study"
    study_dir.mkdir()
    kills, stdout, final = run_with_kills(study_dir, setup, backend, kills_wanted, random.Random(setup))
    assert kills == kills_wanted
    assert comparable(final) == comparable(reference)
    # Every score bit: JSON floats are printed exactly, so equal text is equal bits.
    assert [t["score"] for t in final["trials"]] == [t["score"] for t in reference["trials"]]
    assert final["n_reused"] > 0 and f"{final['n_reused']} trials reused" in stdout
    assert integrity(study_dir / "study.db") == "ok"

    # The study's last run, exported, is the same run.
    run(study_dir, "export", "study.db", "--json", "export.json", check=0)
    exported = json.loads((study_dir / "export.json").read_text())
    assert comparable(exported) == comparable(reference)
    assert exported["provenance"]["status"] == "finished"
    statuses = [line.split(":")[1].split(",")[0].strip()
                for line in run(study_dir, "export", "study.db", "--list", check=0).stdout.splitlines()]
    # A kill after a run recorded its end (while it wrote its JSON) leaves it
    # "finished"; one before the run was registered (the plugin still loading)
    # leaves no run at all.
    assert 2 <= len(statuses) <= kills + 1 and statuses[-1] == "finished", statuses
    assert "interrupted" in statuses and set(statuses) <= {"interrupted", "finished"}, statuses


def test_a_finished_study_reruns_without_evaluating_and_a_widened_grid_evaluates_only_new_points(tmp_path):
    plugin = test_plugin("slow_bowl")
    base = ["run", plugin, "--backend", "thread", "--jobs", "2", "--study", "s.db"]
    run(tmp_path, *base, "--param", "x=0:9:1", "--json", "a.json", check=0)
    first = json.loads((tmp_path / "a.json").read_text())
    result = run(tmp_path, *base, "--param", "x=0:9:1", "--json", "b.json", check=0)
    again = json.loads((tmp_path / "b.json").read_text())
    assert again["n_reused"] == again["n_trials"] == first["n_trials"]
    assert comparable(again) == comparable(first)
    assert "0 evaluated" in result.stdout
    # The summary does not call reused trials evaluated, nor give a speedup of no evaluation.
    n = first["n_trials"]
    assert f"Trials: {n} ({n} reused from the study, 0 evaluated): {n} ok," in result.stdout, result.stdout
    assert "speedup" not in result.stdout and "no evaluation: every trial came from the study" in result.stdout
    result = run(tmp_path, *base, "--param", "x=0:14:1", "--json", "c.json", check=0)
    widened = json.loads((tmp_path / "c.json").read_text())
    assert f"Trials: {widened['n_trials']} ({n} reused from the study, {widened['n_trials'] - n} evaluated):" in result.stdout
    assert widened["n_trials"] == first["n_trials"] * 15 // 10
    assert widened["n_reused"] == first["n_trials"]
    assert f"{first['n_trials'] // 2} evaluated" in result.stdout


def test_provenance_names_the_plugin_the_data_and_the_config(tmp_path):
    data = tmp_path / "bars.csv"
    data.write_text("date,close\n" + "".join(f"2020-01-{d:02d},{100 + d}.5\n" for d in range(1, 29)))
    plugin = test_plugin("slow_bowl")
    base = ["run", plugin, "--backend", "thread", "--jobs", "2", "--param", "x=0:3:1",
            "--study", "s.db", "--set", f"bars={data}"]
    run(tmp_path, *base, "--set", "commission=0.001", "--json", "out.json", check=0)
    provenance = json.loads((tmp_path / "out.json").read_text())["provenance"]
    assert provenance["plugin"]["name"] == "slow_bowl" and len(provenance["plugin"]["xxh3_128"]) == 32
    assert provenance["config"] == {"bars": str(data), "commission": "0.001"}
    assert provenance["data"]["bars"]["file"] == str(data)
    assert provenance["btopt_version"] and provenance["host"] and provenance["command_line"][1] == "run"
    assert provenance["space"]["parameters"][0]["name"] == "x"

    # One byte in the middle of the data, same size and mtime.
    stat = data.stat()
    text = bytearray(data.read_bytes())
    text[len(text) // 2] = ord("7") if text[len(text) // 2] != ord("7") else ord("8")
    data.write_bytes(bytes(text))
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = run(tmp_path, *base, "--set", "commission=0.001", check=1)
    assert "the data changed" in result.stderr and str(data) in result.stderr, result.stderr
    assert "--study-mode new" in result.stderr

    # Back to the recorded data, another commission.
    result = run(tmp_path, *base, "--set", "commission=0.002", check=1)
    assert "the config changed: commission = 0.002, the study has commission = 0.001" in result.stderr, result.stderr

    # --study-mode new records the run anyway, reusing nothing.
    result = run(tmp_path, *base, "--set", "commission=0.002", "--study-mode", "new", "--json", "new.json", check=0)
    assert json.loads((tmp_path / "new.json").read_text())["n_reused"] == 0


def test_a_rebuilt_plugin_is_refused(tmp_path):
    copy = tmp_path / "slow_bowl.so"
    copy.write_bytes(pathlib.Path(test_plugin("slow_bowl")).read_bytes())
    base = ["run", str(copy), "--backend", "thread", "--jobs", "2", "--quiet", "--param", "x=0:3:1", "--study", "s.db"]
    run(tmp_path, *base, check=0)
    content = bytearray(copy.read_bytes())
    content[-1] ^= 0xff  # past the code: still loads, but it is not the same build
    copy.write_bytes(bytes(content))
    result = run(tmp_path, *base, check=1)
    assert "the plugin file changed" in result.stderr and "slow_bowl" in result.stderr, result.stderr


def test_bad_studies_are_clear_errors(tmp_path):
    plugin = test_plugin("slow_bowl")
    base = ["run", plugin, "--backend", "thread", "--quiet", "--param", "x=0:3:1"]
    (tmp_path / "text.db").write_text("this is not a database, just some text that is long enough " * 20)
    result = run(tmp_path, *base, "--study", "text.db", check=1)
    assert "'text.db' is not a btopt study" in result.stderr, result.stderr

    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE t(x)")
    other.commit()
    other.close()
    result = run(tmp_path, *base, "--study", "other.db", check=1)
    assert "not a btopt study" in result.stderr, result.stderr
    result = run(tmp_path, "export", "other.db", "--json", "x.json", check=1)
    assert "not a btopt study" in result.stderr, result.stderr

    run(tmp_path, *base, "--study", "newer.db", check=0)
    newer = sqlite3.connect(tmp_path / "newer.db")
    newer.execute("PRAGMA user_version = 99")
    newer.commit()
    newer.close()
    result = run(tmp_path, *base, "--study", "newer.db", check=1)
    assert "newer btopt" in result.stderr, result.stderr

    # A study of schema 1 (one row per trial) is refused by run and export alike, saying what to do.
    older = sqlite3.connect(tmp_path / "older.db")
    older.executescript("CREATE TABLE trials(run, number); PRAGMA application_id = 1651797872; PRAGMA user_version = 1;")
    older.close()
    for command in ([*base, "--study", "older.db"], ["export", "older.db", "--json", "x.json"]):
        result = run(tmp_path, *command, check=1)
        assert "written by an older btopt (study schema 1" in result.stderr and "btopt export" in result.stderr, \
            result.stderr
    assert not (tmp_path / "x.json").exists()

    if os.geteuid() != 0:  # root writes anyway
        run(tmp_path, *base, "--study", "ro.db", check=0)
        (tmp_path / "ro.db").chmod(0o444)
        result = run(tmp_path, *base, "--study", "ro.db", check=1)
        assert "read-only" in result.stderr, result.stderr


def user_version(path):
    return pragma(path, "user_version")


def make_schema_2(path, identity_sql=None):
    """Turns a study into what a btopt of study schema 2 wrote: no bar columns (a run's bars were part of its
    identity's config then)."""
    db = sqlite3.connect(path)
    if identity_sql:
        db.execute(identity_sql)
    db.executescript("ALTER TABLE runs DROP COLUMN first_bar; ALTER TABLE runs DROP COLUMN end_bar; "
                     "PRAGMA user_version = 2;")
    db.close()


def test_a_schema_2_study_is_read_as_it_is_and_upgraded_by_the_next_run(tmp_path):
    base = ["run", test_plugin("slow_bowl"), "--backend", "thread", "--jobs", "2", "--quiet", "--param", "x=0:9:1",
            "--study", "s.db"]
    run(tmp_path, *base, "--json", "a.json", check=0)
    first = json.loads((tmp_path / "a.json").read_text())
    assert user_version(tmp_path / "s.db") == 3
    make_schema_2(tmp_path / "s.db")
    run(tmp_path, "export", "s.db", "--json", "old.json", check=0)
    assert comparable(json.loads((tmp_path / "old.json").read_text())) == comparable(first)
    assert user_version(tmp_path / "s.db") == 2  # reading changes nothing
    run(tmp_path, *base, "--json", "b.json", check=0)
    again = json.loads((tmp_path / "b.json").read_text())
    assert again["n_reused"] == again["n_trials"] == first["n_trials"]
    assert comparable(again) == comparable(first)
    assert user_version(tmp_path / "s.db") == 3 and integrity(tmp_path / "s.db") == "ok"


def test_a_schema_2_run_on_some_bars_is_never_reused_and_refuses_nothing(tmp_path):
    base = ["run", "momentum", "--quiet", "--study", "s.db", "--start", "100"]
    run(tmp_path, *base, check=0)
    # Schema 2 kept options start/end in the identity's config (and so in its key).
    make_schema_2(tmp_path / "s.db", """UPDATE runs SET identity = json_set(identity, '$.config."btopt.start"', '100'),
                                        identity_key = 'of schema 2'""")
    run(tmp_path, *base, "--json", "b.json", check=0)
    assert json.loads((tmp_path / "b.json").read_text())["n_reused"] == 0


def wal_writes_and_syncs(trace):
    """(call, path) of every write and sync of the study's WAL in an `strace -f -y` log, in order."""
    calls = []
    for line in trace.splitlines():
        found = re.search(r"\b(pwrite64|write|fdatasync|fsync)\(\d+<([^>]*)>", line)
        if found and found.group(2).endswith("s.db-wal"):
            calls.append(found.group(1))
    return calls


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed (scripts/install-deps.sh)")
def test_the_end_of_a_run_is_synced_also_while_a_reader_holds_the_study(tmp_path):
    base = ["run", test_plugin("slow_bowl"), "--backend", "thread", "--jobs", "2", "--quiet", "--param", "x=0:9:1",
            "--study", "s.db"]
    run(tmp_path, *base, check=0)
    # A reader (the dashboard) holding the study open: SQLite then skips the checkpoint (and its syncs) when the
    # run closes the study, so the run's end must be synced by its own commit.
    reader = sqlite3.connect(tmp_path / "s.db")
    try:
        assert reader.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
        traced = subprocess.run(["strace", "-f", "-y", "-e", "trace=pwrite64,write,fdatasync,fsync", "-o", "trace.txt",
                                 BTOPT, *base], cwd=tmp_path,
                                capture_output=True, text=True, timeout=120)
        if traced.returncode != 0 and "ptrace" in traced.stderr:
            pytest.skip(f"strace cannot trace here: {traced.stderr.strip()}")
        assert traced.returncode == 0, traced.stderr
        assert reader.execute("SELECT status FROM runs ORDER BY id").fetchall() == [("finished",), ("finished",)]
    finally:
        reader.close()
    calls = wal_writes_and_syncs((tmp_path / "trace.txt").read_text())
    assert calls and calls[-1] in ("fdatasync", "fsync"), calls[-6:]


def test_a_second_writer_is_refused_with_the_first_ones_pid(tmp_path):
    plugin = test_plugin("slow_bowl")
    first = subprocess.Popen([BTOPT, "run", plugin, "--backend", "thread", "--jobs", "1", "--quiet", "--set",
                              "delay_us=20000", "--study", "s.db"], cwd=tmp_path, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            time.sleep(0.2)
            if (tmp_path / "s.db").exists():
                try:
                    db = sqlite3.connect(f"file:{tmp_path / 's.db'}?mode=ro", uri=True)
                    if db.execute("SELECT count(*) FROM chunks").fetchone()[0] > 0:
                        break
                except sqlite3.Error:
                    pass
        result = run(tmp_path, "run", plugin, "--backend", "thread", "--quiet", "--study", "s.db", check=1)
        assert f"pid {first.pid} on host {os.uname().nodename}" in result.stderr, result.stderr
        # Read while it writes: a consistent snapshot.
        run(tmp_path, "export", "s.db", "--json", "now.json", check=0)
        now = json.loads((tmp_path / "now.json").read_text())
        assert now["provenance"]["status"] == "running"
        assert [t["id"] for t in now["trials"]] == list(range(len(now["trials"])))
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
    assert first.returncode == 143
    assert integrity(tmp_path / "s.db") == "ok"


def test_a_full_disk_stops_the_run_with_a_clear_error_and_an_intact_study(tmp_path):
    # ulimit -f 2000 (KB): past the new study's first pages (64 KiB each), the study cannot take the trials
    # (~6 MB of them); the run stops and says why.
    command = (f"ulimit -f 2000; exec '{BTOPT}' run '{test_plugin('slow_bowl')}' --backend thread --jobs 2 --quiet "
               f"--param x=0:29:1 --param y=-1:1:0.001 --study s.db")
    result = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "study 's.db'" in result.stderr and "file size limit" in result.stderr, result.stderr
    assert "the study is intact" in result.stderr
    assert integrity(tmp_path / "s.db") == "ok"
    db = sqlite3.connect(tmp_path / "s.db")
    assert db.execute("SELECT status FROM runs").fetchall() == [("failed",)]
    db.close()
    # It stays readable.
    run(tmp_path, "export", "s.db", "--json", "out.json", check=0)
    assert json.loads((tmp_path / "out.json").read_text())["provenance"]["status"] == "failed"


def test_a_run_whose_trials_would_not_fit_in_memory_is_warned_about(tmp_path):
    stderr_path = tmp_path / "stderr.txt"
    with open(stderr_path, "w") as stderr:
        # A continuous y: the random search never runs out of points.
        process = subprocess.Popen([BTOPT, "run", test_plugin("slow_bowl"), "--algorithm", "random", "--iterations",
                                    "1000000000000", "--param", "y=-1:1", "--set", "delay_us=1000", "--backend",
                                    "thread", "--jobs", "1", "--quiet"],
                                   cwd=tmp_path, stdout=subprocess.PIPE, stderr=stderr, text=True)
        try:
            deadline = time.monotonic() + 30
            while "warning" not in stderr_path.read_text() and time.monotonic() < deadline:
                time.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    errors = stderr_path.read_text()
    assert "btopt: warning: the run plans 1e+12 trials" in errors and "--study FILE" in errors, errors
    assert process.returncode == 143
    # With a study, or a bound, there is nothing to warn about.
    result = run(tmp_path, "run", test_plugin("c_quadratic"), "--backend", "thread", "--quiet", "--keep", "5", check=0)
    assert "warning" not in result.stderr


# ---- a million trials ------------------------------------------------------------

def parse_trials_streaming(path):
    """Parses the JSON file at `path` without holding it: every trial line on its own, and the document around
    the trials with the trial list left empty. Returns (the document without its trials, the number of trials,
    the first and the last trial)."""
    head, tail, count, first, last, open_list, ended, last_had_comma = [], [], 0, None, None, False, False, False
    with open(path) as f:
        for line in f:
            if not open_list:
                head.append(line)
                open_list = line.rstrip().endswith('"trials": [')
            elif not ended and line.lstrip().startswith("{"):
                text = line.strip()
                assert last is None or last_had_comma, "two trials without a comma between them"
                last_had_comma = text.endswith(",")
                last = json.loads(text.rstrip(","))
                first = first or last
                count += 1
            else:
                ended = True
                tail.append(line)
    assert open_list and ended and count > 0 and not last_had_comma
    return json.loads("".join(head) + "".join(tail)), count, first, last


def test_json_of_a_million_trial_study_is_valid_and_exported_in_bounded_memory(tmp_path):
    if SANITIZED:
        pytest.skip("a million trials take minutes under sanitizers")
    # 1,000 x 1,001 points of c_quadratic: score = -(x - 2)^2 - y^2.
    run(tmp_path, "run", test_plugin("c_quadratic"), "--backend", "inline", "--quiet", "--param", "x=1:1000:1",
        "--param", "y=-1:1:0.002", "--param", "mode=add", "--study", "s.db", timeout=300, check=0)
    # The export in a process of its own, so its peak RSS is its alone.
    probe = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)")
    exported = subprocess.run([sys.executable, "-c", probe, BTOPT, "export", "s.db", "--json", "out.json"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert exported.returncode == 0, exported.stderr
    peak_mb = int(exported.stdout.split()[-1]) / 1024
    size_mb = (tmp_path / "out.json").stat().st_size / 2**20
    # A document built in memory would take several times the file; the streamed export holds a buffer.
    assert size_mb > 100 and peak_mb < 80, (size_mb, peak_mb)

    document, count, first, last = parse_trials_streaming(tmp_path / "out.json")
    assert count == document["n_trials"] == 1_001_000
    assert document["trials"] == [] and document["provenance"]["status"] == "finished"
    assert first["id"] == 0 and first["params"] == {"x": 1, "y": -1.0, "mode": "add"}
    assert last["id"] == count - 1 and last["params"] == {"x": 1000, "y": 1.0, "mode": "add"}
    assert first["score"] == -(1 - 2) ** 2 - 1.0 and last["score"] == -(1000 - 2) ** 2 - 1.0
    assert document["best_params"] == {"x": 2, "y": 0.0, "mode": "add"} and document["best_score"] == 0.0
