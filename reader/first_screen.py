"""What the first screen of a big library shows, in a file small enough to read before it.

Opening 50,000 posts takes half a second even from `posts.cache` (building
the summaries), and sorting and counting them more: far more than the first
screen needs, which is the first rows of the list in the default order, the
tag counts and the totals. `first-screen.cache`, beside `posts.json`, holds
just that, so the TUI can paint its first screen at once and load the rest
after it (`PostStore` with `lazy=True`).

Like `reader.post_cache` it is derived data, written by `PostStore` with
`posts.cache` (whenever the posts change) and used only when it was made
from the very version of `posts.json` on disk (its `file_identity`) and its
checksum holds; otherwise it is ignored, the whole library is read, and the
file is written again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reader.models import PostSummary, TagCount
from reader.post_cache import decode_rows, encode_rows
from reader.sealed import Identity, seal_made_from, unseal_made_from
from reader.sorting import SortOrder, default_order, sort_posts

__all__ = [
    "FIRST_SCREEN_NAME",
    "ROWS",
    "FirstScreen",
    "decode_first_screen",
    "encode_first_screen",
    "tag_counts",
]

FIRST_SCREEN_NAME = "first-screen.cache"
"""The file's name, beside `posts.json`."""

ROWS = 200
"""Rows of the list kept, drafts left out: a tall terminal's screenful many times over."""

_MAGIC = b"reader-first-screen\x00"
_VERSION = 1
"""Bump when the layout below or `PostSummary`'s fields change."""


def tag_counts(posts: Iterable[PostSummary]) -> list[TagCount]:
    """How many of `posts` carry each tag, most used first, then by name."""
    counts = Counter(tag for post in posts for tag in post.tags)
    return TagCount.ranked(counts.items())


@dataclass(frozen=True, slots=True)
class FirstScreen:
    """The first screen of a library: its first rows in the default order, tags and totals."""

    order: SortOrder
    """The default browse order (`reader.sorting.default_order`)."""
    rows: tuple[PostSummary, ...]
    """The first posts in `order`, drafts among them, until `ROWS` of them are not drafts
    (or the library ends)."""
    total: int
    """Every post, drafts included."""
    drafts: int
    """How many of them are drafts."""
    tags: tuple[TagCount, ...]
    """The tag counts of the posts that are not drafts."""
    tags_with_drafts: tuple[TagCount, ...]
    """The tag counts of every post."""

    def listed(self, drafts: bool) -> list[PostSummary]:
        """The first rows as the list shows them (with or without the drafts)."""
        return list(self.rows) if drafts else [p for p in self.rows if not p.draft]

    def complete(self, drafts: bool) -> bool:
        """True when `listed(drafts)` is the whole list, not just its start."""
        return len(self.listed(drafts)) == (self.total if drafts else self.total - self.drafts)

    def tag_counts(self, drafts: bool) -> list[TagCount]:
        """The sidebar's tag counts, with or without the drafts."""
        return list(self.tags_with_drafts if drafts else self.tags)


def first_screen_of(posts: Sequence[PostSummary]) -> FirstScreen:
    """The first screen of the library `posts` (in import order)."""
    order = default_order(posts)
    rows: list[PostSummary] = []
    kept = 0
    for post in sort_posts(posts, order):
        if kept >= ROWS:
            break
        rows.append(post)
        kept += not post.draft
    return FirstScreen(
        order,
        tuple(rows),
        len(posts),
        sum(1 for p in posts if p.draft),
        tuple(tag_counts(p for p in posts if not p.draft)),
        tuple(tag_counts(posts)),
    )


def encode_first_screen(identity: Identity, screen: FirstScreen) -> bytes:
    """The bytes of the file for `screen`, made from the version `identity` of `posts.json`."""
    keys, rows = encode_rows(screen.rows, {})

    def counts(tags: Iterable[TagCount]) -> list[tuple[str, int]]:
        return [(t.name, t.count) for t in tags]

    return seal_made_from(
        _MAGIC,
        _VERSION,
        identity,
        (
            screen.order.value,
            keys,
            rows,
            screen.total,
            screen.drafts,
            counts(screen.tags),
            counts(screen.tags_with_drafts),
        ),
    )


def decode_first_screen(path: Path, identity: Identity | None) -> FirstScreen | None:
    """The first screen in the file at `path`, or None when it is missing, unreadable,
    damaged, of another version, or not made from the version `identity` of `posts.json`."""
    found = unseal_made_from(path, _MAGIC, _VERSION, identity)
    if found is None:
        return None
    try:
        order, keys, rows, total, drafts, tags, with_drafts = found
        screen = FirstScreen(
            SortOrder(order),
            tuple(post for _, post in decode_rows(keys, rows)),
            int(total),
            int(drafts),
            tuple(TagCount(name, count) for name, count in tags),
            tuple(TagCount(name, count) for name, count in with_drafts),
        )
    except (ValueError, TypeError, IndexError):
        return None
    return screen
