"""What a search returns: ranked hits with their snippets, and what to highlight."""

from __future__ import annotations

from dataclasses import dataclass, field

from reader.models import Section
from reader.search.matches import Matches
from reader.search.query import Query
from reader.search.snippets import Highlight, Snippet

__all__ = ["SearchHit", "SearchResults"]


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One ranked result."""

    slug: str
    title: str
    tags: tuple[str, ...]
    score: float
    """BM25 score; 0.0 when the query had only filters (no words to rank by)."""
    snippet: Snippet
    """The best passage of the body with the matched words' spans."""
    section: Section | None
    """The section the snippet is in (None before the first heading or without a match)."""
    title_marks: tuple[tuple[int, int], ...] = ()
    """Spans of matched words in `title`."""
    exact: int = 0
    """How many of the query's words (or phrases) the post holds as written, not only
    by prefix, stem or typo. Hits come by `exact` first, then by `score`."""


@dataclass(frozen=True, slots=True)
class SearchResults:
    """The outcome of a search: the top hits, how many matched, and what to highlight."""

    query: Query
    hits: tuple[SearchHit, ...]
    total: int
    """Posts matching, of which `hits` are the best `limit`."""
    highlight: Highlight
    """The folded words (and prefixes) that matched: highlight these when opening a post."""
    matches: Matches | None = field(default=None, repr=False, compare=False)
    """Every post matched, when asked for with `all_slugs=True` (the sidebar's counts)."""
    suggestions: tuple[str, ...] = ()
    """When nothing matched: query texts that would find something ("did you mean"),
    best first, made of near words of the index's vocabulary."""

    @property
    def slugs(self) -> frozenset[str] | None:
        """Every matching slug, in no order, when asked for with `all_slugs=True`."""
        return None if self.matches is None else self.matches.slugs

    @property
    def problems(self) -> tuple[str, ...]:
        """What was wrong with the query text and how it was read anyway."""
        return self.query.problems

    def nothing_found(self) -> str:
        """In words: nothing matched the query, and what to try instead (plain text).

        `no matches for "cahe"; did you mean cache?`
        """
        said = f'no matches for "{self.query.text}"'
        tries = self.suggestions
        if tries:
            choices = tries[0] if len(tries) == 1 else f"{', '.join(tries[:-1])} or {tries[-1]}"
            said += f"; did you mean {choices}?"
        return said
