"""The scrolling body of the reader pane: renders only the lines in view.

`PostView` is a line-API `ScrollView`. It holds a `Document` (see
`reader.tui.markdown_lines`), lays it out at the current width (cached per
width), and turns a line into a `Strip` only when Textual asks for it, keeping
recent strips in a small cache. Find hits, highlighted words and the focused
link are extra spans added at render time, so none of them re-wraps anything.
"""

from __future__ import annotations

from typing import ClassVar

from textual.events import Click, Resize
from textual.geometry import Size
from textual.message import Message

from reader.tui.document import Document, Layout, Piece
from reader.tui.find_state import FindState, Hit
from reader.tui.line_content import marks_by_unit
from reader.tui.opening import Viewport
from reader.tui.widgets.post_render import RenderPart

__all__ = ["PostView"]


class PostView(RenderPart, can_focus=False):
    """Scrolls through a laid-out document. The pane above it owns keys and state."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "post-view--title",
        "post-view--tags",
        "post-view--note",
        "post-view--h1",
        "post-view--h2",
        "post-view--h3",
        "post-view--h4",
        "post-view--h5",
        "post-view--h6",
        "post-view--rule",
        "post-view--link",
        "post-view--link-target",
        "post-view--link-focus",
        "post-view--code-inline",
        "post-view--code-block",
        "post-view--quote",
        "post-view--quote-bar",
        "post-view--bullet",
        "post-view--table-border",
        "post-view--table-header",
        "post-view--html",
        "post-view--footnote",
        "post-view--task",
        "post-view--def-term",
        "post-view--callout-bar",
        "post-view--callout-title",
        "post-view--find-hit",
        "post-view--find-current",
        "post-view--highlight",
        "post-view--syntax-comment",
        "post-view--syntax-string",
        "post-view--syntax-number",
        "post-view--syntax-keyword",
        "post-view--syntax-builtin",
        "post-view--syntax-function",
    }

    DEFAULT_CSS = """
    PostView {
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        & > .post-view--title { color: $text-accent; text-style: bold; }
        & > .post-view--tags { color: $foreground-muted; text-style: italic; }
        /* The ANSI themes draw $text-muted in the default colour: only dim sets it apart. */
        &:ansi > .post-view--tags { text-style: italic dim; }
        & > .post-view--note { color: $text-secondary; text-style: italic; }
        & > .post-view--h1 { color: $text-accent; text-style: bold underline; }
        & > .post-view--h2 { color: $text-accent; text-style: bold; }
        & > .post-view--h3 { color: $text-secondary; text-style: bold; }
        & > .post-view--h4 { color: $text-secondary; text-style: bold italic; }
        & > .post-view--h5 { color: $text-warning; text-style: italic underline; }
        /* Secondary text is dim, never $text-muted (see reader.tui.look.MUTED). */
        & > .post-view--h6 { text-style: italic dim; }
        & > .post-view--rule { text-style: dim; }
        & > .post-view--link { color: $text-primary; text-style: underline; }
        & > .post-view--link-target { text-style: not underline dim; }
        & > .post-view--link-focus { text-style: reverse; }
        & > .post-view--code-inline { color: $text-warning; background: $boost; }
        & > .post-view--code-block { background: $boost; }
        & > .post-view--quote { text-style: italic dim; }
        & > .post-view--quote-bar { color: $primary; }
        & > .post-view--bullet { color: $text-accent; }
        & > .post-view--table-border { text-style: dim; }
        & > .post-view--table-header { text-style: bold; }
        & > .post-view--html { text-style: dim; }
        & > .post-view--footnote { color: $text-accent; }
        & > .post-view--task { color: $text-accent; text-style: bold; }
        & > .post-view--def-term { text-style: bold; }
        & > .post-view--callout-bar { color: $accent; }
        & > .post-view--callout-title { color: $accent; text-style: bold; }
        & > .post-view--find-hit { background: $warning 40%; }
        & > .post-view--find-current { background: $warning; color: $text; text-style: bold; }
        & > .post-view--highlight { background: $accent 35%; }
        & > .post-view--syntax-comment { text-style: italic dim; }
        & > .post-view--syntax-string { color: $text-success; }
        & > .post-view--syntax-number { color: $text-warning; }
        & > .post-view--syntax-keyword { color: $text-accent; text-style: bold; }
        & > .post-view--syntax-builtin { color: $text-secondary; }
        & > .post-view--syntax-function { color: $text-primary; }
    }
    """

    class Moved(Message):
        """The view scrolled to another line (or its document or width changed)."""

    class LinkClicked(Message):
        """A link was clicked; `index` is its place in `Document.links`."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.document: Document | None = None
        self._layout = None
        self.find = FindState()
        """What the find bar found (its hits are drawn, the current one brighter)."""
        self.highlight_hits: list[Hit] = []
        """Hits of the words the post was opened with (from a search)."""
        self.focused_link = -1
        """Index in `Document.links` of the link `enter` opens, or -1."""
        self._last_y = -1

    # -- document and layout --

    def set_document(self, document: Document | None) -> None:
        """Show `document` from its top; hits and the focused link are cleared."""
        self.document = document
        self.find = FindState()
        self.highlight_hits = []
        self.focused_link = -1
        self._layout = None
        self.redraw({})
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._relayout()

    def document_extended(self) -> None:
        """More blocks were appended to the document: extend the layout."""
        self._relayout()

    @property
    def layout_ready(self) -> bool:
        """True once the document has been laid out at a real width."""
        return self._layout is not None

    @property
    def text_layout(self) -> Layout | None:
        """The current layout (None before the view has a width or a document)."""
        return self._layout

    def _relayout(self) -> None:
        width = self.wrap_width
        if self.document is None or width <= 0:
            self._layout = None
            self.virtual_size = Size(0, 0)
            self.refresh()
            return
        before = self._layout
        layout = self.document.layout_at(width)
        if layout is not before or (before is not None and len(before.lines) != self._height()):
            self._strips.clear()
        self._layout = layout
        self.virtual_size = Size(width, len(layout.lines))
        self.refresh()
        self.post_message(self.Moved())

    def _height(self) -> int:
        return self.virtual_size.height

    def on_resize(self, event: Resize) -> None:
        """Re-wrap at the new width, keeping the line at the top in view."""
        if self.document is None:
            return
        anchor = self.top_anchor()
        old = self._layout
        self._relayout()
        if old is not None and self._layout is not old and anchor is not None:
            self.scroll_to(y=self.line_of(*anchor), animate=False, immediate=True)

    # -- positions --

    def top_anchor(self) -> tuple[int, int] | None:
        """The unit and offset shown on the top line (to keep it in view across widths)."""
        layout = self._layout
        if layout is None or not layout.lines:
            return None
        y = min(round(self.scroll_y), len(layout.lines) - 1)
        for piece in layout.lines[y]:
            if isinstance(piece, Piece):
                return piece.unit, piece.start
        block = layout.block_at(y)
        return -1 - block, 0

    def line_of(self, unit: int, offset: int) -> int:
        """The line showing `offset` in `unit` (a negative unit means block -unit-1)."""
        layout = self._layout
        if layout is None or self.document is None:
            return 0
        if unit < 0:
            return layout.line_of_block(-unit - 1)
        return layout.line_of_offset(self.document, unit, offset)

    def section_lines(self) -> list[int]:
        """The line of each section's heading, in section order."""
        layout = self._layout
        if layout is None or self.document is None:
            return []
        return [
            layout.line_of_block(s.block)
            for s in self.document.sections
            if s.block < layout.blocks_done
        ]

    @property
    def viewport(self) -> Viewport:
        """The top line, the height and the furthest top of the view, as plain numbers."""
        return Viewport(
            round(self.scroll_y), self.scrollable_content_region.height, self.max_scroll_y
        )

    @property
    def line_count(self) -> int:
        """Lines in the current layout."""
        return len(self._layout.lines) if self._layout is not None else 0

    @property
    def progress(self) -> int:
        """How far through the post the view is, 0 to 100."""
        last = self.max_scroll_y
        if last <= 0:
            return 100 if self.line_count else 0
        return min(100, round(100 * self.scroll_y / last))

    def scroll_to_line(self, y: int, *, center: bool = False) -> None:
        """Put line `y` at the top of the view (or in the middle when `center`)."""
        if center:
            y -= self.scrollable_content_region.height // 3
        self.scroll_to(y=max(0, y), animate=False, immediate=True)

    def ensure_line_visible(self, y: int) -> None:
        """Scroll just enough to show line `y`, preferring a little context above it."""
        top = round(self.scroll_y)
        height = self.scrollable_content_region.height
        if not top <= y < top + height:
            self.scroll_to_line(y, center=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Tell the pane when the line at the top changes."""
        super().watch_scroll_y(old_value, new_value)
        if round(new_value) != self._last_y:
            self._last_y = round(new_value)
            self.post_message(self.Moved())

    # -- hits and links --

    @property
    def find_hits(self) -> list[Hit]:
        """Hits of the find bar, in reading order."""
        return list(self.find.hits)

    @property
    def find_index(self) -> int:
        """The current find hit, or -1."""
        return self.find.index

    def set_find(self, find: FindState) -> None:
        """Show what the find bar found."""
        self.find = find
        self._mark()

    def set_highlight(self, hits: list[Hit]) -> None:
        """Mark the words the post was opened with."""
        self.highlight_hits = hits
        self._mark()

    def set_focused_link(self, index: int) -> None:
        """Mark the link `enter` would open (-1 for none)."""
        self.focused_link = index
        self._mark()

    def _mark(self) -> None:
        links = self.document.links if self.document is not None else []
        link = links[self.focused_link] if 0 <= self.focused_link < len(links) else None
        self.redraw(marks_by_unit(self.find, self.highlight_hits, link))

    def on_click(self, event: Click) -> None:
        """A click on a link asks the pane to open it."""
        index = event.style.meta.get("reader_link")
        if isinstance(index, int):
            event.stop()
            self.post_message(self.LinkClicked(index))
