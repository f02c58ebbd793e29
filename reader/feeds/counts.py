"""The feeds as the sidebar lists them: each feed's name, its tag and its unread posts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from reader.feeds.refresh import feed_tag, store_for
from reader.feeds.subscriptions import Subscription
from reader.library import Library

__all__ = ["FeedCount", "feed_counts"]


@dataclass(frozen=True, slots=True)
class FeedCount:
    key: str
    name: str
    """The feed's title, or its URL before its first refresh."""
    tag: str
    """The tag its posts carry ('' before the first refresh): choosing the feed filters by it."""
    unread: int
    """The unread posts carrying that tag."""


def _tag(sub: Subscription) -> str:
    """The feed's tag; a feed refreshed before tags were kept carries its title's."""
    return sub.tag or (feed_tag(sub.title) if sub.title else "")


def feed_counts(library: Library, is_unread: Callable[[str], bool]) -> list[FeedCount]:
    """Every subscription with its unread count, by name; reads `feeds.json` (not on a key's path).

    Counted by the feed's tag, the same posts that choosing the feed lists.
    """
    subs = store_for(library).load()
    tags = {_tag(s) for s in subs} - {""}
    # No feed fetched yet, no post to read: every post of a big library is not read for nothing.
    unread = Counter(
        tag
        for post in (library.summaries() if tags else ())
        if is_unread(post.slug)
        for tag in post.tags
        if tag in tags
    )
    rows = []
    for sub in subs:
        tag = _tag(sub)
        rows.append(FeedCount(sub.key, sub.name, tag, unread[tag] if tag else 0))
    return sorted(rows, key=lambda r: (r.name.casefold(), r.key))
