"""The markup people write that is not Markdown, turned into Markdown at import.

Raw HTML blocks, Hugo shortcodes, Liquid tags, Zola shortcodes, Obsidian
comments and kramdown attribute lists, outside code, become the Markdown (or
the text) they stand for, so that the body the store keeps, the search index
and the snippets hold what a reader reads. Examples of them inside code stay
exactly as written.

Code is found by markdown-it's block tokens and their line ranges (the same
parser that reads the headings), not by guessing with regexes: fenced and
indented code blocks are left alone line for line, and code spans inside the
other lines are skipped by `reader.templates`. A body with none of `<`, `{`
and `%` is returned as it is, without parsing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from reader.text import clean_text

if TYPE_CHECKING:
    from markdown_it.token import Token
    from markdownify import MarkdownConverter

    from reader.templates import TemplateScanner

__all__ = ["CODE", "HTML", "TEXT", "html_to_markdown", "normalize_markup"]

CODE, TEXT, HTML = 0, 1, 2
"""The kinds of a body's lines: in a code block, in no block of note, in an HTML block."""


# Cheap test for anything to do: an HTML block's start, or a template tag's or
# a comment's opening. Inline HTML (`<kbd>`) is left to the reader's renderer.
_MAY_HAVE_MARKUP = re.compile(
    r"^[ \t]{0,3}<[A-Za-z!/?]|\{\{|\{%|%%|\{:"
    r"|(?:^|[ \t])\^[A-Za-z0-9-]+[ \t]*$|\S\[\[[\w-]+\]\][ \t]*$",
    re.MULTILINE,
)
_MARKUP_NEEDS = ("<", "{", "%%", "^", "[[")
"""A text without any of these cannot match `_MAY_HAVE_MARKUP` (a plain `in` is many times
faster than the search, whose look-behinds and anchors are tried at every character)."""


def _may_have_markup(body: str) -> bool:
    return any(needed in body for needed in _MARKUP_NEEDS) and bool(_MAY_HAVE_MARKUP.search(body))


# The end of a line that only the site's builder reads: an Obsidian block id
# (`… ^8cdfd9`, or a line of its own), and a heading's anchor (`## Title[[id]]`,
# Hugging Face's doc-builder). Only on lines outside code.
_BLOCK_ID = re.compile(r"(?:^|[ \t]+)\^[A-Za-z0-9-]+[ \t]*$")
_HEADING_ANCHOR = re.compile(r"^( {0,3}#{1,6}[ \t].*\S)\[\[[\w-]+\]\][ \t]*$")


def normalize_markup(body: str, tokens: Sequence[Token] | None = None, first_line: int = 0) -> str:
    """`body` (Markdown, no front matter) with its non-Markdown markup made Markdown.

    `tokens`, when given, are the block tokens of a text whose line `first_line`
    is the body's first line (the parse that found the front matter), so the
    body need not be parsed again to find its code.
    """
    if not _may_have_markup(body):
        return body
    # Imported here, not at the top: the reader (which never imports) need not pay
    # for compiling their patterns.
    from reader.template_blocks import boxes, code_blocks
    from reader.templates import TemplateScanner

    lines = body.split("\n")
    kinds, html_blocks = _line_kinds(body, len(lines), tokens, first_line)
    _line_ends(lines, kinds)
    code_blocks(lines, kinds)
    boxes(lines, kinds)
    runs = _runs(kinds, html_blocks)
    # How many `%%` follow each run of text, for an Obsidian comment that spans blocks.
    counts = [0 if kind == CODE else "\n".join(lines[a:b]).count("%%") for kind, a, b in runs]
    after: list[int] = []
    total = 0
    for kind, count in zip(reversed([r[0] for r in runs]), reversed(counts), strict=True):
        if kind != CODE:
            after.append(total)
        total += count
    scanner = TemplateScanner(after[::-1])
    out: list[tuple[bool, str]] = []  # (is code, text), run by run
    for kind, start, end in runs:
        block = lines[start:end]
        if kind == CODE:
            if not scanner.hiding:
                out.append((True, "\n".join(block)))
        elif kind == HTML:
            out.append((False, "\n".join(_html_lines(block, scanner))))
        else:
            out.append((False, scanner.text("\n".join(block))))
    return _join(out)


def _line_ends(lines: list[str], kinds: list[int]) -> None:
    """Drop Obsidian block ids and heading anchors from the ends of lines, in place."""
    for n, line in enumerate(lines):
        if kinds[n] != TEXT or ("^" not in line and not line.rstrip().endswith("]]")):
            continue
        line = _BLOCK_ID.sub("", line)
        lines[n] = _HEADING_ANCHOR.sub(r"\1", line)


def _runs(kinds: list[int], html_blocks: list[int]) -> list[tuple[int, int, int]]:
    """The lines in runs of one kind (each HTML block a run of its own): kind, start, end."""
    runs: list[tuple[int, int, int]] = []
    start = 0
    for n in range(1, len(kinds) + 1):
        if n == len(kinds) or kinds[n] != kinds[start] or html_blocks[n] != html_blocks[start]:
            runs.append((kinds[start], start, n))
            start = n
    return runs


def _join(runs: list[tuple[bool, str]]) -> str:
    """The runs as one text, blank lines outside code (what removed markup left) one at most."""
    lines: list[str] = []
    blank = False
    for code, text in runs:
        if code:
            lines.append(text)
            blank = False
            continue
        for line in text.split("\n"):
            if not line.strip():
                if blank:
                    continue
                line = ""
            blank = not line
            lines.append(line)
    return "\n".join(lines)


_BLOCK_TYPES = frozenset(("fence", "code_block", "math_block", "html_block"))


def _line_kinds(
    body: str, count: int, tokens: Sequence[Token] | None, first_line: int
) -> tuple[list[int], list[int]]:
    """Each line's kind (code, HTML block, other) and, for HTML lines, its block's number."""
    if tokens is None:
        from markdown_it.rules_core import StateCore

        from reader.parsing import markdown_parser

        parser = markdown_parser()
        # Only the block level: code and HTML blocks are blocks, and inline parsing
        # would double the cost of an import for nothing.
        state = StateCore(body, parser, {})
        parser.block.parse(state.src, parser, state.env, state.tokens)
        tokens, first_line = state.tokens, 0
    kinds = [TEXT] * count
    blocks = [-1] * count
    for number, token in enumerate(tokens):
        kind = token.type
        if kind not in _BLOCK_TYPES or token.map is None or token.map[1] <= first_line:
            continue
        start, end = max(0, token.map[0] - first_line), token.map[1] - first_line
        if kind != "html_block":
            kinds[start:end] = [CODE] * (end - start)
        elif token.level == 0:
            # Nested HTML (in a list or a quote) keeps its prefixes: it is left to
            # the reader's renderer, which shows its text without the tags.
            kinds[start:end] = [HTML] * (end - start)
            blocks[start:end] = [number] * (end - start)
    return kinds, blocks


def _html_lines(block: list[str], scanner: TemplateScanner) -> list[str]:
    """An HTML block as Markdown lines, set apart by blank lines; its text is never lost."""
    html = scanner.text("\n".join(block))
    markdown = html_to_markdown(html)
    if not markdown:
        return [""]
    return ["", *markdown.split("\n"), ""]


def html_to_markdown(html: str) -> str:
    """HTML as Markdown (tables as pipe tables, images as image lines), stripped."""
    if "<" not in html:
        return html.strip()
    # Entities the HTML spells (`&#27;`) must not become control characters here.
    text = _escape_hashes(clean_text(_converter().convert(html)))
    # Lines of spaces only are blank lines; trailing ones go.
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n")).strip()


_WORD_HASH = re.compile(r"(?<![\w&\\])#(?=[^\W\d_]|[\w-]*[^\W\d])")
_CODE_SPAN = re.compile(r"(`+).*?\1")


def _escape_hashes(markdown: str) -> str:
    """`#word` in text that was HTML escaped (`\\#word`): HTML holds no Obsidian tags,
    and a `#` at the start of a line is no heading unless it was an `<h1>`."""
    if "#" not in markdown:
        return markdown
    out: list[str] = []
    fence = ""
    for line in markdown.split("\n"):
        stripped = line.lstrip()
        if fence or stripped.startswith(("```", "~~~")):
            if not fence:
                fence = stripped[:3]
            elif stripped.startswith(fence):
                fence = ""
            out.append(line)
            continue
        heading = re.match(r"^#{1,6} ", line)
        head, rest = (line[: heading.end()], line[heading.end() :]) if heading else ("", line)
        rebuilt: list[str] = []
        position = 0
        for match in _CODE_SPAN.finditer(rest):
            rebuilt.append(_WORD_HASH.sub(r"\\#", rest[position : match.start()]))
            rebuilt.append(match.group(0))
            position = match.end()
        rebuilt.append(_WORD_HASH.sub(r"\\#", rest[position:]))
        out.append(head + "".join(rebuilt))
    return "\n".join(out)


@cache
def _converter() -> MarkdownConverter:
    # Imported here: only posts with HTML blocks need it, and the TUI never does.
    from markdownify import MarkdownConverter

    class Converter(MarkdownConverter):
        """markdownify with the tags posts use and it does not know: embeds, details."""

        def convert_iframe(self, el: Any, text: str, parent_tags: set[str]) -> str:
            return _embed_link(el, "embedded page")

        def convert_video(self, el: Any, text: str, parent_tags: set[str]) -> str:
            return _embed_link(el, "video") or text

        def convert_audio(self, el: Any, text: str, parent_tags: set[str]) -> str:
            return _embed_link(el, "audio") or text

        def convert_summary(self, el: Any, text: str, parent_tags: set[str]) -> str:
            text = text.strip()
            return f"\n\n**{text}**\n\n" if text else ""

        def convert_details(self, el: Any, text: str, parent_tags: set[str]) -> str:
            return f"\n\n{text.strip()}\n\n"

        def convert_noscript(self, el: Any, text: str, parent_tags: set[str]) -> str:
            return ""

    return Converter(heading_style="ATX", bullets="-", escape_misc=False, strip_document=None)


def _embed_link(el: Any, label: str) -> str:
    src = str(el.get("src") or "")
    if not src:
        source = el.find("source")
        src = str(source.get("src") or "") if source is not None else ""
    if not src.startswith(("http://", "https://")):
        return ""
    title = " ".join(str(el.get("title") or "").split()) or label
    title = title.replace("[", "(").replace("]", ")")
    return f"\n\n[{title}]({src.replace(' ', '%20')})\n\n"
