"""Turning text into search terms: folding, Unicode word splitting, CJK bigrams.

The index and the query parser both go through `terms`, so a query word and
the text it should find are always cut and folded the same way. Snippets need
character offsets into the original text, which `spans` gives.

Words are runs of letters and digits (with any combining marks inside them,
so Devanagari or decomposed accents do not split a word); `_` and punctuation
split words. Han, kana and Hangul have no spaces between words, so a run of
them becomes overlapping character bigrams plus its last character alone:
`東京タワー` gives `東京 京タ タワ ワー ー`. A two-character query is then one
exact term, and one character finds everything starting with it by prefix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from reader.search.plain import markdown_to_plain
from reader.text import fold

__all__ = ["fold", "is_cjk", "markdown_to_plain", "query_terms", "spans", "terms"]

_CJK_RANGES = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u2e80-\u2fdf"  # CJK radicals
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3100-\u312f"  # Bopomofo
    "\u3130-\u318f"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # half-width Katakana
    "\U00020000-\U0003134f"  # CJK extensions B to G
)
_CJK_CHAR = re.compile(f"[{_CJK_RANGES}]")


def _marks_in(text: str) -> frozenset[str]:
    """The mark characters (accents, vowel signs...) that occur in `text`."""
    return frozenset(
        c
        for c in set(text)
        if c >= "\u0300" and unicodedata.category(c)[0] == "M" and not c.isalnum()
    )


@lru_cache(maxsize=256)
def _word_re(marks: frozenset[str] = frozenset()) -> re.Pattern[str]:
    """A CJK run, or a run of letters and digits (not `_`, not CJK) with `marks` inside.

    Python's `\\w` does not count marks as word characters, so `हिन्दी` would
    split at each vowel sign; the marks a text actually holds are added to the
    class. (A class of every mark in Unicode is several times slower to match.)
    """
    word = f"[^\\W_{_CJK_RANGES}]+"
    if marks:
        word = f"(?:{word}[{re.escape(''.join(sorted(marks)))}]*)+"
    return re.compile(f"[{_CJK_RANGES}]+|{word}")


def _words(text: str) -> list[str]:
    if text.isascii():
        return _word_re().findall(text)
    return _word_re(_marks_in(text)).findall(text)


def is_cjk(term: str) -> bool:
    """True if `term` is a CJK bigram or character (indexed by characters, not words)."""
    return bool(term) and _CJK_CHAR.match(term) is not None


def _cjk_terms(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def terms(text: str) -> list[str]:
    """The search terms of `text`, in order: folded words and CJK bigrams."""
    folded = fold(text)
    found = _words(folded)
    if folded.isascii() or not _CJK_CHAR.search(folded):
        return found
    out: list[str] = []
    for word in found:
        if _CJK_CHAR.match(word):
            out.extend(_cjk_terms(word))
        else:
            out.append(word)
    return out


def query_terms(text: str) -> list[str]:
    """The terms of one query word or phrase.

    Like `terms`, but a CJK run of two or more characters gives only its
    bigrams: the trailing single character stands for "end of run" in a post,
    which a query in the middle of a run must not require.
    """
    out: list[str] = []
    for word in _words(fold(text)):
        if _CJK_CHAR.match(word):
            out.extend(_cjk_terms(word)[:-1] if len(word) > 1 else [word])
        else:
            out.append(word)
    return out


def spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield `(start, end, term)` for every term of `text`, with offsets into `text`.

    Each word is folded on its own, so offsets stay those of the original
    text whatever folding does to lengths. CJK bigrams span two characters.
    """
    pattern = _word_re() if text.isascii() else _word_re(_marks_in(text))
    for match in pattern.finditer(text):
        word = match.group()
        start = match.start()
        if word.isascii():
            yield start, match.end(), word.lower()
        elif _CJK_CHAR.match(word):
            folded = fold(word)
            if len(folded) != len(word):  # compatibility forms changed length
                yield start, match.end(), folded
                continue
            for i, term in enumerate(_cjk_terms(folded)):
                yield start + i, start + min(i + 2, len(word)), term
        else:
            yield start, match.end(), fold(word)
