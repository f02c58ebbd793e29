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

from reader.parsing import inline_text, markdown_parser
from reader.text import SlugClaims, clean_text, fold_with_map, slugify
from reader.tui.document import (
    S_BULLET,
    S_CALLOUT_BAR,
    S_CALLOUT_TITLE,
    S_CODE_BLOCK,
    S_DEF_TERM,
    S_HEADING,
    S_HTML,
    S_NOTE,
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
from reader.tui.inline_unit import html_text, inline_unit
from reader.tui.look import NOTE_MARK
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
_CALLOUT_BAR = "┃ "
_DEF_INDENT = 4
# `> [!tip] Title`, `> [!note]-` (folded), `>[!tip]`, GitHub's `> [!NOTE]`.
_CALLOUT = re.compile(r"^[ \t]*\[!([A-Za-z][\w-]*)\]([+-]?)[ \t]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(slots=True)
class _Container:
    kind: str
    """"quote", "callout", "bullet", "ordered", "footnote" or "definition"."""
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
        note: str = "",
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
            # The bookmark's note, under them: plain text, on one line, never Markdown.
            note = " ".join(clean_text(note).split())
            if note:
                self._gap = False
                text = f"{NOTE_MARK} {note}"
                self._add_unit_block("text", Unit(text, [Span(0, len(text), S_NOTE)]))

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
            bar = _bar(container)
            if bar is not None:
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
        parts = [_bar(c) or Content(" " * c.width) for c in self._stack]
        return Content.assemble(*parts).rstrip()

    def _in_tight_list(self) -> bool:
        for container in reversed(self._stack):
            if container.kind not in ("quote", "callout"):
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
                if unit.text:  # a callout's title-only first paragraph is all title
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
            elif kind == "front_matter":
                text = f"---\n{token.content.rstrip(chr(10))}\n---"
                self._add_unit_block("code", Unit(text, [Span(0, len(text), S_HTML)], code=True))
            elif kind == "html_block":
                # Never the tags: the text between them (what a browser would show).
                text = html_text(token.content)
                if text:
                    self._add_unit_block("text", Unit(text, []))
            elif kind in ("math_block", "math_block_label"):
                text = f"$$\n{token.content.strip(chr(10))}\n$$"
                self._add_unit_block("code", Unit(text, [Span(0, len(text), S_CODE_BLOCK)], True))
            elif kind == "blockquote_open":
                self._start_block()
                if not self._callout(tokens, i):
                    self._stack.append(_Container("quote", width=len(_QUOTE_BAR)))
            elif kind == "dt_open":
                unit = self._inline(tokens[i + 1], S_DEF_TERM)
                self._add_unit_block("text", unit)
                self._gap = False  # the definitions follow their term at once
                i += 2
            elif kind == "dd_open":
                self._stack.append(_Container("definition", width=_DEF_INDENT))
            elif kind == "footnote_block_open":
                self._start_block()
                first, rest = self._prefixes()
                self._append_block(Block("rule", first, rest))
                self._gap = True
            elif kind == "footnote_open":
                self._start_block()
                marker = f"[{int(token.meta.get('id', 0)) + 1}] "
                self._stack.append(
                    _Container("footnote", marker=marker, first_pending=True, width=len(marker))
                )
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
            elif kind in (
                "blockquote_close",
                "bullet_list_close",
                "ordered_list_close",
                "dd_close",
                "footnote_close",
            ):
                if self._stack:
                    self._stack.pop()
                self._gap = True
            elif kind == "table_open":
                i = self._table(tokens, i)
            i += 1

    def _callout(self, tokens: list[Token], i: int) -> bool:
        """At a quote that is a callout (`> [!tip] Title`): open a titled box, drop the marker."""
        if i + 2 >= len(tokens) or tokens[i + 1].type != "paragraph_open":
            return False
        inline = tokens[i + 2]
        children = inline.children or []
        cut = next(
            (n for n, c in enumerate(children) if c.type in ("softbreak", "hardbreak")),
            len(children),
        )
        head = children[:cut]
        match = _CALLOUT.match(head[0].content) if head and head[0].type == "text" else None
        if match is None:
            return False
        kind = match.group(1)
        label = kind[:1].upper() + kind[1:].lower()
        # The title keeps its inline markup (code, emphasis, links) after the type.
        first = Token("text", "", 0, content=head[0].content[match.end() :])
        title = [first, *head[1:]]
        has_title = "".join(c.content for c in title).strip() or len(title) > 1
        lead = Token("text", "", 0, content=f"{label}: " if has_title else label)
        unit = self._inline(
            Token("inline", "", 0, children=[lead, *title] if has_title else [lead]),
            S_CALLOUT_TITLE,
        )
        unit.text = unit.text.rstrip()
        self._stack.append(_Container("callout", width=len(_CALLOUT_BAR)))
        self._add_unit_block("heading", unit)
        self._gap = False
        # The rest of the first paragraph is the callout's body (may be nothing).
        inline.children = children[cut + 1 :]
        return True

    def _quote_style(self) -> str:
        return S_QUOTE if any(c.kind == "quote" for c in self._stack) else ""

    def _list_item(self, token: Token) -> None:
        container = self._stack[-1] if self._stack else None
        if container is None or container.kind not in ("bullet", "ordered"):
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
        return inline_unit(token, self.document, base)


def _bar(container: _Container) -> Content | None:
    """The bar a quote or a callout draws down its left side (None for lists)."""
    if container.kind == "quote":
        return Content.styled(_QUOTE_BAR, S_QUOTE_BAR)
    if container.kind == "callout":
        return Content.styled(_CALLOUT_BAR, S_CALLOUT_BAR)
    return None


def build_document(
    body: str,
    title: str = "",
    tags: Sequence[str] = (),
    known_sections: Sequence[tuple[str, str]] = (),
    note: str = "",
) -> Document:
    """Parse a whole post body into a complete `Document` (no chunking)."""
    builder = DocumentBuilder(title, tags, known_sections, note)
    builder.feed(body)
    return builder.finish()
