"""A post laid out for the terminal: the parsed `Document`, and its `Layout` at a width.

`reader.tui.markdown_lines.DocumentBuilder` builds a `Document` from Markdown:
a list of width-independent `Block`s whose text lives in `Unit`s (plain text
plus style spans and links). `layout_blocks` wraps the blocks at one width
into `Line`s: tuples of literal `Content` (prefixes, borders, rules) and
`Piece` references to a slice of a unit. Nothing becomes a `Strip` here; the
view renders only the lines on screen.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple

from rich.cells import cell_len
from textual.content import Content, Span

from reader.text import fold_with_map
from reader.tui.wrap import fold_ranges, wrap_ranges

__all__ = [
    "SAFE_SCHEMES",
    "Block",
    "Document",
    "Layout",
    "Line",
    "Link",
    "Piece",
    "SectionInfo",
    "Unit",
    "layout_blocks",
    "link_scheme",
]

SAFE_SCHEMES = ("http", "https")
"""The only link schemes we ever hand to the browser or emit as OSC 8 hyperlinks."""

# Component class names (styled in PostView.DEFAULT_CSS); spans hold these names.
C = "post-view--"
S_TITLE = C + "title"
S_TAGS = C + "tags"
S_NOTE = C + "note"
S_HEADING = tuple(f"{C}h{n}" for n in range(1, 7))
S_RULE = C + "rule"
S_LINK = C + "link"
S_LINK_TARGET = C + "link-target"
S_CODE_INLINE = C + "code-inline"
S_CODE_BLOCK = C + "code-block"
S_QUOTE = C + "quote"
S_QUOTE_BAR = C + "quote-bar"
S_BULLET = C + "bullet"
S_TABLE_BORDER = C + "table-border"
S_TABLE_HEADER = C + "table-header"
S_HTML = C + "html"
S_FOOTNOTE = C + "footnote"
S_TASK = C + "task"
S_DEF_TERM = C + "def-term"
S_CALLOUT_BAR = C + "callout-bar"
S_CALLOUT_TITLE = C + "callout-title"


def link_scheme(url: str) -> str:
    """The lower-cased scheme of `url` ("" when it has none)."""
    head, sep, _ = url.partition(":")
    if not sep or not head or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", head):
        return ""
    return head.lower()


# -- the document ---------------------------------------------------------------


@dataclass(slots=True)
class Unit:
    """A run of text that wraps as one: a paragraph, a heading, a code block, a table cell."""

    text: str
    spans: list[Span]
    code: bool = False
    """Code keeps its line breaks and spaces and is folded, not word-wrapped."""
    lang: str = ""
    """Language of a fenced code block, for lazy syntax highlighting."""
    highlighted: list[Span] | None = None
    """Syntax spans, computed the first time a line of the unit is rendered."""
    _folded: tuple[str, list[int] | None] | None = None

    def content(self) -> Content:
        """The unit as `Content` (plain text plus spans)."""
        spans = self.spans if self.highlighted is None else [*self.highlighted, *self.spans]
        return Content(self.text, spans, strip_control_codes=False)

    def folded(self) -> tuple[str, list[int] | None]:
        """The unit's text case- and accent-folded, with a map back to offsets (cached)."""
        if self._folded is None:
            self._folded = fold_with_map(self.text)
        return self._folded


class Link(NamedTuple):
    """A link (or image) in the post: its target and where its text is."""

    url: str
    unit: int
    start: int
    end: int
    wiki: bool = False
    """A wikilink (`[[Note#Heading]]`): `url` names a note, not a path."""

    @property
    def safe(self) -> bool:
        """True when the link may be opened in the browser (http/https only)."""
        return not self.wiki and link_scheme(self.url) in SAFE_SCHEMES

    @property
    def to_post(self) -> bool:
        """True when the link may point at another post: a wikilink or a URL with no scheme."""
        return self.wiki or (bool(self.url) and not link_scheme(self.url))


class SectionInfo(NamedTuple):
    """A heading of the post as the reader pane knows it."""

    heading: str
    anchor: str
    level: int
    block: int


@dataclass(slots=True)
class Block:
    """One width-independent piece of the flow."""

    kind: str
    """"text", "heading", "code", "table", "rule" or "gap"."""
    first_prefix: Content
    rest_prefix: Content
    units: list[int] = field(default_factory=list)
    level: int = 0
    """Heading level for headings."""
    rows: list[list[int]] = field(default_factory=list)
    """Table cells (unit indices), row by row."""
    header_rows: int = 0
    aligns: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Document:
    """A parsed post: blocks, their units, links and sections."""

    blocks: list[Block] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    unit_block: list[int] = field(default_factory=list)
    """For each unit, the block holding it."""
    links: list[Link] = field(default_factory=list)
    sections: list[SectionInfo] = field(default_factory=list)
    complete: bool = False
    layouts: dict[int, Layout] = field(default_factory=dict)
    """Layouts by width (a small cache; see `layout_at`)."""

    def layout_at(self, width: int) -> Layout:
        """The document laid out at `width`, extended to every block built so far."""
        layout = self.layouts.get(width)
        if layout is None:
            if len(self.layouts) >= 3:
                self.layouts.pop(next(iter(self.layouts)))
            layout = self.layouts[width] = Layout(width)
        if layout.blocks_done < len(self.blocks):
            layout_blocks(self, layout)
        return layout


class Piece(NamedTuple):
    """A slice of a unit placed on a line, padded to `pad` cells when `pad` > 0."""

    unit: int
    start: int
    end: int
    pad: int = 0
    align: str = "left"
    pad_style: str = ""


Line = tuple["Content | Piece", ...]
"""One rendered line: literal contents and unit slices, left to right."""


@dataclass(slots=True)
class Layout:
    """A document wrapped at one width."""

    width: int
    lines: list[Line] = field(default_factory=list)
    block_starts: list[int] = field(default_factory=list)
    """First line of each block."""
    blocks_done: int = 0

    def line_of_block(self, block: int) -> int:
        """The first line of `block` (the last line when the block is not laid out yet)."""
        if block < len(self.block_starts):
            return self.block_starts[block]
        return max(0, len(self.lines) - 1)

    def block_at(self, y: int) -> int:
        """The block that line `y` belongs to."""
        return max(0, bisect_right(self.block_starts, y) - 1)

    def line_of_offset(self, document: Document, unit: int, offset: int) -> int:
        """The line showing character `offset` of `unit`."""
        block = document.unit_block[unit]
        start = self.line_of_block(block)
        end = (
            self.block_starts[block + 1] if block + 1 < len(self.block_starts) else len(self.lines)
        )
        best = start
        for y in range(start, end):
            for piece in self.lines[y]:
                if isinstance(piece, Piece) and piece.unit == unit:
                    if piece.start <= offset < piece.end or (offset == piece.end == piece.start):
                        return y
                    if piece.start <= offset:
                        best = y
        return best


# -- layout -------------------------------------------------------------------


def layout_blocks(document: Document, layout: Layout) -> None:
    """Extend `layout` with the blocks of `document` not laid out yet."""
    width = max(1, layout.width)
    lines = layout.lines
    units = document.units
    for index in range(layout.blocks_done, len(document.blocks)):
        block = document.blocks[index]
        layout.block_starts.append(len(lines))
        kind = block.kind
        first = block.first_prefix
        rest = block.rest_prefix
        avail = max(1, width - max(first.cell_length, rest.cell_length))
        if kind == "gap":
            lines.append((first,))
        elif kind == "rule":
            lines.append((first, Content.styled("─" * avail, S_RULE)))
        elif kind in ("text", "heading"):
            unit_index = block.units[0]
            ranges = wrap_ranges(units[unit_index].text, avail)
            for n, (start, end) in enumerate(ranges):
                lines.append((first if n == 0 else rest, Piece(unit_index, start, end)))
            if kind == "heading" and block.level in (1, 2):
                if block.level == 1:
                    rule = "═" * avail
                else:
                    longest = max(
                        (cell_len(units[unit_index].text[s:e]) for s, e in ranges), default=1
                    )
                    rule = "─" * min(avail, max(1, longest))
                lines.append((rest, Content.styled(rule, S_HEADING[block.level - 1])))
        elif kind == "code":
            unit_index = block.units[0]
            unit = units[unit_index]
            inner = max(1, avail - 2)
            style = S_CODE_BLOCK if not unit.spans or unit.spans[0].style != S_HTML else ""
            pad = Content.styled(" ", style) if style else Content(" ")
            for n, (start, end) in enumerate(fold_ranges(unit.text, inner)):
                lines.append(
                    (
                        first if n == 0 else rest,
                        pad,
                        Piece(unit_index, start, end, inner + 1, "left", style),
                    )
                )
        elif kind == "table":
            _layout_table(document, block, avail, lines)
        layout.blocks_done = index + 1


def _column_widths(natural: list[int], avail: int) -> list[int]:
    """Share `avail` cells between columns: narrow ones get what they need, wide ones share."""
    count = len(natural)
    if sum(natural) <= avail:
        return natural
    widths = [0] * count
    remaining = max(count, avail)
    pending = sorted(range(count), key=lambda c: natural[c])
    while pending:
        share = max(1, remaining // len(pending))
        column = pending[0]
        if natural[column] <= share:
            widths[column] = natural[column]
            remaining -= natural[column]
            pending.pop(0)
            continue
        for n, column in enumerate(pending):
            extra = 1 if n < remaining - share * len(pending) else 0
            widths[column] = max(1, share + extra)
        break
    return widths


def _layout_table(document: Document, block: Block, avail: int, lines: list[Line]) -> None:
    units = document.units
    columns = max((len(row) for row in block.rows), default=0)
    if not columns:
        return
    natural = [1] * columns
    for row in block.rows:
        for c, unit_index in enumerate(row):
            natural[c] = max(natural[c], cell_len(units[unit_index].text))
    # Borders: "│ " before each column and " │" at the end -> 3 per column + 1.
    widths = _column_widths(natural, max(columns, avail - 3 * columns - 1))
    border = S_TABLE_BORDER
    first, rest = block.first_prefix, block.rest_prefix

    def rule(left: str, middle: str, right: str) -> Content:
        inner = middle.join("─" * (w + 2) for w in widths)
        return Content.styled(f"{left}{inner}{right}", border)

    lines.append((first, rule("┌", "┬", "┐")))
    bar = Content.styled("│", border)
    for r, row in enumerate(block.rows):
        wrapped = [
            wrap_ranges(units[row[c]].text, widths[c]) if c < len(row) else [(0, 0)]
            for c in range(columns)
        ]
        height = max(len(w) for w in wrapped)
        for y in range(height):
            pieces: list[Content | Piece] = [rest]
            for c in range(columns):
                pieces.append(bar)
                pieces.append(Content(" "))
                if c < len(row) and y < len(wrapped[c]):
                    start, end = wrapped[c][y]
                    align = block.aligns[c] if c < len(block.aligns) else "left"
                    pieces.append(Piece(row[c], start, end, widths[c], align))
                else:
                    pieces.append(Content(" " * widths[c]))
                pieces.append(Content(" "))
            pieces.append(bar)
            lines.append(tuple(pieces))
        if r + 1 == block.header_rows and r + 1 < len(block.rows):
            lines.append((rest, rule("├", "┼", "┤")))
    lines.append((rest, rule("└", "┴", "┘")))
