"""Read a digest: several posts in one plain-text file, under one tag.

The format::

    Tag: Machine Learning

      • Title of the first post

        A paragraph of the post.

        A Section Heading

        Another paragraph.

      • Title of the second post
        ...

A post starts at a `•` bullet. A paragraph that is a single short line with no
end punctuation is a section heading and becomes a `##` heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reader.parsing import ParseError

__all__ = ["DigestPost", "is_digest", "is_heading_line", "parse_digest", "render_markdown"]

_TAG_LINE = re.compile(r"^Tag:\s*(?P<tag>\S.*?)\s*$")
_BULLET = re.compile(r"^\s*•\s+(?P<title>\S.*?)\s*$")
_END_PUNCTUATION = tuple(".!?:;,…\"'\u201d\u2019)]")
HEADING_MAX_CHARS = 60
"""Longest line still taken as a section heading."""


@dataclass(frozen=True, slots=True)
class DigestPost:
    """One post read from a digest: its title, the digest's tag, and its blocks."""

    title: str
    tag: str
    blocks: tuple[tuple[str, str], ...]
    """`("heading" | "paragraph", text)` in order."""
    line: int
    """1-based line of the post's bullet in the digest."""


def is_digest(text: str) -> bool:
    """True when `text` looks like a digest: a `Tag:` first line and a `•` bullet."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return bool(_TAG_LINE.match(first)) and "\n  • " in text


def is_heading_line(text: str) -> bool:
    """True for a short standalone line with no end punctuation."""
    text = text.strip()
    return 0 < len(text) <= HEADING_MAX_CHARS and not text.endswith(_END_PUNCTUATION)


def parse_digest(text: str) -> list[DigestPost]:
    """Split a digest into its posts. Raises `ParseError` naming the line at fault."""
    lines = text.lstrip("\ufeff").split("\n")
    match = _TAG_LINE.match(lines[0]) if lines else None
    if match is None:
        raise ParseError("not a digest: the first line must be 'Tag: NAME'", 1)
    tag = match["tag"]
    posts: list[DigestPost] = []
    title: str | None = None
    title_line = 0
    blocks: list[tuple[str, str]] = []
    paragraph: list[str] = []

    def end_paragraph() -> None:
        if paragraph:
            joined = "\n".join(paragraph)
            kind = "heading" if len(paragraph) == 1 and is_heading_line(joined) else "paragraph"
            blocks.append((kind, joined))
            paragraph.clear()

    def end_post() -> None:
        end_paragraph()
        if title is not None:
            posts.append(DigestPost(title, tag, tuple(blocks), title_line))
        blocks.clear()

    for number, line in enumerate(lines[1:], start=2):
        bullet = _BULLET.match(line)
        if bullet:
            end_post()
            title, title_line = bullet["title"], number
        elif not line.strip():
            end_paragraph()
        elif title is None:
            raise ParseError("text before the first '•' post", number)
        else:
            paragraph.append(line.strip())
    end_post()
    if not posts:
        raise ParseError("digest has no posts ('  • Title' lines)", 1)
    return posts


def render_markdown(post: DigestPost) -> str:
    """The Markdown body of a digest post: paragraphs as they are, headings as `##`."""
    parts = [f"## {text}" if kind == "heading" else text for kind, text in post.blocks]
    return "\n\n".join(parts) + "\n"
