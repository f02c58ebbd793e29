"""Turn a post's Markdown into styled terminal lines, fast.

Two stages, so a resize never re-parses:

1. `DocumentBuilder` walks markdown-it-py tokens into a width-independent
   `Document`: a list of `Block`s (paragraph, heading, code, table, rule, gap)
   whose text lives in `Unit`s (plain text plus style spans and links).
2. `layout_blocks` wraps the blocks at one width into `Line`s. A line is a
   tuple of pieces: literal `Content` (prefixes, borders, rules) and `Piece`
   references to a slice of a unit. Nothing is turned into a `Strip` here:
   the view renders only the lines on screen.

The builder can be fed the source in chunks (`split_chunks`), so a huge post
shows its first screen at once while the rest is parsed between frames.

Post text is data: it only ever becomes the *text* of a `Content`, never
markup. Style names in spans are our own constants (`post-view--*` component
classes or Rich style words), and links carry `Style` objects built in code.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from markdown_it.token import Token
from rich.cells import cell_len
from textual.content import Content, Span
from textual.style import Style

from reader.parsing import inline_text, markdown_parser
from reader.text import SlugClaims, clean_text, slugify

__all__ = [
    "SAFE_SCHEMES",
    "Block",
    "Document",
    "DocumentBuilder",
    "Layout",
    "Line",
    "Link",
    "Piece",
    "SectionInfo",
    "Unit",
    "build_document",
    "fold_with_map",
    "layout_blocks",
    "link_scheme",
    "split_chunks",
    "wrap_ranges",
]

SAFE_SCHEMES = ("http", "https")
"""The only link schemes we ever hand to the browser or emit as OSC 8 hyperlinks."""

# Component class names (styled in PostView.DEFAULT_CSS); spans hold these names.
C = "post-view--"
S_TITLE = C + "title"
S_TAGS = C + "tags"
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

_BULLETS = ("•", "◦", "▪", "‣")
_QUOTE_BAR = "▌ "
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LIST_MARKER = re.compile(r"^(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:", re.MULTILINE)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def link_scheme(url: str) -> str:
    """The lower-cased scheme of `url` ("" when it has none)."""
    head, sep, _ = url.partition(":")
    if not sep or not head or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", head):
        return ""
    return head.lower()


# -- data ---------------------------------------------------------------------


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

    @property
    def safe(self) -> bool:
        """True when the link may be opened in the browser (http/https only)."""
        return link_scheme(self.url) in SAFE_SCHEMES


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


# -- text helpers -------------------------------------------------------------


def fold_with_map(text: str) -> tuple[str, list[int] | None]:
    """Fold `text` like `reader.text.fold`, keeping a map from folded to original offsets.

    The map is None when folding kept every offset (pure ASCII text).
    """
    if text.isascii():
        return text.lower(), None
    out: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        if char.isascii():
            out.append(char.lower())
            index.append(position)
            continue
        folded = _fold_char(char)
        out.append(folded)
        index.extend([position] * len(folded))
    index.append(len(text))
    return "".join(out), index


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=64)
def _wrap_pattern(width: int) -> re.Pattern[str]:
    # Greedy: a run of at most `width` chars that starts and ends on a non-space and
    # is followed by a space or the end; else a word longer than the line, cut.
    if width == 1:
        return re.compile(r"[^ ]")
    return re.compile(rf"[^ ](?:.{{0,{width - 2}}}[^ ])?(?= |$)|[^ ]{{{width}}}")


def wrap_ranges(text: str, width: int) -> list[tuple[int, int]]:
    """Word-wrap `text` at `width` cells: `(start, end)` offsets of each line.

    Newlines force a break; spaces at a break are dropped; words longer than a
    line are cut. ASCII text takes a regex fast path; other text is measured in cells.
    """
    width = max(1, width)
    ranges: list[tuple[int, int]] = []
    base = 0
    for segment in text.split("\n"):
        if not segment.strip(" "):
            ranges.append((base, base))
        elif segment.isascii():
            if len(segment) <= width:
                start = len(segment) - len(segment.lstrip(" "))
                ranges.append((base + start, base + len(segment.rstrip(" "))))
            else:
                for match in _wrap_pattern(width).finditer(segment):
                    ranges.append((base + match.start(), base + match.end()))
        else:
            ranges.extend(_wrap_cells(segment, width, base))
        base += len(segment) + 1
    return ranges


_WORD = re.compile(r"[^ ]+")


def _wrap_cells(segment: str, width: int, base: int) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    line_start = -1
    line_end = 0
    used = 0
    for match in _WORD.finditer(segment):
        word_start, word_end = match.span()
        cells = cell_len(match.group())
        gap = word_start - line_end if line_start >= 0 else 0
        if line_start >= 0 and used + gap + cells <= width:
            used += gap + cells
            line_end = word_end
            continue
        if line_start >= 0:
            ranges.append((base + line_start, base + line_end))
        if cells <= width:
            line_start, line_end, used = word_start, word_end, cells
            continue
        # A word wider than the line: cut it into pieces of at most `width` cells.
        for start, end in _fold_cells(segment, word_start, word_end, width):
            ranges.append((base + start, base + end))
        line_start = -1
        line_end = word_end
        used = 0
    if line_start >= 0:
        ranges.append((base + line_start, base + line_end))
    return ranges


def _fold_cells(text: str, start: int, end: int, width: int) -> Iterator[tuple[int, int]]:
    """Cut text[start:end] into pieces of at most `width` cells (at least one char each)."""
    piece_start = start
    used = 0
    for position in range(start, end):
        cells = cell_len(text[position])
        if used + cells > width and position > piece_start:
            yield piece_start, position
            piece_start, used = position, 0
        used += cells
    if piece_start < end:
        yield piece_start, end


def _fold_ranges(text: str, width: int) -> list[tuple[int, int]]:
    """Cut code into lines at newlines, and lines wider than `width` at `width` cells."""
    width = max(1, width)
    ranges: list[tuple[int, int]] = []
    base = 0
    for segment in text.split("\n"):
        if not segment:
            ranges.append((base, base))
        elif segment.isascii():
            for start in range(0, len(segment), width):
                ranges.append((base + start, base + min(len(segment), start + width)))
        else:
            ranges.extend(_fold_cells(text, base, base + len(segment), width))
        base += len(segment) + 1
    return ranges


# -- chunking -----------------------------------------------------------------


def split_chunks(text: str, size: int = 16_000, first: int = 4_000) -> list[str]:
    """Cut Markdown into pieces that parse the same alone as together.

    Cuts only at a blank line followed by an unindented line that is not a list
    item, outside fenced code, so no block straddles a cut. Documents with
    reference-style link definitions are not cut (a definition may follow its use).
    """
    if len(text) <= first or _REF_DEFINITION.search(text):
        return [text]
    lines = text.split("\n")
    chunks: list[str] = []
    start = 0
    size_so_far = 0
    target = first
    fence = ""
    for i, line in enumerate(lines):
        size_so_far += len(line) + 1
        match = _FENCE.match(line)
        if fence:
            closing = match.group(1) if match else ""
            if closing[:1] == fence[0] and len(closing) >= len(fence) and not line.strip(" `~"):
                fence = ""
            continue
        if match:
            fence = match.group(1)
            continue
        if size_so_far < target or line.strip() or i + 1 >= len(lines):
            continue
        following = lines[i + 1]
        if not following or following[0] in " \t>|<" or _LIST_MARKER.match(following):
            continue
        chunks.append("\n".join(lines[start : i + 1]))
        start = i + 1
        size_so_far = 0
        target = size
    chunks.append("\n".join(lines[start:]))
    return [chunk for chunk in chunks if chunk]


# -- building -----------------------------------------------------------------


@dataclass(slots=True)
class _Container:
    kind: str
    """"quote", "bullet" or "ordered"."""
    tight: bool = False
    number: int = 1
    marker: str = ""
    first_pending: bool = False
    """A list item whose marker is not shown yet."""
    width: int = 0


class DocumentBuilder:
    """Builds a `Document` from Markdown, all at once or chunk by chunk."""

    def __init__(
        self,
        title: str = "",
        tags: Sequence[str] = (),
        known_sections: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.document = Document()
        self._known = list(known_sections)
        self._anchors = SlugClaims()
        self._stack: list[_Container] = []
        self._gap = False
        if title:
            title = clean_text(title)
            self._add_unit_block("heading", Unit(title, [Span(0, len(title), S_TITLE)]))
            if tags:
                self._gap = False
                text = clean_text("  ".join(f"#{tag}" for tag in tags))
                self._add_unit_block("text", Unit(text, [Span(0, len(text), S_TAGS)]))

    # The title block is a heading of level 0: no underline, no section.

    def feed(self, markdown: str) -> None:
        """Parse one chunk (see `split_chunks`) and append its blocks."""
        tokens = markdown_parser().parse(clean_text(markdown))
        self._walk(tokens)

    def finish(self) -> Document:
        """Mark the document complete and return it."""
        self.document.complete = True
        return self.document

    # -- prefixes --

    def _prefixes(self) -> tuple[Content, Content]:
        first: list[Content] = []
        rest: list[Content] = []
        for container in self._stack:
            if container.kind == "quote":
                bar = Content.styled(_QUOTE_BAR, S_QUOTE_BAR)
                first.append(bar)
                rest.append(bar)
            else:
                blank = Content(" " * container.width)
                if container.first_pending:
                    first.append(Content.styled(container.marker, S_BULLET))
                    container.first_pending = False
                else:
                    first.append(blank)
                rest.append(blank)
        return Content.assemble(*first), Content.assemble(*rest)

    def _gap_prefix(self) -> Content:
        """The prefix of a blank line: the quote bars of the enclosing quotes."""
        parts = [
            Content.styled(_QUOTE_BAR, S_QUOTE_BAR) if c.kind == "quote" else Content(" " * c.width)
            for c in self._stack
        ]
        return Content.assemble(*parts).rstrip()

    def _in_tight_list(self) -> bool:
        for container in reversed(self._stack):
            if container.kind != "quote":
                return container.tight
        return False

    def _start_block(self) -> None:
        if self._gap and self.document.blocks and not self._in_tight_list():
            prefix = self._gap_prefix()
            self._append_block(Block("gap", prefix, prefix))
        self._gap = False

    def _append_block(self, block: Block) -> int:
        self.document.blocks.append(block)
        return len(self.document.blocks) - 1

    def _add_unit(self, unit: Unit) -> int:
        document = self.document
        document.units.append(unit)
        document.unit_block.append(len(document.blocks))
        return len(document.units) - 1

    def _add_unit_block(self, kind: str, unit: Unit, level: int = 0) -> int:
        self._start_block()
        first, rest = self._prefixes()
        index = self._add_unit(unit)
        block = self._append_block(Block(kind, first, rest, [index], level=level))
        self._gap = True
        return block

    # -- token walk --

    def _walk(self, tokens: list[Token]) -> None:
        i = 0
        count = len(tokens)
        while i < count:
            token = tokens[i]
            kind = token.type
            if kind == "paragraph_open":
                i += 1
                unit = self._inline(tokens[i], self._quote_style())
                self._add_unit_block("text", unit)
                i += 1  # paragraph_close
            elif kind == "heading_open":
                level = int(token.tag[1])
                inline = tokens[i + 1]
                unit = self._inline(inline, S_HEADING[level - 1])
                block = self._add_unit_block("heading", unit, level)
                self._add_section(inline_text(inline).strip(), level, block)
                i += 2
            elif kind in ("fence", "code_block"):
                self._code(token)
            elif kind == "hr":
                self._start_block()
                first, rest = self._prefixes()
                self._append_block(Block("rule", first, rest))
                self._gap = True
            elif kind in ("html_block", "front_matter"):
                text = token.content.rstrip("\n")
                if kind == "front_matter":
                    text = f"---\n{text}\n---"
                self._add_unit_block("code", Unit(text, [Span(0, len(text), S_HTML)], code=True))
            elif kind == "blockquote_open":
                self._start_block()
                self._stack.append(_Container("quote", width=len(_QUOTE_BAR)))
            elif kind in ("bullet_list_open", "ordered_list_open"):
                if not self._in_tight_list():
                    self._start_block()
                tight = bool(i + 2 < count and tokens[i + 2].hidden)
                start = int(token.attrGet("start") or 1)
                ordered = kind == "ordered_list_open"
                self._stack.append(
                    _Container("ordered" if ordered else "bullet", tight=tight, number=start)
                )
            elif kind == "list_item_open":
                self._list_item(token)
            elif kind in ("blockquote_close", "bullet_list_close", "ordered_list_close"):
                if self._stack:
                    self._stack.pop()
                self._gap = True
            elif kind == "table_open":
                i = self._table(tokens, i)
            i += 1

    def _quote_style(self) -> str:
        return S_QUOTE if any(c.kind == "quote" for c in self._stack) else ""

    def _list_item(self, token: Token) -> None:
        container = self._stack[-1] if self._stack else None
        if container is None or container.kind == "quote":
            return
        if container.kind == "ordered":
            marker = f"{container.number}{token.markup or '.'} "
            container.number += 1
        else:
            depth = sum(1 for c in self._stack if c.kind == "bullet") - 1
            marker = f"{_BULLETS[depth % len(_BULLETS)]} "
        container.marker = marker
        container.width = max(len(marker), 2)
        container.marker = marker.ljust(container.width)
        container.first_pending = True

    def _add_section(self, heading: str, level: int, block: int) -> None:
        index = len(self.document.sections)
        anchor = ""
        if index < len(self._known) and self._known[index][0] == heading:
            anchor = self._known[index][1]
        if not anchor or anchor in self._anchors:
            # Linear in the number of headings, however many repeat.
            anchor = self._anchors.claim(slugify(heading, "section"))
        else:
            self._anchors.taken.add(anchor)
        self.document.sections.append(SectionInfo(heading, anchor, level, block))

    def _code(self, token: Token) -> None:
        text = token.content.rstrip("\n").expandtabs(4)
        lang = token.info.strip().split(" ")[0] if token.type == "fence" else ""
        spans = [Span(0, len(text), S_CODE_BLOCK)] if text else []
        self._add_unit_block("code", Unit(text, spans, code=True, lang=lang))

    def _table(self, tokens: list[Token], i: int) -> int:
        self._start_block()
        first, rest = self._prefixes()
        block = Block("table", first, rest)
        block_index = len(self.document.blocks)
        row: list[int] = []
        in_head = False
        while i < len(tokens) and tokens[i].type != "table_close":
            token = tokens[i]
            kind = token.type
            if kind == "thead_open":
                in_head = True
            elif kind == "thead_close":
                in_head = False
            elif kind == "tr_open":
                row = []
            elif kind == "tr_close":
                block.rows.append(row)
                if in_head:
                    block.header_rows += 1
            elif kind in ("th_open", "td_open"):
                style = str(token.attrGet("style") or "")
                align = style.partition(":")[2] or "left"
                if len(block.rows) == 0:
                    block.aligns.append(align)
                unit = self._inline(tokens[i + 1], S_TABLE_HEADER if in_head else "")
                unit.text = unit.text.replace("\n", " ")
                self.document.units.append(unit)
                self.document.unit_block.append(block_index)
                row.append(len(self.document.units) - 1)
                i += 1
            i += 1
        self._append_block(block)
        self._gap = True
        return i

    def _inline(self, token: Token, base: str = "") -> Unit:
        """Turn an inline token into a unit: text, style spans, links."""
        parts: list[str] = []
        spans: list[Span | None] = []
        open_spans: list[tuple[int, int, str]] = []  # (span slot, start, style)
        link_stack: list[tuple[int, str, int]] = []  # (span slot, url, start)
        position = 0
        unit_index = len(self.document.units)

        def add(text: str, style: str = "") -> None:
            nonlocal position
            if not text:
                return
            parts.append(text)
            if style:
                spans.append(Span(position, position + len(text), style))
            position += len(text)

        for child in token.children or ():
            kind = child.type
            if kind == "text":
                add(child.content.replace("\t", " "))
            elif kind == "softbreak":
                add(" ")
            elif kind == "hardbreak":
                add("\n")
            elif kind == "code_inline":
                add(child.content.replace("\n", " "), S_CODE_INLINE)
            elif kind in _EMPHASIS:
                spans.append(None)
                open_spans.append((len(spans) - 1, position, _EMPHASIS[kind]))
            elif kind in ("em_close", "strong_close", "s_close") and open_spans:
                slot, start, style = open_spans.pop()
                if position > start:
                    spans[slot] = Span(start, position, style)
            elif kind == "link_open":
                spans.append(None)
                link_stack.append((len(spans) - 1, str(child.attrGet("href") or ""), position))
            elif kind == "link_close" and link_stack:
                slot, url, start = link_stack.pop()
                label = "".join(parts)[start:position]
                if url and label not in (url, url.removeprefix("mailto:")):
                    add(" ")
                    add(f"<{url}>", S_LINK_TARGET)
                if position > start:
                    spans[slot] = Span(start, position, S_LINK)
                    spans.append(
                        Span(start, position, self._link(url, unit_index, start, position))
                    )
            elif kind == "image":
                url = str(child.attrGet("src") or "")
                alt = inline_text(child).strip() or child.content
                start = position
                add(f"[image: {alt}]" if alt else "[image]", S_LINK)
                if url:
                    add(" ")
                    add(f"<{url}>", S_LINK_TARGET)
                    spans.append(
                        Span(start, position, self._link(url, unit_index, start, position))
                    )
            elif kind == "html_inline":
                add(child.content, S_HTML)
            elif child.content:
                add(child.content)
        text = "".join(parts)
        final = [span for span in spans if span is not None]
        if base and text:
            final.insert(0, Span(0, len(text), base))
        return Unit(text, final)

    def _link(self, url: str, unit: int, start: int, end: int) -> Style:
        """Record a link; return the style that marks its text (OSC 8 only for http/https)."""
        links = self.document.links
        links.append(Link(url, unit, start, end))
        target = url if link_scheme(url) in SAFE_SCHEMES else None
        return Style(link=target) + Style.from_meta({"reader_link": len(links) - 1})


_EMPHASIS = {"em_open": "italic", "strong_open": "bold", "s_open": "strike"}


def build_document(
    body: str,
    title: str = "",
    tags: Sequence[str] = (),
    known_sections: Sequence[tuple[str, str]] = (),
) -> Document:
    """Parse a whole post body into a complete `Document` (no chunking)."""
    builder = DocumentBuilder(title, tags, known_sections)
    builder.feed(body)
    return builder.finish()


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
            for n, (start, end) in enumerate(_fold_ranges(unit.text, inner)):
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
