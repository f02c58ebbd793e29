"""How the reader's body is drawn: one laid-out line at a time, when Textual asks for it.

A part of `PostView` (which derives from it), kept apart so the view's
document, layout and positions read on one page. Rendered strips are cached
per line, component styles are resolved once per theme, and fenced code is
highlighted after the first paint (the highlighter is imported in a thread).
"""

from __future__ import annotations

from dataclasses import replace

from rich.segment import Segment
from textual import work
from textual.cache import LRUCache
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style

from reader.tui.document import Document, Layout, Piece
from reader.tui.line_content import Mark, line_content
from reader.tui.syntax import syntax_spans

__all__ = ["RenderPart"]


class RenderPart(ScrollView):
    """Turns lines of the layout into strips: the drawing half of `PostView`."""

    document: Document | None
    _layout: Layout | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._strips: LRUCache[int, Strip] = LRUCache(512)
        self._styles: dict[str, Style] = {}
        self._marks: dict[int, list[Mark]] = {}
        """Hits, highlights and the focused link, by unit (see `line_content.marks_by_unit`)."""
        self._highlight_queue: list[int] = []

    def redraw(self, marks: dict[int, list[Mark]] | None = None) -> None:
        """Forget the drawn strips (and take new `marks`), then repaint."""
        if marks is not None:
            self._marks = marks
        self._strips.clear()
        self.refresh()

    @property
    def wrap_width(self) -> int:
        """The width lines are wrapped at (the content region, less the scrollbar)."""
        return self.scrollable_content_region.width

    def notify_style_update(self) -> None:
        """The theme or CSS changed: forget resolved styles and rendered strips."""
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

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
        line = layout.lines[index]
        for piece in line:
            if isinstance(piece, Piece):
                unit = document.units[piece.unit]
                if unit.code and unit.lang and unit.highlighted is None:
                    self._queue_highlight(piece.unit)
        content = line_content(document, line, self._marks)
        base = self.get_visual_style()
        segments = [
            Segment(text, style.rich_style)
            for text, style in content.render(base, end="", parse_style=self._resolve)
        ]
        strip = Strip(segments, content.cell_length)
        return strip.adjust_cell_length(width, base.rich_style)

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
        self.redraw()

    def on_mount(self) -> None:
        """Warm the highlighter up once the first frame is drawn."""
        # Off the loop and after the first frame: importing the highlighter costs
        # ~30 ms, which the first screen must not wait for. `warm_up` is a worker
        # itself, so it is called here, not handed to `run_worker` (which ran it in
        # a second worker).
        self.call_after_refresh(self.warm_up)

    @work(thread=True, exclusive=True, group="post-view-warm", exit_on_error=False)
    def warm_up(self) -> None:
        """Import the syntax highlighter in the background so first use is quick."""
        syntax_spans("x = 1", "python")
