"""Plain-text helpers shared by the core: cleaning hostile text, slugs, folding.

Everything that enters the store passes through `clean_text`, so no post can
carry a terminal control sequence to the screen.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

__all__ = [
    "CJK_CHARS_PER_MINUTE",
    "SlugClaims",
    "clean_text",
    "fold",
    "fold_with_map",
    "plural",
    "slugify",
    "unique_slug",
    "word_count",
]

# C0 controls except tab and newline, DEL, and the C1 block. ESC (\x1b) is in C0.
# Lone surrogates too: they are not text (a file name that is not UTF-8 decodes to
# them) and no terminal or UTF-8 file can hold them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# ASCII separators only: `_slug_char` has already made every other non-letter a dash.
_NON_SLUG = re.compile(r"[\x00-\x2f\x3a-\x60\x7b-\x7f]+")
_WORD = re.compile(r"\w+", re.UNICODE)


def clean_text(text: str) -> str:
    """Return `text` without terminal control characters.

    Carriage returns are normalised to newlines first, so Windows line endings
    survive as line breaks rather than disappearing into the stripped set.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


@lru_cache(maxsize=256)
def _drop_re(chars: frozenset[str]) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(''.join(sorted(chars)))}]+")


def fold(text: str) -> str:
    """Case-fold and accent-fold `text` so `Café` and `cafe` compare equal.

    NFKD with the combining marks dropped. Fast on long texts (the search
    index folds every post): ASCII only needs lower-casing, and the marks go
    in one regex pass.
    """
    if text.isascii():
        return text.lower()
    decomposed = _casefold_nfkd(text)
    if decomposed.isascii():
        return decomposed
    drop = frozenset(c for c in set(decomposed) if c >= "\u0300" and unicodedata.combining(c))
    return _drop_re(drop).sub("", decomposed) if drop else decomposed


def fold_with_map(text: str) -> tuple[str, list[int] | None]:
    """Fold `text` like `fold`, keeping a map from folded to original offsets.

    The map is None when folding kept every offset (pure ASCII text).
    """
    if text.isascii():
        return text.lower(), None
    out: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        if char.isascii():
            out.append(char.lower())
            index.append(position)
            continue
        folded = _fold_char(char)
        out.append(folded)
        index.extend([position] * len(folded))
    index.append(len(text))
    return "".join(out), index


def _casefold_nfkd(text: str) -> str:
    """`text` case-folded and decomposed (NFKD), case-folded again where the decomposition
    made capitals: U+1D468, a mathematical capital A, decomposes to `A`, which must fold
    to `a` as the query `A` does."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    again = decomposed.casefold()
    return decomposed if again == decomposed else unicodedata.normalize("NFKD", again)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    decomposed = _casefold_nfkd(char)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`count` and the noun that agrees with it: "0 posts", "1 post", "2 posts".

    `nouns` is the plural when it is not `noun` + "s" ("1 entry", "2 entries").
    """
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def slugify(text: str, fallback: str = "post") -> str:
    """Return a URL- and filename-safe slug for `text`: lowercase, dashes, letters kept.

    Latin letters lose their accents (`Café` is `cafe`); letters of other
    scripts are kept as they are (`ホットキー`, `руководство`), so a post
    titled in Japanese gets a slug that says something rather than `post-N`.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = "".join(map(_slug_char, text))
    slug = _NON_SLUG.sub("-", text).strip("-")
    return slug[:80].rstrip("-") or fallback


@lru_cache(maxsize=8192)
def _slug_char(char: str) -> str:
    """`char` in a slug: accents off Latin letters, other letters and marks kept, else a dash."""
    if char.isascii():
        return char
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if bare and bare.isascii():  # a lone combining mark is kept: Devanagari needs them
        return bare
    return char if unicodedata.category(char)[0] in "LMN" else "-"


def unique_slug(base: str, taken: set[str] | dict[str, object]) -> str:
    """Return `base`, or `base-2`, `base-3`... whichever is not in `taken`.

    One call looks at every suffix already taken; to hand out many slugs from
    one base use `SlugClaims`, which remembers where it stopped.
    """
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


class SlugClaims:
    """Hands out slugs unique among themselves and `taken`: `base`, `base-2`, `base-3`...

    The same result as calling `unique_slug` and adding each answer to the set,
    but it remembers the next suffix to try for each base, so a document with
    100,000 identical headings costs 100,000 steps rather than 5 billion.
    """

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken: set[str] = set(taken)
        self._next: dict[str, int] = {}

    def __contains__(self, slug: object) -> bool:
        return slug in self.taken

    def claim(self, base: str) -> str:
        """The first of `base`, `base-2`, `base-3`... not yet taken, now taken."""
        taken = self.taken
        if base in taken:
            n = self._next.get(base, 2)
            while f"{base}-{n}" in taken:
                n += 1
            self._next[base] = n + 1
            base = f"{base}-{n}"
        taken.add(base)
        return base


CJK_CHARS_PER_MINUTE = 500
"""How fast a native reader reads Chinese or Japanese silently: about 400 to 600
characters a minute (IReST measured 255 a minute for Chinese and 357 for Japanese
read *aloud*, beside 228 words for English: Trauzettel-Klosinski and Dietz,
Investigative Ophthalmology & Visual Science 53(9), 2012; silent reading is faster)."""

_CJK = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]"
)
"""Han ideographs (with extensions and compatibility forms), hiragana and katakana:
scripts written without spaces. Hangul is written with spaces, so its words count
as words."""


def word_count(text: str) -> int:
    """Count the words of `text` as a reader would, for reading-time estimates.

    Runs of word characters are words. Chinese and Japanese have no spaces
    between words, so each of their characters counts as the fraction of a
    word that keeps reading time right: `WORDS_PER_MINUTE` (230) words take
    as long as `CJK_CHARS_PER_MINUTE` (500) characters, so a character is
    0.46 of a word.
    """
    if text.isascii():
        return len(_WORD.findall(text))
    cjk = len(_CJK.findall(text))
    if not cjk:
        return len(_WORD.findall(text))
    words = len(_WORD.findall(_CJK.sub(" ", text)))
    return words + math.ceil(cjk * _CJK_WORD_SHARE)


_CJK_WORD_SHARE = 230 / CJK_CHARS_PER_MINUTE
"""A CJK character as a share of a word: `reader.models.WORDS_PER_MINUTE` over
`CJK_CHARS_PER_MINUTE` (the figure is repeated to keep `text` free of imports)."""
