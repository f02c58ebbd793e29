"""Plain-text helpers shared by the core: cleaning hostile text, slugs, folding.

Everything that enters the store passes through `clean_text`, so no post can
carry a terminal control sequence to the screen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

__all__ = [
    "SlugClaims",
    "clean_text",
    "fold",
    "fold_with_map",
    "slugify",
    "unique_slug",
    "word_count",
]

# C0 controls except tab and newline, DEL, and the C1 block. ESC (\x1b) is in C0.
# Lone surrogates too: they are not text (a file name that is not UTF-8 decodes to
# them) and no terminal or UTF-8 file can hold them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_NON_SLUG = re.compile(r"[^a-z0-9]+")
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
    decomposed = unicodedata.normalize("NFKD", text.casefold())
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


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slugify(text: str, fallback: str = "post") -> str:
    """Return a URL- and filename-safe slug for `text` (ASCII, lowercase, dashes)."""
    ascii_text = fold(text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_SLUG.sub("-", ascii_text).strip("-")
    return slug[:80].rstrip("-") or fallback


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


def word_count(text: str) -> int:
    """Count the words of `text` the way a reader would (runs of word characters)."""
    return len(_WORD.findall(text))
