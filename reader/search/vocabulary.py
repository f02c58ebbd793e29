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
from reader.search.stemming import stem_words, stemmable
from reader.search.tokenize import is_cjk, terms

__all__ = [
    "BARRIER",
    "FIELD",
    "FIRST_TERM",
    "FUZZY_FACTOR",
    "MAX_EXPANSIONS",
    "MAX_EXPANSION_POSTINGS",
    "PREFIX_FACTOR",
    "STEM_FACTOR",
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
STEM_FACTOR = 0.8
"""A word of the same stem (`caching` for `cache`) scores below the word as written."""
FUZZY_FACTOR = 0.5
"""A word one or two edits away scores well below an exact match."""
MAX_EXPANSIONS = 40
"""At most this many words per prefix or typo, the most frequent first."""
MAX_EXPANSION_POSTINGS = 40_000
"""...and no more postings than this between them, so `a` stays fast on 10k posts."""
MAX_STEM_CANDIDATES = 2_000
"""Words looked at for a shared stem: those starting like the stem, at most this many."""


class Expansion(NamedTuple):
    """What one query word matches."""

    terms: list[tuple[int, float]]
    """(term id, score factor) of the word itself and its expansions."""
    names: set[str]
    """The terms to highlight (the word itself and any typo expansions)."""
    prefixes: list[str]
    """The word, if it matched as a prefix (highlight words starting with it)."""
    stems: list[tuple[str, list[int]]]
    """Per stemmer (Snowball algorithm name), the other words of the same stem."""


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
        return self.add_terms(terms(text), out)

    def add_terms(self, found: list[str], out: list[int]) -> int:
        """Append the ids of the terms `found` to `out` (adding new ones); how many."""
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

    def expand(self, clause: Clause, df: Sequence[int], stemmers: Sequence[str] = ()) -> Expansion:
        """The terms a one-word clause matches, the terms to highlight, the prefixes.

        `stemmers` are the Snowball algorithms of the library's posts: the
        word also matches the words sharing its stem under each.
        """
        word = clause.terms[0]
        exact = self.ids.get(word)
        pairs: list[tuple[int, float]] = []
        names: set[str] = set()
        prefixes: list[str] = []
        stems: list[tuple[str, list[int]]] = []
        if exact is not None and df[exact]:
            pairs.append((exact, 1.0))
            names.add(word)
        if clause.prefix or (is_cjk(word) and len(word) == 1):
            longer = self.cap(self.prefix_terms(word, df), df)
            pairs.extend((t, PREFIX_FACTOR) for t in longer)
            if longer:
                prefixes.append(word)
        if not clause.negated:
            taken = {t for t, _ in pairs}
            for name in stemmers:
                forms = self.cap([t for t in self.stem_terms(word, name, df) if t not in taken], df)
                if forms:
                    stems.append((name, forms))
                    names.update(self.terms[t] for t in forms)
        if not pairs and not stems and len(word) >= 5 and not clause.negated:
            fuzzy = self.cap(self.fuzzy_terms(word, df), df)
            pairs.extend((t, FUZZY_FACTOR) for t in fuzzy)
            names.update(self.terms[t] for t in fuzzy)
        return Expansion(pairs, names, prefixes, stems)

    def stem_terms(self, word: str, name: str, df: Sequence[int]) -> list[int]:
        """The ids of the other terms in some post with the stem of `word` under `name`.

        Snowball mostly cuts endings, so the candidates are the terms that
        start as the stem does (as far as it agrees with the word: `happi` of
        `happy` looks from `happ`); only they are stemmed.
        """
        if not stemmable(word):
            return []
        stem = stem_words(name, [word])[0]
        start = _common_prefix(word, stem)
        if stem.endswith("i") and len(start) == len(stem):
            start = start[:-1]  # `happiness` -> `happi`, which `happy` does not start with
        if len(start) < 3:
            return []
        found = self.prefix_terms(start, df, MAX_STEM_CANDIDATES)
        exact = self.ids.get(start)
        if exact is not None and df[exact]:
            found.append(exact)
        names = [self.terms[t] for t in found]
        return [
            t
            for t, other, its in zip(found, names, stem_words(name, names), strict=True)
            if its == stem and other != word
        ]

    def prefix_terms(self, prefix: str, df: Sequence[int], limit: int | None = None) -> list[int]:
        """The ids of the terms in some post that start with `prefix` (but are longer).

        At most `limit` of them (in alphabetical order), if given.
        """
        if self._sorted is None:
            self._sorted = sorted(t for i, t in enumerate(self.terms) if i >= FIRST_TERM and df[i])
        names = self._sorted
        found: list[int] = []
        i = bisect_left(names, prefix)
        end = len(names) if limit is None else min(len(names), i + limit + 1)
        while i < end and names[i].startswith(prefix):
            if names[i] != prefix:
                found.append(self.ids[names[i]])
            i += 1
        return found

    def fuzzy_terms(self, word: str, df: Sequence[int], limit: int | None = None) -> list[int]:
        """The ids of the terms in some post one edit from `word` (two from a long word).

        A swap of two neighbouring letters is one edit (optimal string alignment).
        `limit` sets another most edits (suggestions allow more than matching).
        """
        from rapidfuzz.distance import OSA
        from rapidfuzz.process import extract

        if self._by_length is None:
            by_length: dict[int, list[str]] = {}
            for i, name in enumerate(self.terms):
                if i >= FIRST_TERM and df[i]:
                    by_length.setdefault(len(name), []).append(name)
            self._by_length = by_length
        if limit is None:
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


def _common_prefix(a: str, b: str) -> str:
    """The longest string both `a` and `b` start with."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]
