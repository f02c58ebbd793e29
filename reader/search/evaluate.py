"""Answering a parsed query from the parts of an index: which posts match, and the best.

Each positive clause becomes a matcher: a word and its expansions (longer
words while typing, words of the same stem, typos), an OR group (each of
its alternatives answered the same way, their posts and scores summed), or a
phrase's words (and the bitmaps of its common pairs). The matchers are
intersected smallest first within the posts the filters allow; phrases not
settled by a bitmap are checked on the candidates' forward sequences;
negated clauses take their posts out; the rest are scored in one pass and
the best kept. A post scores `EXACT` more for each clause it matches with
the word as written, so those rank above posts that match by prefix, stem or
typo only. One word alone skips the intersection and ranks only the
candidates that can reach its top.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from itertools import pairwise
from typing import NamedTuple

import numpy as np

from reader.search.matchers import (
    BestOf,
    DocSet,
    Ids,
    Matcher,
    Scored,
    Scores,
    Within,
    as_ids,
    bitmap_ids,
    sum_scores,
    top,
)
from reader.search.notes import NoteWords, note_filter, plain_note_matches
from reader.search.parts import IndexParts
from reader.search.query import Clause, Query
from reader.search.scoring import EXACT, SCALE, idf
from reader.search.snippets import Highlight
from reader.search.vocabulary import STEM_FACTOR

__all__ = ["NO_IDS", "Answer", "evaluate", "highlight_patterns"]

NO_IDS: Ids = np.empty(0, dtype=np.int64)
"""No document ids (the matches when they were not asked for)."""
NO_IDS.flags.writeable = False


class Answer(NamedTuple):
    """The posts a query matches."""

    top: list[tuple[float, int]]
    """The best (score, document id) pairs, best first."""
    total: int
    """How many posts match."""
    highlight: Highlight
    matched: Ids | None
    """Every matching document id, when asked for (else empty), in no order; None
    when the query cannot match (an empty query, or a word in no post)."""


def _matcher(parts: IndexParts, term_id: int, factor: float, bonus: float = 0.0) -> Matcher:
    postings = parts.postings
    weight = factor * idf(len(parts.documents), postings.df[term_id]) / SCALE
    return postings.matcher(term_id, weight, bonus)


def _present(parts: IndexParts, clause: Clause) -> list[int] | None:
    """The term ids of a clause's words, or None if any is in no post."""
    df = parts.postings.df
    ids = [parts.vocabulary.get(t) for t in clause.terms]
    present = [i for i in ids if i is not None and df[i]]
    return present if len(present) == len(ids) else None


class _Plan:
    """What the positive clauses of a conjunction ask of the index, as matchers."""

    def __init__(self) -> None:
        self.matchers: list[Matcher] = []
        """Each must match (and adds to the score)."""
        self.scorers: list[Matcher] = []
        """Only add to the score (words of a phrase its pair bitmap settles)."""
        self.phrases: list[list[int]] = []
        """Term ids to find in a row in each post's forward sequence."""
        self.names: set[str] = set()
        self.prefixes: list[str] = []

    def add(self, parts: IndexParts, clauses: Sequence[Clause], exact: bool = False) -> bool:
        """Plan the positive `clauses`; False when one of them matches no post.

        `exact` leaves out the expansions (a group to exclude: `-(a OR b)`).
        """
        for clause in clauses:
            if clause.negated:
                continue
            if clause.any_of:
                group = _group(parts, clause, self, exact)
                if group is None:
                    return False
                self.matchers.append(group)
            elif clause.phrase:
                if not self._phrase(parts, clause):
                    return False
            elif not self._word(parts, clause, exact):
                return False
        return True

    def _phrase(self, parts: IndexParts, clause: Clause) -> bool:
        present = _present(parts, clause)
        if present is None:
            return False
        # A phrase is words as written: one `EXACT` for the clause, on its first word.
        words = [
            _matcher(parts, t, 1.0, EXACT if i == 0 else 0.0)
            for i, t in enumerate(dict.fromkeys(present))
        ]
        keys = (parts.forward.pair_key(a, b) for a, b in pairwise(present))
        bitmaps = [parts.pairs.get(key) for key in keys]
        self.matchers.extend(DocSet(bitmap_ids(b)) for b in bitmaps if b is not None)
        if len(present) == 2 and bitmaps and bitmaps[0] is not None:
            self.scorers.extend(words)  # the bitmap is exact: the words only score
        else:
            self.matchers.extend(words)
            self.phrases.append(present)  # verified on the sequences
        self.names.update(clause.terms)
        return True

    def _word(self, parts: IndexParts, clause: Clause, exact_only: bool) -> bool:
        docs = parts.documents
        exact = parts.vocabulary.get(clause.terms[0])
        if exact_only:
            if exact is None or not parts.postings.df[exact]:
                return False
            self.matchers.append(_matcher(parts, exact, 1.0))
            return True
        expansion = parts.vocabulary.expand(clause, parts.postings.df, docs.stemmers())
        if not expansion.terms and not expansion.stems:
            return False
        found = [_matcher(parts, t, f, EXACT if t == exact else 0.0) for t, f in expansion.terms]
        for name, forms in expansion.stems:
            # A form counts in the posts of the language whose stemmer found it.
            language = docs.stemmed_by(name)
            within = None if language is None else as_ids(language)
            for term_id in forms:
                form = _matcher(parts, term_id, STEM_FACTOR)
                found.append(form if within is None else Within(form, within))
        self.matchers.append(found[0] if len(found) == 1 else BestOf(found))
        self.names.update(expansion.names)
        self.prefixes.extend(expansion.prefixes)
        return True

    def select(self, parts: IndexParts, negated: Sequence[Clause], allowed: Ids | None) -> Ids:
        """The posts every matcher and phrase matches, `allowed` allows, and `negated` spare."""
        chosen = _intersect(parts, self.matchers, allowed)
        for sequence in self.phrases:
            chosen = as_ids(parts.forward.with_phrase(chosen.tolist(), sequence))
        for clause in negated:
            if len(chosen):
                chosen = chosen[~np.isin(chosen, _matching(parts, clause, chosen))]
        return chosen

    def scores(self, among: Ids) -> Scores:
        """The score of each post of `among` (all of which match)."""
        return sum_scores([*self.matchers, *self.scorers], among)


def evaluate(
    parts: IndexParts,
    query: Query,
    limit: int,
    tag: str | None,
    bookmarked: Collection[str],
    read: Collection[str],
    all_matched: bool,
    drafts: Collection[str] = (),
    dated: Collection[str] | None = None,
    notes: Mapping[str, str] | None = None,
) -> Answer:
    """The posts matching `query` (and the filters), the best `limit` of them first.

    `dated` are the slugs of the posts within the query's dates (none match a
    date filter when it is None); `notes` the bookmark notes by slug, for
    `note:`, `is:noted` and the posts whose note holds a plain query's words.
    """
    if query.is_empty and tag is None:
        return Answer([], 0, Highlight(), None)
    words = NoteWords(notes or {})
    among: list[Collection[str]] = []
    if query.dated:
        among.append(dated if dated is not None else ())
    only, outside = note_filter(query, words)
    if only is not None:
        among.append(only)
    filters = parts.documents.allowed(query, tag, bookmarked, read, drafts, among, outside or ())
    allowed = None if filters is None else as_ids(filters)
    # Drafts are hidden from most searches, and are few: they are taken out of the
    # answer rather than narrowing `allowed`, which would cost the one-word fast path.
    doc_of = parts.documents.doc_of
    hidden = as_ids(doc_of[s] for s in drafts if s in doc_of) if query.draft is False else None
    found = _answer(parts, query, limit, allowed, hidden, all_matched)
    if not words.terms or not query.positive:
        return found
    return _with_notes(parts, query, limit, allowed, hidden, found, words, all_matched)


def _answer(
    parts: IndexParts,
    query: Query,
    limit: int,
    allowed: Ids | None,
    hidden: Ids | None,
    all_matched: bool,
) -> Answer:
    """The posts the index matches (and the filters allow), the best `limit` first."""
    none = Answer([], 0, Highlight(), None)
    plan = _Plan()
    if not plan.add(parts, query.clauses):
        return none
    highlight = Highlight(frozenset(plan.names), tuple(plan.prefixes))
    matchers = plan.matchers
    negated = [c for c in query.clauses if c.negated]
    if len(matchers) == 1 and not (plan.scorers or plan.phrases or negated) and allowed is None:
        # One word (or prefix, or typo): no intersection, rank its best candidates only.
        only = matchers[0]
        out = only.keep(hidden) if hidden is not None else None
        if out is None or not len(out):
            best = only.best(limit)
            matched = only.ids() if all_matched else NO_IDS
            return Answer(best, only.count(), highlight, matched)
        gone = set(out.tolist())
        best = [hit for hit in only.best(limit + len(gone)) if hit[1] not in gone][:limit]
        ids = only.ids()
        matched = ids[~np.isin(ids, out)] if all_matched else NO_IDS
        return Answer(best, only.count() - len(gone), highlight, matched)
    chosen = plan.select(parts, negated, allowed)
    if hidden is not None and len(hidden):
        chosen = chosen[~np.isin(chosen, hidden)]
    if matchers or plan.scorers:
        best = top(chosen, plan.scores(chosen), limit)
    else:
        best = [(0.0, d) for d in chosen[:limit].tolist()]
    return Answer(best, len(chosen), highlight, chosen if all_matched else NO_IDS)


def _with_notes(
    parts: IndexParts,
    query: Query,
    limit: int,
    allowed: Ids | None,
    hidden: Ids | None,
    found: Answer,
    words: NoteWords,
    all_matched: bool,
) -> Answer:
    """`found` and the posts whose bookmark note holds the query, ranked after the rest.

    A post the index matched already keeps its place; one matched only by its
    note scores 0 and comes after every post matched by its own text.
    """
    doc_of = parts.documents.doc_of
    out = set() if hidden is None else set(hidden.tolist())
    within = None if allowed is None else set(allowed.tolist())
    candidates = {
        doc_of[slug]: slug
        for slug in plain_note_matches(query, words, words.terms)
        if slug in doc_of and (within is None or doc_of[slug] in within) and doc_of[slug] not in out
    }
    if not candidates:
        return found
    among = as_ids(candidates)
    # Left out: the posts matched already, and those whose own text holds an excluded word.
    already = _answer(parts, query, 0, among, None, True).matched
    skip = set() if already is None else set(already.tolist())
    for clause in query.clauses:
        if clause.negated:
            skip.update(_matching(parts, clause, among).tolist())
    extra = [d for d in among.tolist() if d not in skip]
    if not extra:
        return found
    best = found.top + [(0.0, d) for d in extra][: max(0, limit - len(found.top))]
    matched = NO_IDS
    if all_matched:
        before = NO_IDS if found.matched is None else found.matched
        matched = np.concatenate([before, as_ids(extra)])
    return Answer(best, found.total + len(extra), found.highlight, matched)


def _group(parts: IndexParts, clause: Clause, plan: _Plan, exact: bool) -> Matcher | None:
    """An OR group: the posts any alternative matches, each scoring the sum of those it matches.

    None when no alternative matches a post. The words of the alternatives that
    match join `plan`'s highlight.
    """
    scores: dict[int, float] = {}
    for alternative in clause.any_of:
        inner = _Plan()
        if not inner.add(parts, alternative, exact):
            continue
        chosen = inner.select(parts, [c for c in alternative if c.negated], None)
        if not len(chosen):
            continue
        get = scores.get
        for doc_id, score in zip(chosen.tolist(), inner.scores(chosen).tolist(), strict=True):
            scores[doc_id] = get(doc_id, 0.0) + score
        plan.names.update(inner.names)
        plan.prefixes.extend(inner.prefixes)
    return Scored(scores) if scores else None


def _intersect(parts: IndexParts, matchers: list[Matcher], allowed: Ids | None) -> Ids:
    """The posts every matcher matches (and `allowed` allows), smallest matcher first."""
    if not matchers:
        return allowed if allowed is not None else as_ids(parts.documents.doc_of.values())
    matchers.sort(key=lambda m: m.size)
    candidates = matchers[0].ids()
    if allowed is not None:
        candidates = DocSet(allowed).keep(candidates)
    for matcher in matchers[1:]:
        if not len(candidates):
            break
        candidates = matcher.keep(candidates)
    return candidates


def _matching(parts: IndexParts, clause: Clause, among: Ids) -> Ids:
    """Which of `among` contain the (negated) clause: its words as written."""
    if clause.any_of:
        group = _group(parts, clause, _Plan(), exact=True)
        return among[:0] if group is None else group.keep(among)
    present = _present(parts, clause)
    if present is None:
        return among[:0]
    found = among
    for term_id in dict.fromkeys(present):
        found = _matcher(parts, term_id, 1.0).keep(found)
    if len(present) > 1:
        found = as_ids(parts.forward.with_phrase(found.tolist(), present))
    return found


def highlight_patterns(parts: IndexParts, highlight: Highlight) -> list[bytes]:
    """The highlighted terms as they appear in forward sequences (prefixes capped)."""
    vocabulary, df = parts.vocabulary, parts.postings.df
    ids = [i for t in highlight.terms if (i := vocabulary.get(t)) is not None]
    for prefix in highlight.prefixes:
        ids.extend(vocabulary.cap(vocabulary.prefix_terms(prefix, df), df))
    return parts.forward.patterns(ids)
