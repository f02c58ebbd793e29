"""The changes decided but not yet written: kept in memory, replayed, described.

A change is an `Op`, idempotent: replaying it on the file as it is when a
write finally succeeds gives the same state, so a change decided while the
disk was full (or the file unreadable, or locked by another process) goes on
top of whatever the file holds by then. Until then every read sees the file
plus the journal (`Journal.view`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reader.state.codec import StateTables

__all__ = ["UNSAVED_LISTED", "Journal", "Op"]

UNSAVED_LISTED = 10
"""How many unsaved changes `Journal.describe` names before "and N more"."""


@dataclass(frozen=True, slots=True)
class Op:
    """An idempotent change: replaying it after a failed write gives the same state."""

    apply: Callable[[StateTables], None]
    what: str
    """The change in words ("bookmark on SLUG"), for saying what was not saved."""
    bookmarks: tuple[str, ...] = ()
    """Slugs whose bookmark it adds or changes, for the recovery file."""


class Journal:
    """The pending changes, oldest first, and the view of the state they make."""

    def __init__(self) -> None:
        self._ops: list[Op] = []
        self._overlay: StateTables | None = None
        self._base: StateTables | None = None
        """The tables `_overlay` was built on: a fresh read replaces them."""

    def __len__(self) -> int:
        return len(self._ops)

    def __bool__(self) -> bool:
        return bool(self._ops)

    def add(self, op: Op) -> None:
        """Keep `op` until a write succeeds."""
        self._ops.append(op)
        self._overlay = None

    def clear(self) -> None:
        """Forget every change: they are written."""
        self._ops.clear()
        self._overlay = None

    def stale(self) -> None:
        """The tables under the view changed: build it again on the next `view`."""
        self._overlay = None

    def replay(self, tables: StateTables) -> None:
        """Apply every pending change to `tables`, in order."""
        for op in self._ops:
            op.apply(tables)

    def view(self, disk: StateTables) -> StateTables:
        """What the user should see: `disk` plus the pending changes (`disk` itself if none)."""
        if not self._ops:
            return disk
        if self._overlay is None or self._base is not disk:
            overlay = disk.copy()
            self.replay(overlay)
            self._overlay, self._base = overlay, disk
        return self._overlay

    def changes(self) -> list[str]:
        """Each pending change in words, oldest first, once each."""
        return list(dict.fromkeys(op.what for op in self._ops))

    def bookmark_slugs(self) -> list[str]:
        """The slugs whose bookmarks the pending changes add or change, once each."""
        return list(dict.fromkeys(slug for op in self._ops for slug in op.bookmarks))

    def describe(self, saved_to: Path | None = None) -> str:
        """One line saying what is not saved and where it was kept, or "" when nothing is."""
        changes = self.changes()
        if not changes:
            return ""
        listed = ", ".join(changes[:UNSAVED_LISTED])
        if len(changes) > UNSAVED_LISTED:
            listed += f" and {len(changes) - UNSAVED_LISTED} more"
        if saved_to is None:
            return f"not saved: {listed} (no recovery file could be written)"
        again = f" (`reader import-bookmarks {saved_to}` restores the bookmarks)"
        return f"not saved: {listed}; kept in {saved_to}{again if self.bookmark_slugs() else ''}"
