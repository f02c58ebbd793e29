"""Matchers: the posts one clause of a query matches and their scores, fast on many candidates.

A query is answered by intersecting its clauses' matchers, smallest first,
and summing their scores over the posts left. Candidates are numpy arrays
of ascending document ids, so each test or score over thousands of posts
is one vectorised step, not a Python loop per post: a dense term's row is
indexed directly, a sorted term's ids are searched (`searchsorted`), a
word's expansions take the best-scoring one per post, and a phrase's
bitmap is a sorted set with no score.

The postings stay in `array` arrays, or read-only views of the index
file's map (see `postings`); a matcher views them with `numpy.frombuffer`
for the length of one query, and never keeps the view beyond it (a row
with a view cannot grow).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = [
    "BestOf",
    "DenseTerm",
    "DocSet",
    "Ids",
    "Matcher",
    "Scored",
    "Scores",
    "SparseTerm",
    "Within",
    "as_ids",
    "bitmap_ids",
    "sum_scores",
    "top",
    "union",
]

Ids: TypeAlias = "npt.NDArray[np.int64]"
"""Document ids, ascending."""
Scores: TypeAlias = "npt.NDArray[np.float64]"
"""One score per document id of an `Ids`."""


def as_ids(ids: Iterable[int]) -> Ids:
    """Document ids as an `Ids` array, ascending (a set or any iterable of ints)."""
    found = np.fromiter(ids, dtype=np.int64)
    found.sort()
    return found


def bitmap_ids(bitmap: bytes | bytearray | memoryview) -> Ids:
    """The positions of the set bits of a little-endian bitmap, ascending."""
    bits = np.unpackbits(np.frombuffer(bytes(bitmap), dtype=np.uint8), bitorder="little")
    return np.flatnonzero(bits).astype(np.int64)


def union(arrays: list[Ids]) -> Ids:
    """The ids in any of `arrays` (each ascending), ascending, each once."""
    found = [a for a in arrays if len(a)]
    if len(found) < 2:
        return found[0] if found else np.zeros(0, dtype=np.int64)
    mask = np.zeros(max(int(a[-1]) for a in found) + 1, dtype=bool)
    for ids in found:
        mask[ids] = True
    return np.flatnonzero(mask)


def top(candidates: Ids, scores: Scores, limit: int) -> list[tuple[float, int]]:
    """The best `limit` (score, id) pairs of `candidates` with `scores`, best first, ties by id."""
    n = len(candidates)
    if limit <= 0 or not n:
        return []
    if n > limit:
        # Everything at or above the limit-th best score: ties at the line are kept.
        threshold = np.partition(scores, n - limit)[n - limit]
        keep = scores >= threshold
        candidates, scores = candidates[keep], scores[keep]
    order = np.lexsort((candidates, -scores))[:limit]
    return list(zip(scores[order].tolist(), candidates[order].tolist(), strict=True))


def _at_least_best(values: npt.NDArray[np.generic], limit: int) -> npt.NDArray[np.intp]:
    """Positions of `values` that include the `limit` largest (ties at the line kept), ascending."""
    n = len(values)
    if n <= limit or limit <= 0:
        return np.flatnonzero(values) if limit > 0 else np.zeros(0, dtype=np.intp)
    threshold = np.partition(values, n - limit)[n - limit]
    return np.flatnonzero(values >= max(threshold, 1))


def _scores(impacts: npt.NDArray[np.uint16], weight: float, bonus: float = 0.0) -> Scores:
    """`weight` per unit of stored impact, plus `bonus`."""
    scores = np.multiply(impacts, weight, dtype=np.float64)
    if bonus:
        scores += bonus
    return scores


def _best(scores: list[Scores]) -> Scores:
    """The highest of `scores` for each post."""
    found = scores[0].copy()
    for more in scores[1:]:
        np.maximum(found, more, out=found)
    return found


class Matcher:
    """The posts one clause matches and their scores, for an array of candidate ids."""

    size: int
    """How many posts it matches (an upper bound for a union)."""
    bonus: float = 0.0
    """Added to the score of every post it matches (`scoring.EXACT` for a word as written)."""

    def ids(self) -> Ids:
        """Every post the clause matches, ascending."""
        raise NotImplementedError

    def count(self) -> int:
        """How many posts the clause matches, exactly."""
        return self.size

    def has(self, among: Ids) -> npt.NDArray[np.bool_]:
        """For each post of `among` (ascending), whether the clause matches it."""
        raise NotImplementedError

    def keep(self, among: Ids) -> Ids:
        """The posts of `among` (ascending) the clause matches."""
        return among[self.has(among)]

    def values(self, among: Ids) -> Scores | None:
        """The clause's score of each post of `among` (all of which it matches); None: all 0."""
        return self.values0(among)

    def values0(self, among: Ids) -> Scores:
        """The clause's score of each post of `among`, 0 where it does not match."""
        raise NotImplementedError

    def candidates(self, limit: int) -> Ids:
        """Posts that include the `limit` best-scoring ones."""
        return self.ids()

    def best(self, limit: int) -> list[tuple[float, int]]:
        """The `limit` best (score, id) pairs, best first, ties by id."""
        found = self.candidates(limit)
        scores = self.values(found)
        return top(found, np.zeros(len(found)) if scores is None else scores, limit)


class DenseTerm(Matcher):
    """A term with one impact per post (0: absent)."""

    def __init__(
        self, impacts: array[int] | memoryview, size: int, weight: float, bonus: float = 0.0
    ) -> None:
        self.impacts: npt.NDArray[np.uint16] = np.frombuffer(impacts, dtype=np.uint16)
        self.size = size
        self.weight = weight
        self.bonus = bonus

    def ids(self) -> Ids:
        return np.flatnonzero(self.impacts).astype(np.int64)

    def has(self, among: Ids) -> npt.NDArray[np.bool_]:
        return np.not_equal(self.impacts[among], 0)

    def values(self, among: Ids) -> Scores:
        return _scores(self.impacts[among], self.weight, self.bonus)

    def values0(self, among: Ids) -> Scores:
        found = self.impacts[among]
        scores = _scores(found, self.weight)
        if self.bonus:
            scores[found != 0] += self.bonus
        return scores

    def candidates(self, limit: int) -> Ids:
        return _at_least_best(self.impacts, limit).astype(np.int64)


class _Sorted(Matcher):
    """Posts by ascending id, with a score for each (or none: all 0)."""

    def __init__(self, ids: Ids, scores: Scores | None) -> None:
        self._ids = ids
        self._scores = scores
        self.size = len(ids)

    def ids(self) -> Ids:
        return self._ids

    def _where(self, among: Ids) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
        """Where each of `among` is (or would be) in the ids, and whether it is there."""
        ids = self._ids
        if not len(ids):
            return np.zeros(len(among), dtype=np.intp), np.zeros(len(among), dtype=bool)
        at = np.minimum(np.searchsorted(ids, among), len(ids) - 1)
        return at, ids[at] == among

    def has(self, among: Ids) -> npt.NDArray[np.bool_]:
        return self._where(among)[1]

    def values(self, among: Ids) -> Scores | None:
        if self._scores is None:
            return None
        return self._scores[self._where(among)[0]]

    def values0(self, among: Ids) -> Scores:
        if self._scores is None:
            return np.zeros(len(among))
        at, there = self._where(among)
        return np.where(there, self._scores[at], 0.0)


class SparseTerm(_Sorted):
    """A term with the ascending ids of its posts and an impact for each."""

    def __init__(
        self,
        ids: array[int] | memoryview,
        impacts: array[int] | memoryview,
        weight: float,
        bonus: float = 0.0,
    ) -> None:
        self.impacts: npt.NDArray[np.uint16] = np.frombuffer(impacts, dtype=np.uint16)
        found = np.frombuffer(ids, dtype=np.uint32).astype(np.int64)
        super().__init__(found, _scores(self.impacts, weight, bonus))
        self.weight = weight
        self.bonus = bonus

    def candidates(self, limit: int) -> Ids:
        return self._ids[_at_least_best(self.impacts, limit)]


class Scored(_Sorted):
    """Posts with their scores, worked out beforehand (an OR group's)."""

    def __init__(self, scores: dict[int, float]) -> None:
        ids = as_ids(scores)
        super().__init__(ids, np.fromiter(map(scores.__getitem__, ids.tolist()), np.float64))


class DocSet(_Sorted):
    """A set of posts that adds nothing to the score (a phrase's posts, from a bitmap)."""

    def __init__(self, ids: Ids) -> None:
        super().__init__(ids, None)


class BestOf(Matcher):
    """A word and its expansions (prefix, stem or typo): the best-scoring one per post.

    The word itself, when in the library, is the first part.
    """

    def __init__(self, parts: list[Matcher]) -> None:
        self.parts = parts
        self.size = sum(p.size for p in parts)
        self._ids: Ids | None = None

    def ids(self) -> Ids:
        if self._ids is None:
            self._ids = union([part.ids() for part in self.parts])
        return self._ids

    def count(self) -> int:
        return len(self.ids())

    def has(self, among: Ids) -> npt.NDArray[np.bool_]:
        found = self.parts[0].has(among)
        for part in self.parts[1:]:
            found |= part.has(among)
        return found

    def values0(self, among: Ids) -> Scores:
        first, others = self.parts[0], self.parts[1:]
        if not first.bonus:
            return _best([part.values0(among) for part in self.parts])
        # The word as written outscores any expansion (its `EXACT`): an expansion's
        # score counts only in the posts without it.
        values = first.values0(among)
        rest = _best([part.values0(among) for part in others])
        return np.where(values > 0, values, rest)

    def candidates(self, limit: int) -> Ids:
        # A post among the best `limit` of the union is among the best of the expansion
        # that gives its score, so the union of each expansion's best holds them all.
        return union([part.candidates(limit) for part in self.parts])


class Within(Matcher):
    """Another matcher's posts among `allowed` only (a stemmed form, in its language's posts)."""

    def __init__(self, inner: Matcher, allowed: Ids) -> None:
        self.inner = inner
        self.allowed = DocSet(allowed)
        self.size = min(inner.size, len(allowed))
        self.bonus = inner.bonus
        self._ids: Ids | None = None

    def ids(self) -> Ids:
        if self._ids is None:
            self._ids = self.allowed.keep(self.inner.ids())
        return self._ids

    def count(self) -> int:
        return len(self.ids())

    def has(self, among: Ids) -> npt.NDArray[np.bool_]:
        return self.allowed.has(among) & self.inner.has(among)

    def values(self, among: Ids) -> Scores | None:
        return self.inner.values(among)

    def values0(self, among: Ids) -> Scores:
        return np.where(self.allowed.has(among), self.inner.values0(among), 0.0)

    def candidates(self, limit: int) -> Ids:
        return self.ids()


def sum_scores(matchers: list[Matcher], among: Ids) -> Scores:
    """The sum of the matchers' scores for each post of `among` (all of which match)."""
    totals = np.zeros(len(among))
    for matcher in matchers:
        extra = matcher.values(among)
        if extra is not None:
            totals += extra
    return totals
