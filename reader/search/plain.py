"""A post's Markdown as the plain text the index reads and snippets show.

Cheap regexes, not a parser: a full Markdown parse of 10,000 posts takes
seconds, these a fraction of that. What goes is what a reader never sees on
the page: front matter left in a body, code fences and their language,
table pipes and rule rows, thematic breaks and setext underlines, heading
`#`s, quote `>`s, list bullets and task boxes, link and image syntax (the
text stays, the address goes), reference definitions, HTML tags, emphasis
markers, backslash escapes. Entities are decoded. Every newline is kept, so
a line number still finds the post's section, and words are never glued
together (what goes between two words leaves a space).

Punctuation that prose uses (`!`, `#` in `C#`, `>` in `a > b`, `_` inside
`snake_case`) stays where it is not markup; the tokenizer splits words on it
anyway, so only what a snippet shows changes.
"""

from __future__ import annotations

import html
import re

__all__ = ["markdown_to_plain"]

_FRONT_MATTER = re.compile(
    r"\A(?:---|\+\+\+)[ \t]*\n.*?\n(?:---|\.\.\.|\+\+\+)[ \t]*(?=\n|\Z)", re.S
)
_LINE_RULES = [
    (re.compile(r"^[ \t]*(?:`{3,}|~{3,}).*$", re.M), ""),  # a code fence and its language
    (re.compile(r"^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?[ \t]*)?$", re.M), ""),
    (re.compile(r"^[ \t]*([-*_=])(?:[ \t]*\1){2,}[ \t]*$", re.M), ""),  # rules, underlines
    (re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.M), ""),  # a reference definition
    (re.compile(r"^[ \t]*(?:>[ \t]?)+", re.M), ""),  # quote markers
    (re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]+(.*?))??(?:[ \t]+#+)?[ \t]*$", re.M), r"\1"),
    (re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?", re.M), r"\1"),
]
"""Markup that takes a whole line, or its start: (pattern, replacement), in order."""
_IMAGE_OR_LINK = re.compile(r"(?=[!\[])!?\[([^\]\n]*)\](?:\([^)\n]*\)|\[[^\]\n]*\])")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^>\n]*>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>\n]*>|<!--.*?-->", re.S)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>])|\\(?=\n)")
_EMPHASIS = re.compile(r"(?=[*~`_])(?<!\\)(?:[*~`]+|(?<![^\W_])_+|_+(?![^\W_]))")
"""`*`, `~` and backticks; underscores not inside a word (`snake_case` stays).

Each pattern that would start with a look-behind starts with a look-ahead at the
characters it can match first: `re` then skips to them instead of trying the
look-behind at every character (five times faster on a post)."""
_BRACKETS = re.compile(r"(?=[|\[\]])(?<!\\)[|\[\]]")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _blank(match: re.Match[str]) -> str:
    return "\n" * match.group().count("\n")


def _unmark(match: re.Match[str]) -> str:
    """Nothing for a marker by a space or punctuation; a space for one inside a word (`a*b`)."""
    text, start, end = match.string, match.start(), match.end()
    inside = start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum()
    return " " if inside else ""


def _entity(match: re.Match[str]) -> str:
    decoded = html.unescape(match.group())
    return " " if decoded in ("\n", "\r") else decoded  # lines stay as they were


def markdown_to_plain(markdown: str) -> str:
    """`markdown` with its markup removed, as described above; as many lines as it had."""
    text = _FRONT_MATTER.sub(_blank, markdown)
    text = _HTML_TAG.sub(lambda m: " " + _blank(m), text)
    for pattern, replacement in _LINE_RULES:
        text = pattern.sub(replacement, text)
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(" ", text)
    text = _EMPHASIS.sub(_unmark, text)
    text = _BRACKETS.sub(" ", text)
    text = _ESCAPE.sub(lambda m: m.group(1) or "", text)  # last: `\*` is a star
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    return text
