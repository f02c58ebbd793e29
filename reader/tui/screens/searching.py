"""The main screen's search: as-you-type queries, their results, counts and snippets.

A part of `MainScreen` (which derives from it), kept apart so the screen's
wiring reads on one page. The search runs in a thread worker through the
`ReadingSession`, with the list's filter applied inside the search, before
ranking and the limit; only the latest query's results reach the list.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING

from textual import on, work
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import get_current_worker

from reader.models import Filter, TagCount
from reader.tui.empty import nothing_found_hint
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.search_bar import SearchBar

if TYPE_CHECKING:
    from reader.library import Library
    from reader.search import SearchHit, SearchResults
    from reader.session import ReadingSession
    from reader.tui.timings import Timings

__all__ = ["INDEXING_NOTE", "SEARCH_LIMIT", "SNIPPETS_FIRST", "SearchPart"]

SEARCH_LIMIT = 50
"""Most results listed for a query."""
SNIPPETS_FIRST = 12
"""Results shown with their snippets at once; the rest get theirs right after."""
INDEXING_NOTE = "indexing…"
"""The list's bottom border while a search waits for the index to open (after start-up)."""


class SearchPart(Screen[None]):
    """Search from the keyboard: the main screen's half that talks to the index."""

    library: Library
    session: ReadingSession
    timings: Timings
    filter: Filter
    shown_highlight: tuple[str, ...]

    @dataclass
    class SearchFinished(Message):
        """A search worker's results (None, with `error`, if the search failed)."""

        query: str
        results: SearchResults | None
        error: str = ""
        invalid: bool = False
        """The query could not be read (`QueryError`): `error` says why, for the list."""

    @dataclass
    class SearchCounted(Message):
        """The tag counts of everything a query matched, for the sidebar."""

        query: str
        tags: list[TagCount]
        unread: int
        """How many of the matches are unread..."""
        bookmarked: int
        """...and bookmarked."""

    @dataclass
    class SnippetsReady(Message):
        """Snippets for results listed without them (all but the first few)."""

        query: str
        hits: list[SearchHit]

    def __init__(self) -> None:
        super().__init__()
        self.search_query = ""
        """The query in the search bar; empty when not searching."""
        self.search_results: SearchResults | None = None
        """Results of `search_query`, once the worker has them."""
        self.shown_query = ""
        """The query whose results the list shows."""
        self._open_when_found = False
        self._search_timer: Timer | None = None

    if TYPE_CHECKING:  # the screen's side of it, defined by MainScreen

        def refresh_lists(self) -> None: ...

        def refresh_sidebar(
            self, total: int, unread: int, bookmarks: int, tags: list[TagCount] | None = None
        ) -> None: ...

        def report_library_problems(self) -> None: ...

        def focus_now(self, widget: Widget) -> None: ...

        def open_slug(self, slug: str) -> None: ...

    # -- typing --------------------------------------------------------------------

    def highlight_words(self) -> tuple[str, ...]:
        """The folded words and prefixes the current search matched, to mark in the post."""
        results = self.search_results
        if not self.search_query or results is None:
            return ()
        marks = results.highlight
        return tuple(sorted(marks.terms)) + tuple(marks.prefixes)

    @on(SearchBar.QueryChanged)
    def query_changed(self, event: SearchBar.QueryChanged) -> None:
        """Search as the user types, once typing pauses for a moment."""
        query = event.query.strip()
        if self._search_timer is not None:
            self._search_timer.stop()
        if query == self.search_query:
            return
        self.search_query = query
        if not query:
            self.search_results = None
            self.refresh_lists()
            return
        if not self.library.search_index_loaded:
            # The index opens after the first frame: the search waits for it, the keys do not.
            self.query_one(PostList).border_subtitle = INDEXING_NOTE
        self._search_timer = self.set_timer(
            self.timings.search_debounce, partial(self.run_search, query, self.filter)
        )

    @work(exclusive=True, group="search", thread=True, exit_on_error=False)
    def run_search(self, query: str, within: Filter) -> None:
        """Search off the event loop; only the latest query's results are shown."""
        from reader.search import QueryError  # loaded here, not before the first paint

        worker = get_current_worker()
        try:
            results = self.session.search(query, within, SEARCH_LIMIT, all_slugs=True)
            # A snippet costs a record read and a scan: the first screenful
            # now, the rest once the list is up.
            index = self.library.search_index()
            hits = list(results.hits)
            hits[:SNIPPETS_FIRST] = [
                index.with_snippet(hit, results.highlight) for hit in hits[:SNIPPETS_FIRST]
            ]
            results = replace(results, hits=tuple(hits))
        except QueryError as error:  # an unknown `is:` value or field: say so, no results
            self.post_message(self.SearchFinished(query, None, error.message, invalid=True))
            return
        except Exception as error:  # a bug in search must not take the app down
            self.post_message(self.SearchFinished(query, None, f"{type(error).__name__}: {error}"))
            return
        if worker.is_cancelled:
            return
        self.post_message(self.SearchFinished(query, results))
        # Then the sidebar's counts (over every match, from arrays: under a millisecond
        # at 50k), then the other snippets.
        session = self.session
        if results.matches is not None:
            counts = results.matches.counts(session.read, session.bookmarks)
            tags, unread, bookmarked = counts.tags, counts.unread, counts.bookmarked
        else:  # nothing can match
            tags, unread, bookmarked = [], 0, 0
        if worker.is_cancelled:
            return
        self.post_message(self.SearchCounted(query, tags, unread, bookmarked))
        rest = []
        for hit in hits[SNIPPETS_FIRST:]:
            if worker.is_cancelled:
                return  # the user typed on: these results are stale
            rest.append(index.with_snippet(hit, results.highlight))
        if rest:
            self.post_message(self.SnippetsReady(query, rest))

    # -- results -------------------------------------------------------------------

    @on(SearchFinished)
    def search_finished(self, event: SearchFinished) -> None:
        """Show the results of the latest query, and counts that follow it."""
        self.report_library_problems()
        if event.query != self.search_query:
            return
        post_list = self.query_one(PostList)
        if str(post_list.border_subtitle) == INDEXING_NOTE:
            post_list.border_subtitle = ""
        results = event.results
        if results is None and event.invalid:
            self.search_results = None
            self.shown_query = event.query
            self.unmark_reader()
            post_list.show_nothing(f"cannot search: {event.error}")
            post_list.border_subtitle = Content(event.error)  # quotes the query: never markup
            return
        if results is None:
            post_list.border_subtitle = "search failed"
            self.notify(event.error, title="Search failed", severity="error", markup=False)
            return
        self.search_results = results
        self.shown_query = event.query
        if self.shown_highlight != self.highlight_words():
            self.unmark_reader()  # the top result brings the new marks once it is loaded
        session = self.session
        unread = {h.slug for h in results.hits if session.is_unread(h.slug)}
        if results.hits:
            post_list.show_results(list(results.hits), session.bookmarks, unread)
        else:
            said = results.nothing_found()
            said = said[:1].upper() + said[1:] + ("" if said.endswith("?") else ".")
            post_list.show_nothing(f"{said} {nothing_found_hint(self.filter)}")
        if self._open_when_found:
            # Enter was pressed before these results arrived: open the top one now.
            self._open_when_found = False
            self.open_highlighted_result()
        summary = f"{results.total} found" if results.total != 1 else "1 found"
        if results.total > len(results.hits):
            summary += f", best {len(results.hits)} shown"
        if results.problems:
            summary += " · " + "; ".join(results.problems)
        post_list.border_subtitle = Content(summary)  # problems quote the query: never markup

    def unmark_reader(self) -> None:
        """Take an older query's marks off the post shown (which stays open, where it was)."""
        self.shown_highlight = ()
        self.query_one(ReaderPane).clear_highlight()

    @on(SearchCounted)
    def search_counted(self, event: SearchCounted) -> None:
        """Make the sidebar's counts follow the query shown."""
        results = self.search_results
        if event.query != self.shown_query or results is None:
            return
        tags = event.tags
        within = self.filter
        if within.kind == Filter.TAG and all(t.name != within.tag for t in tags):
            tags = [*tags, TagCount(within.tag, 0)]  # keep the active filter visible
        self.refresh_sidebar(results.total, event.unread, event.bookmarked, tags)

    @on(SnippetsReady)
    def snippets_ready(self, event: SnippetsReady) -> None:
        """Show the snippets of the results listed without them."""
        if event.query == self.shown_query:
            self.query_one(PostList).update_hits(event.hits)

    # -- leaving the bar -------------------------------------------------------------

    @on(SearchBar.ResultRequested)
    def open_result(self, event: SearchBar.ResultRequested) -> None:
        """Enter in the search bar: open the highlighted (at first, the top) result."""
        if event.query.strip() and event.query.strip() != self.shown_query:
            # The results on screen are for older text: open the top result
            # of this query as soon as its search finishes.
            self._open_when_found = True
            return
        self.open_highlighted_result()

    def open_highlighted_result(self) -> None:
        """Open the result under the cursor (the top one unless the user moved)."""
        slug = self.query_one(PostList).highlighted_slug
        if slug is None:
            self.app.bell()
            return
        self.open_slug(slug)

    @on(SearchBar.Dismissed)
    def search_dismissed(self) -> None:
        """Escape in the search bar: clear the search and return to the list."""
        self.clear_search()

    def clear_search(self) -> None:
        """Leave search mode and show the whole (filtered) list again."""
        bar = self.query_one(SearchBar)
        if bar.value:
            bar.value = ""
        self.search_query = ""
        self.shown_query = ""
        self._open_when_found = False
        self.search_results = None
        self.refresh_lists()
        self.focus_now(self.query_one(PostList))

    @on(SearchBar.ResultsFocused)
    def results_focused(self) -> None:
        """Down in the search bar: into the results."""
        self.focus_now(self.query_one(PostList))
