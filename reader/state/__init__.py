"""The user's state: bookmarks, read marks, reading positions and settings.

This is the one thing a user cannot get back, so `StateStore` is built to
survive anything. It is a package of small parts behind that one facade;
import from here (`from reader.state import StateStore`), not from the parts.

**The store** (`store.py`) and **its transactions** (`transaction.py`).
`StateStore` is the API; `Transactions` answers every question from the
file as last read plus the changes not yet saved, and makes every change by
one read-modify-write under a thread lock and the file lock: read the file
if it changed, decide the change on what it holds, apply, write. Every
method is thread-safe and may block on the disk: call it from a worker
thread, never from the UI's event loop.

**The rules** (`changes.py`). What each change does (a new bookmark merges
with one another process made meanwhile, an import never overwrites our
notes, a setting must be JSON), as pure functions of the tables that return
the caller's result and an idempotent `Op` to write.

**The tables** (`codec.py`). `parse` checks the file's bytes (TinyDB's
layout: table -> document id -> document) before anything trusts them;
`StateTables` then holds them in a TinyDB over a storage of ours in memory
(`TablesStorage`) and makes every change through TinyDB's public `Table` API
(`insert`, `update`, `remove`, `get` by document id), so the layout and the
ids are TinyDB's. A slug index of ours finds the id (a `Query` would scan
10,000 read marks for one), and each table's JSON is kept until TinyDB
replaces that table. The bytes reach the file only through the store's
explicit write under the lock: not TinyDB's `CachingMiddleware`, whose cache
never re-reads the file (another process's change must be seen at every
read) and whose flush would run wherever TinyDB decides, not just after the
checks that the file may be written over.

**The state file** (`file.py`) and **its lock** (`lock.py`). `state.json`
is read only when its inode, size or mtime changed, and replaced by one
atomic write (`reader.storage.atomic_write_bytes`) that first keeps the
previous version as `state.json.bak`, with the file's permission bits kept.
Every read-modify-write holds `state.json.lock` (filelock), so two processes
never lose each other's writes; each holder records its pid and program in
`state.json.lock.owner`, and a write kept waiting says for whom after
`LOCK_WAIT_NOTICE` seconds (`StateStore.on_wait`).

**Recovery** (`recovery.py`). A damaged file is moved aside under a
timestamped name and the backup restored (`StateStore.recoveries` says what
happened); a file that exists but cannot be read is never taken for an empty
one, nothing is written over it (`StateUnreadableError`); a read-only file
stays as it is (`StateReadOnlyError`). Changes that cannot be saved can be
kept in a recovery file `reader import-bookmarks` takes back.

**The journal** (`journal.py`). A write that fails (full or read-only disk,
a lock held too long) raises `StateWriteError`, but the change is kept in
memory, visible to every read, and replayed on top of what the file holds
with the next successful write or `flush()`; `unsaved_changes()` says in
words what is waiting.
"""

from __future__ import annotations

from reader.state.changes import BookmarkMerge
from reader.state.codec import normalise_timestamp, now_timestamp
from reader.state.errors import (
    StateReadOnlyError,
    StateRecovery,
    StateUnreadable,
    StateUnreadableError,
    StateWriteError,
)
from reader.state.journal import UNSAVED_LISTED
from reader.state.lock import LOCK_TIMEOUT, LOCK_WAIT_NOTICE
from reader.state.store import StateStore, normalise_query

# Replaced by tests to step inside a write; `file.py` looks it up here at each write.
from reader.storage import atomic_write_bytes as atomic_write_bytes

__all__ = [
    "LOCK_TIMEOUT",
    "LOCK_WAIT_NOTICE",
    "UNSAVED_LISTED",
    "BookmarkMerge",
    "StateReadOnlyError",
    "StateRecovery",
    "StateStore",
    "StateUnreadable",
    "StateUnreadableError",
    "StateWriteError",
    "normalise_query",
    "normalise_timestamp",
    "now_timestamp",
]
