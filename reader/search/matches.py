"""Every post a search matched, beyond the best few it ranks: for counts and `M`.

A search ranks the best `limit` posts, but the sidebar counts every match (its
tags, how many are unread, how many bookmarked) and `M` marks them all read.
`Matches` keeps them as the index's document ids and works those out when
asked, over arrays: at 50,000 posts a query typed a letter at a time matches
tens of thousands of them, and a pass over that many summaries in Python
would hold the interpreter while the list redraws.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from reader.models import TagCount

if TYPE_CHECKING:
    from reader.search.documents import Documents
    from reader.search.matchers import Ids

__all__ = ["MatchCounts", "Matches"]


@dataclass(frozen=True, slots=True)
class MatchCounts:
    """What the sidebar shows of a search's matches."""

    tags: list[TagCount]
    """Each tag the matches carry with how many carry it, most used first, then by name."""
    unread: int
    """How many of the matches are unread..."""
    bookmarked: int
    """...and how many bookmarked."""


class Matches:
    """The posts a search matched, as ids of the index's documents at the time."""

    def __init__(self, ids: Ids, documents: Documents, lock: threading.RLock) -> None:
        self._ids = ids.copy()  # it may be a view of the mapped index file, closed later
        self._documents = documents
        self._lock = lock
        """The index's: the documents change under it."""
        self._numbering = documents.numbering
        self._slug_of = documents.slugs
        """The slugs by id as they were: a renumbering makes a new list, a removal
        leaves a hole (None) in this one."""
        self._slugs: frozenset[str] | None = None

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def slugs(self) -> frozenset[str]:
        """Every matching slug (made on first use: a few milliseconds at 40,000 matches)."""
        if self._slugs is None:
            slug_of = self._slug_of
            self._slugs = frozenset(s for s in map(slug_of.__getitem__, self._ids.tolist()) if s)
        return self._slugs

    def counts(self, read: Collection[str], bookmarked: Collection[str]) -> MatchCounts:
        """The matches' tag counts, and how many of them are not in `read` and in
        `bookmarked` (the user's marks: pass the same collection objects while they do
        not change, and they are looked up once, not on every search)."""
        documents = self._documents
        with self._lock:
            ids = self._ids
            if documents.numbering != self._numbering:  # compacted since: find them again
                doc_of = documents.doc_of
                ids = np.fromiter((doc_of[s] for s in self.slugs if s in doc_of), dtype=np.int64)
            tags = documents.tag_counts(ids)
            unread = ~documents.mask_of(read)[ids]
            if documents.holes():  # a post removed since the search is not unread
                unread &= documents.mask_of(documents.doc_of)[ids]
            marked = documents.mask_of(bookmarked)[ids]
            return MatchCounts(
                TagCount.ranked(tags), int(np.count_nonzero(unread)), int(np.count_nonzero(marked))
            )
