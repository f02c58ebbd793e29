"""The state file on disk: read only when it changed, written atomically with a `.bak`.

Every read checks the file's signature (inode, size, mtime: every atomic
replace makes a new inode) and reads the bytes only when it differs from the
last one, so the getters that refresh before answering cost one `fstat`.
Every write goes through `reader.storage.atomic_write_bytes` (temporary file,
fsync, replace, fsync of the directory) and keeps the previous version as
`state.json.bak`. The caller holds the `StateLock` around it.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

__all__ = ["MISSING", "Signature", "StateFile"]

Signature = tuple[int, int, int]
"""Inode, size and mtime of the file as last read: every atomic replace changes the inode."""
MISSING: Signature = (-1, -1, -1)
"""The signature of a state file that does not exist (yet)."""


def _atomic_write_bytes(path: Path, data: bytes, backup: bool) -> None:
    # Looked up on the package at each write: `reader.state.atomic_write_bytes` is the
    # name tests (and tools) replace to step inside a write, as in the one-module days.
    import reader.state

    reader.state.atomic_write_bytes(path, data, backup=backup)


class StateFile:
    """`state.json` and its `.bak`: what was last read of it, and how to replace it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.backup_path = path.with_name(path.name + ".bak")
        self.signature: Signature | None = None
        """The signature of the bytes last read or written; None forces the next read."""
        self.mode: int | None = None
        """The permission bits as of the latest read (None: no file)."""
        self.read_only = False
        """True when the latest read found no write permission bit."""

    def stat(self) -> Signature | None:
        """The file's signature now (`MISSING` if absent, None if it cannot be known)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return MISSING
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def read(self) -> tuple[Signature, bytes] | None:
        """The file's signature and bytes, read from one open file; None if missing.

        The bytes are only read when the signature differs from `signature`
        (b"" otherwise): every getter refreshes, and most find nothing new.
        Notes the permission bits every time: a chmod changes no signature.
        Raises OSError when the file exists but cannot be read.
        """
        try:
            with open(self.path, "rb") as handle:
                st = os.fstat(handle.fileno())
                self.mode = stat.S_IMODE(st.st_mode)
                self.read_only = st.st_mode & 0o222 == 0
                signature = (st.st_ino, st.st_size, st.st_mtime_ns)
                if signature == self.signature:
                    return signature, b""
                return signature, handle.read()
        except FileNotFoundError:
            self.mode = None
            self.read_only = False
            return None

    def write(self, data: bytes, backup: bool = True) -> None:
        """Replace the file with `data` atomically, the old one kept as `.bak` (`backup`).

        A change keeps the file's permission bits; a file written in place of
        a damaged one (`backup=False`) gets fresh ones. The new signature is
        taken after the write, so our own write is not read back as a change.
        Raises OSError; the file is then as it was.
        """
        self.signature = None
        _atomic_write_bytes(self.path, data, backup)
        if backup:
            self._keep_mode()
        self.signature = self.stat()

    def _keep_mode(self) -> None:
        """Give the file just written the permission bits the old one had.

        The temporary file behind every atomic write is made 0600; a user who
        chose other bits keeps them. (A moment at 0600 only ever hides more.)
        """
        if self.mode is None or self.mode == 0o600:
            return
        with contextlib.suppress(OSError):
            os.chmod(self.path, self.mode)
