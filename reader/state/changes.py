"""The rules of every change to the user state, as functions the store runs under its locks.

Each public function returns a `Decide`: given the state as it is (the file
plus pending changes), it says what the caller gets back and which `Op` to
write (None: nothing to change, so no write). Deciding on the state read
under the file lock is what keeps two processes from losing each other's
changes; the `Op` is what is replayed when a write has to wait.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from reader.models import Bookmark, ReadingPosition
from reader.state.codec import (
    BOOKMARKS,
    POSITIONS,
    READ,
    SAVED_SEARCHES,
    Doc,
    StateTables,
    bookmark_from_doc,
    doc_from_bookmark,
    normalise_timestamp,
    now_timestamp,
    order_key,
)
from reader.state.journal import Op
from reader.text import clean_text, plural

__all__ = [
    "BookmarkMerge",
    "Decide",
    "add_bookmark",
    "merge_bookmarks",
    "nothing",
    "remove_bookmark",
    "remove_saved_search",
    "save_search",
    "set_position",
    "set_read",
    "set_read_many",
    "toggle_bookmark",
    "update_settings",
]

R = TypeVar("R")
Decide = Callable[[StateTables], tuple[R, Op | None]]
"""Looks at the state; returns the caller's result and the change to write, if any."""


@dataclass(frozen=True, slots=True)
class BookmarkMerge:
    """What `StateStore.merge_bookmarks` did, by slug."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    """Already bookmarked; an empty note or section was filled or an earlier date kept."""
    unchanged: tuple[str, ...] = ()


def _put_bookmark(mark: Bookmark, what: str) -> Op:
    doc = doc_from_bookmark(mark)
    return Op(lambda state: state.put(BOOKMARKS, dict(doc)), what, (mark.slug,))


def _new_bookmark(mark: Bookmark) -> Op:
    """Bookmark a post that was not bookmarked when the change was decided.

    If it is by the time the change is written (another process, or a file
    that could not be read when the user decided), the two are merged as an
    import is: the note, section and date already there are kept.
    """

    def apply(state: StateTables) -> None:
        doc = state.get(BOOKMARKS, mark.slug)
        merged = mark if doc is None else _combine(bookmark_from_doc(doc), mark)
        state.put(BOOKMARKS, doc_from_bookmark(merged))

    return Op(apply, f"bookmark on {mark.slug}", (mark.slug,))


def _delete(name: str, slug: str, what: str) -> Op:
    def apply(state: StateTables) -> None:
        state.delete(name, slug)

    return Op(apply, what)


def _put(name: str, doc: Doc, what: str) -> Op:
    return Op(lambda state: state.put(name, dict(doc)), what)


def _combine(ours: Bookmark, theirs: Bookmark) -> Bookmark:
    """Merge an imported bookmark into ours: the earlier date, and ours where we have one."""
    created = min(ours.created, theirs.created, key=order_key) if ours.created else theirs.created
    return Bookmark(ours.slug, created, ours.note or theirs.note, ours.section or theirs.section)


def nothing(state: StateTables) -> tuple[None, Op | None]:
    """No change: running it writes what is pending (`StateStore.flush`)."""
    return None, None


def add_bookmark(slug: str, note: str | None, section: str | None) -> Decide[Bookmark]:
    """Bookmark `slug` or update its bookmark; None keeps what it had ("" for a new one)."""
    clean_note = None if note is None else clean_text(note)
    clean_section = None if section is None else clean_text(section)

    def decide(state: StateTables) -> tuple[Bookmark, Op | None]:
        doc = state.get(BOOKMARKS, slug)
        old = None if doc is None else bookmark_from_doc(doc)
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

    return decide


def remove_bookmark(slug: str) -> Decide[bool]:
    """Remove the bookmark on `slug`; the result says whether there was one."""

    def decide(state: StateTables) -> tuple[bool, Op | None]:
        if not state.has(BOOKMARKS, slug):
            return False, None
        return True, _delete(BOOKMARKS, slug, f"bookmark removed from {slug}")

    return decide


def toggle_bookmark(slug: str, section: str) -> Decide[bool]:
    """Bookmark `slug` or remove its bookmark; the result says whether it is now bookmarked."""
    clean_section = clean_text(section)

    def decide(state: StateTables) -> tuple[bool, Op | None]:
        if state.has(BOOKMARKS, slug):
            return False, _delete(BOOKMARKS, slug, f"bookmark removed from {slug}")
        return True, _new_bookmark(Bookmark(slug, now_timestamp(), "", clean_section))

    return decide


def merge_bookmarks(marks: Iterable[Bookmark]) -> Decide[BookmarkMerge]:
    """Add imported bookmarks in one change, never dropping or overwriting ours."""
    incoming = list(marks)

    def decide(state: StateTables) -> tuple[BookmarkMerge, Op | None]:
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
                doc = state.get(BOOKMARKS, mark.slug)
                before[mark.slug] = None if doc is None else bookmark_from_doc(doc)
            ours = after.get(mark.slug) or before[mark.slug]
            after[mark.slug] = mark if ours is None else _combine(ours, mark)
        added = tuple(s for s in after if before[s] is None)
        updated = tuple(s for s in after if before[s] not in (None, after[s]))
        unchanged = tuple(s for s in after if before[s] == after[s])
        ops = [_new_bookmark(after[slug]) for slug in added]
        ops += [_put_bookmark(after[slug], "") for slug in updated]

        def apply(target: StateTables) -> None:
            for op in ops:
                op.apply(target)

        count = len(ops)
        what = plural(count, "imported bookmark")
        merged = Op(apply, what, added + updated)
        return BookmarkMerge(added, updated, unchanged), (merged if ops else None)

    return decide


def set_read(slug: str, read: bool) -> Decide[None]:
    """Mark `slug` read or unread (no change when it already is)."""

    def decide(state: StateTables) -> tuple[None, Op | None]:
        if read == state.has(READ, slug):
            return None, None
        if read:
            doc = {"slug": slug, "at": now_timestamp()}
            return None, _put(READ, doc, f"read mark on {slug}")
        return None, _delete(READ, slug, f"read mark removed from {slug}")

    return decide


def set_read_many(slugs: Iterable[str], read: bool) -> Decide[frozenset[str]]:
    """Mark every post of `slugs` read (or unread) in one change; the result is the slugs
    it changed (those already so are left alone, and no write when none changes)."""
    wanted = frozenset(slugs)

    def decide(state: StateTables) -> tuple[frozenset[str], Op | None]:
        changed = frozenset(s for s in wanted if state.has(READ, s) != read)
        if not changed:
            return changed, None
        at = now_timestamp()

        def apply(target: StateTables) -> None:
            # Replayed after a failed write, some may already be so: those are left alone.
            todo = sorted(s for s in changed if target.has(READ, s) != read)
            if read:
                target.add_many(READ, ({"slug": slug, "at": at} for slug in todo))
            else:
                target.delete_many(READ, todo)

        count = len(changed)
        noun = "read mark" if count == 1 else "read marks"
        what = f"{count} {noun}" + ("" if read else " removed")
        return changed, Op(apply, what)

    return decide


def set_position(position: ReadingPosition) -> Decide[None]:
    """Remember where the reader is in a post (no change when it is the same)."""
    doc = {"slug": position.slug, "anchor": position.anchor, "offset": position.offset}

    def decide(state: StateTables) -> tuple[None, Op | None]:
        if state.get(POSITIONS, position.slug) == doc:
            return None, None
        return None, _put(POSITIONS, doc, f"reading position in {position.slug}")

    return decide


def update_settings(values: Mapping[str, Any]) -> Decide[None]:
    """Set several settings in one change. Values must be JSON (TypeError otherwise)."""
    # Round-trip now, so a bad value fails here rather than poisoning every later write.
    fresh: dict[str, Any] = json.loads(json.dumps(dict(values)))

    def decide(state: StateTables) -> tuple[None, Op | None]:
        current = state.settings()
        if all(k in current and current[k] == v for k, v in fresh.items()):
            return None, None

        def apply(target: StateTables) -> None:
            target.set_settings({**target.settings(), **copy.deepcopy(fresh)})

        return None, Op(apply, "setting " + ", ".join(sorted(fresh)))

    return decide


def remove_settings(keys: Iterable[str]) -> Decide[None]:
    """Drop several settings in one change (those not there are left alone)."""
    gone = frozenset(keys)

    def decide(state: StateTables) -> tuple[None, Op | None]:
        if not gone & state.settings().keys():
            return None, None

        def apply(target: StateTables) -> None:
            target.set_settings({k: v for k, v in target.settings().items() if k not in gone})

        return None, Op(apply, "setting " + ", ".join(sorted(gone)) + " removed")

    return decide


def save_search(query: str) -> Decide[bool]:
    """Pin `query` as a saved search; the result says whether it was new (False: pinned already)."""
    doc = {"query": query, "created": now_timestamp()}

    def decide(state: StateTables) -> tuple[bool, Op | None]:
        if state.has(SAVED_SEARCHES, query):
            return False, None

        def apply(target: StateTables) -> None:
            if not target.has(SAVED_SEARCHES, query):  # another process may have pinned it
                target.put(SAVED_SEARCHES, dict(doc))

        return True, Op(apply, f"saved search {query!r}")

    return decide


def remove_saved_search(query: str) -> Decide[bool]:
    """Unpin `query`; the result says whether it was pinned."""

    def decide(state: StateTables) -> tuple[bool, Op | None]:
        if not state.has(SAVED_SEARCHES, query):
            return False, None
        return True, _delete(SAVED_SEARCHES, query, f"saved search {query!r} removed")

    return decide
