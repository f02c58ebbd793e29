"""Postings: for each term, the posts it is in and its impact in each, in one of two layouts.

* *Sparse*: a term found in few posts keeps flat arrays of the ids of those
  posts (ascending) and of each one's impact (16 bits). As loaded or packed,
  every sparse term's lists are slices of three flat arrays (`base_at`,
  `base_ids`, `base_impacts`: term t owns `base[at[t]:at[t + 1]]`); a term
  changed since has its own pair of arrays in `changed` until the next pack.
* *Dense*: a term found in a third of the posts or more keeps one impact per
  post instead (0: absent), which is smaller and needs no search.

`df` counts the posts of every term, whichever its layout. Document ids
only grow between two packs, so a post's postings are appended in order.

As loaded, the flat arrays and the dense rows are read-only views of the
index file's map (`memoryview`, see `file_format`), read only where a query
looks: a term's lists are copied into `changed` when it is touched, and the
dense rows copied all at once when a post is added or removed; a pack makes
arrays of them all again.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from itertools import compress
from typing import TypeAlias

from reader.search.matchers import DenseTerm, Matcher, SparseTerm
from reader.search.scoring import SCALE

__all__ = ["DENSE_MIN", "DENSE_SHARE", "Numbers", "Postings", "owned"]

Numbers: TypeAlias = "array[int] | memoryview"
"""An `array` of numbers, or a read-only view of the index file's map of the same type."""

DENSE_SHARE = 3
"""A term in more than 1/DENSE_SHARE of the posts keeps one impact per post."""
DENSE_MIN = 64
"""...if it is in at least this many posts (small libraries stay sparse)."""


def owned(values: Numbers, code: str) -> array[int]:
    """`values` as an `array` of type `code`, copied if it is a view of the map."""
    if isinstance(values, array):
        return values
    found = array(code)
    found.frombytes(values.cast("B"))
    return found


def _is_dense(count: int, posts: int) -> bool:
    return count >= DENSE_MIN and count * DENSE_SHARE > posts


class Postings:
    """The postings of every term, by term id."""

    def __init__(self) -> None:
        self.df = array("I", [0, 0])
        """Posts per term id (the separators' ids first, always 0)."""
        self.base_at = array("Q", [0])
        self.base_ids: Numbers = array("I")
        self.base_impacts: Numbers = array("H")
        self.changed: dict[int, tuple[array[int], array[int]]] = {}
        """Sparse terms changed since the last pack: (document ids, impacts)."""
        self.dense: dict[int, Numbers] = {}
        """Dense terms: one impact per document id."""

    def reserve(self, terms: int) -> None:
        """Make room for term ids below `terms` (new words of the vocabulary)."""
        missing = terms - len(self.df)
        if missing > 0:
            self.df.extend(array("I", bytes(4 * missing)))

    def _dense_rows(self) -> dict[int, array[int]]:
        """The dense rows, to change (copied out of the file's map, if mapped)."""
        dense = self.dense
        if any(not isinstance(row, array) for row in dense.values()):
            dense = self.dense = {t: owned(row, "H") for t, row in dense.items()}
        return dense  # type: ignore[return-value]

    def own(self) -> None:
        """Copy every view of the file's map into arrays (see `IndexParts.copy_out`)."""
        self.base_ids = owned(self.base_ids, "I")
        self.base_impacts = owned(self.base_impacts, "H")
        self._dense_rows()

    def add_document(self) -> None:
        """Make room for one more document id in the dense rows."""
        for row in self._dense_rows().values():
            row.append(0)

    def sparse(self, term_id: int) -> tuple[Numbers, Numbers]:
        """A sparse term's (document ids, impacts); do not change them."""
        found = self.changed.get(term_id)
        if found is not None:
            return found
        at = self.base_at
        if term_id + 1 < len(at):
            start, end = at[term_id], at[term_id + 1]
            return self.base_ids[start:end], self.base_impacts[start:end]
        return array("I"), array("H")

    def _own(self, term_id: int) -> tuple[array[int], array[int]]:
        """A sparse term's (document ids, impacts), to change."""
        found = self.changed.get(term_id)
        if found is None:
            ids, impacts = self.sparse(term_id)
            found = self.changed[term_id] = (owned(ids, "I"), owned(impacts, "H"))
        return found

    def add(self, doc_id: int, impacts: Mapping[int, float]) -> None:
        """Append a document's impacts (as `scoring.impacts` gives them) to its terms."""
        df, dense, changed = self.df, self._dense_rows(), self.changed
        for term_id, impact in impacts.items():
            # Stored as round(impact * SCALE), never 0, which means "absent" in a dense row.
            value = int(impact * SCALE + 0.5) or 1
            df[term_id] += 1
            row = dense.get(term_id)
            if row is not None:
                row[doc_id] = value
                continue
            found = changed.get(term_id)
            if found is None:
                found = self._own(term_id)
            found[0].append(doc_id)
            found[1].append(value)

    def remove(self, doc_id: int, term_ids: Iterable[int]) -> None:
        """Take a document out of the postings of its terms `term_ids`."""
        df, dense = self.df, self._dense_rows()
        for term_id in term_ids:
            row = dense.get(term_id)
            if row is not None:
                if row[doc_id]:
                    row[doc_id] = 0
                    df[term_id] -= 1
                continue
            ids, impacts = self._own(term_id)
            i = bisect_left(ids, doc_id)
            if i < len(ids) and ids[i] == doc_id:
                del ids[i]
                del impacts[i]
                df[term_id] -= 1

    def pack(self, posts: int) -> None:
        """Gather the sparse postings into flat arrays; move terms between the layouts.

        A dense term goes back to sparse only below half the share that made
        it dense, so a term near the line does not switch at every save.
        """
        df = self.df
        at = array("Q", [0])
        ids_out = array("I")
        impacts_out = array("H")
        for term_id in range(len(df)):
            count = df[term_id]
            row = self.dense.get(term_id)
            if row is not None and (count < DENSE_MIN or count * DENSE_SHARE * 2 < posts):
                ids_out.extend(compress(range(posts), row))
                impacts_out.extend(compress(row, row))
                del self.dense[term_id]
            elif row is None and _is_dense(count, posts):
                ids, impacts = self.sparse(term_id)
                row = array("H", bytes(2 * posts))
                for doc_id, value in zip(ids, impacts, strict=True):
                    row[doc_id] = value
                self.dense[term_id] = row
            elif row is None:
                ids, impacts = self.sparse(term_id)
                ids_out.extend(owned(ids, "I"))
                impacts_out.extend(owned(impacts, "H"))
            at.append(len(ids_out))
        self.base_at, self.base_ids, self.base_impacts = at, ids_out, impacts_out
        self.changed = {}

    def matcher(self, term_id: int, weight: float, bonus: float = 0.0) -> Matcher:
        """A matcher over a term's postings, scoring `weight` per unit of stored impact
        (plus `bonus` in every post it matches)."""
        row = self.dense.get(term_id)
        if row is not None:
            return DenseTerm(row, self.df[term_id], weight, bonus)
        ids, impacts = self.sparse(term_id)
        return SparseTerm(ids, impacts, weight, bonus)
