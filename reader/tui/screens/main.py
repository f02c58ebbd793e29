"""The main screen: tag sidebar, post list and reader pane side by side.

Attributes down, messages up: the widgets post what happened, this screen
asks the core (`reader.library.Library`) and tells the widgets what to show.
Disk work runs in thread workers, never in a keystroke's path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer
from textual.worker import get_current_worker

from reader.models import Bookmark, Post, PostSummary, ReadingPosition
from reader.tui.screens.help import HelpScreen, KeyRow, bindings_of
from reader.tui.screens.note import NoteScreen
from reader.tui.state_writer import StateWriter
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.tag_sidebar import ALL, BOOKMARKS, TAG_PREFIX, UNREAD, TagSidebar

if TYPE_CHECKING:
    from reader.library import Library

__all__ = ["NARROW_WIDTH", "READ_AFTER_SECONDS", "SINGLE_PANE_WIDTH", "MainScreen"]

NARROW_WIDTH = 90
"""Below this many columns the sidebar collapses."""
SINGLE_PANE_WIDTH = 50
"""Below this many columns only one of the list and the reader is shown."""
READ_AFTER_SECONDS = 4.0
"""A post open this long counts as read."""
STATE_POLL_SECONDS = 2.0
"""How often to look for changes another reader process made to the user state."""


class MainScreen(Screen[None]):
    """Browse posts by tag and read them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.focus_next", "Next pane", show=False, id="main.next_pane"),
        Binding(
            "shift+tab", "app.focus_previous", "Previous pane", show=False, id="main.prev_pane"
        ),
        Binding("escape", "back", "Back to list", show=False, id="main.back"),
        Binding("t", "toggle_sidebar", "Tags", id="main.toggle_sidebar"),
        Binding("b", "toggle_bookmark", "Bookmark", id="main.bookmark"),
        Binding("B", "edit_note", "Note", key_display="B", id="main.note"),
        Binding("m", "toggle_read", "Read/unread", id="main.toggle_read"),
    ]
    """Screen-wide keys."""

    @dataclass
    class StateRead(Message):
        """The user state as read from disk (it may have been changed elsewhere)."""

        bookmarks: dict[str, Bookmark]
        read: set[str]

    def __init__(self, library: Library, writer: StateWriter) -> None:
        super().__init__()
        self.library = library
        self.writer = writer
        self.filter_id = ALL
        """The sidebar row the list is filtered by."""
        self.wanted_slug: str | None = None
        """The post most recently asked for: only it gets rendered."""
        self.bookmarks: dict[str, Bookmark] = {}
        """The user's bookmarks as this screen shows them, newest first."""
        self.read: set[str] = set()
        """Slugs of the posts marked read."""
        self._read_timer: Timer | None = None
        self._resume_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield TagSidebar(id="sidebar")
            yield PostList(id="post-list")
            yield ReaderPane(id="reader")
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
        post_list.focus()
        first = post_list.highlighted_slug
        if first is not None:
            # Read the first post here rather than in a worker, so it is in the
            # very first frame instead of one frame later (one small file read).
            self.wanted_slug = first
            self.show_loaded(first, self.library.get(first), self.position_for(first))
        for recovery in getattr(state, "recoveries", ()):
            self.notify(str(recovery), title="User state recovered", severity="warning", timeout=30)
        self.set_interval(STATE_POLL_SECONDS, self.poll_state)

    def _filter_exists(self, filter_id: str) -> bool:
        if filter_id in (ALL, UNREAD, BOOKMARKS):
            return True
        tag = filter_id.removeprefix(TAG_PREFIX)
        return any(t.name == tag for t in self.library.tags())

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
        summaries = self.library.summaries()
        unread = self.unread_slugs(summaries)
        self.refresh_sidebar(len(summaries), len(unread))
        post_list = self.query_one(PostList)
        keep = post_list.highlighted_slug or self.wanted_slug
        post_list.show_posts(self.filtered(), set(self.bookmarks), unread, keep=keep)
        if not post_list.slugs:
            self.wanted_slug = None
            self.query_one(ReaderPane).show_post(None)

    def refresh_sidebar(self, total: int, unread: int) -> None:
        """Show the current counts in the sidebar."""
        self.query_one(TagSidebar).show_counts(
            total, unread, len(self.bookmarks), self.library.tags(), self.filter_id
        )

    def refresh_row(self, slug: str) -> None:
        """Redraw one post's row and the sidebar counts after a mark changed."""
        if self.filter_id in (BOOKMARKS, UNREAD):
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
        self.query_one(PostList).focus()
        self.remember_place()

    @on(PostList.PostHighlighted)
    def post_highlighted(self, event: PostList.PostHighlighted) -> None:
        """Show the highlighted post (only the latest, when a key is held)."""
        reader = self.query_one(ReaderPane)
        if event.slug != self.wanted_slug or reader.post is None:
            self.wanted_slug = event.slug
            self.load_post(event.slug)
            self.remember_place()

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
        """Read the post and where the reader left it, off the event loop."""
        post = self.library.get(slug)
        position = self.position_for(slug)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_loaded, slug, post, position)

    def position_for(self, slug: str) -> ReadingPosition | None:
        """Where to open `slug`: its bookmark's section from Bookmarks, else where it was left.

        Reads the state file: call it off the event loop, except at start-up.
        """
        mark = self.bookmarks.get(slug)
        if self.filter_id == BOOKMARKS and mark is not None and mark.section:
            return ReadingPosition(slug, mark.section, 0)
        return self.library.state.position(slug)

    def show_loaded(self, slug: str, post: Post | None, position: ReadingPosition | None) -> None:
        """Render a loaded post, unless the user has moved on since."""
        if slug != self.wanted_slug:
            return
        self.query_one(ReaderPane).show_post(post, position)
        if self._read_timer is not None:
            self._read_timer.stop()
        if post is not None and slug not in self.read:
            self._read_timer = self.set_timer(
                READ_AFTER_SECONDS, partial(self.mark_read_if_open, slug)
            )

    @on(ReaderPane.PositionChanged)
    def position_changed(self, event: ReaderPane.PositionChanged) -> None:
        """Save where the reader is; reaching the end of a post marks it read."""
        position = event.position
        self.writer.submit(
            "the reading position", partial(self.library.state.set_position, position)
        )
        if getattr(event, "at_end", False):
            self.mark_read_if_open(position.slug)

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
        return str(getattr(reader, "current_anchor", "") or "")

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

    def set_read(self, slug: str, read: bool) -> None:
        """Change a read mark here and on disk."""
        if read:
            self.read.add(slug)
        else:
            self.read.discard(slug)
        self.writer.submit("the read mark", partial(self.library.state.set_read, slug, read))
        self.refresh_row(slug)

    def mark_read_if_open(self, slug: str) -> None:
        """Mark `slug` read if it is still the post shown."""
        post = self.query_one(ReaderPane).post
        if post is not None and post.slug == slug and slug not in self.read:
            self.set_read(slug, True)

    # -- resume and other processes --------------------------------------------

    def remember_place(self) -> None:
        """Save the filter and post to come back to, once the cursor settles."""
        if self._resume_timer is not None:
            self._resume_timer.stop()
        self._resume_timer = self.set_timer(0.5, self._save_place)

    def _save_place(self) -> None:
        values = {"last_filter": self.filter_id, "last_slug": self.wanted_slug}
        self.writer.submit("where you were", partial(self.library.state.update_settings, values))

    def poll_state(self) -> None:
        """Pick up bookmarks and read marks changed by another process."""
        state = self.library.state

        def read_state() -> None:
            # Runs after our own queued writes, so it never undoes them. Posts
            # a message rather than waiting on the event loop, which may be
            # waiting for this thread (on quit).
            marks = {b.slug: b for b in state.bookmarks()}
            self.post_message(self.StateRead(marks, state.read_slugs()))

        self.writer.submit("", read_state)

    @on(StateRead)
    def apply_state(self, event: StateRead) -> None:
        """Show state read from disk if it differs from what is shown."""
        if event.bookmarks != self.bookmarks or event.read != self.read:
            self.bookmarks, self.read = event.bookmarks, event.read
            self.refresh_lists()

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
