"""A clean Python worker process for start_method 'spawn' (see _spawn.py).

Started by the host with ``posix_spawn`` as ``python _worker.py`` (the file
itself, so nothing of the host's state comes with it), its standard streams
on /dev/null and its channel to the host on descriptors 3 (tasks in) and 4
(answers out). Frames are a 4-byte little-endian length and a pickle:

    host -> worker  {"path": sys.path, "cwd": ..., "max_memory": bytes (0: none)}  once
                    cloudpickle bytes of the objective   once
                    (params dict, trial seed)            per evaluation
    worker -> host  ("ready", None, 0.0)                 once the objective loaded
                    ("ok", score, cpu) | ("error", "Type: words", cpu)

where cpu is the CPU seconds the evaluation used in the worker (the host
reports them to btopt, which counts them in the speedup).

The worker leaves when its task channel closes. This file needs nothing but
the standard library and cloudpickle (to load the objective), and the
binding imports seed_globals and score_of from it, so a trial is seeded and
scored the same way in every backend.
"""

from __future__ import annotations

import os
import pickle
import random
import signal
import struct
import sys
import time
from typing import Any

TASKS_FD = 3
ANSWERS_FD = 4
_LENGTH = struct.Struct("<I")


def seed_globals(seed: int) -> None:
    """Seeds ``random`` and, when it is loaded, numpy's global generator from
    a trial's seed, so an objective drawing from them gives the same trial
    wherever and in whatever order it is evaluated."""
    random.seed(seed)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(seed & 0xFFFFFFFF)  # the legacy global generator takes 32 bits


def score_of(value: Any) -> float:
    """A float from what the objective returned: float, int, Decimal, numpy scalar..."""
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError("the objective returned %r: return a number (float, int or Decimal)" % (value,))
    return float(value)


def describe(exc: BaseException) -> str:
    """How a trial's error reads: 'ValueError: words'."""
    try:
        text = str(exc)
    except BaseException:  # noqa: B902 - an exception whose str() raises
        return "the objective raised an exception that cannot be described"
    words = "%s: %s" % (type(exc).__name__, text) if text else type(exc).__name__
    return words.replace("\0", " ")


def read_exact(fd: int, n: int) -> bytes | None:
    """n bytes, or None at the end of the channel."""
    chunks = []
    while n > 0:
        chunk = os.read(fd, n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> bytes | None:
    head = read_exact(fd, _LENGTH.size)
    if head is None:
        return None
    return read_exact(fd, _LENGTH.unpack(head)[0])


def write_frame(fd: int, payload: bytes) -> None:
    view = memoryview(_LENGTH.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def _serve() -> None:
    # Ctrl-C belongs to the host (which cancels the run); the run ends the worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    setup_frame = read_frame(TASKS_FD)
    objective_frame = read_frame(TASKS_FD)
    if setup_frame is None or objective_frame is None:
        return
    setup = pickle.loads(setup_frame)
    sys.path[:] = setup["path"]
    os.chdir(setup["cwd"])
    max_memory = setup.get("max_memory", 0)
    if max_memory:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    try:
        objective = pickle.loads(objective_frame)  # cloudpickle's output loads with pickle once cloudpickle imports
    except BaseException as exc:  # noqa: B902 - the host reports it
        write_frame(ANSWERS_FD, pickle.dumps(("error", "the objective could not be loaded in a worker: " + describe(exc),
                                              0.0)))
        return
    write_frame(ANSWERS_FD, pickle.dumps(("ready", None, 0.0)))
    while True:
        frame = read_frame(TASKS_FD)
        if frame is None:
            return
        params, seed = pickle.loads(frame)
        started = time.process_time()
        seed_globals(seed)
        value: float | str
        try:
            kind, value = "ok", score_of(objective(params))
        except BaseException as exc:  # noqa: B902 - every failure is the trial's
            kind, value = "error", describe(exc)
            if isinstance(exc, MemoryError) and max_memory:
                value += " (probably over max_memory_per_worker, %d bytes)" % max_memory
        write_frame(ANSWERS_FD, pickle.dumps((kind, value, time.process_time() - started)))


if __name__ == "__main__":
    _serve()
