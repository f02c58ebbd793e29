"""The scrolling body of the reader pane: renders only the lines in view.

`PostView` is a line-API `ScrollView`. It holds a `Document` (see
`reader.tui.markdown_lines`), lays it out at the current width (cached per
width), and turns a line into a `Strip` only when Textual asks for it, keeping
recent strips in a small cache. Find hits, highlighted words and the focused
link are extra spans added at render time, so none of them re-wraps anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import ClassVar, NamedTuple

from rich.segment import Segment
from textual import work
from textual.cache import LRUCache
from textual.content import Content, Span
from textual.events import Click, Resize
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style

from reader.tui import markdown_lines as ml
from reader.tui.markdown_lines import Document, Layout, Piece

__all__ = ["Hit", "PostView"]


class Hit(NamedTuple):
    """A match in the post: a slice of one unit."""

    unit: int
    start: int
    end: int


# Pygments token types (by name prefix) to our component classes, most specific first.
_SYNTAX = (
    ("Token.Comment", "post-view--syntax-comment"),
    ("Token.Literal.String", "post-view--syntax-string"),
    ("Token.Literal.Number", "post-view--syntax-number"),
    ("Token.Keyword", "post-view--syntax-keyword"),
    ("Token.Name.Builtin", "post-view--syntax-builtin"),
    ("Token.Name.Function", "post-view--syntax-function"),
    ("Token.Name.Class", "post-view--syntax-function"),
    ("Token.Name.Decorator", "post-view--syntax-builtin"),
    ("Token.Name.Tag", "post-view--syntax-keyword"),
    ("Token.Name.Attribute", "post-view--syntax-builtin"),
    ("Token.Operator.Word", "post-view--syntax-keyword"),
)


def find_hits(document: Document, terms: Iterable[str]) -> list[Hit]:
    """Every occurrence of any of `terms` (already folded) in reading order."""
    needles = [term for term in terms if term]
    if not needles:
        return []
    hits: list[Hit] = []
    for index, unit in enumerate(document.units):
        folded, mapping = unit.folded()
        found: list[tuple[int, int]] = []
        for needle in needles:
            start = folded.find(needle)
            while start >= 0:
                end = start + len(needle)
                found.append((start, end))
                start = folded.find(needle, end)
        if len(needles) > 1:
            found.sort()
        for start, end in found:
            if mapping is not None:
                start, end = mapping[start], mapping[end - 1] + 1
            hits.append(Hit(index, start, end))
    # Table cells are units in row order, which is reading order too.
    return hits


class PostView(ScrollView, can_focus=False):
    """Scrolls through a laid-out document. The pane above it owns keys and state."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "post-view--title",
        "post-view--tags",
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
        & > .post-view--tags { color: $text-muted; text-style: italic; }
        & > .post-view--h1 { color: $text-accent; text-style: bold underline; }
        & > .post-view--h2 { color: $text-accent; text-style: bold; }
        & > .post-view--h3 { color: $text-secondary; text-style: bold; }
        & > .post-view--h4 { color: $text-secondary; text-style: bold italic; }
        & > .post-view--h5 { color: $text-warning; text-style: italic underline; }
        & > .post-view--h6 { color: $text-muted; text-style: italic; }
        & > .post-view--rule { color: $text-muted; }
        & > .post-view--link { color: $text-primary; text-style: underline; }
        & > .post-view--link-target { color: $text-muted; text-style: not underline; }
        & > .post-view--link-focus { text-style: reverse; }
        & > .post-view--code-inline { color: $text-warning; background: $boost; }
        & > .post-view--code-block { background: $boost; }
        & > .post-view--quote { color: $text-muted; text-style: italic; }
        & > .post-view--quote-bar { color: $primary; }
        & > .post-view--bullet { color: $text-accent; }
        & > .post-view--table-border { color: $text-muted; }
        & > .post-view--table-header { text-style: bold; }
        & > .post-view--html { color: $text-muted; }
        & > .post-view--find-hit { background: $warning 40%; }
        & > .post-view--find-current { background: $warning; color: $text; text-style: bold; }
        & > .post-view--highlight { background: $accent 35%; }
        & > .post-view--syntax-comment { color: $text-muted; text-style: italic; }
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
        self._layout: Layout | None = None
        self._strips: LRUCache[int, Strip] = LRUCache(512)
        self._styles: dict[str, Style] = {}
        self.find_hits: list[Hit] = []
        """Hits of the find bar, in reading order."""
        self.find_index = -1
        """The current find hit, or -1."""
        self.highlight_hits: list[Hit] = []
        """Hits of the words the post was opened with (from a search)."""
        self.focused_link = -1
        """Index in `Document.links` of the link `enter` opens, or -1."""
        self._hits_by_unit: dict[int, list[tuple[int, int, str]]] = {}
        self._last_y = -1
        self._highlight_queue: list[int] = []

    # -- document and layout --

    def set_document(self, document: Document | None) -> None:
        """Show `document` from its top; hits and the focused link are cleared."""
        self.document = document
        self.find_hits = []
        self.find_index = -1
        self.highlight_hits = []
        self.focused_link = -1
        self._hits_by_unit = {}
        self._layout = None
        self._strips.clear()
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._relayout()

    def document_extended(self) -> None:
        """More blocks were appended to the document: extend the layout."""
        self._relayout()

    @property
    def wrap_width(self) -> int:
        """The width lines are wrapped at (the content region, less the scrollbar)."""
        return self.scrollable_content_region.width

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

    def notify_style_update(self) -> None:
        """The theme or CSS changed: forget resolved styles and rendered strips."""
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

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

    def set_hits(self, find_hits: list[Hit], find_index: int, highlight: list[Hit]) -> None:
        """Replace the find hits, the current hit and the highlighted words."""
        self.find_hits = find_hits
        self.find_index = find_index
        self.highlight_hits = highlight
        self._index_hits()

    def set_focused_link(self, index: int) -> None:
        """Mark the link `enter` would open (-1 for none)."""
        self.focused_link = index
        self._index_hits()

    def _index_hits(self) -> None:
        by_unit: dict[int, list[tuple[int, int, str]]] = {}
        for hit in self.highlight_hits:
            by_unit.setdefault(hit.unit, []).append((hit.start, hit.end, "post-view--highlight"))
        for n, hit in enumerate(self.find_hits):
            style = "post-view--find-current" if n == self.find_index else "post-view--find-hit"
            by_unit.setdefault(hit.unit, []).append((hit.start, hit.end, style))
        if self.document is not None and 0 <= self.focused_link < len(self.document.links):
            link = self.document.links[self.focused_link]
            by_unit.setdefault(link.unit, []).append(
                (link.start, link.end, "post-view--link-focus")
            )
        self._hits_by_unit = by_unit
        self._strips.clear()
        self.refresh()

    def on_click(self, event: Click) -> None:
        """A click on a link asks the pane to open it."""
        index = event.style.meta.get("reader_link")
        if isinstance(index, int):
            event.stop()
            self.post_message(self.LinkClicked(index))

    # -- rendering --

    def _resolve(self, name: str | Style) -> Style:
        """Our style names: component classes, or Rich words such as "bold"."""
        if isinstance(name, Style):
            return name
        style = self._styles.get(name)
        if style is None:
            if name.startswith("post-view--"):
                style = self._component_style(name)
            else:
                style = Style.parse(name)
            self._styles[name] = style
        return style

    def _component_style(self, name: str) -> Style:
        """A component class's style, to lay over the text as a span.

        Textual's partial style keeps neither `reverse` nor an opaque
        background (it blends the background over nothing, so the current find
        hit drew dark on dark and the focused link looked like any other).
        Both come from the component's own rules: the background composited
        over the view's, as the text under the span is.
        """
        style = self.get_visual_style(name, partial=True)
        rules = self.get_component_styles(name)
        if rules.has_rule("background"):
            style = replace(style, background=self.get_visual_style(name).background)
        if rules.text_style.reverse:
            style = replace(style, reverse=True)
        return style

    def render_line(self, y: int) -> Strip:
        """Render line `y` of the view (only lines on screen are ever asked for)."""
        width = self.scrollable_content_region.width
        index = y + round(self.scroll_y)
        layout = self._layout
        if layout is None or not 0 <= index < len(layout.lines):
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get(index)
        if strip is None or strip.cell_length != width:
            strip = self._render_layout_line(layout, index, width)
            self._strips[index] = strip
        return strip

    def line_strip(self, index: int) -> Strip:
        """Line `index` of the whole post (not just the screen) as a `Strip`."""
        layout = self._layout
        width = self.wrap_width
        if layout is None or not 0 <= index < len(layout.lines):
            return Strip.blank(width)
        return self._render_layout_line(layout, index, width)

    def line_text(self, index: int) -> str:
        """Plain text of line `index` of the post, trailing spaces removed."""
        return self.line_strip(index).text.rstrip()

    def _render_layout_line(self, layout: Layout, index: int, width: int) -> Strip:
        document = self.document
        assert document is not None
        base = self.get_visual_style()
        parts: list[Content] = []
        for piece in layout.lines[index]:
            if isinstance(piece, Content):
                parts.append(piece)
            else:
                parts.append(self._piece_content(document, piece))
        content = Content.assemble(*parts, strip_control_codes=False)
        segments = [
            Segment(text, style.rich_style)
            for text, style in content.render(base, end="", parse_style=self._resolve)
        ]
        strip = Strip(segments, content.cell_length)
        return strip.adjust_cell_length(width, base.rich_style)

    def _piece_content(self, document: Document, piece: Piece) -> Content:
        unit = document.units[piece.unit]
        if unit.code and unit.lang and unit.highlighted is None:
            self._queue_highlight(piece.unit)
        start, end = piece.start, piece.end
        spans = [
            Span(max(s.start, start) - start, min(s.end, end) - start, s.style)
            for s in _unit_spans(unit)
            if s.end > start and s.start < end
        ]
        for hit_start, hit_end, style in self._hits_by_unit.get(piece.unit, ()):
            if hit_end > start and hit_start < end:
                spans.append(Span(max(hit_start, start) - start, min(hit_end, end) - start, style))
        content = Content(unit.text[start:end], spans, strip_control_codes=False)
        if piece.pad:
            room = piece.pad - content.cell_length
            if room > 0:
                fill = piece.pad_style or ""
                if piece.align == "right":
                    content = Content.blank(room, fill or None) + content
                elif piece.align == "center":
                    left = room // 2
                    content = Content.assemble(
                        Content.blank(left, fill or None),
                        content,
                        Content.blank(room - left, fill or None),
                    )
                else:
                    content = content + Content.blank(room, fill or None)
        return content

    # -- syntax highlighting (lazy, after the first paint) --

    def _queue_highlight(self, unit: int) -> None:
        if unit not in self._highlight_queue:
            self._highlight_queue.append(unit)
            if len(self._highlight_queue) == 1:
                self.call_after_refresh(self._run_highlight)

    def _run_highlight(self) -> None:
        queue, self._highlight_queue = self._highlight_queue, []
        document = self.document
        if document is None:
            return
        for index in queue:
            if index < len(document.units):
                unit = document.units[index]
                if unit.highlighted is None:
                    unit.highlighted = syntax_spans(unit.text, unit.lang)
        self._strips.clear()
        self.refresh()

    @work(thread=True, exclusive=True, group="post-view-warm", exit_on_error=False)
    def warm_up(self) -> None:
        """Import the syntax highlighter in the background so first use is quick."""
        syntax_spans("x = 1", "python")


def _unit_spans(unit: ml.Unit) -> list[Span]:
    if unit.highlighted:
        return [*unit.highlighted, *unit.spans]
    return unit.spans


def syntax_spans(code: str, lang: str) -> list[Span]:
    """Syntax-highlighting spans for `code` in `lang` (empty when the language is unknown)."""
    try:
        from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]
        from pygments.util import ClassNotFound  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - pygments ships with Rich
        return []
    try:
        lexer = get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return []
    spans: list[Span] = []
    position = 0
    for token_type, value in lexer.get_tokens(code):
        end = position + len(value)
        name = str(token_type)
        for prefix, style in _SYNTAX:
            if name.startswith(prefix):
                if value.strip():
                    spans.append(Span(position, end, style))
                break
        position = end
    if position != len(code):  # the lexer changed the text; don't risk misplaced spans
        return []
    return spans
