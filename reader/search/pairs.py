"""Pair bitmaps: the posts where two common terms stand side by side, one bit a post.

A phrase of common words would otherwise be checked against the forward
sequence of every post holding all its words. Two adjacent terms found side
by side in more than 1/`PAIR_SHARE` of the posts keep a bitmap of those
posts, so a two-word phrase of them is answered from its bitmap alone, and a
longer phrase has its candidates narrowed by each pair's bitmap first.

Which pairs are common is judged on a sample when every weight is
recomputed (every post of a small library); the bitmaps of those chosen are
then filled from every post, so they are exact, and kept up to date as posts
come and go. A pair is keyed by its two characters in the forward sequences.
As loaded, the bitmaps are read-only views of the index file's map, copied
into memory the first time a post is added or removed.
"""

from __future__ import annotations

from collections.abc import Mapping

from reader.search.forward import is_plain_pair

__all__ = ["PAIR_MIN", "PAIR_SAMPLE", "PAIR_SHARE", "PairBitmaps"]

PAIR_SHARE = 32
"""Two adjacent terms found in more than 1/PAIR_SHARE of the posts keep a bitmap."""
PAIR_MIN = 64
"""...if they are in at least this many posts."""
PAIR_SAMPLE = 2000
"""Posts sampled to choose the pairs that get a bitmap."""
_GROWTH = 64
"""Bytes added to every bitmap when a new post falls past their end."""


class PairBitmaps:
    """A bitmap of posts per common pair of adjacent terms."""

    def __init__(
        self, bitmaps: dict[str, bytearray] | dict[str, memoryview] | None = None, width: int = 0
    ) -> None:
        self.bitmaps: dict[str, bytearray | memoryview] = dict(bitmaps or {})
        """By pair key (two characters): bit d (of byte d >> 3) set if document d holds it."""
        self.width = width
        """Bytes in each bitmap."""

    def __bool__(self) -> bool:
        return bool(self.bitmaps)

    @staticmethod
    def sample_step(posts: int) -> int:
        """Look at every `sample_step`-th post to choose the pairs."""
        return max(1, posts // PAIR_SAMPLE)

    @classmethod
    def least(cls, posts: int) -> int:
        """The fewest posts of the sample (of `posts` posts) a pair must be in to get a
        bitmap: `PAIR_MIN` over the library, and 1/`PAIR_SHARE` of the sample."""
        step = cls.sample_step(posts)
        sampled = (posts + step - 1) // step
        return max(-(-PAIR_MIN // step), -(-sampled // PAIR_SHARE))

    def choose(self, counts: Mapping[str, int], posts: int) -> None:
        """Empty bitmaps for the common pairs of `counts` (from a sample of `posts` posts)."""
        self.width = (posts + 7) >> 3
        least = self.least(posts)
        self.bitmaps = {
            key: bytearray(self.width)
            for key, count in counts.items()
            if count >= least and is_plain_pair(key)
        }

    def get(self, key: str | None) -> bytearray | memoryview | None:
        """The bitmap of a pair, if it is common."""
        return None if key is None else self.bitmaps.get(key)

    def own(self) -> dict[str, bytearray]:
        """The bitmaps, to change (copied out of the file's map, if mapped)."""
        bitmaps = self.bitmaps
        if any(isinstance(bitmap, memoryview) for bitmap in bitmaps.values()):
            bitmaps = self.bitmaps = {key: bytearray(b) for key, b in bitmaps.items()}
        return bitmaps  # type: ignore[return-value]

    def add(self, doc_id: int, keys: set[str]) -> None:
        """Set a document's bit in the bitmaps of the pairs `keys` it holds."""
        if not self.bitmaps:
            return
        bitmaps = self.own()
        if doc_id >> 3 >= self.width:
            extra = (doc_id >> 3) + _GROWTH - self.width
            for bitmap in bitmaps.values():
                bitmap.extend(bytes(extra))
            self.width += extra
        byte, bit = doc_id >> 3, 1 << (doc_id & 7)
        for key in keys & bitmaps.keys():
            bitmaps[key][byte] |= bit

    def remove(self, doc_id: int, keys: set[str]) -> None:
        """Clear a document's bit in the bitmaps of the pairs `keys` it held."""
        if not self.bitmaps:
            return
        bitmaps = self.own()
        byte, bit = doc_id >> 3, ~(1 << (doc_id & 7)) & 0xFF
        for key in keys & bitmaps.keys():
            bitmaps[key][byte] &= bit

    def renumber(self, table: Mapping[int, int]) -> None:
        """Rename the pairs after term ids changed (`table` as for `str.translate`)."""
        self.bitmaps = {key.translate(table): bitmap for key, bitmap in self.bitmaps.items()}
