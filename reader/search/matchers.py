"""Matchers: the posts one clause of a query matches and their scores, fast on many candidates.

A query is answered by intersecting its clauses' matchers, smallest first,
and summing their scores over the posts left. Each kind of matcher knows
the cheapest way to test a list of candidate ids against its layout: a
dense term's row is indexed directly, a sparse term's sorted ids are
bisected for few candidates or hashed for many, a word's expansions take
the best-scoring one per post, and a phrase's bitmap is a plain set.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import partial
from itertools import compress, filterfalse, repeat
from operator import add, eq, mul, not_
from typing import TypeAlias

from reader.search.scoring import ranked

__all__ = [
    "BestOf",
    "DenseTerm",
    "DocSet",
    "Matcher",
    "Scored",
    "SparseTerm",
    "Within",
    "bitmap_ids",
    "sum_scores",
    "top_positions",
]

_HIGH_BYTE = 1 if sys.byteorder == "little" else 0
_BIN_FLAGS = bytes.maketrans(b"01", b"\x00\x01")

ImpactTable: TypeAlias = "tuple[Mapping[int, int] | array[int], float]"
"""(document id -> stored impact, weight): a term's score in a post is `weight * impact`."""


def top_positions(values: array[int], limit: int) -> list[int]:
    """Positions of `values` ('H') that include the `limit` largest, ascending.

    Looks at the high bytes only (C-speed counting), so it returns every
    position whose high byte reaches the level where `limit` are found: a
    superset of the top `limit`, ties included, and rarely much more.
    """
    n = len(values)
    if n > limit > 0:
        high = values.tobytes()[_HIGH_BYTE::2]
        level = max(high)
        count = high.count(level)
        while count < limit and level > 0:
            level -= 1
            count += high.count(level)
        if level > 0:
            mask = high.translate(bytes(int(i >= level) for i in range(256)))
            found: list[int] = []
            find = mask.find
            at = find(1)
            while at >= 0:
                found.append(at)
                at = find(1, at + 1)
            return found
    return list(compress(range(n), values))


def bitmap_ids(bitmap: bytes | bytearray) -> list[int]:
    """The positions of the set bits of a little-endian bitmap, ascending."""
    bits = bin(int.from_bytes(bitmap, "little"))[:1:-1]
    return list(compress(range(len(bits)), bits.encode("ascii").translate(_BIN_FLAGS)))


class Matcher:
    """The posts one clause matches and their scores, for a list of candidate ids."""

    size: int
    """How many posts it matches (an upper bound for a union)."""
    bonus: float = 0.0
    """Added to the score of every post it matches (`scoring.EXACT` for a word as written)."""

    def ids(self) -> Sequence[int]:
        """Every post the clause matches, ascending."""
        raise NotImplementedError

    def count(self) -> int:
        """How many posts the clause matches, exactly."""
        return self.size

    def keep(self, among: Sequence[int]) -> list[int]:
        """The posts of `among` (ascending) the clause matches."""
        raise NotImplementedError

    def values(self, among: Sequence[int]) -> list[float] | None:
        """The clause's score of each post of `among` (all of which it matches); None: all 0."""
        raise NotImplementedError

    def values0(self, among: Sequence[int]) -> list[float]:
        """The clause's score of each post of `among`, 0 where it does not match."""
        return self.values(among) or [0.0] * len(among)

    def candidates(self, limit: int) -> Sequence[int]:
        """Posts that include the `limit` best-scoring ones."""
        return self.ids()

    def table(self, lookups: int) -> ImpactTable | None:
        """Its impacts and weight, for `lookups` look-ups, if a table is worth it."""
        return None

    def best(self, limit: int) -> list[tuple[float, int]]:
        """The `limit` best (score, id) pairs, best first, ties by id."""
        found = self.candidates(limit)
        return ranked(zip(self.values(found) or repeat(0.0), found, strict=False), limit)


class DenseTerm(Matcher):
    """A term with one impact per post (0: absent)."""

    def __init__(self, impacts: array[int], size: int, weight: float, bonus: float = 0.0) -> None:
        self.impacts = impacts
        self.size = size
        self.weight = weight
        self.bonus = bonus

    def ids(self) -> Sequence[int]:
        return list(compress(range(len(self.impacts)), self.impacts))

    def keep(self, among: Sequence[int]) -> list[int]:
        impacts = self.impacts
        return [d for d in among if impacts[d]]

    def values(self, among: Sequence[int]) -> list[float]:
        impacts, weight, bonus = self.impacts, self.weight, self.bonus
        return [weight * impacts[d] + bonus for d in among]

    def values0(self, among: Sequence[int]) -> list[float]:
        impacts, weight, bonus = self.impacts, self.weight, self.bonus
        if not bonus:
            return [weight * impacts[d] for d in among]
        return [weight * v + bonus if v else 0.0 for v in map(impacts.__getitem__, among)]

    def candidates(self, limit: int) -> Sequence[int]:
        return top_positions(self.impacts, limit)

    def table(self, lookups: int) -> ImpactTable | None:
        return self.impacts, self.weight


class SparseTerm(Matcher):
    """A term with the ascending ids of its posts and an impact for each."""

    def __init__(
        self, ids: array[int], impacts: array[int], weight: float, bonus: float = 0.0
    ) -> None:
        self._ids = ids
        self.impacts = impacts
        self.size = len(ids)
        self.weight = weight
        self.bonus = bonus

    def ids(self) -> Sequence[int]:
        return self._ids

    def _found(self, among: Sequence[int]) -> tuple[list[int], Iterator[int]]:
        """Where each of `among` is or would be, and which id is there (padded past the end)."""
        at = list(map(partial(bisect_left, self._ids), among))
        padded = self._ids + array("I", [0xFFFFFFFF])
        return at, map(padded.__getitem__, at)

    def keep(self, among: Sequence[int]) -> list[int]:
        if len(among) * 8 < len(self._ids):
            _, there = self._found(among)
            return list(compress(among, map(eq, there, among)))
        present = set(self._ids)
        return list(compress(among, map(present.__contains__, among)))

    def values(self, among: Sequence[int]) -> list[float]:
        if len(among) * 8 < len(self._ids):
            return self.values0(among)
        table = dict(zip(self._ids, self.impacts, strict=True))
        weight, bonus = self.weight, self.bonus
        return [weight * table[d] + bonus for d in among]

    def values0(self, among: Sequence[int]) -> list[float]:
        weight, bonus = self.weight, self.bonus
        if len(among) * 8 < len(self._ids):
            at, there = self._found(among)
            padded = self.impacts + array("H", [0])
            found: Iterable[int] = map(mul, map(eq, there, among), map(padded.__getitem__, at))
        else:
            table = dict(zip(self._ids, self.impacts, strict=True))
            found = map(table.get, among, repeat(0))
        if not bonus:
            return [weight * v for v in found]
        return [weight * v + bonus if v else 0.0 for v in found]

    def candidates(self, limit: int) -> Sequence[int]:
        return list(map(self._ids.__getitem__, top_positions(self.impacts, limit)))

    def table(self, lookups: int) -> ImpactTable | None:
        if lookups * 8 < len(self._ids):
            return None
        return dict(zip(self._ids, self.impacts, strict=True)), self.weight


class _Zeros(dict[int, int]):
    """A sparse term's impacts by post, 0 for the posts without it."""

    def __missing__(self, key: int) -> int:
        return 0


Lookup: TypeAlias = "tuple[_Zeros | array[int], float]"
"""A term's impact by post (0: absent) and its weight."""


class BestOf(Matcher):
    """A word and its expansions (prefix, stem or typo): the best-scoring one per post.

    The word itself, when in the library, is the first part.
    """

    def __init__(self, parts: list[Matcher]) -> None:
        self.parts = parts
        self.size = sum(p.size for p in parts)
        self._ids: list[int] | None = None
        self._lookups: list[Lookup] | None = None

    def lookups(self, among: int) -> list[Lookup] | None:
        """Every part's impacts by post, when there are few parts and many posts to look up.

        Then `keep` and `values` take one pass over the posts, not one per part.
        """
        if self._lookups is None:
            parts = self.parts
            if len(parts) > 3 or not all(
                isinstance(p, DenseTerm) or (isinstance(p, SparseTerm) and among * 8 >= p.size)
                for p in parts
            ):
                return None
            self._lookups = [
                (p.impacts, p.weight)
                if isinstance(p, DenseTerm)
                else (_Zeros(zip(p.ids(), p.impacts, strict=True)), p.weight)
                for p in parts
                if isinstance(p, DenseTerm | SparseTerm)
            ]
        return self._lookups

    def ids(self) -> Sequence[int]:
        if self._ids is None:
            found: set[int] = set()
            for part in self.parts:
                found.update(part.ids())
            self._ids = sorted(found)
        return self._ids

    def count(self) -> int:
        return len(self.ids())

    def keep(self, among: Sequence[int]) -> list[int]:
        lookups = self.lookups(len(among))
        if lookups is not None and len(lookups) == 2:
            (a, _), (b, _) = lookups
            return [d for d in among if a[d] or b[d]]
        if lookups is not None and len(lookups) == 3:
            (a, _), (b, _), (c, _) = lookups
            return [d for d in among if a[d] or b[d] or c[d]]
        # Each part looks only at the posts the parts before it did not match.
        first = self.parts[0].keep(among)
        if len(first) == len(among):
            return first
        found = set(first)
        rest = list(filterfalse(found.__contains__, among))
        for part in self.parts[1:]:
            more = part.keep(rest)
            if more:
                found.update(more)
                rest = list(filterfalse(found.__contains__, rest))
            if not rest:
                break
        return list(compress(among, map(found.__contains__, among)))

    def values(self, among: Sequence[int]) -> list[float]:
        first, others = self.parts[0], self.parts[1:]
        lookups = self.lookups(len(among))
        bonus = first.bonus
        if lookups is not None and len(lookups) == 2 and bonus:
            (a, wa), (b, wb) = lookups
            return [wa * a[d] + bonus if a[d] else wb * b[d] for d in among]
        if lookups is not None and len(lookups) == 3 and bonus:
            (a, wa), (b, wb), (c, wc) = lookups
            return [wa * a[d] + bonus if a[d] else max(wb * b[d], wc * c[d]) for d in among]
        if not bonus:
            return list(map(max, *(part.values0(among) for part in self.parts)))
        # The word as written outscores any expansion (its `EXACT`): the expansions
        # are scored only in the posts without it.
        values = first.values0(among)
        missing = list(compress(range(len(among)), map(not_, values)))
        if missing:
            rest = list(map(among.__getitem__, missing))
            scores = [part.values0(rest) for part in others]
            best = scores[0] if len(scores) == 1 else list(map(max, *scores))
            for i, value in zip(missing, best, strict=True):
                values[i] = value
        return values

    def candidates(self, limit: int) -> Sequence[int]:
        # A post among the best `limit` of the union is among the best of the expansion
        # that gives its score, so the union of each expansion's best holds them all.
        found: set[int] = set()
        for part in self.parts:
            found.update(part.candidates(limit))
        return sorted(found)


class Within(Matcher):
    """Another matcher's posts among `allowed` only (a stemmed form, in its language's posts)."""

    def __init__(self, inner: Matcher, allowed: set[int]) -> None:
        self.inner = inner
        self.allowed = allowed
        self.size = min(inner.size, len(allowed))
        self.bonus = inner.bonus
        self._ids: list[int] | None = None

    def ids(self) -> Sequence[int]:
        if self._ids is None:
            self._ids = list(filter(self.allowed.__contains__, self.inner.ids()))
        return self._ids

    def count(self) -> int:
        return len(self.ids())

    def keep(self, among: Sequence[int]) -> list[int]:
        return self.inner.keep(list(filter(self.allowed.__contains__, among)))

    def values(self, among: Sequence[int]) -> list[float] | None:
        return self.inner.values(among)

    def values0(self, among: Sequence[int]) -> list[float]:
        allowed = self.allowed
        found = self.inner.values0(among)
        return [v if d in allowed else 0.0 for v, d in zip(found, among, strict=True)]

    def candidates(self, limit: int) -> Sequence[int]:
        return self.ids()


class Scored(Matcher):
    """Posts with their scores, worked out beforehand (an OR group's)."""

    def __init__(self, scores: dict[int, float]) -> None:
        self.scores = scores
        self._ids = sorted(scores)
        self.size = len(scores)

    def ids(self) -> Sequence[int]:
        return self._ids

    def keep(self, among: Sequence[int]) -> list[int]:
        return list(compress(among, map(self.scores.__contains__, among)))

    def values(self, among: Sequence[int]) -> list[float]:
        return list(map(self.scores.__getitem__, among))

    def values0(self, among: Sequence[int]) -> list[float]:
        return list(map(self.scores.get, among, repeat(0.0)))


class DocSet(Matcher):
    """A set of posts that adds nothing to the score (a phrase's posts, from a bitmap)."""

    def __init__(self, ids: list[int]) -> None:
        self._ids = ids
        self._set = set(ids)
        self.size = len(ids)

    def ids(self) -> Sequence[int]:
        return self._ids

    def keep(self, among: Sequence[int]) -> list[int]:
        return list(compress(among, map(self._set.__contains__, among)))

    def values(self, among: Sequence[int]) -> None:
        return None


def sum_scores(matchers: list[Matcher], among: list[int]) -> list[float]:
    """The sum of the matchers' scores for each post of `among` (all of which match)."""
    tables: list[ImpactTable] = []
    others: list[Matcher] = []
    c = 0.0  # the bonuses of the tables' terms, which every post of `among` has
    for matcher in matchers:
        table = matcher.table(len(among))
        if table is None:
            others.append(matcher)
        else:
            tables.append(table)
            c += matcher.bonus
    # One comprehension over the posts for up to three terms: no list per term.
    totals: list[float] | None = None
    while tables:
        if len(tables) >= 3:
            (t1, w1), (t2, w2), (t3, w3) = tables[:3]
            more = [w1 * t1[d] + w2 * t2[d] + w3 * t3[d] + c for d in among]
        elif len(tables) == 2:
            (t1, w1), (t2, w2) = tables
            more = [w1 * t1[d] + w2 * t2[d] + c for d in among]
        else:
            (t1, w1) = tables[0]
            more = [w1 * t1[d] + c for d in among]
        c = 0.0
        del tables[:3]
        totals = more if totals is None else list(map(add, totals, more))
    for matcher in others:
        extra = matcher.values(among)
        if extra is not None:
            totals = extra if totals is None else list(map(add, totals, extra))
    return totals if totals is not None else [0.0] * len(among)
