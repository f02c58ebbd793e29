"""Forward lists: each post's term ids in order, one character per id, as UTF-8.

A post's *forward sequence* is its title, tags, headings and body as term
ids, with a `FIELD` id between two fields and a `BARRIER` id between two tags
or two headings. It is kept as UTF-8 (term id N is the character `chr(N)`;
the vocabulary numbers frequent terms first, so a term is mostly one or two
bytes). UTF-8 is self-synchronising, so a phrase is a plain `bytes`
substring test. The sequence also says which postings to touch when a post
is removed, and gives the term frequencies again when every weight is
recomputed.

Ids of `code_limit` and above (only libraries of over a million distinct
words reach them) share one character, `OVERFLOW_CHAR`, and are listed per
post in `overflow`, in order.
"""

from __future__ import annotations

import mmap
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import accumulate, compress, pairwise, repeat
from operator import add, contains
from typing import NamedTuple, Protocol, overload

from reader.models import Post, Section
from reader.search.plain import markdown_to_plain
from reader.search.records import split_text
from reader.search.tokenize import terms
from reader.search.vocabulary import BARRIER, FIELD, FIRST_TERM, Vocabulary

__all__ = [
    "BODY",
    "CODE_LIMIT",
    "FIELDS",
    "HEADINGS",
    "OVERFLOW_CHAR",
    "TAGS",
    "TITLE",
    "AddedPost",
    "ForwardLists",
    "MappedSequences",
    "PostTerms",
    "is_plain_pair",
    "post_terms",
]

TITLE, TAGS, HEADINGS, BODY = range(4)
"""The fields of a post, in the order of its forward sequence."""
FIELDS = 4

CODE_LIMIT = 0x10FFFF
"""Term ids below this are one character of a forward sequence (read when a
`ForwardLists` is made, so a test can lower it to exercise the overflow)."""
OVERFLOW_CHAR = chr(0x10FFFF)
_FIELD_CHAR = chr(FIELD)
_SPECIAL_CHARS = (chr(BARRIER), _FIELD_CHAR, OVERFLOW_CHAR)
_SURROGATES = "surrogatepass"  # term ids 0xD800-0xDFFF are lone surrogates


class PostLike(Protocol):
    """What `post_terms` reads of a post (a `Post`, or a parsed document not stored yet)."""

    @property
    def title(self) -> str: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def sections(self) -> tuple[Section, ...]: ...
    @property
    def body(self) -> str: ...


class AddedPost(NamedTuple):
    """What `ForwardLists.add_post` found in a post."""

    lengths: list[int]
    """Terms in each field."""
    pieces: list[str]
    """The plain text of the body, cut where the snippet records cut it."""
    pieces_at: list[int]
    """Where each piece's terms start in the forward sequence, in bytes."""


class PostTerms(NamedTuple):
    """A post's terms by field, each list joined by spaces (a term holds none), found
    without a vocabulary: an import finds them in its parse processes."""

    title: str
    tags: tuple[str, ...]
    headings: tuple[str, ...]
    pieces: list[str]
    """The plain text of the body, cut where the snippet records cut it."""
    piece_terms: list[str]
    """The terms of each piece."""


def post_terms(post: PostLike) -> PostTerms:
    """The terms of `post`'s title, tags, headings and body (see `PostTerms`)."""
    pieces = split_text(markdown_to_plain(post.body))
    return PostTerms(
        " ".join(terms(post.title)),
        tuple(" ".join(terms(tag)) for tag in post.tags),
        tuple(" ".join(terms(section.heading)) for section in post.sections),
        pieces,
        [" ".join(terms(piece)) for piece in pieces],
    )


class MappedSequences(Sequence[bytes]):
    """The forward sequences as saved: read from the index file's map when asked for,
    never held (only the pages read are resident, and the kernel may drop them)."""

    __slots__ = ("_at", "_data")

    def __init__(self, data: mmap.mmap | bytes, at: array[int]) -> None:
        self._data = data
        self._at = at
        """Where each sequence starts in `data`, and where the last one ends."""

    def __len__(self) -> int:
        return len(self._at) - 1

    @overload
    def __getitem__(self, doc_id: int) -> bytes: ...
    @overload
    def __getitem__(self, doc_id: slice) -> list[bytes]: ...
    def __getitem__(self, doc_id: int | slice) -> bytes | list[bytes]:
        if isinstance(doc_id, slice):
            at, data = self._at, self._data
            start, stop, step = doc_id.indices(len(self))
            return [data[at[d] : at[d + 1]] for d in range(start, stop, step)]
        at = self._at
        if doc_id < 0:
            doc_id += len(at) - 1
            if doc_id < 0:
                raise IndexError("forward sequence out of range")
        return self._data[at[doc_id] : at[doc_id + 1]]  # IndexError past the end

    def holding(self, doc_ids: Sequence[int], pattern: bytes) -> list[bool]:
        """Whether each post of `doc_ids` has `pattern` in its sequence (found in the
        map, nothing copied)."""
        find, at = self._data.find, self._at
        return [find(pattern, at[d], at[d + 1]) >= 0 for d in doc_ids]

    def __iter__(self) -> Iterator[bytes]:
        at, data = self._at, self._data
        return (data[a:b] for a, b in pairwise(at))


class ForwardLists:
    """The forward sequence of every post, by document id."""

    def __init__(self, code_limit: int | None = None) -> None:
        self.code_limit = CODE_LIMIT if code_limit is None else code_limit
        self.sequences: list[bytes] | MappedSequences = []
        """UTF-8 of each post's term ids; empty for a removed post. As loaded, a view of
        the index file (`MappedSequences`), made a list when a post is added or removed."""
        self.overflow: dict[int, array[int]] = {}
        """The ids at or above `code_limit` of a post that has any, in order."""

    def __len__(self) -> int:
        return len(self.sequences)

    def own(self) -> list[bytes]:
        """The sequences as a list, to change (copied out of the file's map, if mapped)."""
        if isinstance(self.sequences, MappedSequences):
            self.sequences = list(self.sequences)
        return self.sequences

    # -- building ------------------------------------------------------------

    def add_post(
        self, post: Post, vocabulary: Vocabulary, text: PostTerms | None = None
    ) -> AddedPost:
        """Add `post`'s forward sequence (new words join `vocabulary`); `text` is its
        `post_terms`, when found already (in an import's parse processes)."""
        found = post_terms(post) if text is None else text
        ids: list[int] = []
        add_terms = vocabulary.add_terms
        lengths = [0] * FIELDS
        lengths[TITLE] = add_terms(found.title.split(), ids)
        ids.append(FIELD)
        for i, tag in enumerate(found.tags):
            if i:
                ids.append(BARRIER)
            lengths[TAGS] += add_terms(tag.split(), ids)
        ids.append(FIELD)
        for i, heading in enumerate(found.headings):
            if i:
                ids.append(BARRIER)
            lengths[HEADINGS] += add_terms(heading.split(), ids)
        ids.append(FIELD)
        # The body a piece at a time, noting where each piece's terms start in the
        # forward sequence, so a snippet reads only the piece its words are in.
        ends = [len(ids)]
        for piece in found.piece_terms:
            lengths[BODY] += add_terms(piece.split(), ids)
            ends.append(len(ids))
        # Encoded a part at a time (the fields, then each piece), so where each piece
        # starts is the sum of the lengths before it.
        sequences = self.own()
        doc_id = len(sequences)
        limit = self.code_limit
        if ids and max(ids) >= limit:
            self.overflow[doc_id] = array("I", [i for i in ids if i >= limit])
            parts = [
                "".join(chr(i) if i < limit else OVERFLOW_CHAR for i in ids[a:b])
                for a, b in pairwise([0, *ends])
            ]
        else:
            parts = ["".join(map(chr, ids[a:b])) for a, b in pairwise([0, *ends])]
        encoded = [part.encode("utf-8", _SURROGATES) for part in parts]
        # (A post without pieces still has where its body would start.)
        pieces_at = list(accumulate(map(len, encoded[: max(1, len(encoded) - 1)])))
        sequences.append(b"".join(encoded))
        return AddedPost(lengths, found.pieces, pieces_at)

    def clear(self, doc_id: int) -> None:
        """Forget a removed post's sequence."""
        self.own()[doc_id] = b""
        self.overflow.pop(doc_id, None)

    def compact(self, live: list[int]) -> None:
        """Keep only the `live` posts, renumbered 0..n-1 in that order."""
        new_of = {old: new for new, old in enumerate(live)}
        self.sequences = [self.sequences[d] for d in live]
        self.overflow = {new_of[d]: ids for d, ids in self.overflow.items()}

    def remap(self, remap: array[int]) -> dict[int, int]:
        """Renumber every term id `t` to `remap[t]` (which is never larger than `t`).

        Returns the renumbering as a `str.translate` table of the characters.
        """
        table = {old: new for old, new in enumerate(remap) if old >= FIRST_TERM and old != new}
        sequences = self.own()
        for doc_id, raw in enumerate(sequences):
            if doc_id in self.overflow:
                sequence = self.sequence(doc_id)
                del self.overflow[doc_id]
                sequences[doc_id] = self._encode(doc_id, [remap[t] for t in sequence])
            elif raw:
                # New ids are never larger than old ones, so no post gains overflow.
                text = raw.decode("utf-8", _SURROGATES).translate(table)
                sequences[doc_id] = text.encode("utf-8", _SURROGATES)
        return table

    def _encode(self, doc_id: int, ids: list[int]) -> bytes:
        limit = self.code_limit
        if not ids or max(ids) < limit:
            return "".join(map(chr, ids)).encode("utf-8", _SURROGATES)
        self.overflow[doc_id] = array("I", [i for i in ids if i >= limit])
        chars = [chr(i) if i < limit else OVERFLOW_CHAR for i in ids]
        return "".join(chars).encode("utf-8", _SURROGATES)

    # -- reading -------------------------------------------------------------

    def sequence(self, doc_id: int) -> list[int]:
        """The term ids of a post, in order."""
        text = self.sequences[doc_id].decode("utf-8", _SURROGATES)
        overflow = self.overflow.get(doc_id)
        if overflow is None:
            return list(map(ord, text))
        more = iter(overflow)
        return [next(more) if c == OVERFLOW_CHAR else ord(c) for c in text]

    def terms(self, doc_id: int) -> set[int]:
        """The distinct term ids of a post."""
        text = self.sequences[doc_id].decode("utf-8", _SURROGATES)
        found = set(map(ord, set(text)))
        found.difference_update(map(ord, _SPECIAL_CHARS))
        found.update(self.overflow.get(doc_id, ()))
        return found

    def pairs(self, doc_id: int) -> set[str]:
        """The distinct adjacent pairs of a post's sequence, as two characters."""
        text = self.sequences[doc_id].decode("utf-8", _SURROGATES)
        return set(map(add, text, text[1:]))

    def pair_key(self, first: int, second: int) -> str | None:
        """Two adjacent term ids as they appear in sequences; None if either overflows."""
        if max(first, second) >= self.code_limit:
            return None
        return chr(first) + chr(second)

    def field_counts(self, doc_id: int) -> list[dict[int, int]]:
        """How often each term id occurs in each field of a post."""
        if doc_id not in self.overflow:
            text = self.sequences[doc_id].decode("utf-8", _SURROGATES)
            counts = [Counter(part) for part in text.split(_FIELD_CHAR, FIELDS - 1)]
            found = [dict(zip(map(ord, c.keys()), c.values(), strict=True)) for c in counts]
        else:
            found = [{}]
            for term in self.sequence(doc_id):
                if term == FIELD:
                    found.append({})
                else:
                    found[-1][term] = found[-1].get(term, 0) + 1
        for part in found:
            part.pop(BARRIER, None)
        return found[:FIELDS]

    def with_phrase(self, candidates: Sequence[int], ids: list[int]) -> list[int]:
        """The candidates whose sequence holds the term ids `ids` in a row."""
        if max(ids) >= self.code_limit:
            return [d for d in candidates if self._has_run(d, ids)]
        pattern = "".join(map(chr, ids)).encode("utf-8", _SURROGATES)
        sequences = self.sequences
        if isinstance(sequences, MappedSequences):
            return list(compress(candidates, sequences.holding(candidates, pattern)))
        found = map(contains, map(sequences.__getitem__, candidates), repeat(pattern))
        return list(compress(candidates, found))

    def _has_run(self, doc_id: int, ids: list[int]) -> bool:
        sequence = self.sequence(doc_id)
        first, n = ids[0], len(ids)
        return any(term == first and sequence[i : i + n] == ids for i, term in enumerate(sequence))

    def patterns(self, term_ids: Sequence[int]) -> list[bytes]:
        """The terms as they appear in sequences (overflowing ones left out)."""
        limit = self.code_limit
        return [chr(i).encode("utf-8", _SURROGATES) for i in dict.fromkeys(term_ids) if i < limit]


def is_plain_pair(key: str) -> bool:
    """True if neither character of a pair of adjacent characters is a field, barrier or
    overflow."""
    return not any(c in key for c in _SPECIAL_CHARS)
