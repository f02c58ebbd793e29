"""Obsidian's inline `#tags`, read from a body's markdown-it tokens.

Only prose counts: text in paragraphs, lists, quotes and tables, never code
spans, code blocks, headings, HTML, images, autolinks or `[[wikilinks]]`. A tag starts a
word (`a#b`, `C#` and `/#anchor` are not tags), may nest (`#tag/sub`), and
has at least one character that is not a digit (`#123` is an issue number).
A colour such as `#dcddde` is not a tag.

markdown-it decodes `\\#` and `&#35;` into a plain `#` in the text it hands
back, so each tag found there is also looked for in the raw source of its
paragraph, where an escaped one does not start a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from markdown_it.token import Token

__all__ = ["inline_tags"]

_TAG = re.compile(r"(?<![^\s(,;:!?\"'\u201c\u2018])#([^\W][\w\-/]*)")
"""`#` at the start of a word (after a space or opening punctuation), then word characters."""
_WIKILINK = re.compile(r"\[\[[^\]\n]*\]\]")
"""`[[Note#Heading]]` and `[[#Heading]]` link to a heading: never a tag."""
_COLOUR = re.compile(r"^(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_BARRIER = "\x00"
"""Stands for what is not prose (code, HTML) between two pieces of text: not a space,
so `` `x`#tag `` does not start a tag."""


def inline_tags(tokens: list[Token]) -> list[str]:
    """The inline tags of a parsed body, in order of first use (without the `#`)."""
    found: dict[str, None] = {}
    in_heading = False
    for token in tokens:
        if token.type == "heading_open":
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "inline" and not in_heading and "#" in token.content:
            prose = _WIKILINK.sub(_BARRIER, _prose(token))
            for name in _names(prose):
                if name not in found and _in_source(name, token.content):
                    found[name] = None
    return list(found)


def _prose(inline: Token) -> str:
    """The text of an inline token's prose children, other children as barriers."""
    parts: list[str] = []
    skip = 0
    for child in inline.children or ():
        kind = child.type
        if kind == "link_open" and (child.markup == "autolink" or child.meta.get("wikilink")):
            # A wikilink's text is its alias, or its target (`Note#Heading`): not prose.
            skip += 1
            parts.append(_BARRIER)
        elif kind == "link_close" and skip:
            skip -= 1
        elif skip:
            continue
        elif kind in ("text", "text_special"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind in ("code_inline", "html_inline", "image"):
            parts.append(_BARRIER)
    return "".join(parts)


def _names(text: str) -> Iterator[str]:
    for match in _TAG.finditer(text):
        name = match[1].rstrip("/-")
        digits = name.replace("/", "").isdigit()
        if name and not digits and not _COLOUR.match(name):
            yield name


def _in_source(name: str, source: str) -> bool:
    """True when `#name` starts a word in the paragraph's source too (not `\\#name`)."""
    return any(m[1].rstrip("/-") == name for m in _TAG.finditer(source))
