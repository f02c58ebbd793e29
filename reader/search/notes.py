"""Bookmark notes in a search: `note:`, `is:noted`, and plain words found in a note.

Notes are the user's, not the library's: the index never holds them. They are
few (one per bookmark at most), so a search gets them as a mapping of slug to
note text, as the caller shows them, and matches them here at query time: the
`note:` and `is:noted` filters narrow the posts before ranking like `is:`
does, and a post whose note holds every word of a plain query matches even if
its text does not (ranked after the posts whose text matches).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from reader.search.query import Clause, Query
from reader.search.tokenize import terms

__all__ = ["NoteWords", "note_filter", "plain_note_matches"]


class NoteWords:
    """The folded terms of each non-empty note, by slug, made once per search."""

    def __init__(self, notes: Mapping[str, str]) -> None:
        self.terms: dict[str, list[str]] = {}
        for slug, note in notes.items():
            found = terms(note)
            if found:
                self.terms[slug] = found

    def noted(self) -> Collection[str]:
        """Slugs whose note has words."""
        return self.terms.keys()

    def holding(self, words: Sequence[str]) -> set[str]:
        """Slugs whose note holds every one of `words`."""
        wanted = set(words)
        return {slug for slug, found in self.terms.items() if wanted <= set(found)}

    def matches(self, slug: str, clause: Clause) -> bool:
        """True when the note of `slug` holds `clause` (negation aside)."""
        found = self.terms.get(slug)
        if found is None:
            return False
        return _holds(found, clause)


def _holds(found: list[str], clause: Clause) -> bool:
    if clause.any_of:
        hit = any(all(_holds(found, c) != c.negated for c in alt) for alt in clause.any_of)
        return hit
    words = clause.terms
    if clause.prefix:
        return any(term.startswith(words[0]) for term in found)
    if len(words) == 1:
        return words[0] in found
    n = len(words)
    return any(tuple(found[i : i + n]) == words for i in range(len(found) - n + 1))


def note_filter(query: Query, words: NoteWords) -> tuple[set[str] | None, set[str] | None]:
    """(slugs a post must be among, slugs a post must not be among) for `note:` and `is:noted`."""
    only: set[str] | None = None
    if query.note_terms:
        only = words.holding(query.note_terms)
    if query.noted is True:
        noted = set(words.noted())
        only = noted if only is None else only & noted
    excluded = set(words.noted()) if query.noted is False else None
    return only, excluded


def plain_note_matches(query: Query, words: NoteWords, slugs: Iterable[str]) -> list[str]:
    """Which of `slugs` have a note holding every positive clause of `query` and no negated one.

    (The caller also checks the negated clauses against the post's own text.)
    """
    positive = query.positive
    if not positive:
        return []
    negated = [c for c in query.clauses if c.negated]
    return [
        slug
        for slug in slugs
        if all(words.matches(slug, c) for c in positive)
        and not any(words.matches(slug, c) for c in negated)
    ]
