"""The frozen dataclasses that cross the boundary between the core and its users.

TinyDB documents never leave `store`; everything else sees these types.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import ClassVar

__all__ = [
    "SUMMARY_FIELDS",
    "WORDS_PER_MINUTE",
    "Bookmark",
    "BookmarkedPost",
    "Filter",
    "ImportProblem",
    "ImportReport",
    "Post",
    "PostSummary",
    "ReadingPosition",
    "SavedSearch",
    "Section",
    "TagCount",
]

WORDS_PER_MINUTE = 230
"""Average adult silent reading speed, used for reading-time estimates."""


@dataclass(frozen=True, slots=True)
class Section:
    """One heading of a post, in document order."""

    heading: str
    """The heading's plain text."""
    anchor: str
    """A slug unique within the post, for jumping to the section."""
    level: int = 2
    """Heading level, 1 to 6."""
    line: int = 0
    """Zero-based line of the heading within the post's Markdown body."""


@dataclass(frozen=True, slots=True)
class PostSummary:
    """Everything about a post except its body: what lists and sidebars need."""

    slug: str
    title: str
    tags: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    words: int = 0
    source: str = ""
    """Where the post came from: `bundled:NAME`, a file path, or `PATH#n` in a digest."""
    date: str | None = None
    """When the post was published, ISO 8601 (`2024-05-01` or with a time), or None."""
    updated: str | None = None
    """When it was last changed, ISO 8601, or None."""
    authors: tuple[str, ...] = ()
    summary: str = ""
    """A short description from the front matter (`description`, `summary`, `excerpt`)."""
    draft: bool = False
    """Marked as a draft: imported, but hidden unless asked for."""
    lang: str = ""
    """Language code (`en`, `de`, `zh-Hans`) when known."""
    url: str = ""
    """The original address (`url`, `link`, `canonical`), when known."""
    aliases: tuple[str, ...] = ()
    """Other names the post is known by (Obsidian aliases, Hugo/Zola aliases)."""

    @property
    def reading_minutes(self) -> int:
        """Estimated reading time in whole minutes, never less than one."""
        return max(1, math.ceil(self.words / WORDS_PER_MINUTE))


@dataclass(frozen=True, slots=True)
class Post(PostSummary):
    """A post with its Markdown body."""

    body: str = ""

    def without_body(self) -> PostSummary:
        """Return the post without its body."""
        return PostSummary(**{name: getattr(self, name) for name in SUMMARY_FIELDS})


SUMMARY_FIELDS = tuple(f.name for f in fields(PostSummary))
"""The names of `PostSummary`'s fields, in order."""


@dataclass(frozen=True, slots=True)
class TagCount:
    """A tag and how many posts carry it."""

    name: str
    count: int

    @staticmethod
    def ranked(counts: Iterable[tuple[str, int]]) -> list[TagCount]:
        """The (tag, count) pairs as the sidebar lists them: most used first, then by name."""
        return [TagCount(n, c) for n, c in sorted(counts, key=lambda i: (-i[1], i[0]))]


@dataclass(frozen=True, slots=True)
class Bookmark:
    """A post the user wants to keep. Refers to the post by slug."""

    slug: str
    created: str
    """ISO 8601 timestamp in UTC."""
    note: str = ""
    section: str = ""
    """Anchor of the section the reader was in when bookmarking."""


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A query the user pinned in the sidebar (`ctrl+s` in the search bar)."""

    query: str
    created: str
    """ISO 8601 timestamp in UTC."""


@dataclass(frozen=True, slots=True)
class BookmarkedPost:
    """A bookmark with the post it points at, or None when that post has left the library.

    A bookmark whose post has gone is kept and shown as missing, never dropped:
    re-importing the post brings it back.
    """

    bookmark: Bookmark
    post: PostSummary | None

    @property
    def missing(self) -> bool:
        """True when the library has no post with the bookmark's slug."""
        return self.post is None

    @property
    def title(self) -> str:
        """The post's title, or its slug when the post is missing."""
        return self.post.title if self.post is not None else self.bookmark.slug


@dataclass(frozen=True, slots=True)
class ReadingPosition:
    """Where the reader was in a post: a section and a line offset into the rendered post."""

    slug: str
    anchor: str = ""
    """Anchor of the section in view ("" before the first section)."""
    offset: int = 0
    """Scroll offset, in rendered lines, from the top of the post."""


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """A file that could not be imported, and why."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    problems: tuple[ImportProblem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when every file was imported."""
        return not self.problems


@dataclass(frozen=True, slots=True)
class Filter:
    """What the post list is narrowed to: every post, the unread, the bookmarked, or a tag.

    Applied by the library to browsing and inside a search, before ranking and
    the limit. `id` is how the sidebar and the saved state name it: "all",
    "unread", "bookmarks" or "tag:NAME".
    """

    kind: str = "all"
    tag: str = ""

    ALL: ClassVar[str] = "all"
    UNREAD: ClassVar[str] = "unread"
    BOOKMARKS: ClassVar[str] = "bookmarks"
    TAG: ClassVar[str] = "tag"

    def __post_init__(self) -> None:
        if self.kind not in (self.ALL, self.UNREAD, self.BOOKMARKS, self.TAG):
            raise ValueError(f"unknown filter {self.kind!r}")
        if (self.kind == self.TAG) != bool(self.tag):
            raise ValueError("a tag filter needs a tag, and only a tag filter has one")

    @classmethod
    def from_id(cls, filter_id: str) -> Filter | None:
        """The filter `id` names, or None if it names none."""
        kind, sep, tag = filter_id.partition(":")
        if sep:
            return cls(cls.TAG, tag) if kind == cls.TAG and tag else None
        return cls(kind) if kind in (cls.ALL, cls.UNREAD, cls.BOOKMARKS) else None

    @property
    def id(self) -> str:
        """The filter's name in the sidebar and in the state file."""
        return f"{self.TAG}:{self.tag}" if self.kind == self.TAG else self.kind
