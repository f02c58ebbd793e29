"""Words found in a post: the hits of some words in a document, and the find bar's state.

`FindState` is one frozen value (the query, its hits, the current one) that
the reader pane replaces as a whole and hands down to the view and the find
bar, so the three never disagree about what was found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from reader.tui.document import Document
from reader.tui.opening import step_hit

__all__ = ["FindState", "Hit", "find_hits"]


class Hit(NamedTuple):
    """A match in the post: a slice of one unit."""

    unit: int
    start: int
    end: int


def find_hits(document: Document, terms: Iterable[str]) -> list[Hit]:
    """Every occurrence of any of `terms` (already folded) in reading order."""
    needles = [term for term in terms if term]
    if not needles:
        return []
    hits: list[Hit] = []
    for index, unit in enumerate(document.units):
        folded, mapping = unit.folded()
        found: list[tuple[int, int]] = []
        for needle in needles:
            start = folded.find(needle)
            while start >= 0:
                end = start + len(needle)
                found.append((start, end))
                start = folded.find(needle, end)
        if len(needles) > 1:
            found.sort()
        for start, end in found:
            if mapping is not None:
                start, end = mapping[start], mapping[end - 1] + 1
            hits.append(Hit(index, start, end))
    # Table cells are units in row order, which is reading order too.
    return hits


@dataclass(frozen=True)
class FindState:
    """The find bar's query, its hits in reading order, and the current hit (-1 for none)."""

    query: str = ""
    hits: tuple[Hit, ...] = ()
    index: int = -1

    @property
    def active(self) -> bool:
        """True with a query, even one that matches nothing (`n` and `N` work)."""
        return bool(self.query)

    @property
    def current(self) -> Hit | None:
        """The current hit, or None."""
        return self.hits[self.index] if 0 <= self.index < len(self.hits) else None

    @property
    def counter(self) -> str:
        """The counter the find bar shows: "3/14", "0/0" with no match, "" with no query."""
        return f"{self.index + 1}/{len(self.hits)}" if self.query else ""

    def stepped(self, step: int) -> FindState:
        """The same hits with the one `step` away current, wrapping around."""
        return FindState(self.query, self.hits, step_hit(len(self.hits), self.index, step))
