"""What can go wrong with the state file, as exceptions and reports the user can read."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path

from reader.text import plural

__all__ = [
    "StateReadOnlyError",
    "StateRecovery",
    "StateUnreadable",
    "StateUnreadableError",
    "StateWriteError",
    "strerror",
]


def strerror(error: OSError) -> str:
    """What the system said about `error`, in a few words."""
    return error.strerror or str(error) or type(error).__name__


def _changes(pending: int) -> str:
    return plural(pending, "change")


class StateWriteError(Exception):
    """A change could not be written; it is kept in memory and retried.

    The UI shows the message and carries on: reads already reflect the
    change, and the next successful write (or `StateStore.flush()`) saves it.
    `reason` says why in a few words, without the path ("No space left on device").
    """

    def __init__(self, path: Path, error: OSError, pending: int, reason: str | None = None) -> None:
        self.path = path
        self.error = error
        self.pending = pending
        if reason is not None:
            self.reason = reason
        elif isinstance(error, TimeoutError):
            holder = getattr(error, "holder", None) or "another reader process"
            self.reason = f"{holder} is holding the state file's lock"
        else:
            self.reason = strerror(error)
        super().__init__(
            f"could not save to {path}: {self.reason}. "
            f"{_changes(pending)} kept in memory; reader will retry."
        )


class StateUnreadableError(StateWriteError):
    """The state file exists but cannot be read, so nothing was written over it.

    The change is kept in memory and saved, on top of what the file holds,
    once a read succeeds (`StateStore.flush()` or the next change).
    """

    def __init__(self, path: Path, error: OSError, pending: int) -> None:
        super().__init__(path, error, pending, f"it could not be read ({strerror(error)})")


class StateReadOnlyError(StateWriteError):
    """The state file is read-only (no write permission bit): it is left as it is.

    The change is kept in memory and saved once the file is writable again.
    """

    def __init__(self, path: Path, pending: int) -> None:
        error = PermissionError(errno.EACCES, "read-only", str(path))
        super().__init__(path, error, pending, "it is read-only; make it writable to save changes")


@dataclass(frozen=True, slots=True)
class StateUnreadable:
    """The state file exists but the latest read of it failed (permissions, I/O error)."""

    path: Path
    """The state file."""
    reason: str
    """What the system said: "Permission denied", "Is a directory"..."""
    error: OSError
    """The error itself."""

    @property
    def message(self) -> str:
        """A sentence or two for a notification or stderr."""
        return (
            f"Cannot read your reader state file {self.path} ({self.reason}). "
            "Nothing is written over it; changes are kept in memory until it can be read."
        )

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class StateRecovery:
    """What happened when a damaged state file was found, for the user to read."""

    path: Path
    """The state file."""
    reason: str
    """What was wrong with it."""
    moved_to: Path | None
    """Where the damaged file now is (None if it was missing or could not be moved)."""
    restored_from: Path | None
    """The backup the state came back from (None when starting empty)."""
    message: str
    """A sentence or three for a notification or stderr."""

    def __str__(self) -> str:
        return self.message
