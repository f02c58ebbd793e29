"""The browse orders of the post list: newest, oldest, title, reading time, import order.

Sorting 50,000 posts is not free (folding and splitting every title for the
natural order), so `PostOrders` computes each order once for a library load
and keeps it; a keystroke that refills the list only walks the sorted list.
Search results never come through here: they keep their ranking.
"""

from __future__ import annotations

import math
import operator
import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from reader.models import PostSummary
from reader.text import fold

__all__ = [
    "PostOrders",
    "SortOrder",
    "date_value",
    "default_order",
    "natural_key",
    "sort_posts",
]


class SortOrder(StrEnum):
    """A browse order. The value is its name in `reader list --sort` and in the settings."""

    NEWEST = "newest"
    OLDEST = "oldest"
    TITLE = "title"
    TIME = "time"
    IMPORTED = "imported"

    @property
    def label(self) -> str:
        """How the list's border names the order ("Posts · newest first")."""
        return _LABELS[self]

    def next(self) -> SortOrder:
        """The order `s` moves to from this one."""
        orders = list(SortOrder)
        return orders[(orders.index(self) + 1) % len(orders)]

    @classmethod
    def from_name(cls, name: object) -> SortOrder | None:
        """The order `name` names (a saved setting may hold anything), or None."""
        if not isinstance(name, str):
            return None
        try:
            return cls(name)
        except ValueError:
            return None


_LABELS = {
    SortOrder.NEWEST: "newest first",
    SortOrder.OLDEST: "oldest first",
    SortOrder.TITLE: "by title",
    SortOrder.TIME: "shortest first",
    SortOrder.IMPORTED: "import order",
}


def date_value(date: str | None) -> float | None:
    """Seconds since the epoch of an ISO 8601 date or datetime, or None if there is none.

    A date without a time is midnight, and a time without an offset is UTC:
    all that matters is that one post comes before another. Text that is not
    ISO 8601 counts as no date rather than stopping the sort.
    """
    if not date:
        return None
    try:
        moment = datetime.fromisoformat(date)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    except (ValueError, OverflowError):
        return None


_NUMBER = re.compile(r"[0-9]+")


def _number(match: re.Match[str]) -> str:
    digits = match.group().lstrip("0")
    return f"0{chr(0x30 + min(len(digits), _LONGEST))}{digits}"


_LONGEST = sys.maxunicode - 0x30
"""Numbers longer than this (a million digits) share a length character, then compare as text."""


def natural_key(title: str) -> str:
    """A sort key reading runs of digits as numbers: `Rust 1.2` before `Rust 1.10`.

    Case and accents are ignored (`reader.text.fold`). Each number becomes
    `0`, a character for its length (without leading zeros), then its digits:
    a longer number sorts after a shorter one whatever its digits, with no
    limit on its length, and a number still sorts where a digit would among
    the text. One string per title compares much faster than a tuple of
    parts (at 50,000 posts, a sort in 13 ms rather than 45).
    """
    return _NUMBER.sub(_number, fold(title).strip())


UNDATED = math.inf
"""The date key of a post without a (readable) date: after every dated post."""


def _date_keys(posts: Sequence[PostSummary], sign: float) -> list[float]:
    """Each post's date in seconds times `sign` (-1: newest first), `UNDATED` without one.

    Posts share days, so each distinct date is parsed once.
    """
    seen: dict[str | None, float] = {}
    keys = []
    for post in posts:
        key = seen.get(post.date)
        if key is None:
            value = date_value(post.date)
            key = seen[post.date] = UNDATED if value is None else sign * value
        keys.append(key)
    return keys


def _keys(posts: Sequence[PostSummary], order: SortOrder) -> list[Any]:
    """Every post's sort key in `order`, smallest first."""
    if order is SortOrder.NEWEST:
        return _date_keys(posts, -1.0)
    if order is SortOrder.OLDEST:
        return _date_keys(posts, 1.0)
    if order is SortOrder.TITLE:
        return [natural_key(p.title) for p in posts]
    return [p.words for p in posts]


def sort_posts(posts: Sequence[PostSummary], order: SortOrder) -> list[PostSummary]:
    """`posts` (in import order) in `order`, as a new list.

    Ties keep import order (the sort is stable); posts without a date come
    after the dated ones, newest or oldest first.
    """
    if order is SortOrder.IMPORTED:
        return list(posts)
    keys = _keys(posts, order)
    return [posts[i] for i in sorted(range(len(posts)), key=keys.__getitem__)]


def default_order(posts: Sequence[PostSummary]) -> SortOrder:
    """Newest first when any post has a date, else import order (the only one before dates)."""
    return SortOrder.NEWEST if any(p.date for p in posts) else SortOrder.IMPORTED


class PostOrders:
    """One library load's posts in each order, each sorted on first use and then kept.

    Safe to use from several threads (the TUI sorts ahead in a worker): at
    worst two threads sort the same order, and either result is kept.
    """

    def __init__(self, posts: Sequence[PostSummary]) -> None:
        self.posts = list(posts)
        """The posts in import order."""
        self._sorted: dict[SortOrder, list[PostSummary]] = {SortOrder.IMPORTED: self.posts}
        self._default: SortOrder | None = None

    def holds(self, posts: list[PostSummary]) -> bool:
        """True when these are exactly the posts sorted here (the same objects, in order).

        Any change to the library (an import, a removal, a reload) fails it.
        Identity, not equality: equal copies would pass `==` only after
        comparing every field of every post (40 ms at 50,000, on every refill);
        this is one pass in C (3 ms).
        """
        return len(posts) == len(self.posts) and all(map(operator.is_, posts, self.posts))

    def sorted(self, order: SortOrder) -> list[PostSummary]:
        """The posts in `order` (kept: do not change the list)."""
        found = self._sorted.get(order)
        if found is None:
            found = self._sorted[order] = sort_posts(self.posts, order)
        return found

    @property
    def default(self) -> SortOrder:
        """The order to use when the user has not chosen one (see `default_order`)."""
        if self._default is None:
            self._default = default_order(self.posts)
        return self._default
