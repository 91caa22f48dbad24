"""start_method 'spawn': Python objectives in clean worker processes.

Forking a Python process that has other threads (a Jupyter kernel, a web
server, any host with a thread pool) copies locks those threads hold, and a
forked worker then hangs on the GIL, on logging's lock or on ipykernel's
output stream. So here nothing is forked: each worker is a fresh interpreter
started with ``posix_spawn`` (no Python code runs between the two, as for
btopt-worker), that receives the objective once, by cloudpickle, and then
evaluates the points it is sent (_worker.py).

It fits btopt's executor model without a new executor: the run uses btopt's
thread backend, and each of its threads owns one worker process and hands it
its evaluations, waiting (without the GIL) for the answer. Each answer
carries the CPU time the evaluation used in the worker, which the thread
reports to btopt (btopt_report_cpu_seconds), so the result's speedup and
efficiency count the workers' CPU time, not the threads' waiting.

A worker's standard streams are /dev/null from its first instruction, so
nothing it prints reaches the host's (a notebook's) streams. A worker that
dies costs only the trial it was evaluating, recorded crashed ("the worker
process exited with status 3"), and the next evaluation starts a new one.
The run's eval_timeout and max_memory_per_worker are enforced here, as the
process backend enforces them (btopt's thread backend cannot): a worker
past the timeout is killed and its trial recorded timeout; a worker's
address space is capped with RLIMIT_AS.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import threading
import time
from typing import Any, Callable

from . import _worker

_WORKER_SCRIPT = _worker.__file__
_READY_TIMEOUT_S = 120.0  # importing what the objective needs (numpy, pandas) on a busy machine


_FAILED, _CRASHED, _TIMEOUT = 1, 2, 3  # btopt_trial_status


class WorkerFailed(Exception):
    """A trial's failure whose words were written elsewhere (the worker): used
    as they are; `status` is how the trial is recorded (btopt_trial_status)."""

    def __init__(self, words: str, status: int = _FAILED) -> None:
        super().__init__(words)
        self.status = status


def _exit_words(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return "was killed by signal %d (%s)" % (sig, signal.Signals(sig).name)
    if os.WIFEXITED(status):
        return "exited with status %d" % os.WEXITSTATUS(status)
    return "stopped"


class _Worker:
    """One spawned worker: its process and the host's ends of its channel."""

    def __init__(self, setup: bytes, objective: bytes) -> None:
        tasks_read, self.tasks = os.pipe()
        self.answers, answers_write = os.pipe()
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_DUP2, tasks_read, _worker.TASKS_FD),
            (os.POSIX_SPAWN_DUP2, answers_write, _worker.ANSWERS_FD),
        ]
        try:
            self.pid = os.posix_spawn(sys.executable, [sys.executable, _WORKER_SCRIPT], dict(os.environ),
                                      file_actions=actions, setsid=True)
        finally:
            os.close(tasks_read)
            os.close(answers_write)
        self.alive = True
        try:
            _worker.write_frame(self.tasks, setup)
            _worker.write_frame(self.tasks, objective)
        except OSError:
            pass  # it died already: wait_ready says how

    def wait_ready(self) -> None:
        kind, words, _ = self._answer()
        if kind != "ready":
            self.close()
            raise WorkerFailed(words)

    def evaluate(self, params: dict[str, Any], seed: int, report_cpu: Callable[[float], Any],
                 timeout_s: float = 0.0) -> float:
        """The score, after reporting the CPU time the evaluation used in the
        worker. Past timeout_s (> 0) the worker is killed: WorkerFailed, timeout."""
        try:
            _worker.write_frame(self.tasks, pickle.dumps((params, seed)))
        except OSError:
            pass  # a dead worker: reading its answer says how it ended
        if timeout_s > 0 and not select.select([self.answers], [], [], timeout_s)[0]:
            self.close(kill=True)
            os.waitpid(self.pid, 0)
            self.alive = False
            raise WorkerFailed("the evaluation ran past eval_timeout (%g s): its worker process was killed" % timeout_s,
                               _TIMEOUT)
        kind, value, cpu = self._answer()
        report_cpu(cpu)
        if kind != "ok":
            raise WorkerFailed(value)
        return float(value)

    def _answer(self) -> tuple[str, Any, float]:
        frame = _worker.read_frame(self.answers)
        if frame is None:
            raise WorkerFailed("the worker process " + self._reap(), _CRASHED)
        answer: tuple[str, Any, float] = pickle.loads(frame)
        return answer

    def _reap(self) -> str:
        self.close(kill=False)
        _, status = os.waitpid(self.pid, 0)
        self.alive = False
        return _exit_words(status)

    def close(self, kill: bool = False) -> None:
        for fd in ("tasks", "answers"):
            number = getattr(self, fd)
            if number >= 0:
                os.close(number)
                setattr(self, fd, -1)
        if kill and self.alive:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def retire(self, grace_s: float = 3.0) -> None:
        """Closes its channel (it leaves by itself), waits a grace period, then kills it."""
        self.close()
        if not self.alive:
            return
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.alive = False
                return
            time.sleep(0.005)
        self.close(kill=True)
        os.waitpid(self.pid, 0)
        self.alive = False


class SpawnPool:
    """The workers of one run: started (and their objective loaded) before the
    run begins, so that starting interpreters is not counted as evaluation;
    one per btopt thread, taken on the thread's first evaluation."""

    def __init__(self, objective: Callable[[dict[str, Any]], Any], size: int, eval_timeout: float = 0.0,
                 max_memory: int = 0) -> None:
        cloudpickle = _cloudpickle()
        try:
            self._objective = cloudpickle.dumps(objective)
        except Exception as exc:  # noqa: BLE001 - anything pickling raises
            raise TypeError("start_method 'spawn' sends the objective to its worker processes, and it cannot be "
                            "pickled (%s): make it a module-level function or a picklable callable object, or use "
                            "backend='thread'" % _worker.describe(exc)) from exc
        self._setup = pickle.dumps({"path": list(sys.path), "cwd": os.getcwd(), "max_memory": max_memory})
        self._eval_timeout = eval_timeout
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._all: list[_Worker] = []
        # By thread id, not threading.local: a ctypes callback on one of btopt's
        # threads gets a fresh Python thread state (and so fresh locals) each call.
        self._owned: dict[int, _Worker] = {}
        started = [self._start() for _ in range(size)]
        try:
            for worker in started:
                worker.wait_ready()
        except BaseException:
            self.close()
            raise
        self._idle.extend(started)

    def _start(self) -> _Worker:
        worker = _Worker(self._setup, self._objective)
        with self._lock:
            self._all.append(worker)
        return worker

    def evaluate(self, params: dict[str, Any], seed: int, report_cpu: Callable[[float], Any]) -> float:
        """Evaluates on the calling thread's worker (a new one when it died)."""
        thread = threading.get_ident()
        with self._lock:
            worker: _Worker | None = self._owned.get(thread)
            if (worker is None or not worker.alive) and self._idle:
                worker = self._owned[thread] = self._idle.pop()
        if worker is None or not worker.alive:
            worker = self._start()
            worker.wait_ready()
            with self._lock:
                self._owned[thread] = worker
        return worker.evaluate(params, seed, report_cpu, self._eval_timeout)

    def close(self) -> None:
        with self._lock:
            workers, self._all, self._idle, self._owned = self._all, [], [], {}
        for worker in workers:
            worker.close()  # every worker sees the end of its channel at once, then each is waited for
        for worker in workers:
            worker.retire()


def _cloudpickle() -> Any:
    try:
        import cloudpickle  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError as exc:
        raise ImportError("start_method 'spawn' needs cloudpickle (pip install cloudpickle) to send the objective "
                          "to its worker processes") from exc
    return cloudpickle
