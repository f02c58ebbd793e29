"""`LibraryError`: the library's files cannot be read or written, with the file and why.

Its own module so that `reader.library` and the parts it delegates to
(`reader.library_import`) raise the same error without importing each other.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

__all__ = ["LibraryError"]


class LibraryError(OSError):
    """The library's files cannot be read or written (a read-only or full disk...).

    `message` is one line for stderr or a notification, naming the file and
    the reason; `path` is that file. An OSError, so callers that catch those
    still do.
    """

    def __init__(self, message: str, path: Path | None = None, error: OSError | None = None):
        super().__init__(error.errno if error else errno.EIO, message)
        self.message = message
        self.path = path
        self.error = error

    @classmethod
    def wrap(cls, error: OSError, doing: str, fallback: Path) -> LibraryError:
        """A `LibraryError` for `error`, raised while `doing` something under `fallback`."""
        if isinstance(error, LibraryError):
            if error.error is None:
                return error
            error = error.error  # say what we were doing at this level
        path = Path(os.fsdecode(error.filename)) if error.filename else fallback
        reason = error.strerror or str(error)
        return cls(f"{doing}: {path}: {reason}", path, error)

    def __str__(self) -> str:
        return self.message
