"""Crash consistency of a study under MPI (issue 13): `mpirun -np 3 btopt run
slow_bowl --backend mpi --study S`, rank 0 (the study's only writer) killed
with SIGKILL at a random moment after the study holds some of the run's
trials, resumed, again and again until a run finishes. After every kill
mpirun and every rank are gone and the study passes PRAGMA integrity_check;
the finished run's trials (every score bit) and best point equal those of
an uninterrupted run without a study.

    study_kills.py BTOPT PLUGIN_DIR MPIRUN [MPIRUN_ARGS...]

BTOPT_SANITIZED (non-empty under sanitizer builds) makes it kill fewer times
and wait longer. Prints one line per check and `N passed, N failed`.
"""
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from study_chunks import integrity  # noqa: E402

btopt, plugin_dir, mpirun = os.path.abspath(sys.argv[1]), Path(sys.argv[2]).resolve(), sys.argv[3:]
SANITIZED = bool(os.environ.get("BTOPT_SANITIZED"))
# Kills per setup; a sanitized build runs several times slower.
KILLS = 1 if SANITIZED else 3
DELAY_US = 8000 if SANITIZED else 4000
JOB_TIMEOUT = 240 if SANITIZED else 60
# About 5 s of evaluation each on 2 evaluating ranks: enough left for every kill.
SETUPS = {
    "grid": ["--algorithm", "grid", "--param", "y=-1:1:0.05"],
    "genetic": ["--algorithm", "genetic", "--population", "24", "--generations", "60", "--seed", "5"],
}
results = []


def check(ok, what):
    results.append(ok)
    print(("ok     " if ok else "FAILED ") + what, flush=True)
    return ok


def command(setup, *extra):
    """The job: each rank writes its PID to pids/RANK, then becomes btopt."""
    return [*mpirun, "sh", "-c", 'echo $$ > "pids/$OMPI_COMM_WORLD_RANK"; exec "$@"', "sh", btopt, "run",
            str(plugin_dir / "slow_bowl.so"), *SETUPS[setup], "--backend", "mpi", "--jobs", "1", "--quiet",
            "--set", f"delay_us={DELAY_US}", *extra]


def start(cwd, args):
    """mpirun in a process group of its own, so the whole job can be ended."""
    pids = Path(cwd) / "pids"
    pids.mkdir(exist_ok=True)
    for old in pids.iterdir():
        old.unlink()
    log = open(Path(cwd) / "job.log", "w")
    job = subprocess.Popen(args, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return job


def rank_pids(cwd):
    pids = {}
    for f in (Path(cwd) / "pids").iterdir():
        text = f.read_text().strip()
        if text:
            pids[int(f.name)] = int(text)
    return pids


def alive(pid):
    """Running (not a zombie) and still btopt: a PID is not reused this fast, but check."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z" and b"btopt" in cmdline


def end_job(job, cwd):
    """Whatever is left of the job, SIGKILLed: mpirun's group and each rank."""
    try:
        os.killpg(job.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for pid in rank_pids(cwd).values():
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    job.wait()


def finish(cwd, job):
    """Waits for the job to end on its own; its exit code (None: it did not)."""
    try:
        return job.wait(timeout=JOB_TIMEOUT)
    except subprocess.TimeoutExpired:
        end_job(job, cwd)
        return None


def last_run(study):
    """(the study's last run, the trials it holds of it); (0, 0) before there is one."""
    if not study.exists():
        return 0, 0
    try:
        db = sqlite3.connect(f"file:{study}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute("SELECT r.id, (SELECT coalesce(sum(count), 0) FROM chunks WHERE run = r.id) "
                              "FROM runs r ORDER BY r.id DESC LIMIT 1").fetchone() or (0, 0)
        finally:
            db.close()
    except sqlite3.Error:  # the tables are being made
        return 0, 0


def comparable(path):
    """Trials and best point; floats kept as their text: equal text is equal bits."""
    data = json.loads(Path(path).read_text(), parse_float=str, parse_constant=str)
    trials = [[t[k] for k in ("id", "params", "score", "metrics", "status", "error")] for t in data["trials"]]
    return trials, data["best_params"], data["best_score"]


def kill_rank0_once(cwd, setup, rng):
    """Starts the job with the study, SIGKILLs rank 0 at a random moment after
    the run stored some trials. 'killed', or 'finished' if the run ended first."""
    study = Path(cwd) / "study.db"
    before, _ = last_run(study)
    job = start(cwd, command(setup, "--study", "study.db", "--json", "out.json"))
    try:
        deadline = time.monotonic() + JOB_TIMEOUT
        # Until this run is registered and has committed some trials (reused ones count too).
        while job.poll() is None and time.monotonic() < deadline:
            run, stored = last_run(study)
            if run > before and stored > 0:
                break
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.5))
        if job.poll() is not None:
            return "finished" if job.returncode == 0 else f"exit {job.returncode}"
        rank0 = rank_pids(cwd).get(0)
        if rank0 is None or not alive(rank0):
            end_job(job, cwd)
            return "rank 0 not found"
        os.kill(rank0, signal.SIGKILL)
        code = finish(cwd, job)
        if not check(code is not None, f"{setup}: mpirun ends after rank 0's SIGKILL (exit {code})"):
            print(Path(cwd, "job.log").read_text())
        # mpirun's own kill sequence ends the other ranks; give them a moment to be reaped.
        for _ in range(100):
            left = [pid for pid in rank_pids(cwd).values() if alive(pid)]
            if not left:
                break
            time.sleep(0.1)
        check(not left, f"{setup}: no rank is left after the kill (left: {left})")
        check(integrity(study) == "ok", f"{setup}: integrity_check is ok after the kill")
        return "killed"
    finally:
        end_job(job, cwd)


def case(setup, rng):
    with tempfile.TemporaryDirectory() as cwd:
        job = start(cwd, command(setup, "--json", "ref.json"))
        if not check(finish(cwd, job) == 0, f"{setup}: the uninterrupted run finishes"):
            print(Path(cwd, "job.log").read_text())
            return
        reference = comparable(Path(cwd) / "ref.json")

        kills = 0
        for _ in range(4 * KILLS):
            if kills == KILLS:
                break
            what = kill_rank0_once(cwd, setup, rng)
            kills += what == "killed"
            if what not in ("killed", "finished"):
                check(False, f"{setup}: a run to kill went wrong: {what}")
                print(Path(cwd, "job.log").read_text())
                return
        check(kills == KILLS, f"{setup}: rank 0 killed {kills} times (wanted {KILLS})")

        job = start(cwd, command(setup, "--study", "study.db", "--json", "out.json"))
        code = finish(cwd, job)
        if not check(code == 0, f"{setup}: the resumed run finishes"):
            print(Path(cwd, "job.log").read_text())
            return
        final = json.loads((Path(cwd) / "out.json").read_text())
        check(comparable(Path(cwd) / "out.json") == reference,
              f"{setup}: the resumed run's trials (every score bit) and best point equal the uninterrupted run's")
        check(final["n_reused"] > 0, f"{setup}: the last run reused {final['n_reused']} stored trials")
        check(integrity(Path(cwd) / "study.db") == "ok", f"{setup}: integrity_check is ok at the end")
        db = sqlite3.connect(f"file:{Path(cwd) / 'study.db'}?mode=ro", uri=True)
        statuses = [row[0] for row in db.execute("SELECT status FROM runs ORDER BY id")]
        db.close()
        # Rank 0 dies only after the study holds trials of its run: one run a kill, "interrupted" (or
        # "finished" if the kill came after it recorded its end, while it wrote its JSON).
        check(len(statuses) == kills + 1 and statuses[-1] == "finished" and "interrupted" in statuses
              and set(statuses) <= {"interrupted", "finished"}, f"{setup}: the study's runs are {statuses}")


seed = int(os.environ.get("BTOPT_TEST_SEED", time.time_ns() % 100000))
print(f"kill moments drawn with BTOPT_TEST_SEED={seed}")
rng = random.Random(seed)
for setup in SETUPS:
    case(setup, rng)
failed = results.count(False)
print(f"{len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
