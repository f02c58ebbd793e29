"""The reader pane: a post's title, tags and body with its sections inline.

The body is drawn by `PostView` (only the lines on screen are rendered) from
a `Document` built by `reader.tui.markdown_lines`. Documents are cached per
post and body, layouts per width. A long post is parsed in chunks: the first
screen is shown at once and the rest is parsed between frames, so even a huge
post never freezes the app.

Attributes down, messages up: the screen calls `show_post` (with a saved
position and words to highlight) and saves the `PositionChanged` the pane
posts when the reader settles somewhere. The pane never touches the store.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_right
from collections import OrderedDict
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input

from reader.models import Post, ReadingPosition
from reader.text import clean_text, fold
from reader.tui.markdown_lines import Document, DocumentBuilder, Link, split_chunks
from reader.tui.screens.open_link import OpenLinkScreen
from reader.tui.screens.outline import OutlineScreen
from reader.tui.timings import Timings
from reader.tui.widgets.find_bar import FindBar
from reader.tui.widgets.post_view import Hit, PostView, find_hits

__all__ = ["ReaderPane"]

POSITION_SETTLE_SECONDS = Timings.position_settle
"""The default `Timings.position_settle`. Read only by `ReaderApp` when it is given no
`Timings`, so tests that still patch it keep working; pass `timings=` instead."""

TITLE_DELAY_SECONDS = Timings.title_delay
"""The default `Timings.title_delay` (read as `POSITION_SETTLE_SECONDS` is)."""

_CACHE_SIZE = 12
_DocumentKey = tuple[str, int, str, tuple[str, ...]]
_documents: OrderedDict[_DocumentKey, Document] = OrderedDict()
"""Complete documents by (slug, body hash, title, tags), most recent last."""


def _cached(key: _DocumentKey) -> Document | None:
    document = _documents.get(key)
    if document is not None:
        _documents.move_to_end(key)
    return document


def _remember(key: _DocumentKey, document: Document) -> None:
    _documents[key] = document
    _documents.move_to_end(key)
    while len(_documents) > _CACHE_SIZE:
        _documents.popitem(last=False)


class ReaderPane(Vertical, can_focus=True):
    """Shows one post. The screen calls `show_post`; the pane reports where the reader is."""

    DEFAULT_CSS = """
    ReaderPane {
        height: 1fr;
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
        Binding("home", "scroll_edge(0)", "Top", id="reader.scroll.top", show=False),
        Binding("end", "scroll_edge(1)", "Bottom", id="reader.scroll.bottom", show=False),
    ]
    """Keys of the pane; `n`, `N`, `escape` only while finding, `enter` only on a link.
    `f` is a priority binding, so the keys read with it go to the find bar."""

    class PositionChanged(Message):
        """The reader settled somewhere else in the post; the screen saves it."""

        def __init__(self, position: ReadingPosition, at_end: bool = False) -> None:
            super().__init__()
            self.position = position
            self.at_end = at_end
            """True when the end of the post is in view."""

    class LinkOpened(Message):
        """An http(s) link was confirmed and handed to the browser."""

        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

    def __init__(
        self, *, timings: Timings | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.timings = Timings() if timings is None else timings
        """How long the position report and the border's percent wait."""
        self.post: Post | None = None
        """The post shown, or None."""
        self.section_title = ""
        """Heading of the section being read ("" before the first one)."""
        self.current_anchor = ""
        """Anchor of the section being read ("" before the first one)."""
        self.progress = 0
        """How far through the post the reader is, in percent."""
        self._pending_position: ReadingPosition | None = None
        self._pending_highlight = False
        self._highlight_terms: tuple[str, ...] = ()
        self._reported: ReadingPosition | None = None
        self._settle: Timer | None = None
        self._find_query = ""
        self._titles = ("", "")
        self._title_timer: Timer | None = None
        self._section_override: tuple[Document, int, int] | None = None
        """After a jump to a section whose heading cannot reach the top: the document,
        the section and the scroll offset it holds for, until the view moves."""
        self._view = PostView(id="post-view")
        self._find_bar = FindBar(id="find-bar")

    def compose(self) -> ComposeResult:
        yield self._view
        yield self._find_bar

    def on_mount(self) -> None:
        self._update_titles()
        # After the first frame and off the loop: importing the highlighter
        # costs ~30 ms, which the first screen must not wait for.
        self.call_after_refresh(
            self.run_worker, self.view.warm_up, thread=True, group="warm-up", exit_on_error=False
        )

    @property
    def view(self) -> PostView:
        """The scrolling body."""
        return self._view

    @property
    def find_bar(self) -> FindBar:
        """The find bar."""
        return self._find_bar

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
    ) -> None:
        """Show `post` (None clears the pane) at `position`, highlighting `highlight` words.

        The first screen is drawn at once; a long post finishes parsing in the
        background. With `highlight`, every hit is marked and the first is scrolled to.
        """
        self.flush_position()
        self.workers.cancel_group(self, "reader-load")
        self._close_find()
        self._section_override = None  # a jump in one post means nothing in the next
        self.post = post
        view = self.view
        if post is None:
            self._pending_position = None
            self._pending_highlight = False
            self._highlight_terms = ()
            self._reported = None
            view.set_document(None)
            self._update_titles()
            return
        key: _DocumentKey = (post.slug, hash(post.body), post.title, tuple(post.tags))
        document = _cached(key)
        rest: list[str] = []
        builder: DocumentBuilder | None = None
        if document is None:
            chunks = split_chunks(post.body)
            builder = DocumentBuilder(
                post.title, post.tags, [(s.heading, s.anchor) for s in post.sections]
            )
            builder.feed(chunks[0])
            rest = chunks[1:]
            if not rest:
                document = builder.finish()
                _remember(key, document)
            else:
                document = builder.document
        self._highlight_terms = tuple(t for t in (fold(w).strip() for w in highlight) if t)
        self._pending_highlight = bool(self._highlight_terms)
        self._pending_position = position
        self._reported = position or ReadingPosition(post.slug)
        view.set_document(document)
        self._apply_pending()
        if builder is not None and rest:
            self._load_rest(builder, rest, key)
        self._update_titles()

    @work(exclusive=True, group="reader-load", exit_on_error=False)
    async def _load_rest(
        self, builder: DocumentBuilder, chunks: list[str], key: _DocumentKey
    ) -> None:
        """Parse the rest of a long post a chunk at a time, yielding to the UI in between."""
        for chunk in chunks:
            await asyncio.sleep(0)
            if self.view.document is not builder.document:
                return
            builder.feed(chunk)
            self.view.document_extended()
            self._apply_pending()
        document = builder.finish()
        _remember(key, document)
        if self.view.document is document:
            self._apply_pending(final=True)
            if self._highlight_terms:
                self._refresh_hits()
            if self._find_query:
                self._run_find(self._find_query, move=False)
            self._update_titles()

    @property
    def is_loading(self) -> bool:
        """True while a long post is still being parsed."""
        document = self.view.document
        return document is not None and not document.complete

    def _apply_pending(self, final: bool = False) -> None:
        """Restore the saved position and scroll to the first highlight, once they are laid out."""
        view = self.view
        document = view.document
        if document is None or not view.layout_ready or self.post is None:
            return
        final = final or document.complete
        if self._pending_highlight:
            hits = find_hits(document, self._highlight_terms)
            if hits or final:
                self._pending_highlight = False
                self._pending_position = None
                view.set_hits(view.find_hits, view.find_index, hits)
                if hits:
                    view.scroll_to_line(view.line_of(hits[0].unit, hits[0].start), center=True)
                self._reported = self.current_position()
            return
        position = self._pending_position
        if position is None:
            return
        y = self._position_line(position, document, final)
        if y is None:
            return
        self._pending_position = None
        view.scroll_to_line(y)
        anchors = [s.anchor for s in document.sections]
        if position.anchor in anchors:
            self._hold_section(anchors.index(position.anchor))
        self._reported = self.current_position()
        self._update_titles()

    def _position_line(
        self, position: ReadingPosition, document: Document, final: bool
    ) -> int | None:
        """The line to restore `position` to, or None when it is not laid out yet."""
        view = self.view
        lines = view.section_lines()
        anchors = [s.anchor for s in document.sections[: len(lines)]]
        if position.anchor:
            if position.anchor not in anchors:
                if not final:
                    return None
                return min(position.offset, max(0, view.line_count - 1))
            n = anchors.index(position.anchor)
            start = lines[n]
            if n + 1 < len(lines):
                end = lines[n + 1]
            elif final:
                end = view.line_count
            else:
                return None if position.offset >= start else start
            # The offset was taken at some width; trust it only if it still falls in the section.
            return position.offset if start <= position.offset < end else start
        if position.offset >= view.line_count and not final:
            return None
        return position.offset

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
        if self._pending_position is not None or self._pending_highlight:
            self._apply_pending()
        self._update_titles()
        if self.post is None or self._pending_position is not None or self._pending_highlight:
            return
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
        if self._pending_position is not None or self._pending_highlight:
            return
        self._reported = position
        view = self.view
        at_end = not self.is_loading and round(view.scroll_y) >= view.max_scroll_y
        self.post_message(self.PositionChanged(position, at_end))

    def _update_titles(self) -> None:
        """Put the section being read in the border title and the percent in the subtitle."""
        view = self.view
        document = view.document
        if self.post is None or document is None:
            self.section_title = ""
            self.current_anchor = ""
            self.progress = 0
            self._titles = ("", "")
            self.border_title = None
            self.border_subtitle = None
            return
        section = self.current_section()
        info = document.sections[section] if section >= 0 else None
        self.section_title = info.heading if info else ""
        self.current_anchor = info.anchor if info else ""
        self.progress = view.progress
        title = self.section_title or self.post.title
        if title != self._titles[0]:
            self._show_titles()
        elif self._title_timer is None:
            # Setting a border title repaints the whole pane: while the reader scrolls,
            # the percent follows a moment later instead of doubling every frame's work.
            self._title_timer = self.set_timer(self.timings.title_delay, self._show_titles)

    def _show_titles(self) -> None:
        if self._title_timer is not None:
            self._title_timer.stop()
            self._title_timer = None
        if self.post is None:
            return
        title = self.section_title or self.post.title
        subtitle = "loading…" if self.is_loading else f"{self.progress}%"
        if (title, subtitle) != self._titles:
            self._titles = (title, subtitle)
            self.border_title = Content(clean_text(title))
            self.border_subtitle = Content(subtitle)

    # -- scrolling ---------------------------------------------------------------

    def _scroll(self, y: float) -> None:
        # Titles are updated at once so the scroll and the new percent share one paint.
        self.view.scroll_to(y=y, animate=False, immediate=True)
        self._update_titles()

    def action_scroll_lines(self, lines: int) -> None:
        """Scroll by `lines` lines."""
        self._scroll(self.view.scroll_y + lines)

    def action_scroll_pages(self, pages: int) -> None:
        """Scroll by whole screens (one line of overlap)."""
        step = max(1, self.view.scrollable_content_region.height - 1)
        self._scroll(self.view.scroll_y + pages * step)

    def action_scroll_edge(self, end: int) -> None:
        """Go to the top (0) or the bottom (1)."""
        self._scroll(self.view.max_scroll_y if end else 0)

    # -- sections -----------------------------------------------------------------

    def current_section(self) -> int:
        """Index of the section being read (-1 before the first heading).

        The section whose heading is at (or just above) the top of the view; at
        the end of a long post, the last heading in view. After a jump to a
        heading that cannot reach the top (near the end), that section, until
        the view moves.
        """
        view = self.view
        y = round(view.scroll_y)
        override = self._section_override
        if override is not None:
            document, index, held = override
            if document is view.document and held == y and index < len(document.sections):
                return index
            self._section_override = None
        lines = view.section_lines()
        section = bisect_right(lines, y + 1) - 1
        if lines and view.max_scroll_y > 0 and y >= view.max_scroll_y:
            bottom = y + view.scrollable_content_region.height
            section = max(section, bisect_right(lines, bottom - 1) - 1)
        return section

    def _go_to_section(self, index: int) -> None:
        lines = self.view.section_lines()
        if not 0 <= index < len(lines):
            return
        self.view.scroll_to_line(lines[index])
        self._hold_section(index)
        self._update_titles()

    def _hold_section(self, index: int) -> None:
        """Make section `index` the current one even if its heading cannot reach the top."""
        self._section_override = None
        document = self.view.document
        if document is not None and self.current_section() != index:
            self._section_override = (document, index, round(self.view.scroll_y))

    def action_next_section(self) -> None:
        """Scroll the next section's heading to the top."""
        self._go_to_section(self.current_section() + 1)

    def action_previous_section(self) -> None:
        """Go to the heading of this section, or of the previous one when already there."""
        current = self.current_section()
        lines = self.view.section_lines()
        if current >= 0 and lines[current] < round(self.view.scroll_y):
            self._go_to_section(current)
        elif current > 0:
            self._go_to_section(current - 1)
        else:
            self._section_override = None
            self._scroll(0)

    def action_outline(self) -> None:
        """Show the sections of the post; choosing one scrolls there."""
        document = self.view.document
        if document is None:
            return
        current = self.current_section()
        sections = [(s.heading, s.level) for s in document.sections]
        self.app.push_screen(OutlineScreen(sections, current), self._outline_chosen)

    def _outline_chosen(self, index: int | None) -> None:
        if index is not None:
            self.scroll_to_section(index)

    def scroll_to_section(self, index: int) -> None:
        """Scroll section `index` (in `Document.sections`) to the top."""
        self._go_to_section(index)

    # -- find ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Find keys only while finding; `enter` only with a focused link."""
        if action in ("find_next", "find_previous"):
            return bool(self._find_query)
        if action == "end_find":
            return self.find_bar.is_open or bool(self._find_query)
        if action == "open_link":
            return self.view.focused_link >= 0
        if action == "find":
            return not isinstance(self.screen.focused, Input)  # `f` is typed in the find bar
        return True

    def action_find(self) -> None:
        """Open the find bar."""
        if self.post is None:
            return
        self.find_bar.open(self._find_query)
        self.refresh_bindings()

    @on(FindBar.Changed)
    def _find_changed(self, event: FindBar.Changed) -> None:
        event.stop()
        self._run_find(event.query)

    @on(FindBar.Submitted)
    def _find_submitted(self, event: FindBar.Submitted) -> None:
        event.stop()
        self.screen.set_focus(self)

    @on(FindBar.Dismissed)
    def _find_dismissed(self, event: FindBar.Dismissed) -> None:
        event.stop()
        self.action_end_find()

    def _run_find(self, query: str, move: bool = True) -> None:
        view = self.view
        document = view.document
        self._find_query = query
        needle = fold(query)
        hits = find_hits(document, (needle,)) if document is not None and needle.strip() else []
        index = -1
        if hits:
            index = 0
            if not move and 0 <= view.find_index < len(hits):
                index = view.find_index
            else:
                top = round(view.scroll_y)
                for n, hit in enumerate(hits):
                    if view.line_of(hit.unit, hit.start) >= top:
                        index = n
                        break
        view.set_hits(hits, index, view.highlight_hits)
        if move and index >= 0:
            self._show_hit(hits[index])
        self._update_counter()
        self.refresh_bindings()

    def _show_hit(self, hit: Hit) -> None:
        self.view.ensure_line_visible(self.view.line_of(hit.unit, hit.start))

    def _update_counter(self) -> None:
        view = self.view
        self.find_bar.set_counter(view.find_index + 1, len(view.find_hits), self._find_query)

    @property
    def find_counter(self) -> str:
        """The counter of the find bar, e.g. "3/14" ("" with no query)."""
        view = self.view
        if not self._find_query:
            return ""
        return f"{view.find_index + 1}/{len(view.find_hits)}"

    def _step_find(self, step: int) -> None:
        view = self.view
        if not view.find_hits:
            return
        index = (view.find_index + step) % len(view.find_hits)
        view.set_hits(view.find_hits, index, view.highlight_hits)
        self._show_hit(view.find_hits[index])
        self._update_counter()

    def action_find_next(self) -> None:
        """Go to the next hit (wrapping around)."""
        self._step_find(1)

    def action_find_previous(self) -> None:
        """Go to the previous hit (wrapping around)."""
        self._step_find(-1)

    def action_end_find(self) -> None:
        """Close the find bar and clear its hits."""
        self._close_find()
        self.screen.set_focus(self)

    def _close_find(self) -> None:
        bar = self.find_bar
        if not (bar.is_open or self._find_query or self.view.find_hits):
            return  # nothing to close: skip the repaints
        self._find_query = ""
        bar.close()
        bar.set_counter(0, 0, "")
        view = self.view
        if view.find_hits:
            view.set_hits([], -1, view.highlight_hits)
        self.refresh_bindings()

    def _refresh_hits(self) -> None:
        view = self.view
        document = view.document
        if document is not None:
            view.set_hits(
                view.find_hits, view.find_index, find_hits(document, self._highlight_terms)
            )

    # -- links --------------------------------------------------------------------

    def _link_lines(self) -> list[int]:
        view = self.view
        document = view.document
        if document is None or view.text_layout is None:
            return []
        return [view.line_of(link.unit, link.start) for link in document.links]

    def _step_link(self, step: int) -> None:
        view = self.view
        lines = self._link_lines()
        if not lines:
            return
        top = round(view.scroll_y)
        bottom = top + view.scrollable_content_region.height
        current = view.focused_link
        if 0 <= current < len(lines) and top <= lines[current] < bottom:
            index = current + step
        elif step > 0:
            index = next((n for n, y in enumerate(lines) if y >= top), len(lines))
        else:
            index = max((n for n, y in enumerate(lines) if y < bottom), default=-1)
        if not 0 <= index < len(lines):
            return
        view.set_focused_link(index)
        view.ensure_line_visible(lines[index])
        self.refresh_bindings()

    def action_next_link(self) -> None:
        """Focus the next link (the first in view when none is focused)."""
        self._step_link(1)

    def action_previous_link(self) -> None:
        """Focus the previous link."""
        self._step_link(-1)

    def action_open_link(self) -> None:
        """Show the focused link's URL and offer to open it (http and https only)."""
        document = self.view.document
        index = self.view.focused_link
        if document is not None and 0 <= index < len(document.links):
            self.confirm_link(document.links[index])

    @on(PostView.LinkClicked)
    def _link_clicked(self, event: PostView.LinkClicked) -> None:
        event.stop()
        document = self.view.document
        if document is not None and 0 <= event.index < len(document.links):
            self.view.set_focused_link(event.index)
            self.refresh_bindings()
            self.confirm_link(document.links[event.index])

    def confirm_link(self, link: Link) -> None:
        """Show the link's URL; open it only if it is http(s) and the user agrees."""
        url = link.url

        def chosen(result: bool | None) -> None:
            if result and link.safe:
                self.app.open_url(url)
                self.post_message(self.LinkOpened(url))

        self.app.push_screen(OpenLinkScreen(url, link.safe), chosen)

    # -- focus ----------------------------------------------------------------------

    def on_unmount(self) -> None:
        """Stop the settle timer (the screen reads `current_position()` when it needs it)."""
        if self._settle is not None:
            self._settle.stop()
