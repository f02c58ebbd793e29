"""The main screen: tag sidebar, post list and reader pane side by side.

Attributes down, messages up: the widgets post what happened, this screen
asks the core (`reader.library.Library`) and tells the widgets what to show.
Disk work runs in thread workers, never in a keystroke's path.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from reader.library import tag_counts
from reader.models import Bookmark, Post, PostSummary, ReadingPosition, TagCount
from reader.state import StateWriteError
from reader.tui.screens.help import HelpScreen, KeyRow, bindings_of
from reader.tui.screens.note import NoteScreen
from reader.tui.state_writer import StateWriter
from reader.tui.timings import Timings
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.search_bar import SearchBar
from reader.tui.widgets.tag_sidebar import ALL, BOOKMARKS, TAG_PREFIX, UNREAD, TagSidebar

if TYPE_CHECKING:
    from reader.library import Library
    from reader.search import SearchHit, SearchResults

__all__ = ["NARROW_WIDTH", "READ_AFTER_SECONDS", "SINGLE_PANE_WIDTH", "MainScreen"]

NARROW_WIDTH = 90
"""Below this many columns the sidebar collapses."""
SINGLE_PANE_WIDTH = 50
"""Below this many columns only one of the list and the reader is shown."""
READ_AFTER_SECONDS = Timings.read_after
"""The default `Timings.read_after`. Read only by `ReaderApp` when it is given no
`Timings`, so tests that still patch it keep working; pass `timings=` instead."""
SEARCH_DEBOUNCE_SECONDS = Timings.search_debounce
"""The default `Timings.search_debounce` (read as `READ_AFTER_SECONDS` is)."""
SEARCH_LIMIT = 50
"""Most results listed for a query."""
SNIPPETS_FIRST = 12
"""Results shown with their snippets at once; the rest get theirs right after."""
STATE_POLL_SECONDS = Timings.state_poll
"""The default `Timings.state_poll` (read as `READ_AFTER_SECONDS` is)."""


class MainScreen(Screen[None]):
    """Browse posts by tag and read them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.focus_next", "Next pane", show=False, id="main.next_pane"),
        Binding(
            "shift+tab", "app.focus_previous", "Previous pane", show=False, id="main.prev_pane"
        ),
        Binding("escape", "back", "Back to list", show=False, id="main.back"),
        Binding(
            "slash", "focus_search", "Search", key_display="/", id="main.search", priority=True
        ),
        Binding("t", "toggle_sidebar", "Tags", id="main.toggle_sidebar"),
        Binding("b", "toggle_bookmark", "Bookmark", id="main.bookmark"),
        Binding("B", "edit_note", "Note", key_display="B", id="main.note", show=False),
        Binding("m", "toggle_read", "Read/unread", id="main.toggle_read"),
    ]
    """Screen-wide keys. `/` is a priority binding: it moves the focus as soon as it is
    read, so the keys read with it go to the search bar (see `focus_now`)."""

    AUTO_FOCUS = "#post-list"

    @dataclass
    class SearchFinished(Message):
        """A search worker's results (None, with `error`, if the search failed)."""

        query: str
        results: SearchResults | None
        error: str = ""

    @dataclass
    class SearchCounted(Message):
        """The tag counts of everything a query matched, for the sidebar."""

        query: str
        tags: list[TagCount]

    @dataclass
    class SnippetsReady(Message):
        """Snippets for results listed without them (all but the first few)."""

        query: str
        hits: list[SearchHit]

    @dataclass
    class StateRead(Message):
        """The user state as read from disk (it may have been changed elsewhere)."""

        bookmarks: dict[str, Bookmark]
        read: set[str]
        queued_after: int
        """`StateWriter.submitted` when the read was queued."""
        problem: str | None = None
        """Why changes cannot be saved now (`StateStore.problem`), or None."""

    def __init__(
        self, library: Library, writer: StateWriter, timings: Timings | None = None
    ) -> None:
        super().__init__()
        self.library = library
        self.writer = writer
        self.timings = Timings() if timings is None else timings
        """How long the screen's timers (and the reader pane's) wait."""
        self.filter_id = ALL
        """The sidebar row the list is filtered by."""
        self.wanted_slug: str | None = None
        """The post most recently asked for: only it gets rendered."""
        self.bookmarks: dict[str, Bookmark] = {}
        """The user's bookmarks as this screen shows them, newest first."""
        self.read: set[str] = set()
        """Slugs of the posts marked read."""
        self.positions: dict[str, ReadingPosition] = {}
        """Reading positions reported this session, ahead of their queued saves."""
        self._poll: Future[object] | None = None
        self._shown_problem: str | None = None
        self._library_problems_shown: set[str] = set()
        self._reported_pending = 0
        self.search_query = ""
        """The query in the search bar; empty when not searching."""
        self.search_results: SearchResults | None = None
        """Results of `search_query`, once the worker has them."""
        self.shown_query = ""
        """The query whose results the list shows."""
        self.shown_highlight: tuple[str, ...] = ()
        """The search words highlighted in the post shown."""
        self._open_when_found = False
        self._read_timer: Timer | None = None
        self._resume_timer: Timer | None = None
        self._search_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield TagSidebar(id="sidebar")
            with Vertical(id="middle"):
                yield SearchBar(id="search")
                yield PostList(id="post-list")
            yield ReaderPane(id="reader", timings=self.timings)
        yield Static(id="state-problem", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        state = self.library.state
        self.bookmarks = {b.slug: b for b in state.bookmarks()}
        self.read = state.read_slugs()
        settings = state.settings()
        last_filter = settings.get("last_filter")
        if isinstance(last_filter, str) and self._filter_exists(last_filter):
            self.filter_id = last_filter
        last_slug = settings.get("last_slug")
        self.wanted_slug = last_slug if isinstance(last_slug, str) else None
        self.refresh_lists()
        post_list = self.query_one(PostList)
        self.focus_now(post_list)
        first = post_list.highlighted_slug
        if first is not None:
            # Read the first post here rather than in a worker, so it is in the
            # very first frame instead of one frame later (one small file read).
            self.wanted_slug = first
            # Resuming: where the user left the post, even in Bookmarks.
            self.show_loaded(first, self.library.get(first), state.position(first))
        for recovery in state.recoveries:
            self.notify(
                str(recovery),
                title="User state recovered",
                severity="warning",
                timeout=30,
                markup=False,
            )
        self.show_state_problem(state.problem)
        self.report_library_problems()
        # Called from the writer thread after a second's wait; `notify` only posts a message.
        state.on_wait = partial(self.app.notify, title="Waiting", timeout=10, markup=False)
        self.set_interval(self.timings.state_poll, self.poll_state)
        # After the first frame: loading the index holds the GIL for a while.
        self.call_after_refresh(self.preload_search_index)

    @work(thread=True, group="search-index", exit_on_error=False)
    def preload_search_index(self) -> None:
        """Load the search index after the first paint, so the first search is fast."""
        self.library.search_index()

    def _filter_exists(self, filter_id: str) -> bool:
        if filter_id in (ALL, UNREAD, BOOKMARKS):
            return True
        tag = filter_id.removeprefix(TAG_PREFIX)
        return any(t.name == tag for t in self.library.tags())

    def focus_now(self, widget: Widget) -> None:
        """Move the focus to `widget` at once.

        `Widget.focus()` takes effect only after the messages already queued,
        so keys read in the same batch would still go to the old focus.
        """
        self.set_focus(widget)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`/` types a slash while a text box has the focus."""
        if action == "focus_search":
            return not isinstance(self.focused, Input)
        return True

    # -- filling the panes -------------------------------------------------

    def filtered(self) -> list[PostSummary]:
        """The posts for the current sidebar filter."""
        if self.filter_id == BOOKMARKS:
            return [self._bookmarked_post(slug) for slug in self.bookmarks]
        if self.filter_id == UNREAD:
            return [p for p in self.library.summaries() if p.slug not in self.read]
        if self.filter_id.startswith(TAG_PREFIX):
            return self.library.summaries(self.filter_id.removeprefix(TAG_PREFIX))
        return self.library.summaries()

    def _bookmarked_post(self, slug: str) -> PostSummary:
        """The post a bookmark points at, or a stand-in saying it has gone."""
        post = self.library.posts.summary(slug)
        return post or PostSummary(slug=slug, title=f"{slug} (missing from the library)")

    def unread_slugs(self, summaries: list[PostSummary]) -> set[str]:
        """Slugs of the posts not marked read."""
        return {p.slug for p in summaries if p.slug not in self.read}

    def refresh_lists(self) -> None:
        """Refill the sidebar and the list from the library, keeping the cursor."""
        if self.search_query:
            self.run_search(self.search_query, self.filter_id)
            return
        self.query_one(PostList).border_subtitle = ""
        summaries = self.library.summaries()
        unread = self.unread_slugs(summaries)
        self.refresh_sidebar(len(summaries), len(unread))
        post_list = self.query_one(PostList)
        keep = post_list.highlighted_slug or self.wanted_slug
        post_list.show_posts(self.filtered(), set(self.bookmarks), unread, keep=keep)
        if not post_list.slugs:
            self.wanted_slug = None
            self.query_one(ReaderPane).show_post(None)

    def refresh_sidebar(
        self,
        total: int,
        unread: int,
        bookmarks: int | None = None,
        tags: list[TagCount] | None = None,
    ) -> None:
        """Show the current counts in the sidebar."""
        self.query_one(TagSidebar).show_counts(
            total,
            unread,
            len(self.bookmarks) if bookmarks is None else bookmarks,
            self.library.tags() if tags is None else tags,
            self.filter_id,
        )

    def refresh_row(self, slug: str, in_place: bool = False) -> None:
        """Redraw one post's row and the sidebar counts after a mark changed.

        Under Bookmarks, Unread or a search the row may no longer belong in the
        list; it is refilled, unless `in_place` (a mark the app made by itself,
        which must not pull the post out from under the reader).
        """
        if not in_place and (self.filter_id in (BOOKMARKS, UNREAD) or self.search_query):
            self.refresh_lists()
            return
        summaries = self.library.summaries()
        self.refresh_sidebar(len(summaries), len(self.unread_slugs(summaries)))
        self.query_one(PostList).refresh_post(slug, slug in self.bookmarks, slug not in self.read)

    # -- messages from the widgets -----------------------------------------

    @on(TagSidebar.TagChosen)
    def tag_chosen(self, event: TagSidebar.TagChosen) -> None:
        """Filter the list by the chosen row and move to the list."""
        self.filter_id = event.filter_id
        self.refresh_lists()
        self.focus_now(self.query_one(PostList))
        self.remember_place()

    @on(PostList.PostHighlighted)
    def post_highlighted(self, event: PostList.PostHighlighted) -> None:
        """Show the highlighted post (only the latest, when a key is held)."""
        reader = self.query_one(ReaderPane)
        stale = reader.post is None or self.shown_highlight != self.highlight_words()
        if event.slug != self.wanted_slug or stale:
            self.wanted_slug = event.slug
            self.request_post(event.slug)
            self.remember_place()

    @on(PostList.PostOpened)
    def post_opened(self, event: PostList.PostOpened) -> None:
        """Open the post: show it and move the focus to the reader."""
        if event.slug != self.wanted_slug:
            self.wanted_slug = event.slug
            self.request_post(event.slug)
        self.set_class(True, "-reading")
        self.focus_now(self.query_one(ReaderPane))

    def request_post(self, slug: str) -> None:
        """Load `slug` for the reader, at the place it should open."""
        mark = self.bookmarks.get(slug)
        if self.filter_id == BOOKMARKS and mark is not None and mark.section:
            # Opened from Bookmarks: the section the bookmark was made in.
            self.load_post(slug, ReadingPosition(slug, mark.section, 0))
        else:
            # Where it was left in this session (its save may still be queued).
            self.load_post(slug, self.positions.get(slug))

    @work(exclusive=True, group="load-post", thread=True, exit_on_error=False)
    def load_post(self, slug: str, position: ReadingPosition | None) -> None:
        """Read the post, and where it was left if not known here, off the event loop."""
        post = self.library.get(slug)
        if position is None:
            position = self.library.state.position(slug)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_loaded, slug, post, position)

    def show_loaded(self, slug: str, post: Post | None, position: ReadingPosition | None) -> None:
        """Render a loaded post, unless the user has moved on since."""
        self.report_library_problems()
        if slug != self.wanted_slug:
            return
        highlight = self.highlight_words()
        if highlight:
            position = None  # from a search, go to the first hit instead
        self.shown_highlight = highlight
        self.query_one(ReaderPane).show_post(post, position, highlight)
        if self._read_timer is not None:
            self._read_timer.stop()
        if post is not None and slug not in self.read:
            self._read_timer = self.set_timer(
                self.timings.read_after, partial(self.mark_read_if_open, slug)
            )

    @on(ReaderPane.PositionChanged)
    def position_changed(self, event: ReaderPane.PositionChanged) -> None:
        """Save where the reader is; reaching the end of a post marks it read."""
        position = event.position
        self.positions[position.slug] = position
        self.writer.submit(
            "the reading position", partial(self.library.state.set_position, position)
        )
        if event.at_end:
            self.mark_read_if_open(position.slug)

    # -- search ----------------------------------------------------------------

    def highlight_words(self) -> tuple[str, ...]:
        """The folded words and prefixes the current search matched, to mark in the post."""
        results = self.search_results
        if not self.search_query or results is None:
            return ()
        marks = results.highlight
        return tuple(sorted(marks.terms)) + tuple(marks.prefixes)

    def action_focus_search(self) -> None:
        """Move to the search bar."""
        self.set_class(False, "-reading")
        self.focus_now(self.query_one(SearchBar))

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
        self._search_timer = self.set_timer(
            self.timings.search_debounce, partial(self.run_search, query, self.filter_id)
        )

    @work(exclusive=True, group="search", thread=True, exit_on_error=False)
    def run_search(self, query: str, filter_id: str) -> None:
        """Search off the event loop; only the latest query's results are shown."""
        tag = filter_id.removeprefix(TAG_PREFIX) if filter_id.startswith(TAG_PREFIX) else None
        worker = get_current_worker()
        try:
            results = self.library.search(
                query, limit=SEARCH_LIMIT, tag=tag, all_slugs=True, snippets=False
            )
            # A snippet costs a record read and a scan: the first screenful
            # now, the rest once the list is up.
            index = self.library.search_index()
            hits = list(results.hits)
            hits[:SNIPPETS_FIRST] = [
                index.with_snippet(hit, results.highlight) for hit in hits[:SNIPPETS_FIRST]
            ]
            results = replace(results, hits=tuple(hits))
        except Exception as error:  # a bug in search must not take the app down
            self.post_message(self.SearchFinished(query, None, f"{type(error).__name__}: {error}"))
            return
        if worker.is_cancelled:
            return
        self.post_message(self.SearchFinished(query, results))
        # Then the sidebar's counts (a pass over every match), then the other snippets.
        summary = self.library.posts.summary
        tags = tag_counts(p for s in results.slugs or () if (p := summary(s)))
        if worker.is_cancelled:
            return
        self.post_message(self.SearchCounted(query, tags))
        rest = []
        for hit in hits[SNIPPETS_FIRST:]:
            if worker.is_cancelled:
                return  # the user typed on: these results are stale
            rest.append(index.with_snippet(hit, results.highlight))
        if rest:
            self.post_message(self.SnippetsReady(query, rest))

    @on(SearchCounted)
    def search_counted(self, event: SearchCounted) -> None:
        """Make the sidebar's counts follow the query shown."""
        results = self.search_results
        if event.query != self.shown_query or results is None:
            return
        matched = results.slugs or frozenset(h.slug for h in results.hits)
        tags = event.tags
        chosen = self.filter_id.removeprefix(TAG_PREFIX)
        if self.filter_id.startswith(TAG_PREFIX) and all(t.name != chosen for t in tags):
            tags = [*tags, TagCount(chosen, 0)]  # keep the active filter visible
        self.refresh_sidebar(
            results.total,
            sum(1 for s in matched if s not in self.read),
            sum(1 for s in matched if s in self.bookmarks),
            tags,
        )

    @on(SnippetsReady)
    def snippets_ready(self, event: SnippetsReady) -> None:
        """Show the snippets of the results listed without them."""
        if event.query == self.shown_query:
            self.query_one(PostList).update_hits(event.hits)

    @on(SearchFinished)
    def search_finished(self, event: SearchFinished) -> None:
        """Show the results of the latest query, and counts that follow it."""
        self.report_library_problems()
        if event.query != self.search_query:
            return
        post_list = self.query_one(PostList)
        results = event.results
        if results is None:
            post_list.border_subtitle = "search failed"
            self.notify(event.error, title="Search failed", severity="error", markup=False)
            return
        self.search_results = results
        self.shown_query = event.query
        matched = results.slugs or frozenset(h.slug for h in results.hits)
        hits = list(results.hits)
        if self.filter_id == BOOKMARKS:
            hits = [h for h in hits if h.slug in self.bookmarks]
        elif self.filter_id == UNREAD:
            hits = [h for h in hits if h.slug not in self.read]
        unread = {s for s in matched if s not in self.read}
        post_list.show_results(hits, set(self.bookmarks), unread)
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
        self.post_opened(PostList.PostOpened(slug))

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

    # -- bookmarks and read marks --------------------------------------------

    def target_slug(self) -> str | None:
        """The post a bookmark or read-mark key acts on: the open one, else the highlighted."""
        reader = self.query_one(ReaderPane)
        if reader.post is not None and reader.has_focus_within:
            return reader.post.slug
        return self.query_one(PostList).highlighted_slug

    def current_section(self, slug: str) -> str:
        """Anchor of the section the reader is in, when `slug` is the open post."""
        reader = self.query_one(ReaderPane)
        if reader.post is None or reader.post.slug != slug:
            return ""
        return reader.current_anchor

    def action_toggle_bookmark(self) -> None:
        """Bookmark the open or highlighted post, or remove its bookmark."""
        slug = self.target_slug()
        if slug is None:
            return
        state = self.library.state
        if self.bookmarks.pop(slug, None) is not None:
            self.writer.submit("the bookmark", partial(state.remove_bookmark, slug))
            self.notify("Bookmark removed.", timeout=2)
        else:
            section = self.current_section(slug)
            mark = Bookmark(slug, datetime.now(UTC).isoformat(), "", section)
            self.bookmarks = {slug: mark, **self.bookmarks}
            self.writer.submit("the bookmark", partial(state.add_bookmark, slug, section=section))
            self.notify("Bookmarked.", timeout=2)
        self.refresh_row(slug)

    def action_edit_note(self) -> None:
        """Edit the bookmark's note (bookmarking the post if need be)."""
        slug = self.target_slug()
        if slug is None:
            return
        summary = self.library.posts.summary(slug)
        title = summary.title if summary else slug
        mark = self.bookmarks.get(slug)
        self.app.push_screen(
            NoteScreen(title, mark.note if mark else ""), partial(self.save_note, slug)
        )

    def save_note(self, slug: str, note: str | None) -> None:
        """Keep the note written in the dialog (None: cancelled)."""
        if note is None:
            return
        state = self.library.state
        mark = self.bookmarks.get(slug)
        if mark is None:
            section = self.current_section(slug)
            mark = Bookmark(slug, datetime.now(UTC).isoformat(), note, section)
            self.bookmarks = {slug: mark, **self.bookmarks}
            write: Any = partial(state.add_bookmark, slug, note=note, section=section)
        else:
            self.bookmarks[slug] = Bookmark(slug, mark.created, note, mark.section)
            write = partial(state.set_note, slug, note)
        self.writer.submit("the note", write)
        self.refresh_row(slug)

    def action_toggle_read(self) -> None:
        """Mark the open or highlighted post read, or unread again."""
        slug = self.target_slug()
        if slug is None:
            return
        now_read = slug not in self.read
        self.set_read(slug, now_read)
        if self._read_timer is not None:
            self._read_timer.stop()  # the user decided; don't override it

    def set_read(self, slug: str, read: bool, in_place: bool = False) -> None:
        """Change a read mark here and on disk."""
        if read:
            self.read.add(slug)
        else:
            self.read.discard(slug)
        self.writer.submit("the read mark", partial(self.library.state.set_read, slug, read))
        self.refresh_row(slug, in_place)

    def mark_read_if_open(self, slug: str) -> None:
        """Mark `slug` read if it is still the post shown (the row stays where it is)."""
        post = self.query_one(ReaderPane).post
        if post is not None and post.slug == slug and slug not in self.read:
            self.set_read(slug, True, in_place=True)

    # -- resume and other processes --------------------------------------------

    def save_before_quit(self) -> None:
        """Queue the reading position now: the pane reports it only once scrolling settles."""
        position = self.query_one(ReaderPane).current_position()
        if position is not None:
            self.positions[position.slug] = position
            self.writer.submit(
                "the reading position", partial(self.library.state.set_position, position)
            )
        if self._resume_timer is not None:
            self._resume_timer.stop()
            self._save_place()

    def remember_place(self) -> None:
        """Save the filter and post to come back to, once the cursor settles."""
        if self._resume_timer is not None:
            self._resume_timer.stop()
        self._resume_timer = self.set_timer(self.timings.save_place, self._save_place)

    def _save_place(self) -> None:
        values = {"last_filter": self.filter_id, "last_slug": self.wanted_slug}
        self.writer.submit("where you were", partial(self.library.state.update_settings, values))

    def poll_state(self) -> None:
        """Pick up bookmarks and read marks changed by another process; retry refused writes."""
        if self._poll is not None and not self._poll.done():
            return  # the last poll is still waiting (a lock held elsewhere, a slow disk)
        state = self.library.state

        def read_state() -> None:
            # Runs after our own queued writes, so it never undoes them. Posts
            # a message rather than waiting on the event loop, which may be
            # waiting for this thread (on quit).
            if state.pending:
                try:
                    state.flush()  # retry changes a full or read-only disk refused
                except StateWriteError:
                    if state.pending != self._reported_pending:
                        self._reported_pending = state.pending
                        raise  # shown once per new change kept in memory, not every poll
                else:
                    self._reported_pending = 0
            marks = {b.slug: b for b in state.bookmarks()}
            read = state.read_slugs()
            self.post_message(self.StateRead(marks, read, generation, state.problem))

        generation = self.writer.submitted + 1  # counting this read's own submission
        self._poll = self.writer.submit("your changes", read_state)

    @on(StateRead)
    def apply_state(self, event: StateRead) -> None:
        """Show state read from disk if it differs from what is shown."""
        self.show_state_problem(event.problem)
        if event.queued_after != self.writer.submitted:
            return  # a change made here since is not in what was read; the next poll has it
        changed = event.read != self.read or {
            slug: (b.note, b.section) for slug, b in event.bookmarks.items()
        } != {slug: (b.note, b.section) for slug, b in self.bookmarks.items()}
        # Keep the stored bookmarks either way (their exact creation times,
        # newest first); redraw only when something shown has changed.
        self.bookmarks, self.read = event.bookmarks, event.read
        if changed:
            self.refresh_lists()

    def report_library_problems(self) -> None:
        """Notify each damage to the library found since the last call (a bad file set aside).

        The library finds some only when it reads a body or searches, so this
        runs after those too.
        """
        for problem in self.library.problems:
            if problem not in self._library_problems_shown:
                self._library_problems_shown.add(problem)
                self.notify(
                    problem, title="Library repaired", severity="warning", timeout=30, markup=False
                )

    def show_state_problem(self, problem: str | None) -> None:
        """Say, above the footer, that changes are not being saved and why (None: all well).

        The first time, also as a notification that stays until dismissed:
        the user must know before making a change that would be lost.
        """
        banner = self.query_one("#state-problem", Static)
        if problem == self._shown_problem:
            return
        self._shown_problem = problem
        self.set_class(problem is not None, "-state-problem")
        if problem is None:
            banner.update("")
            self.notify("Your reader state can be saved again.", title="State saved", timeout=5)
            return
        banner.update(Content(f"NOT SAVING: {problem}"))
        self.notify(
            problem, title="Changes are not being saved", severity="error", timeout=60, markup=False
        )

    # -- layout and actions ------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        """Collapse the sidebar when narrow, and show one pane when very narrow."""
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")
        self.set_class(event.size.width < SINGLE_PANE_WIDTH, "-single")

    def action_toggle_sidebar(self) -> None:
        """Show or hide the tag sidebar."""
        if self.has_class("-narrow"):
            self.toggle_class("-show-sidebar")
            showing = self.has_class("-show-sidebar")
            if showing:
                self.set_class(False, "-reading")  # one pane at a time when very narrow
        else:
            self.toggle_class("-hide-sidebar")
            showing = not self.has_class("-hide-sidebar")
        if showing:
            self.focus_now(self.query_one(TagSidebar))
        else:
            self.focus_now(self.query_one(PostList))

    def action_back(self) -> None:
        """Return from the reader (or the sidebar) to the post list; in the list, end a search."""
        if self.search_query and self.query_one(PostList).has_focus:
            self.clear_search()
            return
        self.set_class(False, "-reading")
        self.set_class(False, "-show-sidebar")
        self.focus_now(self.query_one(PostList))

    def help_sections(self) -> list[tuple[str, list[KeyRow]]]:
        """The bindings to list on the help screen, by where they work."""
        return [
            ("Everywhere", bindings_of(type(self.app)) + bindings_of(type(self))),
            ("Tag sidebar", bindings_of(TagSidebar)),
            ("Search bar", bindings_of(SearchBar, inherit=False)),
            ("Post list", bindings_of(PostList)),
            ("Reader", bindings_of(ReaderPane)),
            ("Help", bindings_of(HelpScreen)),
        ]

    def show_help(self) -> None:
        """Open the help screen."""
        self.app.push_screen(HelpScreen(self.help_sections()))
