"""The main screen's saved searches: ctrl+s pins the query, the sidebar runs and removes them.

A part of `MainScreen` (which derives from it). The queries live in the
`ReadingSession` (shown at once, written in order off the event loop); their
counts are recounted in a worker whenever the marks, the library or the
saved searches change, never while a key waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import get_current_worker

from reader.models import Filter
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.search_bar import SearchBar
from reader.tui.widgets.tag_sidebar import TagSidebar

if TYPE_CHECKING:
    from reader.library import Library
    from reader.session import ReadingSession

__all__ = ["SavedPart"]

COUNTING = "…"
"""Shown for a count not known yet."""
INVALID = "?"
"""Shown for a saved query the search no longer accepts."""


class SavedPart(Screen[None]):
    """Saved searches: pinning, running, removing, and their live counts."""

    library: Library
    session: ReadingSession
    filter: Filter

    @dataclass
    class SavedCounted(Message):
        """The counts of the saved searches `queries`, None for an invalid query."""

        queries: tuple[str, ...]
        counts: dict[str, int | None]

    def __init__(self) -> None:
        super().__init__()
        self._saved_counts: dict[str, int | None] = {}
        self._counted_for: tuple[object, ...] | None = None

    if TYPE_CHECKING:  # the screen's side of it, defined by MainScreen

        def focus_now(self, widget: Widget) -> None: ...

    def refresh_saved(self) -> None:
        """Show the saved searches; recount them if the marks or the library changed."""
        session = self.session
        queries = session.saved_searches
        key = (queries, session.bookmarks, session.read, self.library.posts_version())
        fresh = self._counted_for is not None and all(
            a is b for a, b in zip(key, self._counted_for, strict=True)
        )
        self._show_saved()
        if queries and not fresh:
            self._counted_for = key
            self.count_saved(queries)

    def _show_saved(self) -> None:
        counts = self._saved_counts
        rows = []
        for query in self.session.saved_searches:
            count = counts.get(query, COUNTING)
            rows.append((query, INVALID if count is None else count))
        self.query_one(TagSidebar).show_saved(rows)

    @work(exclusive=True, group="saved-counts", thread=True, exit_on_error=False)
    def count_saved(self, queries: tuple[str, ...]) -> None:
        """Count what each saved search finds, off the event loop; the latest run wins."""
        worker = get_current_worker()
        counts: dict[str, int | None] = {}
        for query in queries:
            if worker.is_cancelled:
                return
            counts[query] = self.session.saved_count(query)
        if not worker.is_cancelled:
            self.post_message(self.SavedCounted(queries, counts))

    @on(SavedCounted)
    def saved_counted(self, event: SavedCounted) -> None:
        """Show the counts, if they are for the saved searches still shown."""
        if event.queries == self.session.saved_searches:
            self._saved_counts = event.counts
            self._show_saved()

    @on(SearchBar.SaveRequested)
    def save_requested(self, event: SearchBar.SaveRequested) -> None:
        """Ctrl+S in the search bar: pin the query in the sidebar."""
        query = event.query.strip()
        if not query:
            self.notify("Type a search first: an empty search cannot be saved.", timeout=3)
            return
        if self.session.save_search(query):
            self.notify(f"Saved search: {query}", timeout=3, markup=False)
        else:
            self.notify(f"Already saved: {query}", timeout=3, markup=False)
        self.refresh_saved()

    @on(TagSidebar.SavedChosen)
    def saved_chosen(self, event: TagSidebar.SavedChosen) -> None:
        """Enter on a saved search: run it from the search bar, over the whole library."""
        self.filter = Filter()  # the count beside the row is over everything
        bar = self.query_one(SearchBar)
        bar.value = event.query  # searches as typing would
        bar.cursor_position = len(event.query)
        self.focus_now(self.query_one(PostList))

    @on(TagSidebar.SavedRemoved)
    def saved_removed(self, event: TagSidebar.SavedRemoved) -> None:
        """Remove a saved search from the sidebar and the user state."""
        if self.session.remove_saved_search(event.query):
            self.notify(f"Removed saved search: {event.query}", timeout=3, markup=False)
        self.refresh_saved()
