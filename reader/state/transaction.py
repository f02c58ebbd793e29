"""Every read and every read-modify-write of the user state, under both locks.

`Transactions` puts the parts together: a read is the file as last read
(`DiskState`, refreshed first) plus the pending changes (`Journal`); a change
is decided and written under the thread lock and the `StateLock`, on what
the file holds at that moment, so two processes never lose each other's
writes. A change that cannot be written stays in the journal and raises
`StateWriteError`; one on a file that cannot be read, or is read-only, is
never written (`StateUnreadableError`, `StateReadOnlyError`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from reader.state.changes import Decide
from reader.state.codec import StateTables
from reader.state.errors import StateReadOnlyError, StateUnreadableError, StateWriteError
from reader.state.file import StateFile
from reader.state.journal import Journal
from reader.state.lock import StateLock
from reader.state.recovery import DiskState

__all__ = ["Transactions"]

R = TypeVar("R")


class Transactions:
    """The state file, its lock, what was last read of it and the changes not yet saved."""

    def __init__(self, path: Path, lock_timeout: float, on_wait: Callable[[str], None]) -> None:
        self.path = path
        self.file = StateFile(path)
        self.lock = StateLock(path, lock_timeout)
        self._on_wait = on_wait
        self.disk = DiskState(self.file, self.lock, on_wait)
        self.journal = Journal()
        self.thread_lock = threading.RLock()
        """Serialises our own threads; the file lock serialises processes."""
        with self.thread_lock:
            self.lock.remove_stale_temp_files()
            self.disk.refresh()

    def view(self) -> StateTables:
        """The state as the user should see it: the file plus changes not yet saved.

        The caller holds `thread_lock` for as long as it uses the tables.
        """
        self.disk.refresh()
        return self.journal.view(self.disk.tables)

    def change(self, decide: Decide[R]) -> R:
        """Read, decide, apply and write one change under both locks.

        `decide` looks at the current state and returns the result for the
        caller and an idempotent operation (None: nothing to change). When the
        write fails, the operation stays queued and `StateWriteError` is raised.
        A file that cannot be read, or is read-only, is never written: the
        operation is queued and `StateUnreadableError` or `StateReadOnlyError`
        raised.
        """
        with self.thread_lock:
            # Checked before taking the lock too: no point waiting for it only to refuse.
            self.disk.refresh()
            self._refuse_if_blocked(decide)
            decided = False
            try:
                with self.lock.held(self._on_wait):
                    self.disk.refresh()
                    self._refuse_if_blocked(decide)
                    if self.disk.stand_in:
                        self.disk.recover_locked("it could not be moved aside before")
                    state = self.disk.tables
                    if self.journal:
                        # From here `state` differs from the file until a write succeeds.
                        self.file.signature = None
                        self.journal.stale()
                        self.journal.replay(state)
                    result, op = decide(state)
                    decided = True
                    if op is None and not self.journal:
                        return result
                    self.file.signature = None
                    if op is not None:
                        op.apply(state)
                        self.journal.add(op)
                    self.file.write(state.encode())
                    self.journal.clear()
                    return result
            except OSError as error:
                if not decided:
                    result, op = decide(self.view())
                    if op is not None:
                        self.journal.add(op)
                self.journal.stale()
                if not self.journal:
                    return result
                raise StateWriteError(self.path, error, len(self.journal)) from error

    def _refuse_if_blocked(self, decide: Decide[Any]) -> None:
        """Queue the change and raise when the file cannot be read or is read-only.

        Decided on what the user sees (the last good read plus pending
        changes): once the file can be read, it is replayed on what it holds.
        A change with nothing to do raises nothing.
        """
        if self.disk.unreadable is None and not self.file.read_only:
            return
        _, op = decide(self.view())
        if op is not None:
            self.journal.add(op)
        if not self.journal:
            return
        unreadable = self.disk.unreadable
        if unreadable is not None:
            raise StateUnreadableError(self.path, unreadable.error, len(self.journal))
        raise StateReadOnlyError(self.path, len(self.journal))
