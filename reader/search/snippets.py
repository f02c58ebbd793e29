"""Snippets and highlights: where in a text the query's words are.

Everything here returns plain text plus `(start, end)` character spans, never
markup, so each front end marks the words its own way (the TUI with styled
`Content`, the CLI with ANSI bold on a terminal) and post text can never be
read as markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reader.search.tokenize import fold, spans

__all__ = ["Highlight", "Snippet", "find_marks", "make_snippet"]

_SPACE = re.compile(r"\s+")
_CLOSING = ".,;:!?)]\"'\u2019\u201d\u3001\u3002\u300d\u300f\uff01\uff09\uff0c\uff1f"
"""Punctuation kept after the last word of a snippet."""

WINDOW = 28
"""Words in a snippet."""
LEAD = 4
"""Words of context kept before the first match of the snippet."""


@dataclass(frozen=True, slots=True)
class Highlight:
    """What to mark in a text: these folded terms, and words starting with these prefixes."""

    terms: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()

    def matches(self, term: str) -> bool:
        """True if the folded `term` should be marked."""
        return term in self.terms or (bool(self.prefixes) and term.startswith(self.prefixes))

    def __bool__(self) -> bool:
        return bool(self.terms or self.prefixes)


@dataclass(frozen=True, slots=True)
class Snippet:
    """A passage of plain text and the spans of its matched words."""

    text: str
    marks: tuple[tuple[int, int], ...] = ()
    """`(start, end)` offsets into `text`, sorted, not overlapping."""
    line: int | None = None
    """Zero-based line of the passage's first match in the source text, if any."""


def _merge(marks: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(marks):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def find_marks(text: str, highlight: Highlight) -> tuple[tuple[int, int], ...]:
    """Spans of every word of `text` that `highlight` matches (for a title, or a whole post)."""
    if not highlight:
        return ()
    folded = fold(text)
    if not any(t in folded for t in highlight.terms) and not any(
        p in folded for p in highlight.prefixes
    ):
        return ()  # cheap test first: most titles hold none of the words
    return _merge([(s, e) for s, e, term in spans(text) if highlight.matches(term)])


def _best_window(hits: list[tuple[int, str]], window: int) -> int:
    """Index (in words) where a window with the most distinct matched terms starts."""
    best_start, best_key = hits[0][0], (0, 0)
    left = 0
    for right in range(len(hits)):
        while hits[right][0] - hits[left][0] >= window:
            left += 1
        chunk = hits[left : right + 1]
        key = (len({term for _, term in chunk}), len(chunk))
        if key > best_key:
            best_key, best_start = key, hits[left][0]
    return best_start


def make_snippet(
    text: str,
    highlight: Highlight,
    window: int = WINDOW,
    *,
    more_before: bool = False,
    more_after: bool = False,
) -> Snippet:
    """The passage of `text` with the most distinct matched words, whitespace collapsed.

    Falls back to the start of the text when nothing matches (a post found by
    its title or tags). `more_before` and `more_after` say that `text` is a
    part of a longer one, so the passage shows `…` at that end even when it
    reaches it. Costs time in proportion to `text`: give it a part of a long
    post (see `reader.search.records`), never the whole.
    """
    words = list(spans(text))
    if not words:
        return Snippet("")
    hits = [(i, term) for i, (_, _, term) in enumerate(words) if highlight.matches(term)]
    first = max(0, _best_window(hits, window) - LEAD) if hits else 0
    last = min(len(words), first + window)
    pieces: list[str] = []
    marks: list[tuple[int, int]] = []
    length = 0
    if first > 0 or more_before:
        pieces.append("… ")
        length = 2
    previous_end = words[first][0]
    first_line: int | None = None
    for start, end, term in words[first:last]:
        if start < previous_end:
            # CJK bigrams overlap (`東京`, `京タ`): only the characters not shown yet.
            at = length - (previous_end - start)
            piece = text[previous_end:end]
        else:
            gap = _SPACE.sub(" ", text[previous_end:start])
            pieces.append(gap)
            length += len(gap)
            at = length
            piece = text[start:end]
        if highlight.matches(term):
            marks.append((at, at + end - start))
            if first_line is None:
                first_line = text.count("\n", 0, start)
        pieces.append(piece)
        length += len(piece)
        previous_end = max(previous_end, end)
    tail = text[previous_end:]
    closing = tail.split(None, 1)[0] if tail.strip() else ""
    # Keep punctuation glued to the last word (a full stop, a closing bracket).
    if closing and not closing[0].isalnum():
        pieces.append(closing[: len(closing) - len(closing.lstrip(_CLOSING))])
    if last < len(words) or more_after:
        pieces.append(" …")
    return Snippet("".join(pieces).rstrip(" "), _merge(marks), first_line)
