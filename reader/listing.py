"""What a list row shows besides its title: the post's short date, and where it came from.

Two posts with one title (every `index.md` of a docs site, a post imported
from two folders) must be told apart in the list: their dates do it when
they differ, else the folder of their source files. Pure functions of the
posts listed, for the TUI's post list; no Textual here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import PurePath

from reader.models import PostSummary

__all__ = ["Places", "places", "short_date", "source_parts"]


def short_date(date: str | None) -> str:
    """The day of an ISO 8601 date or datetime (`2024-05-01`), as written; "" without one."""
    return date[:10] if date else ""


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


class Places:
    """Tells apart the listed posts that share a title, a group of them when first asked.

    Made on every refill of the list, so it only groups the posts by title
    (about 10 ms at 50,000 posts); a group's folders are worked out when one
    of its rows is first drawn.
    """

    def __init__(self, posts: Iterable[PostSummary]) -> None:
        by_title: dict[str, list[PostSummary]] = defaultdict(list)
        for post in posts:
            by_title[post.title].append(post)
        self._groups = {title: same for title, same in by_title.items() if len(same) > 1}
        self._found: dict[str, dict[str, str]] = {}

    def of(self, post: PostSummary) -> str:
        """The folder that tells `post` from the others of its title, or "" if none is needed."""
        group = self._groups.get(post.title)
        if group is None:
            return ""
        found = self._found.get(post.title)
        if found is None:
            found = self._found[post.title] = _group_places(group)
        return found.get(post.slug, "")


def _group_places(same: list[PostSummary]) -> dict[str, str]:
    """Slug to folder for the posts of one title whose dates do not tell them apart."""
    days: dict[str, int] = defaultdict(int)
    for post in same:
        days[short_date(post.date)] += 1
    unclear = [p for p in same if not p.date or days[short_date(p.date)] > 1]
    if not unclear:
        return {}
    labels = _shortest_distinct([p.source for p in unclear])
    return dict(zip((p.slug for p in unclear), labels, strict=True))


def places(posts: Iterable[PostSummary]) -> dict[str, str]:
    """Slug to folder, for the listed posts a repeated title leaves to tell apart.

    A post whose title another listed post has, and whose date that one does
    not tell from it (it has none, or the same day), gets the shortest end of
    its source's folder path that no other such post shares, else its file.
    """
    posts = list(posts)
    telling = Places(posts)
    return {p.slug: place for p in posts if (place := telling.of(p))}
