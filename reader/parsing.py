"""Turn a Markdown document (with optional YAML front matter) into post fields.

Sections come from markdown-it-py's heading tokens, never from regexes over
the text, so headings inside code blocks or block quotes are not mistaken for
sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from reader.markdown_plugins import use_plugins
from reader.markup import normalize_markup
from reader.models import Section
from reader.text import SlugClaims, clean_text, slugify, word_count

__all__ = ["ParseError", "ParsedPost", "markdown_parser", "parse_markdown", "section_tokens"]


class ParseError(ValueError):
    """A document could not be parsed. Carries the 1-based line when known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True, slots=True)
class ParsedPost:
    """The fields of a post read from one Markdown document."""

    title: str
    body: str
    tags: tuple[str, ...]
    sections: tuple[Section, ...]
    words: int
    slug: str | None = None
    """The slug asked for in front matter, if any."""
    date: str | None = None
    updated: str | None = None
    authors: tuple[str, ...] = ()
    summary: str = ""
    draft: bool = False
    lang: str = ""
    url: str = ""
    aliases: tuple[str, ...] = ()


@cache
def markdown_parser() -> MarkdownIt:
    """The shared markdown-it-py parser: CommonMark plus tables, strikethrough, front matter."""
    return use_plugins(
        MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin)
    )


def inline_text(token: Token) -> str:
    """Plain text of an inline token, without emphasis or link markup."""
    if not token.children:
        return token.content
    parts: list[str] = []
    for child in token.children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def section_tokens(tokens: list[Token]) -> list[tuple[int, str, int]]:
    """Return `(level, text, line)` for every heading token, in order."""
    found: list[tuple[int, str, int]] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens):
            line = token.map[0] if token.map else 0
            found.append((int(token.tag[1]), inline_text(tokens[i + 1]).strip(), line))
    return found


def _front_matter(token: Token) -> dict[str, Any]:
    import yaml  # here, not at the top: the TUI renders posts without reading YAML

    try:
        data = yaml.safe_load(token.content)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        # +2: the mark is 0-based and the opening `---` is line 1.
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ParseError(f"bad front matter: {problem}", line) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParseError("bad front matter: expected key: value pairs", 2)
    return data


def _tags(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ParseError("bad front matter: tags must be a list or a comma-separated string", 2)
    tags: list[str] = []
    for item in items:
        tag = clean_text(str(item)).strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


def parse_markdown(text: str, default_title: str = "Untitled") -> ParsedPost:
    """Parse one Markdown document into post fields.

    The title is the front matter's `title`, else a leading `#` heading (which
    is then dropped from the body so it is not shown twice), else
    `default_title`.
    """
    text = clean_text(text)
    if not text.strip():
        raise ParseError("empty file")
    tokens = markdown_parser().parse(text)
    meta: dict[str, Any] = {}
    body_start = 0
    if tokens and tokens[0].type == "front_matter":
        meta = _front_matter(tokens[0])
        body_start = tokens[0].map[1] if tokens[0].map else 0
    lines = text.split("\n")
    headings = [(lvl, txt, line - body_start) for lvl, txt, line in section_tokens(tokens)]
    # The front matter is read; the rest is the body, with its non-Markdown markup
    # (HTML blocks, shortcodes, Liquid) made Markdown before headings are read.
    body_text = "\n".join(lines[body_start:])
    normalized = normalize_markup(body_text, tokens, body_start)
    if normalized != body_text:
        lines = normalized.split("\n")
        body_start = 0
        headings = section_tokens(markdown_parser().parse(normalized))

    title = clean_text(str(meta.get("title") or "")).strip()
    if not title and headings and headings[0][0] == 1:
        level, title, line = headings.pop(0)
        del lines[body_start + line]
        headings = [(lvl, txt, ln - 1 if ln > line else ln) for lvl, txt, ln in headings]
    body_lines = lines[body_start:]
    # Blank lines after the front matter are dropped, so section lines shift up.
    leading_blank = next((i for i, text in enumerate(body_lines) if text), len(body_lines))
    body = "\n".join(body_lines[leading_blank:]).rstrip("\n") + "\n"
    anchors = SlugClaims()
    sections: list[Section] = []
    for level, heading, line in headings:
        anchor = anchors.claim(slugify(heading, "section"))
        sections.append(Section(heading, anchor, level, max(0, line - leading_blank)))

    slug = meta.get("slug")
    return ParsedPost(
        title=title or default_title,
        body=body,
        tags=_tags(meta.get("tags")),
        sections=tuple(sections),
        words=word_count(body),
        slug=slugify(str(slug)) if slug else None,
    )
