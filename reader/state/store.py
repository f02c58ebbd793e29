"""`StateStore`, the facade: the bookmark, read-mark, position and settings API.

Each getter reads through `Transactions.view` (the file as last read plus
the changes not yet saved); each change is one of the rules in
`reader.state.changes`, run by `Transactions.change` under both locks.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from reader.models import Bookmark, ReadingPosition, SavedSearch
from reader.state import changes
from reader.state.changes import BookmarkMerge
from reader.state.codec import (
    BOOKMARKS,
    POSITIONS,
    READ,
    SAVED_SEARCHES,
    bookmark_from_doc,
    order_key,
)
from reader.state.errors import StateRecovery, StateUnreadable
from reader.state.lock import LOCK_TIMEOUT
from reader.state.recovery import write_unsaved
from reader.state.transaction import Transactions
from reader.text import clean_text

__all__ = ["StateStore", "normalise_query"]


def normalise_query(query: str) -> str:
    """A query as it is saved: control characters removed, runs of spaces made one."""
    return " ".join(clean_text(query).split())


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
        self.on_wait = on_wait
        """Called with a message ("waiting for reader (pid 1234) to release ...") when a
        write has waited `LOCK_WAIT_NOTICE` seconds for another process's lock; once per
        wait, from the writing thread. Settable after opening."""
        self._state = Transactions(path, lock_timeout, self._waiting)
        self._disk = self._state.disk
        self._file = self._state.file
        self._journal = self._state.journal
        self._lock = self._state.thread_lock
        self.backup_path = self._file.backup_path
        self.lock_path = self._state.lock.path
        self.owner_path = self._state.lock.owner_path
        """Who holds (or last held) the lock: `{"pid": ..., "command": ...}`."""
        self.recoveries: list[StateRecovery] = self._disk.recoveries
        """Every recovery from a damaged file since this store was opened, oldest first."""

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
        self._state.change(changes.nothing)

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
            view = self._state.view()
            slugs = self._journal.bookmark_slugs()
            marks = [bookmark_from_doc(doc) for s in slugs if (doc := view.get(BOOKMARKS, s))]
            data = unsaved_json(self.path, marks, self._journal.changes()).encode("utf-8")
        return write_unsaved(self.path, data)

    # -- bookmarks -----------------------------------------------------------

    def bookmarks(self) -> list[Bookmark]:
        """Every bookmark, newest first (ties: the later bookmarked first)."""
        with self._lock:
            rows = sorted(
                self._state.view().documents(BOOKMARKS),
                key=lambda doc: (order_key(str(doc.get("created", ""))), doc.doc_id),
                reverse=True,
            )
            return [bookmark_from_doc(doc) for doc in rows]

    def bookmark(self, slug: str) -> Bookmark | None:
        """The bookmark on `slug`, if any."""
        with self._lock:
            doc = self._state.view().get(BOOKMARKS, slug)
            return None if doc is None else bookmark_from_doc(doc)

    def bookmarked_slugs(self) -> set[str]:
        """Slugs of every bookmarked post, for marking them in a list."""
        with self._lock:
            return self._state.view().slugs(BOOKMARKS)

    def add_bookmark(
        self, slug: str, note: str | None = None, section: str | None = None
    ) -> Bookmark:
        """Bookmark `slug`, or update an existing bookmark, returning it.

        A new bookmark gets the current time; an existing one keeps its date.
        `note` and `section` left as None keep what the bookmark had ("" for a
        new one).
        """
        return self._state.change(changes.add_bookmark(slug, note, section))

    def remove_bookmark(self, slug: str) -> bool:
        """Remove the bookmark on `slug`; False if there was none."""
        return self._state.change(changes.remove_bookmark(slug))

    def toggle_bookmark(self, slug: str, section: str = "") -> bool:
        """Bookmark `slug` (in `section`) or remove its bookmark; True if now bookmarked."""
        return self._state.change(changes.toggle_bookmark(slug, section))

    def set_note(self, slug: str, note: str) -> Bookmark:
        """Set the note on `slug`'s bookmark, bookmarking the post first if needed."""
        return self.add_bookmark(slug, note=note)

    def merge_bookmarks(self, marks: Iterable[Bookmark]) -> BookmarkMerge:
        """Add bookmarks from an import in one write, never dropping or overwriting ours.

        For a slug already bookmarked, the earlier date wins and an empty note
        or section is filled from the import; a note we have is kept.
        """
        return self._state.change(changes.merge_bookmarks(marks))

    # -- read marks ----------------------------------------------------------

    def read_slugs(self) -> set[str]:
        """Slugs of every post marked read."""
        with self._lock:
            return self._state.view().slugs(READ)

    def is_read(self, slug: str) -> bool:
        """True when `slug` is marked read."""
        with self._lock:
            return self._state.view().has(READ, slug)

    def set_read(self, slug: str, read: bool = True) -> None:
        """Mark `slug` read or unread (no write when it already is)."""
        self._state.change(changes.set_read(slug, read))

    def set_read_many(self, slugs: Iterable[str], read: bool = True) -> frozenset[str]:
        """Mark every post of `slugs` read (or unread) in one atomic write; the slugs changed.

        Those already read (or unread) are left as they are, their date kept; no
        write when none changes. Undoing is the same call on the result, with `read` flipped.
        """
        return self._state.change(changes.set_read_many(slugs, read))

    # -- reading positions ---------------------------------------------------

    def position(self, slug: str) -> ReadingPosition | None:
        """Where the reader left `slug`, if known."""
        with self._lock:
            doc = self._state.view().get(POSITIONS, slug)
        if doc is None:
            return None
        return ReadingPosition(slug, str(doc.get("anchor", "")), int(doc.get("offset", 0)))

    def set_position(self, position: ReadingPosition) -> None:
        """Remember where the reader is in a post (no write when unchanged)."""
        self._state.change(changes.set_position(position))

    # -- saved searches ------------------------------------------------------

    def saved_searches(self) -> list[SavedSearch]:
        """Every saved search, in the order they were pinned (oldest first)."""
        with self._lock:
            rows = sorted(
                self._state.view().documents(SAVED_SEARCHES),
                key=lambda doc: (order_key(str(doc.get("created", ""))), doc.doc_id),
            )
            return [SavedSearch(str(doc["query"]), str(doc.get("created", ""))) for doc in rows]

    def save_search(self, query: str) -> bool:
        """Pin `query` (stripped, control characters removed); False if already pinned.

        `ValueError` for an empty query.
        """
        clean = normalise_query(query)
        if not clean:
            raise ValueError("an empty search cannot be saved")
        return self._state.change(changes.save_search(clean))

    def remove_saved_search(self, query: str) -> bool:
        """Unpin `query`; False if it was not pinned."""
        return self._state.change(changes.remove_saved_search(normalise_query(query)))

    # -- settings ------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """A copy of the settings (keymap, last tag and post...)."""
        with self._lock:
            return copy.deepcopy(self._state.view().settings())

    def set_setting(self, key: str, value: Any) -> None:
        """Set one setting, in one write. `value` must be JSON (TypeError otherwise)."""
        self.update_settings({key: value})

    def update_settings(self, values: Mapping[str, Any]) -> None:
        """Set several settings in one write. Values must be JSON (TypeError otherwise)."""
        self._state.change(changes.update_settings(values))

    def remove_settings(self, keys: Iterable[str]) -> None:
        """Drop settings, in one write (those not set are left alone)."""
        self._state.change(changes.remove_settings(keys))
