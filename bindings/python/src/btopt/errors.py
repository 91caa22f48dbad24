"""Exceptions: one class per btopt_status, carrying btopt_last_error()'s words.

Each also derives from the built-in exception a Python user would expect, so
``except ValueError`` catches a bad argument and ``except LookupError`` an
unknown name.
"""

from __future__ import annotations

from typing import Any

from . import _lib


class BtoptError(Exception):
    """A btopt call failed.

    Attributes:
        status: the btopt_status code (an int).
        status_name: its name, e.g. ``"BTOPT_ERR_NOT_FOUND"``.
        message: what btopt_last_error() said.
        partial_result: for ObjectiveError and CancelledError, the result of
            the trials run so far (an OptimizationResult); else None.
    """

    status: int | None = None

    def __init__(self, message: str, status: int | None = None, partial_result: Any = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status
        self.message = message
        self.partial_result = partial_result

    @property
    def status_name(self) -> str:
        if self.status is None:
            return "unknown status"
        return _lib.decode(_lib.library().btopt_status_name(self.status))


class InvalidArgumentError(BtoptError, ValueError):
    """BTOPT_ERR_INVALID_ARGUMENT: a bad name, range, option value or handle."""

    status = _lib.ERR_INVALID_ARGUMENT


class UnsupportedError(BtoptError, NotImplementedError):
    """BTOPT_ERR_UNSUPPORTED: a valid request this build or combination cannot do
    (a plugin without equity curves, ...)."""

    status = _lib.ERR_UNSUPPORTED


class NotFoundError(BtoptError, LookupError):
    """BTOPT_ERR_NOT_FOUND: no such parameter, option, objective or trial."""

    status = _lib.ERR_NOT_FOUND


class PluginError(BtoptError):
    """BTOPT_ERR_PLUGIN: a strategy plugin could not be found, loaded or initialised."""

    status = _lib.ERR_PLUGIN


class ObjectiveError(BtoptError):
    """BTOPT_ERR_OBJECTIVE: a trial failed and ignore_errors is off.

    The message names the point; ``partial_result`` holds every trial started,
    the unfinished ones marked cancelled."""

    status = _lib.ERR_OBJECTIVE


class CancelledError(BtoptError):
    """BTOPT_ERR_CANCELLED: the run was cancelled; ``partial_result`` holds what ran."""

    status = _lib.ERR_CANCELLED


class BtoptIOError(BtoptError, OSError):
    """BTOPT_ERR_IO: a file could not be written or read."""

    status = _lib.ERR_IO


class InternalError(BtoptError):
    """BTOPT_ERR_INTERNAL: a bug in btopt; please report it."""

    status = _lib.ERR_INTERNAL


_BY_STATUS = {
    cls.status: cls
    for cls in (
        InvalidArgumentError,
        UnsupportedError,
        NotFoundError,
        PluginError,
        ObjectiveError,
        CancelledError,
        BtoptIOError,
        InternalError,
    )
}


def error_for(status: int, message: str, partial_result: Any = None) -> BtoptError:
    """The exception for a status code; an unknown code (from a newer library)
    is a plain BtoptError, still a failure."""
    cls = _BY_STATUS.get(status, BtoptError)
    return cls(message or "btopt status %d" % status, status, partial_result)


def check(status: int) -> None:
    """Raises the exception for a failed call, with btopt_last_error()'s words.

    Call it right after the failing call, on the same thread: the message is
    thread-local and lasts only until the next failure."""
    if status != _lib.OK:
        raise error_for(status, _lib.decode(_lib.library().btopt_last_error()))
