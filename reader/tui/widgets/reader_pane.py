"""The reader pane: a post's title, tags and body with its sections inline.

The body is drawn by `PostView` (only the lines on screen are rendered) from
a `Document` built by `reader.tui.markdown_lines`. Documents are kept in the
app's `DocumentCache`, layouts per width. A long post is parsed in chunks: the
first screen is shown at once and the rest is parsed between frames, so even a
huge post never freezes the app.

Attributes down, messages up: the screen calls `show_post` (with a saved
position and words to highlight) and saves the `PositionChanged` the pane
posts when the reader settles somewhere. The pane never touches the store.
Where a post opens and which section is being read are decided by the pure
functions of `reader.tui.opening`. The pane's keys are declared here; their
actions live in its parts: `SectionPart` (scrolling, sections, the border's
title), `FindPart` (find) and `LinkPart` (links).
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input

from reader.models import Post, ReadingPosition
from reader.text import fold
from reader.tui import opening
from reader.tui.document import Document
from reader.tui.document_cache import DocumentCache, begin_document
from reader.tui.find_state import find_hits
from reader.tui.markdown_lines import DocumentBuilder
from reader.tui.opening import Highlight
from reader.tui.timings import Timings
from reader.tui.widgets.find_bar import FindBar
from reader.tui.widgets.post_view import PostView
from reader.tui.widgets.reader_find import FindPart
from reader.tui.widgets.reader_links import LinkPart
from reader.tui.widgets.reader_sections import SectionPart

__all__ = ["ReaderPane"]

POSITION_SETTLE_SECONDS = Timings.position_settle
"""The default `Timings.position_settle`. Read only by `ReaderApp` when it is given no
`Timings`, so tests that still patch it keep working; pass `timings=` instead."""

TITLE_DELAY_SECONDS = Timings.title_delay
"""The default `Timings.title_delay` (read as `POSITION_SETTLE_SECONDS` is)."""


class ReaderPane(FindPart, LinkPart, SectionPart, can_focus=True):
    """Shows one post. The screen calls `show_post`; the pane reports where the reader is."""

    DEFAULT_CSS = """
    ReaderPane {
        height: 1fr;
        align-horizontal: center;
        & > PostView { height: 1fr; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left_square_bracket",
            "previous_section",
            "Prev section",
            id="reader.section.previous",
            key_display="[",
        ),
        Binding(
            "right_square_bracket",
            "next_section",
            "Next section",
            id="reader.section.next",
            key_display="]",
        ),
        Binding("o", "outline", "Outline", id="reader.outline"),
        Binding("f", "find", "Find", id="reader.find", priority=True),
        Binding("n", "find_next", "Next hit", id="reader.find.next"),
        Binding("N", "find_previous", "Prev hit", id="reader.find.previous"),
        Binding("escape", "end_find", "End find", id="reader.find.end"),
        Binding("l", "next_link", "Next link", id="reader.link.next", show=False),
        Binding("L", "previous_link", "Prev link", id="reader.link.previous", show=False),
        Binding("enter", "open_link", "Open link", id="reader.link.open"),
        Binding("j,down", "scroll_lines(1)", "Down", id="reader.scroll.down", show=False),
        Binding("k,up", "scroll_lines(-1)", "Up", id="reader.scroll.up", show=False),
        Binding(
            "pagedown,space",
            "scroll_pages(1)",
            "Page down",
            id="reader.scroll.page-down",
            show=False,
        ),
        Binding("pageup", "scroll_pages(-1)", "Page up", id="reader.scroll.page-up", show=False),
        Binding("home,g", "scroll_edge(0)", "Top", id="reader.scroll.top", show=False),
        Binding("end,G", "scroll_edge(1)", "Bottom", id="reader.scroll.bottom", show=False),
        Binding(
            "ctrl+d", "scroll_half(1)", "Half page down", id="reader.scroll.half-down", show=False
        ),
        Binding(
            "ctrl+u", "scroll_half(-1)", "Half page up", id="reader.scroll.half-up", show=False
        ),
        Binding("J", "step_post(1)", "Next post", id="reader.post.next", key_display="J"),
        Binding("K", "step_post(-1)", "Prev post", id="reader.post.previous", key_display="K"),
    ]
    """Keys of the pane; `n`, `N`, `escape` only while finding, `enter` only on a link.
    `f` is a priority binding, so the keys read with it go to the find bar."""

    class StepPost(Message):
        """The reader asked for the next (`step` 1) or previous (-1) post of the list."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    class EndInView(Message):
        """The end of the post `slug` is on screen without scrolling there (a short post,
        a window made taller); once per post shown."""

        def __init__(self, slug: str) -> None:
            super().__init__()
            self.slug = slug

    class PositionChanged(Message):
        """The reader settled somewhere else in the post; the screen saves it."""

        def __init__(self, position: ReadingPosition, at_end: bool = False) -> None:
            super().__init__()
            self.position = position
            self.at_end = at_end
            """True when the end of the post is in view."""

    def __init__(
        self,
        *,
        timings: Timings | None = None,
        documents: DocumentCache | None = None,
        reading_width: int = 0,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.timings = Timings() if timings is None else timings
        """How long the position report and the border's percent wait."""
        self.documents = DocumentCache() if documents is None else documents
        """Parsed posts, kept for going back to them (the app's own, or the pane's)."""
        self.post: Post | None = None
        """The post shown, or None."""
        self.note = ""
        """The note of the post's bookmark, shown under its title ("": none)."""
        self.view = PostView(id="post-view")
        """The scrolling body."""
        if reading_width:
            # The text is at most `reading_width` columns, centred; the scrollbar beside it.
            self.view.styles.max_width = reading_width + 1
        self.find_bar = FindBar(id="find-bar")
        """The find bar."""
        self._pending: ReadingPosition | Highlight | None = None
        """Where the post opens, until enough of it is laid out to go there."""
        self._highlight: tuple[str, ...] = ()
        """The words (folded) marked in the post: those it was opened with from a search."""
        self._reported: ReadingPosition | None = None
        """The position last reported (or restored): a report is sent only for a new one."""
        self._settle: Timer | None = None
        self._end_told: Post | None = None
        """The post `EndInView` was posted for."""

    def compose(self) -> ComposeResult:
        yield self.view
        yield self.find_bar

    def on_mount(self) -> None:
        self._update_titles()

    @property
    def document(self) -> Document | None:
        """The parsed post (complete, or still growing while a long post loads)."""
        return self.view.document

    # -- showing a post ---------------------------------------------------------

    def show_post(
        self,
        post: Post | None,
        position: ReadingPosition | None = None,
        highlight: tuple[str, ...] = (),
        note: str = "",
    ) -> None:
        """Show `post` (None clears the pane) at `position`, highlighting `highlight` words.

        The first screen is drawn at once; a long post finishes parsing in the
        background. With `highlight`, every hit is marked and the first is scrolled to.
        `note`, the post's bookmark note, is shown under its title (plain text).
        """
        self.flush_position()
        self.workers.cancel_group(self, "reader-load")
        self.close_find()
        self._held = None  # a jump in one post means nothing in the next
        self.post = post
        self.note = note
        view = self.view
        if post is None:
            self._pending = None
            self._highlight = ()
            self._reported = None
            view.set_document(None)
            self._update_titles()
            return
        document = self.documents.get(post, note)
        builder: DocumentBuilder | None = None
        rest: list[str] = []
        if document is None:
            builder, rest = begin_document(post, note)
            document = builder.document if rest else builder.finish()
            if not rest:
                self.documents.put(post, document, note)
        self._highlight = tuple(t for t in (fold(w).strip() for w in highlight) if t)
        self._pending = Highlight(self._highlight) if self._highlight else position
        self._reported = position or ReadingPosition(post.slug)
        view.set_document(document)
        self._apply_pending()
        if builder is not None and rest:
            self._load_rest(post, builder, rest)
        self._update_titles()

    def show_note(self, note: str) -> None:
        """Show `note` under the title of the post shown (its bookmark's note changed),
        staying where the reader is."""
        if self.post is None or note == self.note:
            return
        self.show_post(self.post, self.current_position(), note=note)

    def clear_highlight(self) -> None:
        """Unmark the words of the search the post was opened from (it stays where it is).

        For when that search has changed or found nothing: marks of an older
        query must not linger on the post.
        """
        if not self._highlight:
            return
        self._highlight = ()
        if isinstance(self._pending, Highlight):
            self._pending = None
        self.view.set_highlight([])
        self._update_titles()

    # With a description of its own: Textual's default is the repr() of the arguments,
    # which for a long post is the whole post (~8 ms for 300 KB, on every switch).
    @work(exclusive=True, group="reader-load", exit_on_error=False, description="load the rest")
    async def _load_rest(self, post: Post, builder: DocumentBuilder, chunks: list[str]) -> None:
        """Parse the rest of a long post a chunk at a time, yielding to the UI in between."""
        for chunk in chunks:
            await asyncio.sleep(0)
            if self.view.document is not builder.document:
                return
            builder.feed(chunk)
            self.view.document_extended()
            self._apply_pending()
        document = builder.finish()
        self.documents.put(post, document, self.note)
        if self.view.document is document:
            self._apply_pending(final=True)
            if self._highlight:
                self.view.set_highlight(find_hits(document, self._highlight))
            if self.find_state.active:
                self.run_find(self.find_state.query, move=False)
            self._update_titles()
            self._tell_end()

    @property
    def end_in_view(self) -> bool:
        """True when the post is wholly parsed and laid out, and its last line is on screen."""
        view = self.view
        return (
            self.post is not None
            and not self.is_loading
            and view.layout_ready
            and self._pending is None
            and round(view.scroll_y) >= view.max_scroll_y
        )

    def _tell_end(self) -> None:
        """Post `EndInView` the first time the end of the post shown is on screen."""
        post = self.post
        if post is not None and self._end_told is not post and self.end_in_view:
            self._end_told = post
            self.post_message(self.EndInView(post.slug))

    @property
    def is_loading(self) -> bool:
        """True while a long post is still being parsed."""
        document = self.view.document
        return document is not None and not document.complete

    def _apply_pending(self, final: bool = False) -> None:
        """Go where the post opens (saved position, or first highlight) once that is laid out."""
        view = self.view
        document = view.document
        pending = self._pending
        if pending is None or document is None or not view.layout_ready or self.post is None:
            return
        final = final or document.complete
        if isinstance(pending, Highlight):
            hits = find_hits(document, pending.terms)
            first = view.line_of(hits[0].unit, hits[0].start) if hits else None
            where = opening.open_at_highlight(first, final)
            if where is not None:
                view.set_highlight(hits)
        else:
            anchors = [s.anchor for s in document.sections]
            lines = view.section_lines()
            where = opening.open_at_position(pending, anchors, lines, view.line_count, final)
        if where is None:
            return
        self._pending = None
        if where.line is not None:
            view.scroll_to_line(where.line, center=where.center)
        if where.section >= 0:
            self._hold_section(where.section)
        self._reported = self.current_position()
        self._update_titles()

    # -- where the reader is ------------------------------------------------------

    def current_position(self) -> ReadingPosition | None:
        """Where the reader is now (None with no post)."""
        if self.post is None:
            return None
        view = self.view
        section = self.current_section()
        document = view.document
        anchor = document.sections[section].anchor if document and section >= 0 else ""
        return ReadingPosition(self.post.slug, anchor, round(view.scroll_y))

    @on(PostView.Moved)
    def _moved(self, event: PostView.Moved) -> None:
        event.stop()
        if self._pending is not None:
            self._apply_pending()
        self._update_titles()
        if self.post is None or self._pending is not None:
            return
        self._tell_end()
        if self.current_position() != self._reported:
            if self._settle is not None:
                self._settle.stop()
            self._settle = self.set_timer(self.timings.position_settle, self.flush_position)

    def flush_position(self) -> None:
        """Report the current position now if it changed since the last report."""
        if self._settle is not None:
            self._settle.stop()
            self._settle = None
        position = self.current_position()
        if position is None or position == self._reported or not self.view.layout_ready:
            return
        if self._pending is not None:
            return
        self._reported = position
        view = self.view
        at_end = not self.is_loading and round(view.scroll_y) >= view.max_scroll_y
        self.post_message(self.PositionChanged(position, at_end))

    # -- keys -----------------------------------------------------------------------

    def action_step_post(self, step: int) -> None:
        """Ask the screen for the next or previous post."""
        if self.post is not None:
            self.post_message(self.StepPost(step))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Find keys only while finding; `enter` only with a focused link."""
        if action in ("find_next", "find_previous"):
            return self.find_state.active
        if action == "end_find":
            return self.find_bar.is_open or self.find_state.active
        if action == "open_link":
            return self.view.focused_link >= 0
        if action == "find":
            return not isinstance(self.screen.focused, Input)  # `f` is typed in the find bar
        return True

    def on_unmount(self) -> None:
        """Stop the settle timer (the screen reads `current_position()` when it needs it)."""
        if self._settle is not None:
            self._settle.stop()
