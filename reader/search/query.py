"""The search query language, parsed into a `Query`.

    words                all must match
    word*                also longer words starting with `word` (`git*`: gitlint, gitmoji)
    "quoted phrase"      the words next to each other, in order
    -word  -"phrase"     exclude posts that contain it
    a OR b               either (binds closer than the spaces: `x a OR b` is x and either)
    (a b) OR c  -(a b)   a group, which `OR` and `-` take as one
    tag:NAME  tag:"Multi Word"   only posts with that tag (-tag:NAME excludes it)
    is:bookmarked  is:unread  is:read   (and -is:... for the opposite)
    is:draft             only drafts (which are left out of every search unless asked for)
    is:noted             only posts whose bookmark has a note
    note:WORD            only posts whose bookmark note holds the word (`note:"two words"`)
    after:2024-01        posts dated in or after that period (a year, a month or a day)
    before:2025-06-30    posts dated in or before that period
    year:2023            posts dated in that year

A date filter names a period, and the period is inside the range: `after:2024-01`
starts on 2024-01-01 and `before:2025-06` ends on 2025-06-30. Undated posts never
match a date filter. A date that is not one (`after:2024-13`) raises `QueryError`.

While typing (`typing=True`, the TUI's search as you type) the last word
also matches as a prefix, as if it ended with `*`.

The parser repairs what it can: an unclosed quote or parenthesis closes at
the end; a lone `-`, a stray `)` or `OR`, or a `tag:` without a name is
ignored; each such repair is described in `Query.problems` so a front end
can say what it did. What it cannot guess, an unknown `is:` value or field
(`is:bookmrk`, `foo:bar`) or a bad date, raises `QueryError`, naming the nearest
valid one.
`tag:` and `is:` inside a group apply to the whole query.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from reader.search.tokenize import fold, query_terms

__all__ = ["Clause", "Query", "QueryError", "parse_query"]


class QueryError(ValueError):
    """A query that cannot be read: an unknown `is:` value or field. `str()` is the message."""

    def __init__(self, message: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.suggestion = suggestion
        """The nearest valid spelling (`is:bookmarked`, `tag:`), if any."""


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
    any_of: tuple[tuple[Clause, ...], ...] = ()
    """A group (`terms` empty): the alternatives joined by OR, each clauses that must all
    match (one alternative for a parenthesised group without OR)."""


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
    noted: bool | None = None
    """True: only posts with a bookmark note; False: only posts without one."""
    note_terms: tuple[str, ...] = ()
    """Folded words a post's bookmark note must all hold (`note:`)."""
    after: str | None = None
    """Only posts dated on or after this day (`YYYY-MM-DD`)."""
    before: str | None = None
    """Only posts dated on or before this day (`YYYY-MM-DD`)."""
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
            or self.noted is not None
            or self.note_terms
            or self.dated
        )

    @property
    def dated(self) -> bool:
        """True when a date filter applies (`after:`, `before:`, `year:`)."""
        return self.after is not None or self.before is not None

    def in_dates(self, date: str | None) -> bool:
        """True when a post dated `date` (ISO 8601, or None) passes the date filters."""
        if date is None or len(date) < 10:
            return False
        day = date[:10]
        return (self.after is None or day >= self.after) and (
            self.before is None or day <= self.before
        )


_IS_VALUES = {
    "bookmarked": ("bookmarked", True),
    "bookmark": ("bookmarked", True),
    "unread": ("unread", True),
    "read": ("unread", False),
    "draft": ("draft", True),
    "drafts": ("draft", True),
    "noted": ("noted", True),
}


_FIELD = re.compile(r"([A-Za-z]{2,}):(?=[\w\"])")
"""A word that names a field (`foo:bar`): letters, a colon, then a value. Not `C:\\`,
`16:9` or `http://`."""
_FIELDS = ("tag", "is", "note", "after", "before", "year")
_DATE_FIELDS = ("after:", "before:", "year:")
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def _period(field: str, value: str) -> tuple[str, str]:
    """The first and last day (`YYYY-MM-DD`) of the period `value` names (a year, month, day)."""
    found = _DATE.fullmatch(value)
    if found is None or (field == "year" and found.group(2)):
        form = "YYYY" if field == "year" else "YYYY, YYYY-MM or YYYY-MM-DD"
        raise QueryError(f"'{field}:{value}' is not a date: write {field}:{form}")
    year = int(found.group(1))
    month = int(found.group(2) or 0)
    day = int(found.group(3) or 0)
    if found.group(2) and not 1 <= month <= 12:
        raise QueryError(f"'{field}:{value}' is not a date: there is no month {month}")
    if not found.group(2):
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    last = calendar.monthrange(year, month)[1]
    if not found.group(3):
        return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"
    if not 1 <= day <= last:
        raise QueryError(f"'{field}:{value}' is not a date: {year:04d}-{month:02d} has {last} days")
    return (f"{year:04d}-{month:02d}-{day:02d}",) * 2


def _nearest(word: str, choices: Sequence[str]) -> str:
    """The choice fewest edits from `word` (the first of equals)."""
    from rapidfuzz.distance import OSA

    return min(choices, key=lambda c: OSA.distance(word, c))


def _unknown_is(value: str) -> QueryError:
    known = ", ".join(f"is:{v}" for v in _IS_VALUES)
    if not value:
        return QueryError(f"'is:' needs a value: {known}")
    nearest = f"is:{_nearest(value.lower(), list(_IS_VALUES))}"
    return QueryError(f"unknown 'is:{value}', did you mean {nearest}? ({known})", nearest)


def _unknown_field(word: str, name: str) -> QueryError:
    nearest = f"{_nearest(name.lower(), _FIELDS)}:"
    return QueryError(
        f"unknown field '{name}:', did you mean {nearest}? (to search for the text, "
        f'quote it: "{word}")',
        nearest,
    )


def _either(first: Clause, second: Clause) -> Clause:
    """`first OR second`, one group (a group of alternatives joins, flattened)."""

    def alternatives(clause: Clause) -> tuple[tuple[Clause, ...], ...]:
        if clause.any_of and not clause.negated and len(clause.any_of) > 1:
            return clause.any_of
        return ((clause,),)

    return Clause((), any_of=(*alternatives(first), *alternatives(second)))


class _Parser:
    """Reads a query text left to right into clauses and filters."""

    def __init__(self, text: str, typing: bool) -> None:
        self.text = text
        self.typing = typing
        self.i = 0
        self.tags: list[str] = []
        self.excluded_tags: list[str] = []
        self.flags: dict[str, bool] = {}
        self.note_terms: list[str] = []
        self.after: str | None = None
        self.before: str | None = None
        self.problems: list[str] = []

    def problem(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def sequence(self, depth: int) -> list[Clause]:
        """Clauses up to the end (or the `)` closing a group at `depth` > 0)."""
        text, n = self.text, len(self.text)
        clauses: list[Clause] = []
        joining = False  # an OR was read after the last clause
        last_was_clause = False
        while True:
            while self.i < n and text[self.i].isspace():
                self.i += 1
            if self.i >= n:
                if depth:
                    self.problem("closed an unbalanced parenthesis at the end")
                break
            if text[self.i] == ")":
                self.i += 1
                if depth:
                    break
                self.problem("ignored a ')' without a '('")
                continue
            if self._at_or():
                self.i += 2
                if last_was_clause and not joining:
                    joining = True
                else:
                    self.problem("ignored an OR without a word on each side")
                continue
            clause = self.unit(depth)
            if clause is None:  # a filter, or nothing searchable
                if joining:
                    self.problem("ignored an OR without a word on each side")
                joining = last_was_clause = False
                continue
            if joining:
                clauses[-1] = _either(clauses[-1], clause)
            else:
                clauses.append(clause)
            joining, last_was_clause = False, True
        if joining:
            self.problem("ignored an OR without a word on each side")
        return clauses

    def _at_or(self) -> bool:
        text, i = self.text, self.i
        return text[i : i + 2] == "OR" and (i + 2 == len(text) or text[i + 2] in ' \t\n("')

    def unit(self, depth: int) -> Clause | None:
        """One word, phrase, group or filter (None for a filter or nothing searchable)."""
        text, n = self.text, len(self.text)
        negated = False
        if text[self.i] == "-":
            negated = True
            self.i += 1
            if self.i >= n or text[self.i].isspace():
                self.problem("ignored a lone '-' (write -word to exclude a word)")
                return None
        if text[self.i] == "(":
            self.i += 1
            inner = self.sequence(depth + 1)
            if not inner:
                return None
            if len(inner) == 1:
                return replace(inner[0], negated=inner[0].negated != negated)
            return Clause((), negated=negated, any_of=(tuple(inner),))
        lowered = text[self.i : self.i + 4].lower()
        if lowered == "tag:":
            self.i += 4
            raw = self.quoted() if self.i < n and text[self.i] == '"' else self.word(depth)
            name = " ".join(fold(raw).split())
            if not name:
                self.problem("ignored 'tag:' without a name")
            else:
                (self.excluded_tags if negated else self.tags).append(name)
                self._filter_in_group(depth)
            return None
        if text[self.i : self.i + 3].lower() == "is:":
            self.i += 3
            value = self.word(depth)
            known = _IS_VALUES.get(fold(value))
            if known is None:
                raise _unknown_is(value)
            name, wanted = known
            self.flags[name] = wanted != negated
            self._filter_in_group(depth)
            return None
        if text[self.i : self.i + 5].lower() == "note:":
            self.i += 5
            raw = self.quoted() if self.i < n and text[self.i] == '"' else self.word(depth)
            note_words = query_terms(raw)
            if negated:
                raise QueryError(
                    "'-note:' cannot exclude: write -is:noted for posts without a note"
                )
            if not note_words:
                self.problem("ignored 'note:' without a word")
            else:
                self.note_terms.extend(note_words)
                self._filter_in_group(depth)
            return None
        for name in _DATE_FIELDS:
            if text[self.i : self.i + len(name)].lower() == name:
                self.i += len(name)
                self.date(name[:-1], self.word(depth), negated)
                self._filter_in_group(depth)
                return None
        if text[self.i] == '"':
            content = self.quoted()
            found = tuple(query_terms(content))
            if not found:
                return None
            return Clause(found, phrase=len(found) > 1, negated=negated)
        word = self.word(depth)
        field = _FIELD.match(word)
        if field is not None:
            raise _unknown_field(word, field.group(1))
        found = tuple(query_terms(word))
        if not found:
            return None
        single = len(found) == 1 and not negated
        # Type-ahead: a trailing plain word still being typed also matches as a prefix.
        typed = self.typing and self.i == n
        prefix = single and (word.endswith("*") or typed)
        return Clause(found, phrase=len(found) > 1, prefix=prefix, negated=negated)

    def _filter_in_group(self, depth: int) -> None:
        if depth:
            self.problem("filters (tag:, is:, dates) in parentheses apply to the whole query")

    def date(self, field: str, value: str, negated: bool) -> None:
        """Narrow the date range by `field:value` (`after:`, `before:` or `year:`)."""
        if negated:
            raise QueryError(f"'-{field}:' cannot exclude: use before: or after: instead")
        if not value:
            raise QueryError(f"'{field}:' needs a date, as in {field}:2024")
        first, last = _period(field, value)
        if field in ("after", "year") and (self.after is None or first > self.after):
            self.after = first
        if field in ("before", "year") and (self.before is None or last < self.before):
            self.before = last

    def quoted(self) -> str:
        """Read a quoted string from the quote at `i` (closing it at the end if need be)."""
        text = self.text
        end = text.find('"', self.i + 1)
        if end < 0:
            content, self.i = text[self.i + 1 :], len(text)
            self.problem("closed an unbalanced quote at the end")
            return content
        content, self.i = text[self.i + 1 : end], end + 1
        return content

    def word(self, depth: int) -> str:
        """Read up to a space (or, in a group, a `)`)."""
        text, start = self.text, self.i
        end = start
        while end < len(text) and not text[end].isspace() and not (depth and text[end] == ")"):
            end += 1
        self.i = end
        return text[start:end]


def parse_query(text: str, *, typing: bool = False) -> Query:
    """Parse `text` into a `Query`.

    `typing` says the text is still being typed: a trailing plain word then
    also matches longer words, as `word*` always does. Raises `QueryError`
    for an unknown `is:` value or field; repairs anything else.
    """
    parser = _Parser(text, typing)
    clauses = parser.sequence(0)
    tags, excluded_tags, flags = parser.tags, parser.excluded_tags, parser.flags
    problems = parser.problems
    return Query(
        text=text,
        clauses=tuple(clauses),
        tags=tuple(dict.fromkeys(tags)),
        excluded_tags=tuple(dict.fromkeys(excluded_tags)),
        bookmarked=flags.get("bookmarked"),
        unread=flags.get("unread"),
        draft=flags.get("draft"),
        noted=flags.get("noted"),
        note_terms=tuple(dict.fromkeys(parser.note_terms)),
        after=parser.after,
        before=parser.before,
        problems=tuple(problems),
    )
