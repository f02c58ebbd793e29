"""The post library's documents: `PostSummary` to and from the dicts in `posts.json`.

TinyDB's layout (table -> document id -> document), read and written by
`reader.store.PostStore`; nothing outside it sees these dicts.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Mapping
from typing import Any

from reader.models import PostSummary, Section

__all__ = ["SectionKey", "doc_from_summary", "salvage_sources", "summary_from_doc"]

SectionKey = tuple[str, str, int, int]


def summary_from_doc(
    doc: Mapping[str, Any], sections: dict[SectionKey, Section] | None = None
) -> PostSummary:
    """A post's summary from its stored document.

    Tags and headings repeat across thousands of posts, so tag strings are
    interned and equal sections shared through `sections` (a cache the caller
    keeps for a whole load): one object each instead of one per post, which
    at 10k posts saves tens of MB and ~20 ms of start-up.

    Raises KeyError, TypeError or ValueError for a damaged document.
    """
    intern = sys.intern
    shared = {} if sections is None else sections
    keys = [
        (s["heading"], s["anchor"], s.get("level", 2), s.get("line", 0))
        for s in doc.get("sections", ())
    ]
    found = []
    for key in keys:
        section = shared.get(key)
        if section is None:
            _check_section(key)  # only for new ones: most posts share their headings
            section = shared[key] = Section(*key)
        found.append(section)
    slug, title, words, source = (
        doc["slug"],
        doc["title"],
        doc.get("words", 0),
        doc.get("source", ""),
    )
    if not (type(slug) is str and slug and type(title) is str and type(source) is str):
        raise ValueError("slug, title or source is not text")
    if type(words) is not int:
        raise ValueError("words is not a number")
    extra: dict[str, Any] = {}
    for name in doc.keys() & _OPTIONAL.keys():  # most posts have none of them
        kind, value = _OPTIONAL[name], doc[name]
        if value is None:
            continue
        if kind is tuple:
            if not (type(value) is list and all(type(v) is str for v in value)):
                raise ValueError(f"{name} is not a list of text")
            value = tuple(intern(v) for v in value)
        elif type(value) is not kind:
            raise ValueError(f"{name} is not {kind.__name__}")
        extra[name] = value
    return PostSummary(
        slug=slug,
        title=title,
        tags=tuple(intern(t) for t in doc.get("tags", ())),
        sections=tuple(found),
        words=words,
        source=source,
        **extra,
    )


_OPTIONAL: dict[str, type] = {
    "date": str,
    "updated": str,
    "authors": tuple,
    "summary": str,
    "draft": bool,
    "lang": str,
    "url": str,
    "aliases": tuple,
}
"""Metadata stored only when set (most posts have few of these): name -> type."""


def _check_section(key: SectionKey) -> None:
    heading, anchor, level, line = key
    if not (type(heading) is str and type(anchor) is str):
        raise ValueError("a section heading is not text")
    if not (type(level) is int and type(line) is int):
        raise ValueError("a section level or line is not a number")


def doc_from_summary(post: PostSummary) -> dict[str, Any]:
    """The document that stores `post`'s metadata."""
    doc: dict[str, Any] = {
        "slug": post.slug,
        "title": post.title,
        "tags": list(post.tags),
        "sections": [
            {"heading": s.heading, "anchor": s.anchor, "level": s.level, "line": s.line}
            for s in post.sections
        ],
        "words": post.words,
        "source": post.source,
    }
    for name, kind in _OPTIONAL.items():
        value = getattr(post, name)
        if value:
            doc[name] = list(value) if kind is tuple else value
    return doc


_SOURCE = re.compile(rb'"source":\s*("(?:[^"\\\\]|\\\\.)*")')
"""A post's `source` in the raw bytes of `posts.json`, even a half-written one."""


def salvage_sources(raw: bytes) -> list[str]:
    """The `source` of every post still legible in a damaged `posts.json`."""
    found: dict[str, None] = {}
    for match in _SOURCE.finditer(raw):
        with contextlib.suppress(ValueError):
            source = json.loads(match.group(1).decode("utf-8", "surrogateescape"))
            if isinstance(source, str) and source:
                found[source] = None
    return list(found)
