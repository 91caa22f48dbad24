"""`btopt run --backend mpi` over three hosts (network namespaces made by
three_hosts.sh): rank 0 and rank 1 on h1, rank 2 on h2, rank 3 on h3, talking
TCP over the hosts' own addresses. Usage: across_hosts.py CASE BTOPT PLUGIN_DIR

Cases:
  identical  every algorithm gives the inline run's trials; each rank reports
             the host name and address it ran on
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASE = sys.argv[1]
BTOPT, PLUGIN_DIR = (str(Path(a).resolve()) for a in sys.argv[2:4])
PREFIX = os.environ["BTOPT_NETNS_PREFIX"]
MPIRUN_HOSTS = os.environ["BTOPT_MPIRUN_HOSTS"]
PLUGIN = str(Path(PLUGIN_DIR) / "slow_bowl.so")
ALL_HOSTS = "h1 slots=2\nh2 slots=1\nh3 slots=1\n"  # rank 0 (the search) shares h1 with rank 1
# Every rank appends "RANK HOST ADDRESS" to ranks.txt before it becomes btopt.
REPORT = ('echo "$OMPI_COMM_WORLD_RANK $(hostname) $(ip -4 -o addr show eth0 | awk \'{print $4}\')" >> ranks.txt; '
          'exec "$@"')

ALGORITHMS = {
    "grid": ["--algorithm", "grid", "--param", "x=0:9:1", "--param", "y=-1:1:0.5"],
    "random": ["--algorithm", "random", "--iterations", "60", "--seed", "11"],
    "genetic": ["--algorithm", "genetic", "--population", "12", "--generations", "5", "--seed", "5"],
    "bayesian": ["--algorithm", "bayesian", "--iterations", "24", "--batch-q", "4", "--seed", "3"],
    "cmaes": ["--algorithm", "cmaes", "--iterations", "40", "--seed", "3"],
}

results = []


def check(ok, what):
    results.append(ok)
    print(("ok     " if ok else "FAILED ") + what, flush=True)


def btopt_inline(cwd, *args):
    done = subprocess.run([BTOPT, "run", PLUGIN, "--backend", "inline", "--quiet", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        sys.exit(f"the inline run failed:\n{done.stderr}")


def btopt_mpi(cwd, hostfile_text, n_ranks, *args, timeout=120, wait=True):
    """mpirun on h1 over the hosts in hostfile_text; every rank runs btopt."""
    hostfile = Path(cwd) / "hosts"
    hostfile.write_text(hostfile_text)
    command = [MPIRUN_HOSTS, str(hostfile), "-np", str(n_ranks), "sh", "-c", REPORT, "sh",
               BTOPT, "run", PLUGIN, "--backend", "mpi", "--jobs", "1", "--quiet", *args]
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if not wait:
        return process
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        sys.exit(f"mpirun did not end within {timeout} s:\n{out}{err}")
    return process.returncode, out + err


def trials(path):
    data = json.loads(Path(path).read_text())
    return [(t["id"], t["params"], t["score"], t["metrics"], t["status"]) for t in data["trials"]]


def rank_reports(cwd):
    """The "RANK HOST ADDRESS" lines of ranks.txt, one per rank and run."""
    return (Path(cwd) / "ranks.txt").read_text().splitlines()


def case_identical(cwd):
    for algorithm, args in ALGORITHMS.items():
        btopt_inline(cwd, *args, "--json", f"{algorithm}-inline.json")
        code, output = btopt_mpi(cwd, ALL_HOSTS, 4, *args, "--json", f"{algorithm}-mpi.json")
        check(code == 0, f"{algorithm}: the run over three hosts ends well" + ("" if code == 0 else f":\n{output}"))
        if code != 0:
            continue
        inline = trials(Path(cwd) / f"{algorithm}-inline.json")
        check(inline == trials(Path(cwd) / f"{algorithm}-mpi.json") and len(inline) > 0,
              f"{algorithm}: the same {len(inline)} trials as the inline run")
    reports = rank_reports(cwd)
    expected = ["0 h1 10.199.0.1/24", "1 h1 10.199.0.1/24", "2 h2 10.199.0.2/24", "3 h3 10.199.0.3/24"]
    print("ranks ran on:", "; ".join(sorted(set(reports))))
    check(sorted(reports) == sorted(expected * len(ALGORITHMS)),
          "in every run rank 0 and 1 ran on h1, rank 2 on h2, rank 3 on h3, each at its host's address")


def main():
    with tempfile.TemporaryDirectory() as cwd:
        globals()[f"case_{CASE}"](cwd)
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed or not results else 0)


main()
