"""Inputs that used to give a wrong answer with exit 0 are refused with a
message that names what to fix, and the exit code tells a script what
happened: 0 at least one trial succeeded, 1 run-time error, 2 usage error,
3 no point meets the constraints, 4 no trial succeeded."""
import json
import os
import pathlib
import subprocess

import pytest

from conftest import BTOPT, ok_trials, test_plugin
from test_report import report_data

BARS = "Date,Open,High,Low,Close,Volume\n"


def bars(n, start=100.0):
    """n daily bars of a gently rising close, every price in its bar."""
    rows = []
    for i in range(n):
        close = start + i * 0.5 + (i % 3) * 0.25
        rows.append(f"{2000 + i // 300:04d}-{1 + (i // 25) % 12:02d}-{1 + i % 25:02d},"
                    f"{close:.2f},{close + 1:.2f},{close - 1:.2f},{close:.2f},1000")
    return rows


def write(path, rows):
    path.write_text(BARS + "".join(r + "\n" for r in rows))
    return path.name


# ---- Constraints are conditions -------------------------------------------

@pytest.mark.parametrize("constraint,words", [
    ("fast = 20", ["assignment", "position 6", "=="]),
    ("fast < slow < 100", ["chained comparison", "position 13", "&&"]),
    ("(fast < slow) < 100", ["chained comparison", "position 15"]),
    ("fast", ["'fast' is a value, not a condition", "position 1"]),
    ("fast * 2", ["is a value, not a condition"]),
    ("(fast < slow) + 1", ["is a value, not a condition"]),
    ("fast < 20 && slow", ["'slow' is a value, not a condition", "position 14"]),
])
def test_a_constraint_that_is_not_a_condition_is_refused_with_the_position(btopt, constraint, words):
    result = btopt("run", "sma_crossover", "--quiet", "--constraint", constraint, "--json", "out.json")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f'constraint "{constraint}"' in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert not (btopt.cwd / "out.json").exists()


@pytest.mark.parametrize("constraint,keep", [
    ("fast * 2 <= slow", lambda f, s: f * 2 <= s),
    ("fast < 20 && slow > 100", lambda f, s: f < 20 and s > 100),
    ("(fast < 20) || (slow >= 150)", lambda f, s: f < 20 or s >= 150),
    ("((fast + 5) != 25)", lambda f, s: f + 5 != 25),
])
def test_conditions_still_constrain(btopt, constraint, keep):
    _, data = btopt.json("run", "sma_crossover", "--quiet", "--jobs", "2", "--constraint", constraint)
    points = [(t["params"]["fast"], t["params"]["slow"]) for t in data["trials"]]
    assert points and all(keep(f, s) and f < s for f, s in points)


# ---- The kit refuses data it cannot trade -----------------------------------

@pytest.mark.parametrize("row,words", [
    ("2001-06-04,1,2,0.5,0,100", ["field 'Close' is not a price", "'0'"]),
    ("2001-06-04,1,2,0.5,-1.5,100", ["field 'Close' is not a price", "'-1.5'"]),
    ("2001-06-04,1,1e308,0.5,1e308,100", ["field 'High' is not a price", "'1e308'"]),
    ("2001-06-04,1,2,0.5,50,100", ["Close 50 is outside the bar's Low 0.5 to High 2"]),
])
def test_prices_a_backtest_cannot_trade_are_refused_with_file_and_line(btopt, row, words):
    rows = bars(300)
    rows[150] = rows[150].split(",")[0] + "," + row.split(",", 1)[1]  # the bad fields on a date that fits
    name = write(btopt.cwd / "bad.csv", rows)
    result = btopt("run", "sma_crossover", "--quiet", "--data", name)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "bad.csv:152:" in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert "Best:" not in result.stdout


def test_data_shorter_than_a_window_is_refused_before_any_evaluation(btopt):
    name = write(btopt.cwd / "short.csv", bars(10))
    result = btopt("run", "sma_crossover", "--quiet", "--data", name, "--json", "out.json")
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "fast reaches 50 in the searched range, but the data has only 10 bars" in result.stderr
    assert "--param fast=LO:HI below 10" in result.stderr
    assert not (btopt.cwd / "out.json").exists()  # nothing ran
    result = btopt("run", "sma_crossover", "--quiet", "--data", name, "--param", "fast=2:4", "--param", "slow=5:20:5")
    assert result.returncode == 1 and "slow reaches 20" in result.stderr
    result = btopt("run", "sma_crossover", "--quiet", "--data", name, "--param", "fast=2:4", "--param", "slow=5:9:2")
    assert result.returncode == 0, result.stderr  # every window fits in 10 bars


def test_config_keys_of_the_host_are_not_the_users(btopt):
    result = btopt("run", test_plugin("c_quadratic"), "--quiet", "--set", "btopt.max.x=3")
    assert result.returncode == 2 and "keys starting with 'btopt.' are set by btopt" in result.stderr


# ---- Exit codes ---------------------------------------------------------------

@pytest.mark.parametrize("args,named", [
    (["--param", "fast=10", "--param", "slow=10"], "fast < slow"),
    (["--constraint", "fast > 1000"], "fast > 1000"),
])
def test_an_empty_space_exits_3_naming_the_constraints(btopt, args, named):
    result = btopt("run", "sma_crossover", "--quiet", *args, "--json", "out.json")
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert "no point of the space meets the constraints" in result.stderr and named in result.stderr
    assert not (btopt.cwd / "out.json").exists()


def test_no_trial_succeeding_exits_4_with_the_counts(btopt):
    result = btopt("run", test_plugin("faulty"), "--jobs", "2", "--set", "fail_mod=1", "--ignore-errors",
                   "--json", "out.json")
    assert result.returncode == 4, (result.stdout, result.stderr)
    assert "no trial succeeded: 100 evaluated, 100 failed, 0 crashed, 0 timed out" in result.stderr
    assert "Trials: 100 evaluated: 0 ok, 100 failed" in result.stdout  # the summary of what finished
    assert (btopt.cwd / "out.json").exists()


def test_one_trial_succeeding_is_success(btopt):
    result = btopt("run", test_plugin("faulty"), "--jobs", "2", "--quiet", "--set", "fail_mod=7", "--param", "a=0:0",
                   "--param", "b=0:7", "--ignore-errors")
    assert result.returncode == 0, result.stderr  # b=0 and b=7 fail, the others succeed


# ---- Outputs are checked before the run ---------------------------------------

@pytest.mark.parametrize("flag,path", [("--json", "nodir/o.json"), ("--csv", "nodir/o.csv"),
                                       ("--report", "nodir/o.html")])
def test_an_output_in_a_missing_folder_is_refused_before_the_run(btopt, flag, path):
    result = btopt("run", "sma_crossover", "--quiet", flag, path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"{flag} {path}: the folder 'nodir' does not exist" in result.stderr
    assert "Trials:" not in result.stdout


@pytest.mark.parametrize("args", [["--json", "x", "--csv", "x"], ["--json", "x", "--report", "./x"],
                                  ["--json", "-", "--csv", "-"]])
def test_two_outputs_on_one_path_are_refused(btopt, args):
    result = btopt("run", "sma_crossover", "--quiet", *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "give each output its own path" in result.stderr
    assert not (btopt.cwd / "x").exists()


def test_an_output_that_is_a_folder_is_refused(btopt):
    (btopt.cwd / "sub").mkdir()
    result = btopt("run", "sma_crossover", "--quiet", "--json", "sub")
    assert result.returncode == 2 and "--json sub: that is a folder" in result.stderr


def test_dash_is_stdout_and_the_summary_goes_to_stderr(btopt):
    result = btopt("run", "sma_crossover", "--jobs", "2", "--json", "-")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # nothing else on stdout
    assert data["plugin"] == "sma_crossover" and len(data["trials"]) == 62
    assert "Best: trial" in result.stderr
    assert not (btopt.cwd / "-").exists()
    result = btopt("run", "sma_crossover", "--jobs", "2", "--csv", "-", "--json", "out.json")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("id,") and len(result.stdout.splitlines()) == 63
    assert (btopt.cwd / "out.json").exists()


def test_an_output_to_a_device_gets_the_whole_file(btopt):
    result = btopt("run", "sma_crossover", "--quiet", "--jobs", "2", "--json", "/dev/stdout")
    assert result.returncode == 0, result.stderr
    assert '"plugin": "sma_crossover"' in result.stdout
    result = btopt("run", "sma_crossover", "--quiet", "--jobs", "2", "--json", "/dev/null", "--report", "/dev/null")
    assert result.returncode == 2  # one path


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in any folder")
def test_demo_in_a_read_only_folder_says_so_before_running(btopt):
    btopt.cwd.chmod(0o555)
    try:
        result = btopt("demo")
    finally:
        btopt.cwd.chmod(0o755)
    assert result.returncode == 1
    assert "cannot write here" in result.stderr and "--report" not in result.stderr


# ---- Flags: each once, in the user's terms ----------------------------------------

@pytest.mark.parametrize("args,words", [
    (["--param", "fast=5:50:5", "--param", "fast=10:20:5"],
     ["--param fast=10:20:5: 'fast' is already given by --param fast=5:50:5"]),
    (["--set", "commission=0.01", "--set", "commission=0.02"], ["--set commission=0.02: 'commission' is already set"]),
    (["--data", "a.csv", "--set", "data=b.csv"], ["--set data=b.csv: 'data' is already set by --data"]),
    (["--data", ""], ["--data '': the file name is empty"]),
    (["--seed", "9223372036854775808"], ["--seed", "not a whole number"]),
    (["--max-memory", "512"], ["--max-memory", "give a unit: 512MB"]),
    (["--max-memory", ""], ["--max-memory", "give a size"]),
    (["--iterations", "0"], ["--iterations", "must be at least 1, not 0"]),
    (["--timeout", "-1"], ["--timeout", "not a number of seconds"]),
])
def test_flags_are_refused_in_the_users_terms(btopt, args, words):
    result = btopt("run", "sma_crossover", "--quiet", *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    for word in words:
        assert word in result.stderr, result.stderr
    assert "1797693" not in result.stderr and "Trials:" not in result.stdout


def test_the_summary_and_the_report_name_the_data(btopt):
    name = write(btopt.cwd / "prices.csv", bars(300))
    result = btopt("run", "sma_crossover", "--jobs", "2")
    assert "Data: synthetic" in result.stdout
    result = btopt("run", "sma_crossover", "--jobs", "2", "--set", f"data={name}", "--report", "r.html")
    assert result.returncode == 0, result.stderr
    assert f"Data: {name}" in result.stdout
    provenance = report_data((btopt.cwd / "r.html").read_text())["provenance"]["provenance"]
    assert provenance["data"]["data"]["file"].endswith(name) and provenance["config"]["data"] == name


# ---- Parameter domains are checked before the first evaluation ----------------------

@pytest.mark.parametrize("plugin,param,words", [
    ("sma_crossover", "fast=-5:10", ["parameter 'fast' of plugin 'sma_crossover' must be at least 1",
                                     "the range -5 to 10"]),
    ("rsi_reversion", "upper=60:120:10", ["parameter 'upper'", "must be from 0 to 100"]),
    ("descriptor_long", "a=0:3", ["parameter 'a'", "must be from 1 to 10"]),
])
def test_a_range_outside_the_parameters_domain_is_refused_up_front(btopt, plugin, param, words):
    path = test_plugin(plugin) if plugin.startswith("descriptor") else plugin
    result = btopt("run", path, "--quiet", "--param", param, "--json", "out.json")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "--param" in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert not (btopt.cwd / "out.json").exists()


# ---- --jobs is capped ------------------------------------------------------------
# Small numbers only: a test of --jobs 100000 once took a machine like this down.
# Every run here has 2 points, so even a cap that failed would start 2 workers.

TWO_POINTS = ["--param", "fast=10", "--param", "slow=50:75:25"]


def cpus():
    return len(os.sched_getaffinity(0))


def test_jobs_above_four_per_cpu_need_force(btopt):
    jobs = 4 * cpus() + 1
    result = btopt("run", "sma_crossover", "--quiet", "--jobs", jobs, *TWO_POINTS)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"--jobs {jobs}: more than 4 workers per CPU" in result.stderr and "--force" in result.stderr


@pytest.mark.parametrize("backend", ["process", "thread"])
def test_never_more_workers_than_points(btopt, backend):
    result = btopt("run", "sma_crossover", "--jobs", min(4 * cpus() + 1, 12), "--force", "--backend", backend,
                   *TWO_POINTS)
    assert result.returncode == 0, result.stderr
    assert "on 2 workers" in result.stdout


def user_processes():
    uid = str(os.getuid())
    count = 0
    for status in pathlib.Path("/proc").glob("[0-9]*/status"):
        try:
            count += any(line.split()[1] == uid for line in status.read_text().splitlines() if line.startswith("Uid:"))
        except OSError:
            pass
    return count


@pytest.mark.parametrize("backend", ["process", "thread"])
def test_jobs_beyond_the_process_limit_are_refused(btopt, backend):
    limit = user_processes() + 16  # room for btopt and btopt-worker describe
    command = (f"ulimit -u {limit} && exec {BTOPT} run sma_crossover --quiet --jobs {limit + 1} --force "
               f"--backend {backend} {' '.join(TWO_POINTS)}")
    result = subprocess.run(["bash", "-c", command], cwd=btopt.cwd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"n_jobs' = {limit + 1}: more workers than this user may start ({limit}" in result.stderr
    assert "ulimit -u" in result.stderr


# ---- Plugins are found where the docs say, and only there ----------------------

def test_a_bare_name_is_never_taken_from_the_current_folder(btopt):
    planted = btopt.cwd / "sma_crossover"
    planted.write_bytes(pathlib.Path(test_plugin("descriptor_first")).read_bytes())
    result = btopt("describe", "sma_crossover")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("sma_crossover 1.0")  # the real one, not the planted file
    assert str(planted) not in result.stdout
    result = btopt("describe", "./sma_crossover")  # a path is taken as it is
    assert result.returncode == 0 and result.stdout.startswith("descriptor_sizes 1.0")


@pytest.mark.parametrize("path,words", [("./", "is a folder"), ("/dev/null", "is not a regular file"),
                                        ("./missing.so", "does not exist")])
def test_a_plugin_path_that_is_no_plugin_file_says_what_it_is(btopt, path, words):
    result = btopt("describe", path)
    assert result.returncode == 1
    assert words in result.stderr, result.stderr


# ---- The cache is the user's, keyed by content, and can be turned off ----------------

def cache_env(btopt):
    env = dict(os.environ, XDG_CACHE_HOME=str(btopt.cwd / "cache-home"))
    return env, btopt.cwd / "cache-home" / "btopt"


def test_the_cache_is_keyed_by_content_and_never_next_to_the_data(btopt):
    env, folder = cache_env(btopt)
    (btopt.cwd / "data").mkdir()
    rows = bars(400)
    csv = btopt.cwd / "data" / "p.csv"
    csv.write_text(BARS + "".join(r + "\n" for r in rows))
    args = ["run", "sma_crossover", "--quiet", "--jobs", "1", "--data", csv, "--param", "fast=2:10:4",
            "--param", "slow=20:40:10", "--json", "a.json"]
    assert btopt(*args, env=env).returncode == 0
    assert len(list(folder.glob("*.btoptcache"))) == 1
    assert sorted(p.name for p in (btopt.cwd / "data").iterdir()) == ["p.csv"]
    before = json.loads((btopt.cwd / "a.json").read_text())
    # One close in the middle edited, same size, mtime restored (touch -r): a new result.
    stat = csv.stat()
    text = csv.read_text()
    middle = text.index("\n", len(text) // 2) + 1
    line_end = text.index("\n", middle)
    fields = text[middle:line_end].split(",")
    fields[4] = f"{float(fields[4]) + 0.5:.2f}"  # the close, still inside its bar (low - 1 .. high + 1)
    edited = text[:middle] + ",".join(fields) + text[line_end:]
    assert len(edited) == len(text)
    csv.write_text(edited)
    os.utime(csv, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert btopt(*args[:-1], "b.json", env=env).returncode == 0
    after = json.loads((btopt.cwd / "b.json").read_text())
    assert [t["metrics"] for t in after["trials"]] != [t["metrics"] for t in before["trials"]]
    assert len(list(folder.glob("*.btoptcache"))) == 2


def test_cache_off_writes_no_cache(btopt):
    env, folder = cache_env(btopt)
    name = write(btopt.cwd / "p.csv", bars(300))
    result = btopt("run", "sma_crossover", "--quiet", "--jobs", "1", "--data", name, "--set", "cache=off",
                   "--param", "fast=2:10:4", "--param", "slow=20:40:10", env=env)
    assert result.returncode == 0, result.stderr
    assert not folder.exists() or not any(folder.iterdir())


def test_data_that_is_a_fifo_is_refused_at_once(btopt):
    fifo = btopt.cwd / "p.csv"
    os.mkfifo(fifo)
    result = btopt("run", "sma_crossover", "--quiet", "--data", fifo, timeout=60)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "not a regular file" in result.stderr and "save the data to a file" in result.stderr


# ---- Flags that do not apply are errors; a stopped run still shows what finished -------

@pytest.mark.parametrize("args,words", [
    (["--backend", "thread", "--timeout", "5"], "--timeout applies to worker processes only"),
    (["--backend", "inline", "--max-memory", "1GB"], "--max-memory applies to worker processes only"),
    (["--iterations", "10"], "--iterations applies to random, bayesian, cmaes, gp search only, not --algorithm grid"),
    (["--seed", "3"], "--seed applies to random, genetic, bayesian, cmaes, gp search only"),
    (["--algorithm", "random", "--batch-q", "4"], "--batch-q applies to bayesian, gp search only"),
    (["--algorithm", "random", "--patience", "4"], "--patience applies to genetic, bayesian, cmaes, gp search only"),
    (["--algorithm", "random", "--population", "8"], "--population applies to genetic search only"),
])
def test_a_flag_that_does_not_apply_is_refused(btopt, args, words):
    result = btopt("run", "sma_crossover", "--quiet", *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert words in result.stderr


def test_a_failing_trial_still_prints_the_summary_of_what_finished(btopt):
    result = btopt("run", test_plugin("faulty"), "--jobs", "1", "--backend", "inline", "--set", "fail_mod=37", "--param", "a=0:9", "--param", "b=1:9")  # 37 fails
    assert result.returncode == 1
    assert "Best: trial" in result.stdout and "Trials:" in result.stdout
    assert "--ignore-errors" in result.stderr
    # The last progress line counts the failure that stopped the run.
    last = [line for line in result.stderr.splitlines() if line.startswith("progress:")][-1]
    assert "failed 1" in last and "stopped" in last, last


def test_a_one_bar_csv_names_the_file(btopt):
    name = write(btopt.cwd / "one.csv", bars(1))
    result = btopt("run", "sma_crossover", "--quiet", "--data", name)
    assert result.returncode == 1
    assert "one.csv: the data has fewer than 2 bars" in result.stderr


def test_an_executable_as_a_plugin_says_what_it_is_without_cpp_words(btopt):
    result = btopt("describe", "/bin/ls")
    assert result.returncode == 1
    assert "cannot dynamically load position-independent executable" in result.stderr
    assert "a plugin is a shared library" in result.stderr
    assert "boost::" not in result.stderr and "Bad file descriptor" not in result.stderr


def test_data_from_a_process_substitution_says_why_it_cannot_be_read(btopt):
    write(btopt.cwd / "p.csv", bars(300))
    command = f"exec {BTOPT} run sma_crossover --quiet --data <(cat p.csv)"
    result = subprocess.run(["bash", "-c", command], cwd=btopt.cwd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "not a regular file (a FIFO, pipe or device)" in result.stderr
    assert "No such file" not in result.stderr
