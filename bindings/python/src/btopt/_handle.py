"""Ownership of C handles: each is released exactly once.

A ``Handle`` owns one pointer and the destroy function that frees it. It is
released by ``close()`` (explicitly, or by a ``with`` block) or, at the
latest, when it is garbage-collected (``weakref.finalize``, which also runs
at interpreter exit). ``weakref.finalize`` calls its function at most once, so
a handle can never be destroyed twice. Objects that C may still call (ctypes
callbacks) ride along in ``keepalive`` and are dropped only after the destroy.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable


def _release(destroy: Callable[[int], Any], pointer: int, keepalive: Any) -> None:
    destroy(pointer)
    del keepalive  # the callbacks C held may go now, not before


class Handle:
    __slots__ = ("_pointer", "_finalizer", "_what", "__weakref__")

    def __init__(self, pointer: int | None, destroy: Callable[[int], Any], what: str, keepalive: Any = ()) -> None:
        if not pointer:
            raise ValueError("btopt returned a NULL %s" % what)
        self._pointer = pointer
        self._what = what
        self._finalizer = weakref.finalize(self, _release, destroy, pointer, keepalive)

    @property
    def pointer(self) -> int:
        """The raw pointer; ValueError once closed (never a dangling pointer)."""
        if not self._finalizer.alive:
            raise ValueError("this %s was closed" % self._what)
        return self._pointer

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def close(self) -> None:
        """Destroys the C object now; later calls do nothing."""
        self._finalizer()


class Detached:
    """Where a Handle was, in an object rebuilt by pickle: the C object stayed
    in the process that made it, so anything that needs it says so."""

    __slots__ = ("_what",)

    def __init__(self, what: str):
        self._what = what

    @property
    def pointer(self) -> int:
        raise ValueError(
            "this %s was unpickled: it holds its data (attributes, trials), while what needs the C library "
            "(write_json, write_csv, equity curves) stays with the original" % self._what
        )

    @property
    def closed(self) -> bool:
        return True

    def close(self) -> None:
        pass
