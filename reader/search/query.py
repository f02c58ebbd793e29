"""The search query language, parsed into a `Query`.

    words                all must match (the last one also as a prefix, for type-ahead)
    "quoted phrase"      the words next to each other, in order
    -word  -"phrase"     exclude posts that contain it
    tag:NAME  tag:"Multi Word"   only posts with that tag (-tag:NAME excludes it)
    is:bookmarked  is:unread  is:read   (and -is:... for the opposite)
    is:draft             only drafts (which are left out of every search unless asked for)

The parser never raises: an unclosed quote closes at the end, a lone `-` or a
`tag:` without a name is ignored, and each such repair is described in
`Query.problems` so a front end can say what it did.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.search.tokenize import fold, query_terms

__all__ = ["Clause", "Query", "parse_query"]


@dataclass(frozen=True, slots=True)
class Clause:
    """One word or phrase of a query, as folded search terms."""

    terms: tuple[str, ...]
    """One term for a word; several for a phrase (or a word like `e-mail`)."""
    phrase: bool = False
    """The terms must be adjacent and in order."""
    prefix: bool = False
    """The (single) term also matches longer words that start with it."""
    negated: bool = False
    """Posts containing this clause are excluded."""


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: what to match, what to exclude, which filters apply."""

    text: str
    clauses: tuple[Clause, ...] = ()
    tags: tuple[str, ...] = ()
    """Folded tag names a post must all have."""
    excluded_tags: tuple[str, ...] = ()
    bookmarked: bool | None = None
    """True: only bookmarked posts; False: only posts without a bookmark."""
    unread: bool | None = None
    """True: only unread posts; False: only read posts."""
    draft: bool | None = None
    """True: only drafts; False: no drafts; None: as the library shows them."""
    problems: tuple[str, ...] = ()
    """What was wrong with the text and how it was read anyway."""

    @property
    def positive(self) -> tuple[Clause, ...]:
        """The clauses a post must match."""
        return tuple(c for c in self.clauses if not c.negated)

    @property
    def is_empty(self) -> bool:
        """True when the query asks for nothing at all (blank, or only repaired junk)."""
        return not (
            self.clauses
            or self.tags
            or self.excluded_tags
            or self.bookmarked is not None
            or self.unread is not None
            or self.draft is not None
        )


_IS_VALUES = {
    "bookmarked": ("bookmarked", True),
    "bookmark": ("bookmarked", True),
    "unread": ("unread", True),
    "read": ("unread", False),
    "draft": ("draft", True),
    "drafts": ("draft", True),
}


def _read_quoted(text: str, i: int) -> tuple[str, int, bool]:
    """Read a quoted string starting at the quote at `i`: (content, next index, closed)."""
    end = text.find('"', i + 1)
    if end < 0:
        return text[i + 1 :], len(text), False
    return text[i + 1 : end], end + 1, True


def _read_word(text: str, i: int) -> tuple[str, int]:
    end = i
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[i:end], end


def parse_query(text: str) -> Query:
    """Parse `text` into a `Query`. Never raises, whatever `text` holds."""
    clauses: list[Clause] = []
    tags: list[str] = []
    excluded_tags: list[str] = []
    flags: dict[str, bool] = {}
    problems: list[str] = []
    last_bare: int | None = None  # index in clauses of a trailing plain word
    i = 0
    n = len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        last_bare = None
        negated = False
        if text[i] == "-":
            negated = True
            i += 1
            if i >= n or text[i].isspace():
                problems.append("ignored a lone '-' (write -word to exclude a word)")
                continue
        lowered = text[i : i + 4].lower()
        if lowered == "tag:":
            i += 4
            if i < n and text[i] == '"':
                name, i, closed = _read_quoted(text, i)
                if not closed:
                    problems.append("closed an unbalanced quote at the end")
            else:
                name, i = _read_word(text, i)
            name = " ".join(fold(name).split())
            if not name:
                problems.append("ignored 'tag:' without a name")
            else:
                (excluded_tags if negated else tags).append(name)
            continue
        if text[i : i + 3].lower() == "is:":
            value, i = _read_word(text, i + 3)
            known = _IS_VALUES.get(fold(value))
            if known is None:
                problems.append(
                    f"ignored unknown 'is:{value}' "
                    "(use is:bookmarked, is:unread, is:read or is:draft)"
                )
                continue
            name, wanted = known
            flags[name] = wanted != negated
            continue
        if text[i] == '"':
            content, i, closed = _read_quoted(text, i)
            if not closed:
                problems.append("closed an unbalanced quote at the end")
            found = tuple(query_terms(content))
            if found:
                clauses.append(Clause(found, phrase=len(found) > 1, negated=negated))
            continue
        word, i = _read_word(text, i)
        found = tuple(query_terms(word))
        if not found:
            continue
        clauses.append(Clause(found, phrase=len(found) > 1, negated=negated))
        if not negated and len(found) == 1:
            last_bare = len(clauses) - 1
    # Type-ahead: a trailing plain word still being typed also matches as a prefix.
    if last_bare is not None and not text[-1:].isspace():
        clauses[last_bare] = Clause(clauses[last_bare].terms, prefix=True)
    return Query(
        text=text,
        clauses=tuple(clauses),
        tags=tuple(dict.fromkeys(tags)),
        excluded_tags=tuple(dict.fromkeys(excluded_tags)),
        bookmarked=flags.get("bookmarked"),
        unread=flags.get("unread"),
        draft=flags.get("draft"),
        problems=tuple(problems),
    )
