"""The main screen: tag sidebar, post list and reader pane side by side.

Attributes down, messages up: the widgets post what happened, this screen
asks the core (`reader.library.Library`) and tells the widgets what to show.
Disk work runs in thread workers, never in a keystroke's path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import get_current_worker

from reader.models import Post, PostSummary
from reader.tui.screens.help import HelpScreen, KeyRow, bindings_of
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.tag_sidebar import ALL, BOOKMARKS, TAG_PREFIX, UNREAD, TagSidebar

if TYPE_CHECKING:
    from reader.library import Library

__all__ = ["NARROW_WIDTH", "SINGLE_PANE_WIDTH", "MainScreen"]

NARROW_WIDTH = 90
"""Below this many columns the sidebar collapses."""
SINGLE_PANE_WIDTH = 50
"""Below this many columns only one of the list and the reader is shown."""


class MainScreen(Screen[None]):
    """Browse posts by tag and read them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.focus_next", "Next pane", show=False, id="main.next_pane"),
        Binding(
            "shift+tab", "app.focus_previous", "Previous pane", show=False, id="main.prev_pane"
        ),
        Binding("escape", "back", "Back to list", show=False, id="main.back"),
        Binding("t", "toggle_sidebar", "Tags", id="main.toggle_sidebar"),
    ]
    """Screen-wide keys."""

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.filter_id = ALL
        """The sidebar row the list is filtered by."""
        self.wanted_slug: str | None = None
        """The post most recently asked for: only it gets rendered."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield TagSidebar(id="sidebar")
            yield PostList(id="post-list")
            yield ReaderPane(id="reader")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_lists()
        self.query_one(PostList).focus()

    # -- filling the panes -------------------------------------------------

    def filtered(self) -> list[PostSummary]:
        """The posts for the current sidebar filter."""
        if self.filter_id == BOOKMARKS:
            order = [b.slug for b in self.library.state.bookmarks()]
            posts = (self.library.posts.summary(slug) for slug in order)
            return [p for p in posts if p is not None]
        if self.filter_id == UNREAD:
            read = self.library.state.read_slugs()
            return [p for p in self.library.summaries() if p.slug not in read]
        if self.filter_id.startswith(TAG_PREFIX):
            return self.library.summaries(self.filter_id.removeprefix(TAG_PREFIX))
        return self.library.summaries()

    def refresh_lists(self) -> None:
        """Refill the sidebar and the list from the library, keeping the cursor."""
        summaries = self.library.summaries()
        read = self.library.state.read_slugs()
        bookmarked = {b.slug for b in self.library.state.bookmarks()}
        unread = {p.slug for p in summaries if p.slug not in read}
        self.query_one(TagSidebar).show_counts(
            len(summaries),
            len(unread),
            len(bookmarked),
            self.library.tags(),
            self.filter_id,
        )
        post_list = self.query_one(PostList)
        keep = post_list.highlighted_slug or self.wanted_slug
        post_list.show_posts(self.filtered(), bookmarked, unread, keep=keep)
        if not post_list.slugs:
            self.wanted_slug = None
            self.query_one(ReaderPane).show_post(None)

    # -- messages from the widgets -----------------------------------------

    @on(TagSidebar.TagChosen)
    def tag_chosen(self, event: TagSidebar.TagChosen) -> None:
        """Filter the list by the chosen row and move to the list."""
        self.filter_id = event.filter_id
        self.refresh_lists()
        self.query_one(PostList).focus()

    @on(PostList.PostHighlighted)
    def post_highlighted(self, event: PostList.PostHighlighted) -> None:
        """Show the highlighted post (only the latest, when a key is held)."""
        if event.slug != self.wanted_slug or self.query_one(ReaderPane).post is None:
            self.wanted_slug = event.slug
            self.load_post(event.slug)

    @on(PostList.PostOpened)
    def post_opened(self, event: PostList.PostOpened) -> None:
        """Open the post: show it and move the focus to the reader."""
        if event.slug != self.wanted_slug:
            self.wanted_slug = event.slug
            self.load_post(event.slug)
        self.set_class(True, "-reading")
        self.query_one(ReaderPane).focus()

    @work(exclusive=True, group="load-post", thread=True, exit_on_error=False)
    def load_post(self, slug: str) -> None:
        """Read the post's body off the event loop, then hand it to the pane."""
        post = self.library.get(slug)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_loaded, slug, post)

    def show_loaded(self, slug: str, post: Post | None) -> None:
        """Render a loaded post, unless the user has moved on since."""
        if slug == self.wanted_slug:
            self.query_one(ReaderPane).show_post(post)

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
        else:
            self.toggle_class("-hide-sidebar")
            showing = not self.has_class("-hide-sidebar")
        if showing:
            self.call_after_refresh(self.query_one(TagSidebar).focus)
        else:
            self.query_one(PostList).focus()

    def action_back(self) -> None:
        """Return from the reader (or the sidebar) to the post list."""
        self.set_class(False, "-reading")
        self.set_class(False, "-show-sidebar")
        self.query_one(PostList).focus()

    def help_sections(self) -> list[tuple[str, list[KeyRow]]]:
        """The bindings to list on the help screen, by where they work."""
        return [
            ("Everywhere", bindings_of(type(self.app)) + bindings_of(type(self))),
            ("Tag sidebar", bindings_of(TagSidebar)),
            ("Post list", bindings_of(PostList)),
            ("Reader", bindings_of(ReaderPane)),
            ("Help", bindings_of(HelpScreen)),
        ]

    def show_help(self) -> None:
        """Open the help screen."""
        self.app.push_screen(HelpScreen(self.help_sections()))
