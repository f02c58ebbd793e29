"""The state as the file holds it, kept current, with damage and unreadable files handled.

`DiskState` is the one reader of the state file. A damaged file found at
open (or later) is moved aside under a timestamped name, the last good copy
is restored from the backup, and `recoveries` says what happened and where
the bad file went. A file that exists but cannot be read (permissions, an I/O
error) is never taken for an empty one: `unreadable` says why and the store
refuses to write over it. When even moving a damaged file aside fails, the
backup is shown as a stand-in and the move is tried again before the next
write. `write_unsaved` keeps changes that cannot be saved in a recovery file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from reader.state.codec import StateTables, Tables, parse
from reader.state.errors import StateRecovery, StateUnreadable, strerror
from reader.state.file import MISSING, Signature, StateFile
from reader.state.lock import StateLock
from reader.storage import CorruptFileError, fsync_dir

__all__ = ["DiskState", "write_unsaved"]


class DiskState:
    """The state file's tables as last read, and what went wrong reading it.

    Not thread-safe: the store calls it under its own thread lock.
    """

    def __init__(
        self, file: StateFile, lock: StateLock, on_wait: Callable[[str], None] | None = None
    ) -> None:
        self.file = file
        self.lock = lock
        self.on_wait = on_wait
        """Told when recovery waits for another process's lock (see `StateLock.held`)."""
        self.tables = StateTables({})
        """The tables as the file held them at the latest read or write."""
        self.unreadable: StateUnreadable | None = None
        """Why the latest read failed, or None when it worked."""
        self.recoveries: list[StateRecovery] = []
        """Every recovery from a damaged file, oldest first."""
        self.stand_in = False
        """True when `tables` is the backup shown in place of a file that could not be moved."""
        self._stand_in_signature: Signature | None = None

    def refresh(self) -> None:
        """Bring `tables` up to date with the file, recovering a damaged one.

        A file that cannot be read is not a missing one: `tables` stays what it
        was (empty at open), `unreadable` says why, and writes are refused.
        """
        try:
            found = self.file.read()
        except OSError as error:
            reason = strerror(error)
            if self.unreadable is None or self.unreadable.reason != reason:
                self.unreadable = StateUnreadable(self.file.path, reason, error)
            return
        self.unreadable = None
        if found is None:
            if self.file.backup_path.exists():
                self._recover("the file was missing but its backup was there")
            elif self.file.signature != MISSING:
                self._set(StateTables({}), MISSING)
            return
        signature, raw = found
        if signature == self.file.signature:
            return
        if self.stand_in and signature == self._stand_in_signature:
            return
        try:
            tables = parse(self.file.path, raw)
        except CorruptFileError as error:
            self._recover(_describe(error))
            return
        self._set(StateTables(tables), signature)

    def _set(self, tables: StateTables, signature: Signature | None) -> None:
        self.tables = tables
        self.file.signature = signature
        self.stand_in = False
        self._stand_in_signature = None

    def _recover(self, reason: str) -> None:
        """Recover under the file lock; if even that fails, use the backup in memory."""
        try:
            with self.lock.held(self.on_wait):
                self.recover_locked(reason)
        except OSError as error:
            found = None
            with contextlib.suppress(OSError):
                found = self.file.read()
            tables, restored_from = self._load_backup(move_bad=False)
            self._set(StateTables(tables), None)
            self.stand_in = True
            self._stand_in_signature = found[0] if found else None
            what = error.strerror or str(error)
            source = f"the last good copy ({restored_from})" if restored_from else "nothing"
            self._report(
                reason,
                None,
                restored_from,
                f"Your reader state file {self.file.path} is damaged ({reason}) and could not "
                f"be moved aside ({what}). Showing {source} for now; changes are kept in "
                "memory and saved once the file can be moved aside.",
            )

    def recover_locked(self, reason: str) -> None:
        """Move the bad file aside and restore the backup. Caller holds the file lock.

        Raises OSError when the bad file cannot be moved: we never write over it.
        """
        path = self.file.path
        found = self.file.read()
        if found is not None:
            with contextlib.suppress(CorruptFileError):
                # Another process may have recovered it while we waited for the lock.
                self._set(StateTables(parse(path, found[1])), found[0])
                return
        elif not self.file.backup_path.exists():
            self._set(StateTables({}), MISSING)
            return
        moved_to = None
        if found is not None:
            moved_to = _aside(path, "corrupt")
            os.rename(path, moved_to)
            fsync_dir(path.parent)
        tables, restored_from = self._load_backup(move_bad=True)
        state = StateTables(tables)
        self.file.write(state.encode(), backup=False)
        self._set(state, self.file.signature)
        if restored_from is not None:
            saved = datetime.fromtimestamp(restored_from.stat().st_mtime, UTC)
            restored = (
                f"Your bookmarks and read marks were restored from the last good copy "
                f"{restored_from} (saved {saved:%Y-%m-%d %H:%M:%S} UTC); "
                "the latest change may be missing."
            )
        else:
            restored = "There was no good backup, so reader starts with empty state."
        where = f"It was moved to {moved_to}. " if moved_to else ""
        self._report(
            reason,
            moved_to,
            restored_from,
            f"Your reader state file {path} was damaged ({reason}). {where}{restored}",
        )

    def _load_backup(self, move_bad: bool) -> tuple[Tables, Path | None]:
        """The backup's tables and path, or empty tables and None when there is no good one."""
        backup = self.file.backup_path
        try:
            raw = backup.read_bytes()
        except OSError:
            return {}, None
        try:
            return parse(backup, raw), backup
        except CorruptFileError:
            if move_bad:
                # Keep it for the user rather than letting the next write replace it.
                with contextlib.suppress(OSError):
                    os.rename(backup, _aside(backup, "corrupt"))
            return {}, None

    def _report(
        self, reason: str, moved_to: Path | None, restored_from: Path | None, message: str
    ) -> None:
        self.recoveries.append(
            StateRecovery(self.file.path, reason, moved_to, restored_from, message)
        )


def _describe(error: CorruptFileError) -> str:
    return f"{error.reason} (line {error.line})" if error.line else error.reason


def _aside(path: Path, label: str, suffix: str = "") -> Path:
    """A free name beside `path` for keeping a copy: `NAME.LABEL-20250102T030405Z[SUFFIX]`."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.name}.{label}-{stamp}{suffix}")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{label}-{stamp}-{n}{suffix}")
        n += 1
    return candidate


def write_unsaved(path: Path, data: bytes) -> Path | None:
    """Keep `data` in a new recovery file beside the state file `path`, or in the temporary
    folder when that cannot be written; its path, or None when neither place can be."""
    for directory in (path.parent, Path(tempfile.gettempdir())):
        target = _aside(directory / path.name, "unsaved", ".json")
        if _write_new_file(target, data):
            return target
    return None


def _write_new_file(path: Path, data: bytes) -> bool:
    """Create `path` (never replacing a file) holding `data`, durably; False if impossible.

    The bytes go to a temporary file first, which is then hard-linked into
    place, so `path` is whole or absent even when the process dies mid-write
    (the next `StateStore` opened beside it removes the temporary file).
    """
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return False
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp, path)  # unlike a rename, fails when `path` exists
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    fsync_dir(path.parent)
    return True
