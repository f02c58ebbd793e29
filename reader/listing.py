"""What a list row shows besides its title: the post's short date, and where it came from.

Two posts with one title (every `index.md` of a docs site, a post imported
from two folders) must be told apart in the list: their dates do it when
they differ, else the folder of their source files. Pure functions of the
posts listed, for the TUI's post list; no Textual here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import PurePath

from reader.models import PostSummary

__all__ = ["places", "short_date", "source_parts"]

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def short_date(date: str | None) -> str:
    """The day of an ISO 8601 date or datetime (`2024-05-01`), as written; "" without one."""
    if not date:
        return ""
    day = _DAY.match(date)
    return day.group() if day else date[:10]


def source_parts(source: str) -> list[str]:
    """A post's source as path parts, the file last: `bundled:a.md` is `bundled`, `a.md`.

    A digest's post (`PATH#n`) is its digest file's parts then `#n`.
    """
    prefix, colon, rest = source.partition(":")
    if colon and prefix == "bundled":
        return ["bundled", rest]
    path, hash_, key = source.rpartition("#")
    if not hash_ or "/" in key or "\\" in key:
        path, key = source, ""
    parts = [p for p in PurePath(path).parts if p not in ("/", "\\")]
    return [*parts, f"#{key}"] if key else parts


def _shortest_distinct(sources: Sequence[str]) -> list[str]:
    """For each source, the fewest trailing folders (then the file) that no other shares."""
    split = [source_parts(s) for s in sources]
    for candidates in ([p[:-1] for p in split], split):
        longest = max(len(c) for c in candidates)
        for count in range(1, longest + 1):
            labels = ["/".join(c[-count:]) for c in candidates]
            if len(set(labels)) == len(labels):
                return labels
    return ["/".join(p) for p in split]  # the same source twice: nothing tells them apart


def places(posts: Iterable[PostSummary]) -> dict[str, str]:
    """Slug to folder, for the listed posts a repeated title leaves to tell apart.

    A post whose title another listed post has, and whose date that one does
    not tell from it (it has none, or the same day), gets the shortest end of
    its source's folder path that no other such post shares, else its file.
    """
    by_title: dict[str, list[PostSummary]] = defaultdict(list)
    for post in posts:
        by_title[post.title].append(post)
    found: dict[str, str] = {}
    for same in by_title.values():
        if len(same) < 2:
            continue
        days: dict[str, int] = defaultdict(int)
        for post in same:
            days[short_date(post.date)] += 1
        unclear = [p for p in same if not p.date or days[short_date(p.date)] > 1]
        if not unclear:
            continue
        labels = _shortest_distinct([p.source for p in unclear])
        found.update(zip((p.slug for p in unclear), labels, strict=True))
    return found
