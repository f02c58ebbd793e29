"""Answering a parsed query from the parts of an index: which posts match, and the best.

Each positive clause becomes a matcher: a word and its expansions, or a
phrase's words (and the bitmaps of its common pairs). The matchers are
intersected smallest first within the posts the filters allow; phrases not
settled by a bitmap are checked on the candidates' forward sequences;
negated clauses take their posts out; the rest are scored in one pass and
the best kept. One word alone skips the intersection and ranks only the
candidates that can reach its top.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from itertools import compress, filterfalse, pairwise
from typing import NamedTuple

from reader.search.matchers import BestOf, DocSet, Matcher, bitmap_ids, sum_scores
from reader.search.parts import IndexParts
from reader.search.query import Clause, Query
from reader.search.scoring import SCALE, idf, top
from reader.search.snippets import Highlight

__all__ = ["Answer", "evaluate", "highlight_patterns"]


class Answer(NamedTuple):
    """The posts a query matches."""

    top: list[tuple[float, int]]
    """The best (score, document id) pairs, best first."""
    total: int
    """How many posts match."""
    highlight: Highlight
    matched: Sequence[int] | None
    """Every matching document id, when asked for (else empty); None when the
    query cannot match (an empty query, or a word in no post)."""


def _matcher(parts: IndexParts, term_id: int, factor: float) -> Matcher:
    postings = parts.postings
    weight = factor * idf(len(parts.documents), postings.df[term_id]) / SCALE
    return postings.matcher(term_id, weight)


def _present(parts: IndexParts, clause: Clause) -> list[int] | None:
    """The term ids of a clause's words, or None if any is in no post."""
    df = parts.postings.df
    ids = [parts.vocabulary.get(t) for t in clause.terms]
    present = [i for i in ids if i is not None and df[i]]
    return present if len(present) == len(ids) else None


def evaluate(
    parts: IndexParts,
    query: Query,
    limit: int,
    tag: str | None,
    bookmarked: Collection[str],
    read: Collection[str],
    all_matched: bool,
    drafts: Collection[str] = (),
) -> Answer:
    """The posts matching `query` (and the filters), the best `limit` of them first."""
    none = Answer([], 0, Highlight(), None)
    if query.is_empty and tag is None:
        return none
    allowed = parts.documents.allowed(query, tag, bookmarked, read, drafts)
    # Drafts are hidden from most searches, and are few: they are taken out of the
    # answer rather than narrowing `allowed`, which would cost the one-word fast path.
    doc_of = parts.documents.doc_of
    hidden = sorted(doc_of[s] for s in drafts if s in doc_of) if query.draft is False else []
    names: set[str] = set()
    prefixes: list[str] = []
    matchers: list[Matcher] = []
    scorers: list[Matcher] = []
    phrases: list[list[int]] = []
    for clause in query.positive:
        if clause.phrase:
            present = _present(parts, clause)
            if present is None:
                return none
            words = [_matcher(parts, t, 1.0) for t in dict.fromkeys(present)]
            keys = (parts.forward.pair_key(a, b) for a, b in pairwise(present))
            bitmaps = [parts.pairs.get(key) for key in keys]
            matchers.extend(DocSet(bitmap_ids(b)) for b in bitmaps if b is not None)
            if len(present) == 2 and bitmaps and bitmaps[0] is not None:
                scorers.extend(words)  # the bitmap is exact: the words only score
            else:
                matchers.extend(words)
                phrases.append(present)  # verified on the sequences
            names.update(clause.terms)
            continue
        expansion = parts.vocabulary.expand(clause, parts.postings.df)
        if not expansion.terms:
            return none
        found = [_matcher(parts, t, f) for t, f in expansion.terms]
        matchers.append(found[0] if len(found) == 1 else BestOf(found))
        names.update(expansion.names)
        prefixes.extend(expansion.prefixes)

    highlight = Highlight(frozenset(names), tuple(prefixes))
    negated = [c for c in query.clauses if c.negated]
    if len(matchers) == 1 and not (scorers or phrases or negated) and allowed is None:
        # One word (or prefix, or typo): no intersection, rank its best candidates only.
        only = matchers[0]
        out = set(only.keep(hidden)) if hidden else set()
        best = [hit for hit in only.best(limit + len(out)) if hit[1] not in out][:limit]
        matched = only.ids() if all_matched else ()
        if out and all_matched:
            matched = list(filterfalse(out.__contains__, matched))
        return Answer(best, only.count() - len(out), highlight, matched)
    chosen = _intersect(parts, matchers, allowed)
    if hidden:
        out = set(hidden)
        chosen = list(filterfalse(out.__contains__, chosen))
    for sequence in phrases:
        chosen = parts.forward.with_phrase(chosen, sequence)
    for clause in negated:
        if chosen:
            excluded = _matching(parts, clause, chosen)
            chosen = list(filterfalse(excluded.__contains__, chosen))
    if matchers or scorers:
        best = top(chosen, sum_scores([*matchers, *scorers], chosen), limit)
    else:
        best = [(0.0, d) for d in chosen[:limit]]
    return Answer(best, len(chosen), highlight, chosen if all_matched else ())


def _intersect(parts: IndexParts, matchers: list[Matcher], allowed: set[int] | None) -> list[int]:
    """The posts every matcher matches (and `allowed` allows), smallest matcher first."""
    if not matchers:
        return sorted(allowed if allowed is not None else parts.documents.doc_of.values())
    matchers.sort(key=lambda m: m.size)
    candidates = matchers[0].ids()
    if allowed is not None:
        candidates = list(compress(candidates, map(allowed.__contains__, candidates)))
    for matcher in matchers[1:]:
        if not candidates:
            break
        candidates = matcher.keep(candidates)
    return list(candidates)


def _matching(parts: IndexParts, clause: Clause, among: list[int]) -> set[int]:
    """Which of `among` contain the (negated) clause, exactly."""
    present = _present(parts, clause)
    if present is None:
        return set()
    found = among
    for term_id in dict.fromkeys(present):
        found = _matcher(parts, term_id, 1.0).keep(found)
    if len(present) > 1:
        found = parts.forward.with_phrase(found, present)
    return set(found)


def highlight_patterns(parts: IndexParts, highlight: Highlight) -> list[bytes]:
    """The highlighted terms as they appear in forward sequences (prefixes capped)."""
    vocabulary, df = parts.vocabulary, parts.postings.df
    ids = [i for t in highlight.terms if (i := vocabulary.get(t)) is not None]
    for prefix in highlight.prefixes:
        ids.extend(vocabulary.cap(vocabulary.prefix_terms(prefix, df), df))
    return parts.forward.patterns(ids)
