"""Turn a Markdown document (with optional front matter) into post fields.

Sections come from markdown-it-py's heading tokens, never from regexes over
the text, so headings inside code blocks or block quotes are not mistaken for
sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from reader.frontmatter import FrontMatterError, split_front_matter
from reader.inline_tags import inline_tags
from reader.markdown_plugins import use_plugins
from reader.markup import normalize_markup
from reader.metadata import merge_tags, read_metadata
from reader.models import Section
from reader.text import SlugClaims, clean_text, fold, slugify, word_count

__all__ = [
    "ParseError",
    "ParsedPost",
    "import_parser",
    "markdown_parser",
    "parse_markdown",
    "section_tokens",
]


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
    """The slug asked for in front matter, with the file name's language (`-de`) when
    it has one; None to slug the title."""
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


_INLINE_READ = ("#", "[^", "^[")
"""What an inline token holds when an import must parse it: a `#` (an inline tag), a
footnote reference (`[^1]`, `^[inline]`: footnotes referenced are moved to the end of
the tokens, unreferenced ones dropped)."""
_TASK_MARKS = ("[ ]", "[x]", "[X]")
"""A task list item's start: the tasklists rule rewrites that inline token's children."""


def _read_inline(state: StateCore) -> None:
    """The core `inline` rule for an import: parse only the inline tokens it reads.

    `parse_markdown` reads the text of headings and the inline tags of the other
    inline tokens, which need a `#`; the inline rule of every other paragraph was
    some 40% of markdown-it's time in an import, for tokens nobody reads. Tokens
    left out get no children, as an empty paragraph has none.
    """
    tokens, md, env = state.tokens, state.md, state.env
    previous = ""
    for token in tokens:
        kind = token.type
        if kind == "inline":
            if token.children is None:
                token.children = []
            content = token.content
            if (
                previous == "heading_open"
                or any(mark in content for mark in _INLINE_READ)
                or content.startswith(_TASK_MARKS)
            ):
                md.inline.parse(content, md, env, token.children)
        previous = kind


@cache
def import_parser() -> MarkdownIt:
    """`markdown_parser` for `parse_markdown`: the same rules, but inline parsing only
    where an import reads its result (`_read_inline`). Never used to render."""
    parser = use_plugins(
        MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin)
    )
    parser.core.ruler.at("inline", _read_inline)
    return parser


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


def _headings(tokens: list[Token]) -> list[tuple[int, str, int, int]]:
    """`(level, text, first line, line after)` for every heading token, in order."""
    found: list[tuple[int, str, int, int]] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens):
            first, after = token.map if token.map else (0, 1)
            found.append((int(token.tag[1]), inline_text(tokens[i + 1]).strip(), first, after))
    return found


def _same_title(title: str, heading: str) -> bool:
    return " ".join(fold(title).split()) == " ".join(fold(heading).split())


def parse_markdown(
    text: str,
    default_title: str = "Untitled",
    *,
    file_date: str | None = None,
    file_lang: str = "",
) -> ParsedPost:
    """Parse one Markdown document, with YAML, TOML or JSON front matter, into post fields.

    The title is the front matter's `title`, else a leading `#` heading, else
    `default_title` (the importer passes the file or page-bundle name). The
    reader shows the title above the body, so the `#` heading it came from,
    or one that repeats the front matter's title at the top of the body, is
    dropped from the body. `file_date` and `file_lang` are what the file's
    name says (`reader.metadata.name_hints`); the front matter wins over them.
    """
    text = clean_text(text)
    if not text.strip():
        raise ParseError("empty file")
    try:
        front = split_front_matter(text)
    except FrontMatterError as error:
        raise ParseError(error.reason, error.line) from None
    meta = read_metadata(front.data)
    # The front matter is read; the rest is the body, with its non-Markdown markup
    # (HTML blocks, shortcodes, Liquid) made Markdown before headings are read.
    # Cleaned again: turning HTML into text decodes entities such as `&#x1b;`.
    body_text = clean_text(normalize_markup(front.body))
    tokens = import_parser().parse(body_text)
    lines = body_text.split("\n")
    headings = _headings(tokens)

    title = meta.title
    if headings and headings[0][0] == 1:
        _, heading, first, after = headings[0]
        at_top = tokens[0].type == "heading_open"
        if not title or (at_top and _same_title(title, heading)):
            title = title or heading
            headings.pop(0)
            del lines[first:after]
            cut = after - first
            headings = [
                (lvl, txt, ln - cut if ln > first else ln, 0) for lvl, txt, ln, _ in headings
            ]
    # Blank lines at the top of the body are dropped, so section lines shift up.
    leading_blank = next((i for i, line in enumerate(lines) if line), len(lines))
    body = "\n".join(lines[leading_blank:]).rstrip("\n") + "\n"
    anchors = SlugClaims()
    sections: list[Section] = []
    for level, heading, line, _ in headings:
        anchor = anchors.claim(slugify(heading, "section"))
        sections.append(Section(heading, anchor, level, max(0, line - leading_blank)))

    title = title or " ".join(clean_text(default_title).split()) or "Untitled"
    slug: str | None = slugify(meta.slug) if meta.slug else None
    if file_lang:
        # Translations of one page (`index.md`, `index.de.md`) share a title or a slug.
        slug = f"{slug or slugify(title)}-{slugify(file_lang)}"
    return ParsedPost(
        title=title,
        body=body,
        tags=merge_tags([meta.tags, inline_tags(tokens)]),
        sections=tuple(sections),
        words=word_count(body),
        slug=slug,
        date=meta.date or file_date,
        updated=meta.updated,
        authors=meta.authors,
        summary=meta.summary,
        draft=meta.draft,
        lang=meta.lang or file_lang,
        url=meta.url,
        aliases=meta.aliases,
    )
