"""The vocabulary: every distinct term with an integer id, and how a query word expands.

Ids 0 and 1 are reserved for the separators of a forward sequence (see
`reader.search.forward`); terms start at `FIRST_TERM`. A query word matches
its own term, and also, when it is a prefix (the word being typed, or one
CJK character), the longer terms starting with it, or else, when it is not
in the library at all and has five letters or more, the terms one or two
edits away (from nine letters). An edit is a letter added, dropped or changed,
or two neighbours swapped (`stampeed` is one edit from `stampede`: the optimal
string alignment distance, as Meilisearch and Algolia count typos). Each
expansion scores below the word itself, and only the most frequent few are
kept so a one-letter prefix stays fast.

Document frequencies (`df`, posts per term id) belong to the postings; the
expansions are handed them.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Sequence
from typing import NamedTuple

from reader.search.query import Clause
from reader.search.tokenize import is_cjk, terms

__all__ = [
    "BARRIER",
    "FIELD",
    "FIRST_TERM",
    "FUZZY_FACTOR",
    "MAX_EXPANSIONS",
    "MAX_EXPANSION_POSTINGS",
    "PREFIX_FACTOR",
    "Expansion",
    "Vocabulary",
]

BARRIER = 0
"""Between two tags or two headings: a phrase never spans it."""
FIELD = 1
"""Between two fields."""
FIRST_TERM = 2

PREFIX_FACTOR = 0.9
"""A longer word found by prefix scores a little below the typed word itself."""
FUZZY_FACTOR = 0.5
"""A word one or two edits away scores well below an exact match."""
MAX_EXPANSIONS = 40
"""At most this many words per prefix or typo, the most frequent first."""
MAX_EXPANSION_POSTINGS = 40_000
"""...and no more postings than this between them, so `a` stays fast on 10k posts."""


class Expansion(NamedTuple):
    """What one query word matches."""

    terms: list[tuple[int, float]]
    """(term id, score factor) of the word itself and its expansions."""
    names: set[str]
    """The terms to highlight (the word itself and any typo expansions)."""
    prefixes: list[str]
    """The word, if it matched as a prefix (highlight words starting with it)."""


class Vocabulary:
    """Terms by id and ids by term."""

    def __init__(self, names: Sequence[str] = ()) -> None:
        self.terms: list[str] = ["", "", *names]
        """Each term by id; the first `FIRST_TERM` are the separators' (empty)."""
        self.ids: dict[str, int] = {t: i for i, t in enumerate(self.terms) if i >= FIRST_TERM}
        # Caches for prefixes and typos: made on first use, dropped when a term is added.
        self._sorted: list[str] | None = None
        self._by_length: dict[int, list[str]] | None = None

    def __len__(self) -> int:
        return len(self.terms)

    def get(self, term: str) -> int | None:
        """The id of `term`, or None if it was never seen."""
        return self.ids.get(term)

    def add(self, term: str) -> int:
        """The id of `term`, adding it if new."""
        term_id = self.ids.get(term)
        if term_id is None:
            term_id = self.ids[term] = len(self.terms)
            self.terms.append(term)
            self._sorted = self._by_length = None
        return term_id

    def add_text(self, text: str, out: list[int]) -> int:
        """Append the ids of the terms of `text` to `out` (adding new ones); how many."""
        found = terms(text)
        ids = list(map(self.ids.get, found))
        if None in ids:
            add = self.add
            out.extend([add(t) for t in found])
        else:
            out.extend(ids)  # type: ignore[arg-type]
        return len(found)

    def keep(self, kept: Sequence[int]) -> array[int]:
        """Keep only the terms `kept` (ascending), renumbered from `FIRST_TERM`.

        Returns the renumbering, old id -> new id (0 for a dropped term;
        the separators keep theirs).
        """
        remap = array("I", [0]) * len(self.terms)
        remap[FIELD] = FIELD
        for new, old in enumerate(kept, start=FIRST_TERM):
            remap[old] = new
        self.terms = ["", "", *(self.terms[t] for t in kept)]
        self.ids = {t: i for i, t in enumerate(self.terms) if i >= FIRST_TERM}
        self._sorted = self._by_length = None
        return remap

    # -- expansion -----------------------------------------------------------

    def expand(self, clause: Clause, df: Sequence[int]) -> Expansion:
        """The terms a one-word clause matches, the terms to highlight, the prefixes."""
        word = clause.terms[0]
        exact = self.ids.get(word)
        pairs: list[tuple[int, float]] = []
        names: set[str] = set()
        prefixes: list[str] = []
        if exact is not None and df[exact]:
            pairs.append((exact, 1.0))
            names.add(word)
        if clause.prefix or (is_cjk(word) and len(word) == 1):
            longer = self.cap(self.prefix_terms(word, df), df)
            pairs.extend((t, PREFIX_FACTOR) for t in longer)
            if longer:
                prefixes.append(word)
        if not pairs and len(word) >= 5 and not clause.negated:
            fuzzy = self.cap(self.fuzzy_terms(word, df), df)
            pairs.extend((t, FUZZY_FACTOR) for t in fuzzy)
            names.update(self.terms[t] for t in fuzzy)
        return Expansion(pairs, names, prefixes)

    def prefix_terms(self, prefix: str, df: Sequence[int]) -> list[int]:
        """The ids of the terms in some post that start with `prefix` (but are longer)."""
        if self._sorted is None:
            self._sorted = sorted(t for i, t in enumerate(self.terms) if i >= FIRST_TERM and df[i])
        names = self._sorted
        found: list[int] = []
        i = bisect_left(names, prefix)
        while i < len(names) and names[i].startswith(prefix):
            if names[i] != prefix:
                found.append(self.ids[names[i]])
            i += 1
        return found

    def fuzzy_terms(self, word: str, df: Sequence[int]) -> list[int]:
        """The ids of the terms in some post one edit from `word` (two from a long word).

        A swap of two neighbouring letters is one edit (optimal string alignment).
        """
        from rapidfuzz.distance import OSA
        from rapidfuzz.process import extract

        if self._by_length is None:
            by_length: dict[int, list[str]] = {}
            for i, name in enumerate(self.terms):
                if i >= FIRST_TERM and df[i]:
                    by_length.setdefault(len(name), []).append(name)
            self._by_length = by_length
        limit = 2 if len(word) >= 9 else 1
        candidates = [
            name
            for n in range(len(word) - limit, len(word) + limit + 1)
            for name in self._by_length.get(n, ())
        ]
        found = extract(
            word,
            candidates,
            scorer=OSA.distance,
            score_cutoff=limit,
            limit=None,
        )
        return [self.ids[name] for name, _, _ in found]

    @staticmethod
    def cap(term_ids: list[int], df: Sequence[int]) -> list[int]:
        """The most frequent of `term_ids`, within the caps on expansions."""
        ranked = sorted(term_ids, key=lambda t: -df[t])[:MAX_EXPANSIONS]
        kept: list[int] = []
        total = 0
        for term_id in ranked:
            total += df[term_id]
            if kept and total > MAX_EXPANSION_POSTINGS:
                break
            kept.append(term_id)
        return kept
