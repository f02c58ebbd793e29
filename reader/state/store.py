"""`StateStore`, the facade: the bookmark, read-mark, position and settings API.

It reads through `DiskState` (the file as last read, recovered when damaged),
decides each change with the rules of `reader.state.changes`, and writes
under its thread lock and the `StateLock`, keeping what cannot be written in
the `Journal` until a write succeeds.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from reader.models import Bookmark, ReadingPosition
from reader.state import changes
from reader.state.changes import BookmarkMerge, Decide
from reader.state.codec import (
    BOOKMARKS,
    POSITIONS,
    READ,
    StateTables,
    bookmark_from_doc,
    order_key,
)
from reader.state.errors import (
    StateReadOnlyError,
    StateRecovery,
    StateUnreadable,
    StateUnreadableError,
    StateWriteError,
)
from reader.state.file import StateFile
from reader.state.journal import Journal
from reader.state.lock import LOCK_TIMEOUT, StateLock
from reader.state.recovery import DiskState, write_unsaved

__all__ = ["StateStore"]

R = TypeVar("R")


class StateStore:
    """The user's state: bookmarks, read marks, reading positions, settings.

    Opening never fails on a damaged file: it is moved aside and the state
    recovered (see `recoveries`), nor on one that cannot be read (see
    `unreadable`). Writes that fail raise `StateWriteError` and are retried
    (see `pending`, `flush`, `unsaved_changes`, `save_unsaved`).
    """

    def __init__(
        self,
        path: Path,
        lock_timeout: float = LOCK_TIMEOUT,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.path = path
        self._file = StateFile(path)
        self._file_lock = StateLock(path, lock_timeout)
        self.backup_path = self._file.backup_path
        self.lock_path = self._file_lock.path
        self.owner_path = self._file_lock.owner_path
        """Who holds (or last held) the lock: `{"pid": ..., "command": ...}`."""
        self.on_wait = on_wait
        """Called with a message ("waiting for reader (pid 1234) to release ...") when a
        write has waited `LOCK_WAIT_NOTICE` seconds for another process's lock; once per
        wait, from the writing thread. Settable after opening."""
        self._disk = DiskState(self._file, self._file_lock, self._waiting)
        self.recoveries: list[StateRecovery] = self._disk.recoveries
        """Every recovery from a damaged file since this store was opened, oldest first."""
        # The thread lock serialises our own threads; the file lock, other processes.
        self._lock = threading.RLock()
        self._journal = Journal()
        with self._lock:
            self._file_lock.remove_stale_temp_files()
            self._disk.refresh()

    def _waiting(self, message: str) -> None:
        if self.on_wait is not None:
            self.on_wait(message)

    # -- recovery and retry --------------------------------------------------

    @property
    def recovered(self) -> str | None:
        """The message of the latest recovery from a damaged file, if any."""
        return self.recoveries[-1].message if self.recoveries else None

    @property
    def pending(self) -> int:
        """How many changes are kept in memory because their write failed."""
        with self._lock:
            return len(self._journal)

    @property
    def unreadable(self) -> StateUnreadable | None:
        """Why the state file could not be read, or None when the latest read worked.

        As of the latest read: every getter and every write reads again, so it
        clears itself once the file can be read. Never touches the disk.
        """
        return self._disk.unreadable

    @property
    def read_only(self) -> bool:
        """True when the state file has no write permission bit: writes are refused.

        As of the latest read, like `unreadable`. The permission bits decide,
        not `os.access`, which says yes to root.
        """
        return self._file.read_only

    @property
    def problem(self) -> str | None:
        """Why changes cannot be saved right now (unreadable or read-only file), or None."""
        if self._disk.unreadable is not None:
            return self._disk.unreadable.message
        if self._file.read_only:
            return (
                f"Your reader state file {self.path} is read-only; make it writable to "
                "save changes. Changes are kept in memory until then."
            )
        return None

    def flush(self) -> None:
        """Write the changes kept in memory; `StateWriteError` if it still fails."""
        self._change(changes.nothing)

    def unsaved_changes(self) -> list[str]:
        """Each change kept in memory, in words ("bookmark on SLUG"), oldest first, once each."""
        with self._lock:
            return self._journal.changes()

    def describe_unsaved(self, saved_to: Path | None = None) -> str:
        """One line saying what is not saved and where `save_unsaved` put it, or "".

        For a process about to exit with changes still in memory.
        """
        with self._lock:
            return self._journal.describe(saved_to)

    def save_unsaved(self) -> Path | None:
        """Write the changes kept in memory to a recovery file; its path, or None.

        For a process about to exit while the state file refuses writes. The
        file (`state.json.unsaved-TIMESTAMP.json`) is a bookmarks export that
        `reader import-bookmarks` takes back, with every unsaved change listed
        in words under "unsaved". It goes beside the state file or, when that
        cannot be written (a read-only or full disk), in the temporary folder.
        None when nothing is pending or neither place can be written.
        """
        from reader.bookmark_io import unsaved_json  # only on the way out

        with self._lock:
            if not self._journal:
                return None
            view = self._view()
            slugs = self._journal.bookmark_slugs()
            marks = [bookmark_from_doc(doc) for s in slugs if (doc := view.get(BOOKMARKS, s))]
            data = unsaved_json(self.path, marks, self._journal.changes()).encode("utf-8")
        return write_unsaved(self.path, data)

    # -- bookmarks -----------------------------------------------------------

    def bookmarks(self) -> list[Bookmark]:
        """Every bookmark, newest first (ties: the later bookmarked first)."""
        with self._lock:
            rows = sorted(
                self._view().documents(BOOKMARKS),
                key=lambda doc: (order_key(str(doc.get("created", ""))), doc.doc_id),
                reverse=True,
            )
            return [bookmark_from_doc(doc) for doc in rows]

    def bookmark(self, slug: str) -> Bookmark | None:
        """The bookmark on `slug`, if any."""
        with self._lock:
            doc = self._view().get(BOOKMARKS, slug)
            return None if doc is None else bookmark_from_doc(doc)

    def bookmarked_slugs(self) -> set[str]:
        """Slugs of every bookmarked post, for marking them in a list."""
        with self._lock:
            return self._view().slugs(BOOKMARKS)

    def add_bookmark(
        self, slug: str, note: str | None = None, section: str | None = None
    ) -> Bookmark:
        """Bookmark `slug`, or update an existing bookmark, returning it.

        A new bookmark gets the current time; an existing one keeps its date.
        `note` and `section` left as None keep what the bookmark had ("" for a
        new one).
        """
        return self._change(changes.add_bookmark(slug, note, section))

    def remove_bookmark(self, slug: str) -> bool:
        """Remove the bookmark on `slug`; False if there was none."""
        return self._change(changes.remove_bookmark(slug))

    def toggle_bookmark(self, slug: str, section: str = "") -> bool:
        """Bookmark `slug` (in `section`) or remove its bookmark; True if now bookmarked."""
        return self._change(changes.toggle_bookmark(slug, section))

    def set_note(self, slug: str, note: str) -> Bookmark:
        """Set the note on `slug`'s bookmark, bookmarking the post first if needed."""
        return self.add_bookmark(slug, note=note)

    def merge_bookmarks(self, marks: Iterable[Bookmark]) -> BookmarkMerge:
        """Add bookmarks from an import in one write, never dropping or overwriting ours.

        For a slug already bookmarked, the earlier date wins and an empty note
        or section is filled from the import; a note we have is kept.
        """
        return self._change(changes.merge_bookmarks(marks))

    # -- read marks ----------------------------------------------------------

    def read_slugs(self) -> set[str]:
        """Slugs of every post marked read."""
        with self._lock:
            return self._view().slugs(READ)

    def is_read(self, slug: str) -> bool:
        """True when `slug` is marked read."""
        with self._lock:
            return self._view().has(READ, slug)

    def set_read(self, slug: str, read: bool = True) -> None:
        """Mark `slug` read or unread (no write when it already is)."""
        self._change(changes.set_read(slug, read))

    # -- reading positions ---------------------------------------------------

    def position(self, slug: str) -> ReadingPosition | None:
        """Where the reader left `slug`, if known."""
        with self._lock:
            doc = self._view().get(POSITIONS, slug)
        if doc is None:
            return None
        return ReadingPosition(slug, str(doc.get("anchor", "")), int(doc.get("offset", 0)))

    def set_position(self, position: ReadingPosition) -> None:
        """Remember where the reader is in a post (no write when unchanged)."""
        self._change(changes.set_position(position))

    # -- settings ------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """A copy of the settings (keymap, last tag and post...)."""
        with self._lock:
            return copy.deepcopy(self._view().settings())

    def set_setting(self, key: str, value: Any) -> None:
        """Set one setting, in one write. `value` must be JSON (TypeError otherwise)."""
        self.update_settings({key: value})

    def update_settings(self, values: Mapping[str, Any]) -> None:
        """Set several settings in one write. Values must be JSON (TypeError otherwise)."""
        self._change(changes.update_settings(values))

    # -- machinery -------------------------------------------------------------

    def _view(self) -> StateTables:
        """The state as the user should see it: the file plus changes not yet saved."""
        self._disk.refresh()
        return self._journal.view(self._disk.tables)

    def _change(self, decide: Decide[R]) -> R:
        """Read, decide, apply and write one change under both locks.

        `decide` looks at the current state and returns the result for the
        caller and an idempotent operation (None: nothing to change). When the
        write fails, the operation stays queued and `StateWriteError` is raised.
        A file that cannot be read, or is read-only, is never written: the
        operation is queued and `StateUnreadableError` or `StateReadOnlyError`
        raised.
        """
        with self._lock:
            # Checked before taking the lock too: no point waiting for it only to refuse.
            self._disk.refresh()
            self._refuse_if_blocked(decide)
            decided = False
            try:
                with self._file_lock.held(self._waiting):
                    self._disk.refresh()
                    self._refuse_if_blocked(decide)
                    if self._disk.stand_in:
                        self._disk.recover_locked("it could not be moved aside before")
                    state = self._disk.tables
                    if self._journal:
                        # From here `state` differs from the file until a write succeeds.
                        self._file.signature = None
                        self._journal.stale()
                        self._journal.replay(state)
                    result, op = decide(state)
                    decided = True
                    if op is None and not self._journal:
                        return result
                    self._file.signature = None
                    if op is not None:
                        op.apply(state)
                        self._journal.add(op)
                    self._file.write(state.encode())
                    self._journal.clear()
                    return result
            except OSError as error:
                if not decided:
                    result, op = decide(self._view())
                    if op is not None:
                        self._journal.add(op)
                self._journal.stale()
                if not self._journal:
                    return result
                raise StateWriteError(self.path, error, len(self._journal)) from error

    def _refuse_if_blocked(self, decide: Decide[Any]) -> None:
        """Queue the change and raise when the file cannot be read or is read-only.

        Decided on what the user sees (the last good read plus pending
        changes): once the file can be read, it is replayed on what it holds.
        A change with nothing to do raises nothing.
        """
        if self._disk.unreadable is None and not self._file.read_only:
            return
        _, op = decide(self._view())
        if op is not None:
            self._journal.add(op)
        if not self._journal:
            return
        unreadable = self._disk.unreadable
        if unreadable is not None:
            raise StateUnreadableError(self.path, unreadable.error, len(self._journal))
        raise StateReadOnlyError(self.path, len(self._journal))
