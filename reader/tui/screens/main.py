"""The main screen: tag sidebar, post list and reader pane side by side.

Attributes down, messages up: the widgets post what happened, this screen
asks the core and tells the widgets what to show. The user's marks live in
the `ReadingSession` (shown at once, written in order off the event loop);
the list's `Filter` is applied by the library, to browsing and inside a
search. Search is `SearchPart`, marks and the state poll are `MarksPart`,
changes another process made to the library are `LibraryPart`, the browse
order is `SortingPart`, loading posts and following links between them are
`FollowingPart`; this module wires the panes. Disk work never runs in a keystroke's path.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import DescendantFocus, Resize
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static

from reader.config import Config
from reader.models import Bookmark, Filter, TagCount
from reader.sorting import SortOrder
from reader.tui.empty import empty_list
from reader.tui.screens.editing import EditingPart
from reader.tui.screens.feeds import FeedsPart
from reader.tui.screens.following import FollowingPart
from reader.tui.screens.help import HelpScreen, KeyRow, bindings_of
from reader.tui.screens.library_watch import LibraryPart
from reader.tui.screens.loading import UNKNOWN_COUNT, LoadingPart
from reader.tui.screens.marks import MarksPart
from reader.tui.screens.navigation import NavigationPart
from reader.tui.screens.outside import OutsidePart
from reader.tui.screens.saved import SavedPart
from reader.tui.screens.searching import SEARCH_LIMIT, SNIPPETS_FIRST, SearchPart
from reader.tui.screens.sorting import SORT_HELP, SortingPart
from reader.tui.timings import Timings
from reader.tui.widgets.key_footer import KeyFooter
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.search_bar import SearchBar
from reader.tui.widgets.tag_sidebar import TagSidebar

if TYPE_CHECKING:
    from collections.abc import Mapping

    from reader.library import Library
    from reader.session import ReadingSession
    from reader.tui.document_cache import DocumentCache

__all__ = [
    "NARROW_WIDTH",
    "SEARCH_LIMIT",
    "SINGLE_PANE_WIDTH",
    "SNIPPETS_FIRST",
    "MainScreen",
]

EDIT_HELP = "Edit the post's file in your editor"
"""The help screen's line for `e`: the footer says only "Edit"."""
NARROW_WIDTH = 90
"""Below this many columns the sidebar collapses."""
SINGLE_PANE_WIDTH = 50
"""Below this many columns only one of the list and the reader is shown."""


class MainScreen(
    LoadingPart,
    SearchPart,
    MarksPart,
    SavedPart,
    LibraryPart,
    SortingPart,
    FollowingPart,
    NavigationPart,
    OutsidePart,
    FeedsPart,
    EditingPart,
):
    """Browse posts by tag and read them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.focus_next", "Next pane", show=False, id="main.next_pane"),
        Binding("shift+tab", "previous_pane", "Previous pane", show=False, id="main.prev_pane"),
        Binding("escape", "back", "Back to list", show=False, id="main.back"),
        Binding(
            "slash", "focus_search", "Search", key_display="/", id="main.search", priority=True
        ),
        Binding("t", "show_sidebar", "Show tags", id="main.toggle_sidebar"),
        Binding("t", "hide_sidebar", "Hide tags", id="main.hide_sidebar"),
        Binding("backspace,alt+left", "history_back", "Back", id="main.history.back"),
        Binding("alt+right", "history_forward", "Forward", id="main.history.forward", show=False),
        Binding("b", "toggle_bookmark", "Bookmark", id="main.bookmark"),
        Binding("B", "edit_note", "Note", key_display="B", id="main.note", show=False),
        Binding("m", "toggle_read", "Read/unread", id="main.toggle_read"),
        Binding(
            "M",
            "mark_all_read",
            "Mark all read",
            id="main.mark_all_read",
            key_display="M",
            tooltip="Mark every post listed read (asks first)",
        ),
        Binding(
            "u",
            "undo_mark_read",
            "Undo all read",
            id="main.undo_mark_read",
            tooltip="Undo the last M: its posts unread again",
        ),
        Binding("s", "cycle_sort", "Sort", id="main.sort", tooltip=SORT_HELP),
        Binding("c", "copy_url", "Copy URL", id="main.copy_url", show=False),
        Binding("O", "open_original", "Open original", id="main.open_original", show=False),
        Binding("e", "edit_source", "Edit", id="main.edit", tooltip=EDIT_HELP),
    ]
    """Screen-wide keys. `/` is a priority binding: it moves the focus as soon as it is
    read, so the keys read with it go to the search bar (see `focus_now`)."""

    AUTO_FOCUS = "#post-list"

    def __init__(
        self,
        library: Library,
        session: ReadingSession,
        timings: Timings | None = None,
        documents: DocumentCache | None = None,
        config: Config | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.config = Config() if config is None else config
        """The user's settings: the read-marking rule, the reading width, the order at start."""
        self.session = session
        self.timings = Timings() if timings is None else timings
        """How long the screen's timers (and the reader pane's) wait."""
        self.documents = documents
        """The app's cache of parsed posts, for the reader pane."""
        self.filter = Filter()
        """What the list is narrowed to (the sidebar's choice)."""
        self.order = SortOrder.IMPORTED
        """The browse order (`s`); search results keep their ranking."""
        self.wanted_slug: str | None = None
        """The post most recently asked for: only it gets rendered."""
        self.shown_highlight: tuple[str, ...] = ()
        """The search words highlighted in the post shown."""
        self._preview_timer: Timer | None = None
        """The wait for the typing to pause before the top result is shown."""

    @property
    def bookmarks(self) -> Mapping[str, Bookmark]:
        """The user's bookmarks as shown, newest first."""
        return self.session.bookmarks

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield TagSidebar(id="sidebar")
            with Vertical(id="middle"):
                yield SearchBar(id="search")
                yield PostList(id="post-list")
            yield ReaderPane(
                id="reader",
                timings=self.timings,
                documents=self.documents,
                reading_width=self.config.reading_width,
            )
        yield Static(id="state-problem", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        state = self.library.state
        settings = state.settings()
        last_filter = settings.get("last_filter")
        chosen = Filter.from_id(last_filter) if isinstance(last_filter, str) else None
        if chosen is not None and self._filter_exists(chosen):
            self.filter = chosen
        self.restore_order(settings)
        last_slug = settings.get("last_slug")
        self.wanted_slug = last_slug if isinstance(last_slug, str) else None
        kept = self.library.first_screen
        resumed = self.resume_that_fits() if kept is not None else None
        if kept is not None and self.first_screen_fits(kept):
            self.show_first_screen(kept)  # the rest is read after the first frame
        elif kept is not None and resumed is not None:
            self.show_first_screen(kept, resumed.rows)
        else:
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
        # After the first frame: every post (if not read yet), then the search index and
        # the other orders, which hold the GIL for a while.
        self.load_after_first_frame()

    @work(thread=True, group="search-index", exit_on_error=False)
    def preload_search_index(self) -> None:
        """Load the search index after the first paint, so the first search is fast."""
        self.library.search_index()

    def _filter_exists(self, chosen: Filter) -> bool:
        return chosen.kind != Filter.TAG or any(t.name == chosen.tag for t in self.library.tags())

    def focus_now(self, widget: Widget) -> None:
        """Move the focus to `widget` at once.

        `Widget.focus()` takes effect only after the messages already queued,
        so keys read in the same batch would still go to the old focus.
        """
        if not isinstance(widget, TagSidebar):
            self.set_class(False, "-show-sidebar")  # it stood in the list's place
        self.set_focus(widget)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`/` types a slash while a text box has the focus; back and forward when there is one."""
        if action == "focus_search":
            return not isinstance(self.focused, Input)
        if action in ("show_sidebar", "hide_sidebar"):
            # One key, and the footer says which it does: tags in focus are hidden.
            return self.query_one(TagSidebar).has_focus == (action == "hide_sidebar")
        if action == "history_back":
            return self.history.can_go_back
        if action == "history_forward":
            return self.history.can_go_forward
        if action == "undo_mark_read":
            return bool(self.undo_read)  # in the footer only while there is one to undo
        return True

    # -- filling the panes -------------------------------------------------

    def refresh_lists(self) -> None:
        """Refill the sidebar and the list from the library, keeping the cursor."""
        if self.search_query:
            self.run_search(self.search_query, self.filter)
            return
        post_list = self.query_one(PostList)
        post_list.border_subtitle = ""
        session = self.session
        summaries = self.library.summaries()
        unread = {p.slug for p in summaries if session.is_unread(p.slug)}
        self.refresh_sidebar(len(summaries), len(unread), len(session.bookmarks))
        keep = post_list.highlighted_slug or self.wanted_slug
        posts = session.posts(self.filter, self.order)
        title = self.list_title()
        post_list.show_posts(
            posts,
            session.bookmarks,
            unread,
            keep=keep,
            title=title,
            details=self.filter.kind == Filter.BOOKMARKS,
        )
        if not post_list.slugs:
            post_list.show_nothing(empty_list(self.filter, not summaries), title=title)
            self.wanted_slug = None
            self.query_one(ReaderPane).show_post(None)

    def refresh_sidebar(
        self, total: int, unread: int | str, bookmarks: int, tags: list[TagCount] | None = None
    ) -> None:
        """Show the current counts in the sidebar."""
        self.query_one(TagSidebar).show_counts(
            total, unread, bookmarks, self.library.tags() if tags is None else tags, self.filter.id
        )
        self.refresh_saved()
        self.refresh_feed_rows()

    def refresh_row(self, slug: str, in_place: bool = False) -> None:
        """Redraw one post's row and the sidebar counts after a mark changed.

        Under Bookmarks, Unread or a search the row may no longer belong in the
        list; it is refilled, unless `in_place` (a mark the app made by itself,
        which must not pull the post out from under the reader).
        """
        if not in_place and (
            self.filter.kind in (Filter.BOOKMARKS, Filter.UNREAD) or self.search_query
        ):
            self.refresh_lists()
            return
        session = self.session
        first = self.library.first_screen
        if first is not None:  # not every post is read yet: not the unread count either
            total = first.total if self.library.show_drafts else first.total - first.drafts
            self.refresh_sidebar(total, UNKNOWN_COUNT, len(session.bookmarks))
        else:
            summaries = self.library.summaries()
            unread = sum(1 for p in summaries if session.is_unread(p.slug))
            self.refresh_sidebar(len(summaries), unread, len(session.bookmarks))
        self.query_one(PostList).refresh_post(
            slug, session.bookmarks.get(slug), session.is_unread(slug)
        )

    # -- messages from the widgets -----------------------------------------

    @on(TagSidebar.TagChosen)
    def tag_chosen(self, event: TagSidebar.TagChosen) -> None:
        """Filter the list by the chosen row and move to the list."""
        self.filter = Filter.from_id(event.filter_id) or Filter()
        self.refresh_lists()
        self.focus_now(self.query_one(PostList))
        self.remember_place()

    @on(PostList.PostHighlighted)
    def post_highlighted(self, event: PostList.PostHighlighted) -> None:
        """Show the highlighted post (only the latest, when a key is held); while a search
        is being typed, once the typing pauses (`Timings.preview_delay`)."""
        if self._preview_timer is not None:
            self._preview_timer.stop()
            self._preview_timer = None
        delay = self.timings.preview_delay
        if delay > 0 and self.search_query and self.query_one(SearchBar).has_focus:
            self._preview_timer = self.set_timer(delay, partial(self._preview, event.slug))
            return
        self._follow(event.slug)

    def _preview(self, slug: str) -> None:
        self._preview_timer = None
        if self.query_one(PostList).highlighted_slug == slug:
            self._follow(slug)

    def _follow(self, slug: str) -> None:
        reader = self.query_one(ReaderPane)
        stale = reader.post is None or self.shown_highlight != self.highlight_words()
        if slug != self.wanted_slug or stale:
            self.stop_reading()  # only highlighted: never read by the rule
            self.wanted_slug = slug
            self.request_post(slug)
            self.remember_place()

    @on(PostList.PostOpened)
    def post_opened(self, event: PostList.PostOpened) -> None:
        """Open the post: show it and move the focus to the reader."""
        self.open_slug(event.slug)

    def open_slug(self, slug: str) -> None:
        """Show `slug` in the reader and move the focus there; it goes on the history."""
        self.record_visit(slug)
        if slug != self.wanted_slug:
            self.wanted_slug = slug
            self.request_post(slug)
        self.start_reading(slug)
        self.set_class(True, "-reading")
        self.focus_now(self.query_one(ReaderPane))

    def request_post(self, slug: str) -> None:
        """Load `slug` for the reader, at the place it should open."""
        self.load_post(slug, self.session.opening_position(slug, self.filter))

    @on(ReaderPane.PositionChanged)
    def position_changed(self, event: ReaderPane.PositionChanged) -> None:
        """Save where the reader is; reaching the end may mark it read (`on-end`)."""
        self.session.set_position(event.position)
        self.history.note(event.position)
        if event.at_end:
            self.reached_end(event.position.slug)

    def action_focus_search(self) -> None:
        """Move to the search bar."""
        self.set_class(False, "-reading")
        self.focus_now(self.query_one(SearchBar))

    # -- layout and actions ------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        """Collapse the sidebar when narrow, and show one pane when very narrow."""
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")
        self.set_class(event.size.width < SINGLE_PANE_WIDTH, "-single")

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """A narrow screen's sidebar, shown in the list's place, goes once the focus leaves it."""
        if not isinstance(event.widget, TagSidebar):
            self.set_class(False, "-show-sidebar")

    def action_show_sidebar(self) -> None:
        """Show the tag sidebar (over the list when narrow) and move to it."""
        self.set_class(False, "-hide-sidebar")
        if self.has_class("-narrow"):
            self.set_class(True, "-show-sidebar")
            self.set_class(False, "-reading")  # one pane at a time when very narrow
        self.focus_now(self.query_one(TagSidebar))
        self.refresh_bindings()

    def action_hide_sidebar(self) -> None:
        """Hide the tag sidebar and go back to the list."""
        self.set_class(False, "-show-sidebar")
        if not self.has_class("-narrow"):
            self.set_class(True, "-hide-sidebar")
        self.focus_now(self.query_one(PostList))
        self.refresh_bindings()

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
            ("Help", bindings_of(HelpScreen, inherit=False)),
        ]

    def show_help(self) -> None:
        """Open the help screen."""
        self.app.push_screen(HelpScreen(self.help_sections()))
