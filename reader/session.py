"""A reading session: the user's marks as the app shows them, and their writes in order.

The TUI shows a bookmark the moment `b` is pressed, long before the state
file has it: the write waits its turn behind other writes, and may wait for
another process's lock. `ReadingSession` keeps that in-memory view (bookmarks,
read marks, positions), queues every change for one writer thread in the
order it was made, and refreshes the view from disk without undoing a
change still queued. It knows nothing of Textual: the TUI and the CLI both
use it, and it is tested without a screen.

Its views (`bookmarks`, `read`) are replaced, never changed in place, so a
search worker reading them on another thread sees one consistent snapshot.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from reader.models import Bookmark, Filter, PostSummary, ReadingPosition
from reader.state import StateWriteError, normalise_query, now_timestamp

if TYPE_CHECKING:
    from reader.library import Library
    from reader.search import SearchResults
    from reader.sorting import SortOrder

__all__ = ["ReadingSession", "Snapshot", "WriteQueue"]

ErrorHandler = Callable[[str, BaseException], None]
"""Told what could not be saved ("the bookmark") and why."""


class WriteQueue:
    """Runs writes one at a time, in the order submitted, on one background thread.

    A thread per write would let two writes race: a bookmark toggled twice
    quickly could land in the wrong order. A failed write is handed to
    `on_error`; the state store keeps the change and retries it later.
    """

    def __init__(self, on_error: ErrorHandler | None = None) -> None:
        self.on_error = on_error
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="state-writer")
        self.submitted = 0
        """Jobs queued so far: a read queued before a write is older than it."""

    def submit(self, what: str, job: Callable[[], object]) -> Future[object]:
        """Run `job` after every job submitted before it. `what` names it in errors."""
        self.submitted += 1
        future = self._executor.submit(job)
        future.add_done_callback(lambda done: self._report(what, done))
        return future

    def _report(self, what: str, done: Future[object]) -> None:
        error = done.exception()
        if error is not None and self.on_error is not None:
            # The handler runs on the writer thread: it must only post, never wait.
            with contextlib.suppress(RuntimeError):
                self.on_error(what, error)

    def drain(self) -> None:
        """Block until every job submitted so far has finished."""
        self._executor.submit(lambda: None).result()

    def close(self) -> None:
        """Finish every queued job, then stop the thread."""
        self._executor.shutdown(wait=True)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The user's marks as read from disk by `ReadingSession.read_from_disk`."""

    bookmarks: tuple[Bookmark, ...]
    read: frozenset[str]
    generation: int
    """`WriteQueue.submitted` counting this read: a later change makes it stale."""
    problem: str | None
    """Why changes cannot be saved now (`StateStore.problem`), or None."""
    saved: tuple[str, ...] = ()
    """The saved searches' queries, in the order they were pinned."""


class ReadingSession:
    """The bookmarks, read marks and positions of one running app, over the state store."""

    def __init__(self, library: Library, on_error: ErrorHandler | None = None) -> None:
        self.library = library
        self.state = library.state
        self.writes = WriteQueue(on_error)
        self._bookmarks: Mapping[str, Bookmark] = MappingProxyType(
            {b.slug: b for b in self.state.bookmarks()}
        )
        self._read = frozenset(self.state.read_slugs())
        self._saved = tuple(s.query for s in self.state.saved_searches())
        self._positions: dict[str, ReadingPosition] = {}
        self._reported_pending = 0

    # -- what is shown ---------------------------------------------------------------

    @property
    def bookmarks(self) -> Mapping[str, Bookmark]:
        """Bookmarks by slug, newest first (a read-only snapshot)."""
        return self._bookmarks

    @property
    def read(self) -> frozenset[str]:
        """Slugs of the posts marked read (a snapshot)."""
        return self._read

    @property
    def saved_searches(self) -> tuple[str, ...]:
        """The saved searches' queries, in the order they were pinned (a snapshot)."""
        return self._saved

    def saved_count(self, query: str) -> int | None:
        """How many posts `query` finds with the marks as shown, read as typed (the list's
        count once it runs); None when the query is not valid. Blocks: for a worker thread."""
        return self.library.saved_search_count(
            query, bookmarked=self._bookmarks.keys(), read=self._read, typing=True
        )

    def is_bookmarked(self, slug: str) -> bool:
        return slug in self._bookmarks

    def is_unread(self, slug: str) -> bool:
        return slug not in self._read

    def posts(self, within: Filter, order: SortOrder | None = None) -> list[PostSummary]:
        """The posts the list shows under `within`, in `order` (None: import order).

        Bookmarks are always newest bookmarked first, missing ones kept.
        """
        library = self.library
        if within.kind == Filter.BOOKMARKS:
            return [self._bookmarked_post(slug) for slug in self._bookmarks]
        if within.kind == Filter.UNREAD:
            return [p for p in library.summaries(order=order) if p.slug not in self._read]
        if within.kind == Filter.TAG:
            return library.summaries(within.tag, order)
        return library.summaries(order=order)

    def _bookmarked_post(self, slug: str) -> PostSummary:
        post = self.library.posts.summary(slug)
        return post or PostSummary(slug=slug, title=f"{slug} (missing from the library)")

    def search(
        self, query: str, within: Filter, limit: int, *, all_slugs: bool = False
    ) -> SearchResults:
        """`query` under the filter `within`, applied before ranking and the limit.

        Uses the marks and notes as shown here, changes not yet on disk included. The
        query is read as typed so far: its last word also matches as a prefix.
        Safe to call from a worker thread.
        """
        return self.library.search(
            query,
            limit=limit,
            within=within,
            bookmarked=self._bookmarks.keys(),
            read=self._read,
            all_slugs=all_slugs,
            snippets=False,
            typing=True,
            notes={slug: mark.note for slug, mark in self._bookmarks.items() if mark.note},
        )

    def opening_position(self, slug: str, within: Filter) -> ReadingPosition | None:
        """Where `slug` opens, if known without a disk read (else `StateStore.position`).

        From Bookmarks, the section the bookmark was made in; otherwise where
        it was left in this session, even if that save is still queued.
        """
        mark = self._bookmarks.get(slug)
        if within.kind == Filter.BOOKMARKS and mark is not None and mark.section:
            return ReadingPosition(slug, mark.section, 0)
        return self._positions.get(slug)

    # -- changes: shown at once, written in order -----------------------------------

    def toggle_bookmark(self, slug: str, section: str = "") -> bool:
        """Bookmark `slug` (in `section`), or remove its bookmark. True if now bookmarked."""
        if slug in self._bookmarks:
            self._bookmarks = MappingProxyType(
                {s: b for s, b in self._bookmarks.items() if s != slug}
            )
            self.writes.submit("the bookmark", lambda: self.state.remove_bookmark(slug))
            return False
        self._add(Bookmark(slug, now_timestamp(), "", section))
        self.writes.submit("the bookmark", lambda: self.state.add_bookmark(slug, section=section))
        return True

    def set_note(self, slug: str, note: str, section: str = "") -> None:
        """Set the bookmark's note, bookmarking `slug` (in `section`) if it is not yet."""
        mark = self._bookmarks.get(slug)
        if mark is None:
            self._add(Bookmark(slug, now_timestamp(), note, section))
            self.writes.submit(
                "the note", lambda: self.state.add_bookmark(slug, note=note, section=section)
            )
            return
        updated = dict(self._bookmarks)
        updated[slug] = Bookmark(slug, mark.created, note, mark.section)
        self._bookmarks = MappingProxyType(updated)
        self.writes.submit("the note", lambda: self.state.set_note(slug, note))

    def _add(self, mark: Bookmark) -> None:
        self._bookmarks = MappingProxyType({mark.slug: mark, **self._bookmarks})

    def set_read(self, slug: str, read: bool) -> None:
        """Mark `slug` read or unread."""
        self._read = self._read | {slug} if read else self._read - {slug}
        self.writes.submit("the read mark", lambda: self.state.set_read(slug, read))

    def mark_read_many(self, slugs: Iterable[str]) -> frozenset[str]:
        """Mark every post of `slugs` read, in one write; the ones that were unread.

        What it returns is what `mark_unread_many` takes to undo it exactly.
        """
        changed = frozenset(slugs) - self._read
        if changed:
            self._read = self._read | changed
            self.writes.submit("the read marks", lambda: self.state.set_read_many(changed, True))
        return changed

    def mark_unread_many(self, slugs: Iterable[str]) -> frozenset[str]:
        """Mark every post of `slugs` unread again, in one write; the ones that were read."""
        changed = frozenset(slugs) & self._read
        if changed:
            self._read = self._read - changed
            self.writes.submit("the read marks", lambda: self.state.set_read_many(changed, False))
        return changed

    def set_position(self, position: ReadingPosition) -> None:
        """Remember where the reader is in a post, and save it."""
        self._positions[position.slug] = position
        self.writes.submit("the reading position", lambda: self.state.set_position(position))

    def save_search(self, query: str) -> bool:
        """Pin `query` (as `StateStore.save_search` cleans it); False if already pinned.

        `ValueError` for an empty query.
        """
        clean = normalise_query(query)
        if not clean:
            raise ValueError("an empty search cannot be saved")
        if clean in self._saved:
            return False
        self._saved = (*self._saved, clean)
        self.writes.submit("the saved search", lambda: self.state.save_search(clean))
        return True

    def remove_saved_search(self, query: str) -> bool:
        """Unpin `query`; False if it was not pinned."""
        if query not in self._saved:
            return False
        self._saved = tuple(q for q in self._saved if q != query)
        self.writes.submit("the saved search", lambda: self.state.remove_saved_search(query))
        return True

    def save_settings(self, values: Mapping[str, Any]) -> None:
        """Save app-written settings (where the user was), in order with the rest."""
        values = dict(values)
        self.writes.submit("where you were", lambda: self.state.update_settings(values))

    # -- the disk --------------------------------------------------------------------

    def read_from_disk(self) -> Future[object]:
        """Queue a read of the marks on disk, after every change queued so far.

        Changes a full or read-only disk refused are retried first. The
        future's result is a `Snapshot` to hand to `apply`; it fails with
        `StateWriteError` once for each new change still kept in memory.
        """
        state = self.state
        generation = self.writes.submitted + 1  # counting this read's own job

        def read() -> Snapshot:
            if state.pending:
                try:
                    state.flush()
                except StateWriteError:
                    if state.pending != self._reported_pending:
                        self._reported_pending = state.pending
                        raise  # said once per new change kept in memory, not every poll
                else:
                    self._reported_pending = 0
            return Snapshot(
                tuple(state.bookmarks()),
                frozenset(state.read_slugs()),
                generation,
                state.problem,
                tuple(s.query for s in state.saved_searches()),
            )

        return self.writes.submit("your changes", read)

    def apply(self, snapshot: Snapshot) -> bool:
        """Take the marks read from disk, unless a change was made since. True if any differ.

        Only what is shown counts as a difference (notes, sections, which
        posts); the stored bookmarks are kept either way, with their exact
        creation times.
        """
        if snapshot.generation != self.writes.submitted:
            return False  # a change made here since is not in it: the next read has it
        marks = {b.slug: b for b in snapshot.bookmarks}
        changed = (
            snapshot.read != self._read
            or snapshot.saved != self._saved
            or {s: (b.note, b.section) for s, b in marks.items()}
            != {s: (b.note, b.section) for s, b in self._bookmarks.items()}
        )
        self._bookmarks = MappingProxyType(marks)
        self._read = snapshot.read
        self._saved = snapshot.saved
        return changed

    def close(self) -> None:
        """Write everything queued, then stop the writer thread."""
        self.writes.close()
