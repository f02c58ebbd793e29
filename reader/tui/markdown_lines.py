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
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.token import Token
from textual.content import Content, Span
from textual.style import Style

from reader.parsing import inline_text, markdown_parser
from reader.text import SlugClaims, clean_text, fold_with_map, slugify
from reader.tui.document import (
    S_BULLET,
    S_CODE_BLOCK,
    S_CODE_INLINE,
    S_HEADING,
    S_HTML,
    S_LINK,
    S_LINK_TARGET,
    S_QUOTE,
    S_QUOTE_BAR,
    S_TABLE_HEADER,
    S_TAGS,
    S_TITLE,
    SAFE_SCHEMES,
    Block,
    Document,
    Layout,
    Line,
    Link,
    Piece,
    SectionInfo,
    Unit,
    layout_blocks,
    link_scheme,
)
from reader.tui.wrap import split_chunks, wrap_ranges

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

_BULLETS = ("•", "◦", "▪", "‣")
_QUOTE_BAR = "▌ "
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


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
