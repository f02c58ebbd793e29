"""Suggestions for a query that matched nothing: "did you mean caching?".

Only asked for when a search found no post, so it may cost a few
milliseconds. Each word of the query that no post holds is replaced by a
near word of the index's vocabulary: one a few typos away (more leeway
than the search's own typo rule: one edit from three letters, two from
five), or a longer word it starts (`cach` -> `caching`), the nearest first,
then the most frequent. A suggestion is the query text with those words
replaced, and is offered only if it finds something (the caller checks).
"""

from __future__ import annotations

from collections.abc import Sequence

from reader.search.query import Clause, Query
from reader.search.tokenize import is_cjk, spans
from reader.search.vocabulary import Vocabulary

__all__ = ["MAX_SUGGESTIONS", "near_words", "suggestions"]

MAX_SUGGESTIONS = 3
"""At most this many suggestions for a query."""
_PREFIX_DISTANCE = 1.5
"""A longer word the query word starts ranks between one and two typos."""


def near_words(vocabulary: Vocabulary, df: Sequence[int], word: str, n: int) -> list[str]:
    """Up to `n` words of some post near `word`, the nearest and most frequent first."""
    from rapidfuzz.distance import OSA

    if len(word) < 3 or is_cjk(word):
        return []
    names = vocabulary.terms
    ranked: dict[str, tuple[float, int]] = {}
    for term_id in vocabulary.fuzzy_terms(word, df, 2 if len(word) >= 5 else 1):
        name = names[term_id]
        ranked[name] = (float(OSA.distance(word, name)), -df[term_id])
    for term_id in vocabulary.prefix_terms(word, df, 200):
        name = names[term_id]
        ranked.setdefault(name, (_PREFIX_DISTANCE, -df[term_id]))
    ranked.pop(word, None)
    return sorted(ranked, key=ranked.__getitem__)[:n]


def _unknown_words(query: Query, vocabulary: Vocabulary, df: Sequence[int]) -> list[str]:
    """The positive single words of `query` (groups included) that no post holds."""
    found: list[str] = []

    def visit(clauses: Sequence[Clause]) -> None:
        for clause in clauses:
            if clause.negated:
                continue
            if clause.any_of:
                for alternative in clause.any_of:
                    visit(alternative)
                continue
            for term in clause.terms:
                term_id = vocabulary.get(term)
                if (term_id is None or not df[term_id]) and term not in found:
                    found.append(term)

    visit(query.clauses)
    return found


def _replace(text: str, word: str, by: str) -> str:
    """`text` with its first word folding to `word` replaced by `by`."""
    for start, end, term in spans(text):
        if term == word:
            return text[:start] + by + text[end:]
    return text


def suggestions(query: Query, vocabulary: Vocabulary, df: Sequence[int]) -> list[str]:
    """Query texts to try instead of `query`, best first (not yet checked to find anything)."""
    unknown = _unknown_words(query, vocabulary, df)
    if not unknown:
        return []
    choices = [near_words(vocabulary, df, word, MAX_SUGGESTIONS) for word in unknown]
    if not any(choices):
        return []
    best = query.text
    for word, near in zip(unknown, choices, strict=True):
        if near:
            best = _replace(best, word, near[0])
    found = [best]
    first = next(i for i, near in enumerate(choices) if near)
    for other in choices[first][1:]:
        found.append(_replace(best, choices[first][0], other))
    return [text for text in dict.fromkeys(found) if text != query.text]
