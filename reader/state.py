"""The user's state: bookmarks, read marks, reading positions and settings.

This is the one thing a user cannot get back, so `StateStore` is built to
survive anything:

* It lives in its own small file (`state.json`, TinyDB's layout: table ->
  document id -> document), apart from the post library, so a bookmark costs
  the same with 10 posts or 10,000.
* Every change is one atomic write (`reader.storage.atomic_write_bytes`:
  temporary file, fsync, replace, fsync of the directory) that first keeps the
  previous version as `state.json.bak`.
* Every read-modify-write holds a lock file (`state.json.lock`, filelock), so
  two processes (two terminals, the TUI and a CLI command) never lose each
  other's writes; every read checks the file and picks up their changes.
* A damaged file found at open (or later) is moved aside under a timestamped
  name, the last good copy is restored from the backup, and `recoveries` says
  what happened and where the bad file went. Nothing is overwritten silently.
* A write that fails (full or read-only disk, a lock held too long) raises
  `StateWriteError`, but the change is kept in memory, visible to every read,
  and written with the next successful write or `flush()`. `unsaved_changes()`
  says in words what is waiting, and `save_unsaved()` writes it to a recovery
  file `reader import-bookmarks` takes back, for a process about to exit.
* A file that exists but cannot be read (permissions, an I/O error) is never
  taken for an empty one: nothing is written over it (`StateUnreadableError`),
  `unreadable` says why, and changes wait in memory until a read succeeds,
  then go on top of what the file really holds.
* A file the user made read-only (no write permission bit) stays as it is:
  writes are refused with `StateReadOnlyError` until it is writable again.
  Other writes keep the file's permission bits.
* A write waiting for another process's lock says so after a second, naming
  that process (`on_wait`): each holder records its pid and program in
  `state.json.lock.owner`.

Every method is thread-safe and may block on the disk: call it from a worker
thread, never from the UI's event loop.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import json
import os
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from filelock import FileLock


from reader.models import Bookmark, ReadingPosition
from reader.storage import CorruptFileError, atomic_write_bytes, decode_json_object, fsync_dir
from reader.text import clean_text

__all__ = [
    "LOCK_TIMEOUT",
    "LOCK_WAIT_NOTICE",
    "BookmarkMerge",
    "StateReadOnlyError",
    "StateRecovery",
    "StateStore",
    "StateUnreadable",
    "StateUnreadableError",
    "StateWriteError",
    "normalise_timestamp",
    "now_timestamp",
]

LOCK_TIMEOUT = 10.0
"""Seconds a write waits for another process's lock before giving up (and retrying later)."""
LOCK_WAIT_NOTICE = 1.0
"""Seconds a write waits for another process's lock before saying so (`StateStore.on_wait`)."""
UNSAVED_LISTED = 10
"""How many unsaved changes `StateStore.describe_unsaved` names before "and N more"."""

_BOOKMARKS = "bookmarks"
_READ = "read"
_POSITIONS = "positions"
_SETTINGS = "settings"
_SLUG_TABLES = (_BOOKMARKS, _READ, _POSITIONS)
_SETTINGS_ID = "1"

Doc = dict[str, Any]
Tables = dict[str, dict[str, Doc]]
_Signature = tuple[int, int, int]
"""Inode, size and mtime of the file as last read: every atomic replace changes the inode."""
_MISSING: _Signature = (-1, -1, -1)
"""The signature of a state file that does not exist (yet)."""

R = TypeVar("R")


def now_timestamp() -> str:
    """The current time as ISO 8601 in UTC with microseconds, so newest-first order is stable."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def normalise_timestamp(text: str) -> str | None:
    """`text` as a UTC timestamp in our format, or None when it is not ISO 8601.

    Imported files may say `Z`, carry an offset or omit the fraction; storing
    one format keeps the order of bookmarks right.
    """
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _order_key(created: str) -> datetime:
    try:
        when = datetime.fromisoformat(created)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _strerror(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__


def _changes(pending: int) -> str:
    return "1 change" if pending == 1 else f"{pending} changes"


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
            self.reason = _strerror(error)
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
        super().__init__(path, error, pending, f"it could not be read ({_strerror(error)})")


class StateReadOnlyError(StateWriteError):
    """The state file is read-only (no write permission bit): it is left as it is.

    The change is kept in memory and saved once the file is writable again.
    """

    def __init__(self, path: Path, pending: int) -> None:
        error = PermissionError(errno.EACCES, "read-only", str(path))
        super().__init__(path, error, pending, "it is read-only; make it writable to save changes")


class _LockTimeout(TimeoutError):
    """Another process held the lock for the whole timeout; `holder` names it."""

    def __init__(self, holder: str) -> None:
        super().__init__(f"{holder} is holding the state file's lock")
        self.holder = holder


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


@dataclass(frozen=True, slots=True)
class BookmarkMerge:
    """What `StateStore.merge_bookmarks` did, by slug."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    """Already bookmarked; an empty note or section was filled or an earlier date kept."""
    unchanged: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Op:
    """An idempotent change: replaying it after a failed write gives the same state."""

    apply: Callable[[_State], None]
    what: str
    """The change in words ("bookmark on SLUG"), for saying what was not saved."""
    bookmarks: tuple[str, ...] = ()
    """Slugs whose bookmark it adds or changes, for the recovery file."""


class _State:
    """The file's tables, indexed by slug. TinyDB's layout, so TinyDB can open the file."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self._index: dict[str, dict[str, str]] = {}
        self._next_id: dict[str, int] = {}
        # Each table's JSON as last encoded: a bookmark toggle then re-encodes the
        # bookmarks alone, not 10,000 read marks.
        self._encoded: dict[str, bytes] = {}

    def table(self, name: str) -> dict[str, Doc]:
        return self.tables.get(name, {})

    def _slugs(self, name: str) -> dict[str, str]:
        index = self._index.get(name)
        if index is None:
            index = {doc["slug"]: doc_id for doc_id, doc in self.table(name).items()}
            self._index[name] = index
        return index

    def get(self, name: str, slug: str) -> Doc | None:
        doc_id = self._slugs(name).get(slug)
        return None if doc_id is None else self.tables[name][doc_id]

    def has(self, name: str, slug: str) -> bool:
        return slug in self._slugs(name)

    def slugs(self, name: str) -> set[str]:
        return set(self._slugs(name))

    def put(self, name: str, doc: Doc) -> None:
        table = self.tables.setdefault(name, {})
        index = self._slugs(name)
        doc_id = index.get(doc["slug"])
        if doc_id is None:
            next_id = self._next_id.get(name)
            if next_id is None:
                next_id = max((int(k) for k in table), default=0) + 1
            doc_id = str(next_id)
            self._next_id[name] = next_id + 1
            index[doc["slug"]] = doc_id
        table[doc_id] = doc
        self._encoded.pop(name, None)

    def delete(self, name: str, slug: str) -> bool:
        doc_id = self._slugs(name).pop(slug, None)
        if doc_id is None:
            return False
        del self.tables[name][doc_id]
        self._encoded.pop(name, None)
        return True

    def settings(self) -> Doc:
        return self.table(_SETTINGS).get(_SETTINGS_ID, {})

    def set_settings(self, doc: Doc) -> None:
        self.tables[_SETTINGS] = {_SETTINGS_ID: doc}
        self._encoded.pop(_SETTINGS, None)

    def copy(self) -> _State:
        return _State(copy.deepcopy(self.tables))

    def encode(self) -> bytes:
        parts = []
        for name, table in self.tables.items():
            encoded = self._encoded.get(name)
            if encoded is None:
                encoded = self._encoded[name] = _dumps({name: table})[1:-1]
            parts.append(encoded)
        return b"{" + b",".join(parts) + b"}"


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _parse(path: Path, raw: bytes) -> Tables:
    """Decode and check the state file; `CorruptFileError` when it is not ours."""
    data = decode_json_object(path, raw)
    for name, table in data.items():
        if not isinstance(table, dict):
            raise CorruptFileError(path, f"table {name!r} is not a JSON object")
        for doc_id, doc in table.items():
            if not doc_id.isdigit() or not isinstance(doc, dict):
                raise CorruptFileError(path, f"table {name!r}: document {doc_id!r} is malformed")
            if name in _SLUG_TABLES and not isinstance(doc.get("slug"), str):
                raise CorruptFileError(path, f"table {name!r}: document {doc_id} has no slug")
    return data


def _bookmark_from_doc(doc: Mapping[str, Any]) -> Bookmark:
    return Bookmark(
        doc["slug"], str(doc.get("created", "")), doc.get("note", ""), doc.get("section", "")
    )


def _doc_from_bookmark(mark: Bookmark) -> Doc:
    return {"slug": mark.slug, "created": mark.created, "note": mark.note, "section": mark.section}


def _put_bookmark(mark: Bookmark, what: str) -> _Op:
    doc = _doc_from_bookmark(mark)
    return _Op(lambda state: state.put(_BOOKMARKS, dict(doc)), what, (mark.slug,))


def _new_bookmark(mark: Bookmark) -> _Op:
    """Bookmark a post that was not bookmarked when the change was decided.

    If it is by the time the change is written (another process, or a file
    that could not be read when the user decided), the two are merged as an
    import is: the note, section and date already there are kept.
    """

    def apply(state: _State) -> None:
        doc = state.get(_BOOKMARKS, mark.slug)
        merged = mark if doc is None else _combine(_bookmark_from_doc(doc), mark)
        state.put(_BOOKMARKS, _doc_from_bookmark(merged))

    return _Op(apply, f"bookmark on {mark.slug}", (mark.slug,))


def _delete(name: str, slug: str, what: str) -> _Op:
    def apply(state: _State) -> None:
        state.delete(name, slug)

    return _Op(apply, what)


def _combine(ours: Bookmark, theirs: Bookmark) -> Bookmark:
    """Merge an imported bookmark into ours: the earlier date, and ours where we have one."""
    created = min(ours.created, theirs.created, key=_order_key) if ours.created else theirs.created
    return Bookmark(ours.slug, created, ours.note or theirs.note, ours.section or theirs.section)


def _put(name: str, doc: Doc, what: str) -> _Op:
    return _Op(lambda state: state.put(name, dict(doc)), what)


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
        self.backup_path = path.with_name(path.name + ".bak")
        self.lock_path = path.with_name(path.name + ".lock")
        self.owner_path = path.with_name(path.name + ".lock.owner")
        """Who holds (or last held) the lock: `{"pid": ..., "command": ...}`."""
        self.recoveries: list[StateRecovery] = []
        """Every recovery from a damaged file since this store was opened, oldest first."""
        self.on_wait = on_wait
        """Called with a message ("waiting for reader (pid 1234) to release ...") when a
        write has waited `LOCK_WAIT_NOTICE` seconds for another process's lock; once per
        wait, from the writing thread. Settable after opening."""
        self._unreadable: StateUnreadable | None = None
        self._read_only = False
        self._file_mode: int | None = None
        self._lock = threading.RLock()
        # The thread lock serialises our own threads; the file lock, other processes.
        self._lock_timeout = lock_timeout
        self._file_lock_instance: FileLock | None = None
        self._disk = _State({})
        self._signature: _Signature | None = None
        self._stand_in = False
        self._stand_in_signature: _Signature | None = None
        self._pending: list[_Op] = []
        self._overlay: _State | None = None
        with self._lock:
            self._remove_stale_temp_files()
            self._refresh()

    # -- recovery and retry --------------------------------------------------

    @property
    def recovered(self) -> str | None:
        """The message of the latest recovery from a damaged file, if any."""
        return self.recoveries[-1].message if self.recoveries else None

    @property
    def pending(self) -> int:
        """How many changes are kept in memory because their write failed."""
        with self._lock:
            return len(self._pending)

    @property
    def unreadable(self) -> StateUnreadable | None:
        """Why the state file could not be read, or None when the latest read worked.

        As of the latest read: every getter and every write reads again, so it
        clears itself once the file can be read. Never touches the disk.
        """
        return self._unreadable

    @property
    def read_only(self) -> bool:
        """True when the state file has no write permission bit: writes are refused.

        As of the latest read, like `unreadable`. The permission bits decide,
        not `os.access`, which says yes to root.
        """
        return self._read_only

    @property
    def problem(self) -> str | None:
        """Why changes cannot be saved right now (unreadable or read-only file), or None."""
        if self._unreadable is not None:
            return self._unreadable.message
        if self._read_only:
            return (
                f"Your reader state file {self.path} is read-only; make it writable to "
                "save changes. Changes are kept in memory until then."
            )
        return None

    def flush(self) -> None:
        """Write the changes kept in memory; `StateWriteError` if it still fails."""
        self._change(lambda state: (None, None))

    def unsaved_changes(self) -> list[str]:
        """Each change kept in memory, in words ("bookmark on SLUG"), oldest first, once each."""
        with self._lock:
            return list(dict.fromkeys(op.what for op in self._pending))

    def describe_unsaved(self, saved_to: Path | None = None) -> str:
        """One line saying what is not saved and where `save_unsaved` put it, or "".

        For a process about to exit with changes still in memory.
        """
        changes = self.unsaved_changes()
        if not changes:
            return ""
        listed = ", ".join(changes[:UNSAVED_LISTED])
        if len(changes) > UNSAVED_LISTED:
            listed += f" and {len(changes) - UNSAVED_LISTED} more"
        if saved_to is None:
            return f"not saved: {listed} (no recovery file could be written)"
        with self._lock:
            bookmarks = any(op.bookmarks for op in self._pending)
        again = f" (`reader import-bookmarks {saved_to}` restores the bookmarks)"
        return f"not saved: {listed}; kept in {saved_to}{again if bookmarks else ''}"

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
            if not self._pending:
                return None
            view = self._view()
            slugs = dict.fromkeys(slug for op in self._pending for slug in op.bookmarks)
            marks = [_bookmark_from_doc(doc) for s in slugs if (doc := view.get(_BOOKMARKS, s))]
            data = unsaved_json(self.path, marks, self.unsaved_changes()).encode("utf-8")
        for directory in (self.path.parent, Path(tempfile.gettempdir())):
            target = _aside(directory / self.path.name, "unsaved", ".json")
            if _write_new_file(target, data):
                return target
        return None

    # -- bookmarks -----------------------------------------------------------

    def bookmarks(self) -> list[Bookmark]:
        """Every bookmark, newest first (ties: the later bookmarked first)."""
        with self._lock:
            table = self._view().table(_BOOKMARKS)
            rows = sorted(
                table.items(),
                key=lambda item: (_order_key(str(item[1].get("created", ""))), int(item[0])),
                reverse=True,
            )
            return [_bookmark_from_doc(doc) for _, doc in rows]

    def bookmark(self, slug: str) -> Bookmark | None:
        """The bookmark on `slug`, if any."""
        with self._lock:
            doc = self._view().get(_BOOKMARKS, slug)
            return None if doc is None else _bookmark_from_doc(doc)

    def bookmarked_slugs(self) -> set[str]:
        """Slugs of every bookmarked post, for marking them in a list."""
        with self._lock:
            return self._view().slugs(_BOOKMARKS)

    def add_bookmark(
        self, slug: str, note: str | None = None, section: str | None = None
    ) -> Bookmark:
        """Bookmark `slug`, or update an existing bookmark, returning it.

        A new bookmark gets the current time; an existing one keeps its date.
        `note` and `section` left as None keep what the bookmark had ("" for a
        new one).
        """
        clean_note = None if note is None else clean_text(note)
        clean_section = None if section is None else clean_text(section)

        def decide(state: _State) -> tuple[Bookmark, _Op | None]:
            doc = state.get(_BOOKMARKS, slug)
            old = None if doc is None else _bookmark_from_doc(doc)
            mark = Bookmark(
                slug,
                old.created if old else now_timestamp(),
                clean_note if clean_note is not None else (old.note if old else ""),
                clean_section if clean_section is not None else (old.section if old else ""),
            )
            if old is None:
                return mark, _new_bookmark(mark)
            what = f"note on {slug}" if mark.note != old.note else f"bookmark on {slug}"
            return mark, None if mark == old else _put_bookmark(mark, what)

        return self._change(decide)

    def remove_bookmark(self, slug: str) -> bool:
        """Remove the bookmark on `slug`; False if there was none."""

        def decide(state: _State) -> tuple[bool, _Op | None]:
            if not state.has(_BOOKMARKS, slug):
                return False, None
            return True, _delete(_BOOKMARKS, slug, f"bookmark removed from {slug}")

        return self._change(decide)

    def toggle_bookmark(self, slug: str, section: str = "") -> bool:
        """Bookmark `slug` (in `section`) or remove its bookmark; True if now bookmarked."""
        clean_section = clean_text(section)

        def decide(state: _State) -> tuple[bool, _Op | None]:
            if state.has(_BOOKMARKS, slug):
                return False, _delete(_BOOKMARKS, slug, f"bookmark removed from {slug}")
            return True, _new_bookmark(Bookmark(slug, now_timestamp(), "", clean_section))

        return self._change(decide)

    def set_note(self, slug: str, note: str) -> Bookmark:
        """Set the note on `slug`'s bookmark, bookmarking the post first if needed."""
        return self.add_bookmark(slug, note=note)

    def merge_bookmarks(self, marks: Iterable[Bookmark]) -> BookmarkMerge:
        """Add bookmarks from an import in one write, never dropping or overwriting ours.

        For a slug already bookmarked, the earlier date wins and an empty note
        or section is filled from the import; a note we have is kept.
        """
        incoming = list(marks)

        def decide(state: _State) -> tuple[BookmarkMerge, _Op | None]:
            before: dict[str, Bookmark | None] = {}
            after: dict[str, Bookmark] = {}
            for mark in incoming:
                mark = Bookmark(
                    mark.slug,
                    normalise_timestamp(mark.created) or now_timestamp(),
                    clean_text(mark.note),
                    clean_text(mark.section),
                )
                if mark.slug not in before:
                    doc = state.get(_BOOKMARKS, mark.slug)
                    before[mark.slug] = None if doc is None else _bookmark_from_doc(doc)
                ours = after.get(mark.slug) or before[mark.slug]
                after[mark.slug] = mark if ours is None else _combine(ours, mark)
            added = tuple(s for s in after if before[s] is None)
            updated = tuple(s for s in after if before[s] not in (None, after[s]))
            unchanged = tuple(s for s in after if before[s] == after[s])
            ops = [_new_bookmark(after[slug]) for slug in added]
            ops += [_put_bookmark(after[slug], "") for slug in updated]

            def apply(target: _State) -> None:
                for op in ops:
                    op.apply(target)

            count = len(ops)
            what = "1 imported bookmark" if count == 1 else f"{count} imported bookmarks"
            merged = _Op(apply, what, added + updated)
            return BookmarkMerge(added, updated, unchanged), (merged if ops else None)

        return self._change(decide)

    # -- read marks ----------------------------------------------------------

    def read_slugs(self) -> set[str]:
        """Slugs of every post marked read."""
        with self._lock:
            return self._view().slugs(_READ)

    def is_read(self, slug: str) -> bool:
        """True when `slug` is marked read."""
        with self._lock:
            return self._view().has(_READ, slug)

    def set_read(self, slug: str, read: bool = True) -> None:
        """Mark `slug` read or unread (no write when it already is)."""

        def decide(state: _State) -> tuple[None, _Op | None]:
            if read == state.has(_READ, slug):
                return None, None
            if read:
                doc = {"slug": slug, "at": now_timestamp()}
                return None, _put(_READ, doc, f"read mark on {slug}")
            return None, _delete(_READ, slug, f"read mark removed from {slug}")

        self._change(decide)

    # -- reading positions ---------------------------------------------------

    def position(self, slug: str) -> ReadingPosition | None:
        """Where the reader left `slug`, if known."""
        with self._lock:
            doc = self._view().get(_POSITIONS, slug)
        if doc is None:
            return None
        return ReadingPosition(slug, str(doc.get("anchor", "")), int(doc.get("offset", 0)))

    def set_position(self, position: ReadingPosition) -> None:
        """Remember where the reader is in a post (no write when unchanged)."""
        doc = {"slug": position.slug, "anchor": position.anchor, "offset": position.offset}

        def decide(state: _State) -> tuple[None, _Op | None]:
            if state.get(_POSITIONS, position.slug) == doc:
                return None, None
            return None, _put(_POSITIONS, doc, f"reading position in {position.slug}")

        self._change(decide)

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
        # Round-trip now, so a bad value fails here rather than poisoning every later write.
        fresh: dict[str, Any] = json.loads(json.dumps(dict(values)))

        def decide(state: _State) -> tuple[None, _Op | None]:
            current = state.settings()
            if all(k in current and current[k] == v for k, v in fresh.items()):
                return None, None

            def apply(target: _State) -> None:
                target.set_settings({**target.settings(), **copy.deepcopy(fresh)})

            return None, _Op(apply, "setting " + ", ".join(sorted(fresh)))

        self._change(decide)

    # -- machinery -------------------------------------------------------------

    def _view(self) -> _State:
        """The state as the user should see it: the file plus changes not yet saved."""
        self._refresh()
        if not self._pending:
            return self._disk
        if self._overlay is None:
            overlay = self._disk.copy()
            for op in self._pending:
                op.apply(overlay)
            self._overlay = overlay
        return self._overlay

    def _change(self, decide: Callable[[_State], tuple[R, _Op | None]]) -> R:
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
            self._refresh()
            self._refuse_if_blocked(decide)
            decided = False
            try:
                with self._locked():
                    self._refresh()
                    self._refuse_if_blocked(decide)
                    if self._stand_in:
                        self._recover_locked("it could not be moved aside before")
                    state = self._disk
                    if self._pending:
                        # From here `state` differs from the file until a write succeeds.
                        self._signature = None
                        self._overlay = None
                        for earlier in self._pending:
                            earlier.apply(state)
                    result, op = decide(state)
                    decided = True
                    if op is None and not self._pending:
                        return result
                    self._signature = None
                    self._overlay = None
                    if op is not None:
                        op.apply(state)
                        self._pending.append(op)
                    atomic_write_bytes(self.path, state.encode(), backup=True)
                    self._pending.clear()
                    self._keep_mode()
                    self._signature = self._stat()
                    return result
            except OSError as error:
                if not decided:
                    result, op = decide(self._view())
                    if op is not None:
                        self._pending.append(op)
                self._overlay = None
                if not self._pending:
                    return result
                raise StateWriteError(self.path, error, len(self._pending)) from error

    def _refuse_if_blocked(self, decide: Callable[[_State], tuple[R, _Op | None]]) -> None:
        """Queue the change and raise when the file cannot be read or is read-only.

        Decided on what the user sees (the last good read plus pending
        changes): once the file can be read, it is replayed on what it holds.
        A change with nothing to do raises nothing.
        """
        if self._unreadable is None and not self._read_only:
            return
        _, op = decide(self._view())
        if op is not None:
            self._pending.append(op)
            self._overlay = None
        if not self._pending:
            return
        if self._unreadable is not None:
            raise StateUnreadableError(self.path, self._unreadable.error, len(self._pending))
        raise StateReadOnlyError(self.path, len(self._pending))

    def _keep_mode(self) -> None:
        """Give the file just written the permission bits the old one had.

        The temporary file behind every atomic write is made 0600; a user who
        chose other bits keeps them. (A moment at 0600 only ever hides more.)
        """
        if self._file_mode is None or self._file_mode == 0o600:
            return
        with contextlib.suppress(OSError):
            os.chmod(self.path, self._file_mode)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the file lock; after `LOCK_WAIT_NOTICE` seconds of waiting, say for whom.

        Raises `TimeoutError` (naming the holder) after `lock_timeout` seconds.
        """
        lock = self._file_lock
        first = not lock.is_locked
        notice = min(LOCK_WAIT_NOTICE, self._lock_timeout) if first else self._lock_timeout
        try:
            lock.acquire(timeout=notice)
        except TimeoutError:
            holder = self._lock_holder()
            left = self._lock_timeout - notice
            if left <= 0:
                raise _LockTimeout(holder) from None
            if self.on_wait is not None:
                self.on_wait(f"waiting for {holder} to release {self.lock_path}")
            try:
                lock.acquire(timeout=left)
            except TimeoutError:
                raise _LockTimeout(self._lock_holder()) from None
        try:
            if first:
                # Informational only: a failure to write it must not stop the write.
                with contextlib.suppress(OSError):
                    self.owner_path.write_text(
                        json.dumps({"pid": os.getpid(), "command": _program()}), "utf-8"
                    )
            yield
        finally:
            lock.release()

    def _lock_holder(self) -> str:
        """Who holds the lock, from the record every holder leaves: "reader (pid 1234)"."""
        try:
            record = json.loads(self.owner_path.read_text("utf-8"))
        except (OSError, ValueError):
            return "another process"
        pid = record.get("pid") if isinstance(record, dict) else None
        if not isinstance(pid, int) or not _alive(pid):
            return "another process"  # the record is left from a process now gone
        command = record.get("command")
        return f"{command if isinstance(command, str) and command else 'a process'} (pid {pid})"

    @property
    def _file_lock(self) -> FileLock:
        """The lock file shared with other processes, made on first use.

        filelock is imported here, not at the top: opening the state for the
        first screen needs no lock, and the import costs start-up time.
        """
        if self._file_lock_instance is None:
            from filelock import FileLock

            self._file_lock_instance = FileLock(
                self.lock_path, timeout=self._lock_timeout, thread_local=False
            )
        return self._file_lock_instance

    def _remove_stale_temp_files(self) -> None:
        """Delete temporary files left by a process killed mid-write.

        Only while holding the lock, which every writer holds while its
        temporary file exists; skipped when another process is busy.
        """
        stale = list(self.path.parent.glob(f".{self.path.name}.*.tmp"))
        if not stale:
            return
        with contextlib.suppress(OSError), self._file_lock.acquire(timeout=0):
            for leftover in stale:
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()

    def _stat(self) -> _Signature | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return _MISSING
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def _read(self) -> tuple[_Signature, bytes] | None:
        """The file's signature and bytes, read from one open file; None if missing.

        The bytes are only read when the signature differs from the one we
        hold (b"" otherwise): every getter refreshes, and most find nothing new.
        Notes the permission bits every time: a chmod changes no signature.
        """
        try:
            with open(self.path, "rb") as handle:
                st = os.fstat(handle.fileno())
                self._file_mode = stat.S_IMODE(st.st_mode)
                self._read_only = st.st_mode & 0o222 == 0
                signature = (st.st_ino, st.st_size, st.st_mtime_ns)
                if signature == self._signature:
                    return signature, b""
                return signature, handle.read()
        except FileNotFoundError:
            self._file_mode = None
            self._read_only = False
            return None

    def _refresh(self) -> None:
        """Bring `_disk` up to date with the file, recovering a damaged one.

        A file that cannot be read is not a missing one: `_disk` stays what it
        was (empty at open), `unreadable` says why, and writes are refused.
        """
        try:
            found = self._read()
        except OSError as error:
            reason = _strerror(error)
            if self._unreadable is None or self._unreadable.reason != reason:
                self._unreadable = StateUnreadable(self.path, reason, error)
            return
        self._unreadable = None
        if found is None:
            if self.backup_path.exists():
                self._recover("the file was missing but its backup was there")
            elif self._signature != _MISSING:
                self._set_disk(_State({}), _MISSING)
            return
        signature, raw = found
        if signature == self._signature:
            return
        if self._stand_in and signature == self._stand_in_signature:
            return
        try:
            tables = _parse(self.path, raw)
        except CorruptFileError as error:
            self._recover(_describe(error))
            return
        self._set_disk(_State(tables), signature)

    def _set_disk(self, state: _State, signature: _Signature | None) -> None:
        self._disk = state
        self._signature = signature
        self._overlay = None
        self._stand_in = False
        self._stand_in_signature = None

    def _recover(self, reason: str) -> None:
        """Recover under the file lock; if even that fails, use the backup in memory."""
        try:
            with self._locked():
                self._recover_locked(reason)
        except OSError as error:
            found = None
            with contextlib.suppress(OSError):
                found = self._read()
            tables, restored_from = self._load_backup(move_bad=False)
            self._set_disk(_State(tables), None)
            self._stand_in = True
            self._stand_in_signature = found[0] if found else None
            what = error.strerror or str(error)
            source = f"the last good copy ({restored_from})" if restored_from else "nothing"
            self._report(
                reason,
                None,
                restored_from,
                f"Your reader state file {self.path} is damaged ({reason}) and could not "
                f"be moved aside ({what}). Showing {source} for now; changes are kept in "
                "memory and saved once the file can be moved aside.",
            )

    def _recover_locked(self, reason: str) -> None:
        """Move the bad file aside and restore the backup. Caller holds the file lock.

        Raises OSError when the bad file cannot be moved: we never write over it.
        """
        found = self._read()
        if found is not None:
            with contextlib.suppress(CorruptFileError):
                # Another process may have recovered it while we waited for the lock.
                self._set_disk(_State(_parse(self.path, found[1])), found[0])
                return
        elif not self.backup_path.exists():
            self._set_disk(_State({}), _MISSING)
            return
        moved_to = None
        if found is not None:
            moved_to = _aside(self.path, "corrupt")
            os.rename(self.path, moved_to)
            fsync_dir(self.path.parent)
        tables, restored_from = self._load_backup(move_bad=True)
        state = _State(tables)
        atomic_write_bytes(self.path, state.encode(), backup=False)
        self._set_disk(state, self._stat())
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
            f"Your reader state file {self.path} was damaged ({reason}). {where}{restored}",
        )

    def _load_backup(self, move_bad: bool) -> tuple[Tables, Path | None]:
        """The backup's tables and path, or empty tables and None when there is no good one."""
        try:
            raw = self.backup_path.read_bytes()
        except OSError:
            return {}, None
        try:
            return _parse(self.backup_path, raw), self.backup_path
        except CorruptFileError:
            if move_bad:
                # Keep it for the user rather than letting the next write replace it.
                with contextlib.suppress(OSError):
                    os.rename(self.backup_path, _aside(self.backup_path, "corrupt"))
            return {}, None

    def _report(
        self, reason: str, moved_to: Path | None, restored_from: Path | None, message: str
    ) -> None:
        self.recoveries.append(StateRecovery(self.path, reason, moved_to, restored_from, message))


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


def _program() -> str:
    """This process's program name for the lock record: "reader", or "python" for -c."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] not in ("", "-c", "-m") else None
    if script is None:
        return Path(sys.executable).name
    return script.parent.name if script.name == "__main__.py" else script.name


def _alive(pid: int) -> bool:
    """Whether a process `pid` exists (assumed so where we cannot ask)."""
    if sys.platform == "win32":
        return True  # os.kill(pid, 0) would send it Ctrl+C there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but is not ours to signal
    return True
