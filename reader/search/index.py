"""The search index: an inverted index with per-field BM25, kept up to date and on disk.

Layout, chosen so that 10,000 posts cost little memory and load in a blink:

* every distinct term gets an integer id. A term found in few posts keeps
  flat arrays of the ids of those posts (ascending) and of each post's
  *impact*: the weighted sum over fields (title, tags, headings, body) of
  that field's BM25 term-frequency part, as a 16-bit integer. A term found
  in a third of the posts or more keeps one 16-bit impact per post instead
  (0: absent), which is smaller and needs no search. The idf is applied at
  query time, so it follows the library as it grows;
* every post keeps its *forward* term sequence (title, tags, headings, body,
  with barrier ids between fields and between tags or headings) as UTF-8,
  one character per term id, frequent terms first-seen so mostly one or two
  bytes a term. UTF-8 is self-synchronising, so a phrase is a plain
  `bytes` substring test; the sequence also says which postings to touch
  when a post is removed, and gives the weights again on a rebuild;
* the plain text and the sections of each post (for snippets) stay on disk,
  one record a post in chunks compressed one by one (`reader.search.records`),
  of which a snippet reads one or three, whatever the post's length.

On disk: a fixed header, the records, then the arrays, each read straight
into place with `array.fromfile`, then a small marshal'd table of contents.
The index keeps its file open to read records; a save copies the records
region as it is and appends the new ones, so an import does not compress
the whole library's text again.

Updates are incremental: a re-imported post is removed (its forward terms
say which postings to touch) and added again under a new id. Ids only grow,
so postings stay sorted by appending; holes are compacted on save.

Weights: title 5, tags and headings 2.5, body 1, each saturated on its own
(BM25 per field, then summed), so a word in a title outranks any number of
mentions in a body with the same rarity. k1 = 1.2; b is lower for short
fields.
"""

from __future__ import annotations

import contextlib
import heapq
import marshal
import math
import os
import struct
import sys
import tempfile
import threading
import weakref
import zlib
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import compress, filterfalse, pairwise, repeat
from operator import add, contains, eq, mul
from pathlib import Path
from typing import BinaryIO

from reader.models import Post, PostSummary, Section
from reader.search.query import Clause, Query, parse_query
from reader.search.records import Reader, encode_record, snippet, split_text
from reader.search.snippets import Highlight, Snippet, find_marks
from reader.search.tokenize import fold, is_cjk, markdown_to_plain, terms
from reader.storage import fsync_dir

__all__ = ["FORMAT_VERSION", "SearchHit", "SearchIndex", "SearchResults"]

FORMAT_VERSION = 3
"""Bumped whenever the saved layout or the tokenizer changes; older files are rebuilt."""
_MAGIC = b"rdsearch"
_HEADER = struct.Struct("<8sIQQ")
"""Magic, format version, offset and length of the table of contents."""

_BARRIER = 0
"""Between two tags or two headings: a phrase never spans it."""
_FIELD = 1
"""Between two fields."""
_FIRST_TERM = 2
_FIELD_CHAR = chr(_FIELD)

_CODE_LIMIT = 0x10FFFF
"""Term ids below this are one character of a forward sequence; the rest share one
character and are listed per post (only libraries of over a million words need it)."""
_OVERFLOW_CHAR = chr(0x10FFFF)

TITLE, TAGS, HEADINGS, BODY = range(4)
WEIGHTS = (5.0, 2.5, 2.5, 1.0)
B = (0.3, 0.3, 0.5, 0.75)
K1 = 1.2

SCALE = 2600.0
"""Impacts are stored as round(impact * SCALE): the largest, 11 * (K1 + 1) = 24.2, fits 16 bits."""
DENSE_SHARE = 3
"""A term in more than 1/DENSE_SHARE of the posts keeps one impact per post."""
DENSE_MIN = 64
"""...if it is in at least this many posts (small libraries stay sparse)."""

PREFIX_FACTOR = 0.9
"""A longer word found by prefix scores a little below the typed word itself."""
FUZZY_FACTOR = 0.5
"""A word one or two edits away scores well below an exact match."""
MAX_EXPANSIONS = 40
"""At most this many words per prefix or typo, the most frequent first."""
MAX_EXPANSION_POSTINGS = 40_000
"""...and no more postings than this between them, so `a` stays fast on 10k posts."""
PAIR_SHARE = 32
"""Two adjacent terms found in more than 1/PAIR_SHARE of the posts keep a bitmap of
those posts, so a phrase of common words needs no scan of the posts' sequences."""
PAIR_MIN = 64
"""...if they are in at least this many posts."""
PAIR_SAMPLE = 2000
"""Posts sampled to choose the pairs that get a bitmap."""
COMPACT_RATIO = 0.2
"""Compact post ids when more than this share of them are holes."""
RECORD_SLACK = 0.3
"""Rewrite the records region (dropping dead records) when more than this share is dead."""
_COPY_CHUNK = 1 << 20


def signature(post: PostSummary) -> int:
    """A checksum of what the index holds about `post`, to notice stale entries."""
    parts = [post.title, "\x1f".join(post.tags), str(post.words)]
    parts.extend(f"{s.heading}\x1e{s.anchor}\x1e{s.level}\x1e{s.line}" for s in post.sections)
    return zlib.crc32("\x1d".join(parts).encode("utf-8", "surrogatepass"))


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


@dataclass(frozen=True, slots=True)
class SearchResults:
    """The outcome of a search: the top hits, how many matched, and what to highlight."""

    query: Query
    hits: tuple[SearchHit, ...]
    total: int
    """Posts matching, of which `hits` are the best `limit`."""
    highlight: Highlight
    """The folded words (and prefixes) that matched: highlight these when opening a post."""
    slugs: frozenset[str] | None = field(default=None, repr=False)
    """Every matching slug, in no order, when asked for with `all_slugs=True` (tag counts)."""

    @property
    def problems(self) -> tuple[str, ...]:
        """What was wrong with the query text and how it was read anyway."""
        return self.query.problems


def _tag_key(tag: str) -> str:
    return " ".join(fold(tag).split())


# -- matchers: one clause of a query over the postings, fast on many candidates ---------

_HIGH_BYTE = 1 if sys.byteorder == "little" else 0
_BIN_FLAGS = bytes.maketrans(b"01", b"\x00\x01")


def _top_positions(values: array[int], limit: int) -> list[int]:
    """Positions of `values` ('H') that include the `limit` largest, ascending.

    Looks at the high bytes only (C-speed counting), so it returns every
    position whose high byte reaches the level where `limit` are found: a
    superset of the top `limit`, ties included, and rarely much more.
    """
    n = len(values)
    if n > limit > 0:
        high = values.tobytes()[_HIGH_BYTE::2]
        level = max(high)
        count = high.count(level)
        while count < limit and level > 0:
            level -= 1
            count += high.count(level)
        if level > 0:
            mask = high.translate(bytes(int(i >= level) for i in range(256)))
            found: list[int] = []
            find = mask.find
            at = find(1)
            while at >= 0:
                found.append(at)
                at = find(1, at + 1)
            return found
    return list(compress(range(n), values))


def _bitmap_ids(bitmap: bytes | bytearray) -> list[int]:
    """The positions of the set bits of a little-endian bitmap, ascending."""
    bits = bin(int.from_bytes(bitmap, "little"))[:1:-1]
    return list(compress(range(len(bits)), bits.encode("ascii").translate(_BIN_FLAGS)))


def _ranked(pairs: Iterable[tuple[float, int]], limit: int) -> list[tuple[float, int]]:
    return sorted(pairs, key=lambda p: (-p[0], p[1]))[:limit]


class _Matcher:
    """The posts one clause matches and their scores, for a list of candidate ids."""

    size: int
    """How many posts it matches (an upper bound for a union)."""

    def ids(self) -> Sequence[int]:
        """Every post the clause matches, ascending."""
        raise NotImplementedError

    def count(self) -> int:
        """How many posts the clause matches, exactly."""
        return self.size

    def keep(self, among: Sequence[int]) -> list[int]:
        """The posts of `among` (ascending) the clause matches."""
        raise NotImplementedError

    def values(self, among: Sequence[int]) -> list[float] | None:
        """The clause's score of each post of `among` (all of which it matches); None: all 0."""
        raise NotImplementedError

    def values0(self, among: Sequence[int]) -> list[float]:
        """The clause's score of each post of `among`, 0 where it does not match."""
        return self.values(among) or [0.0] * len(among)

    def candidates(self, limit: int) -> Sequence[int]:
        """Posts that include the `limit` best-scoring ones."""
        return self.ids()

    def table(self, lookups: int) -> tuple[Mapping[int, int] | array[int], float] | None:
        """(post id -> stored impact, weight) for `lookups` look-ups, if it is worth it."""
        return None

    def best(self, limit: int) -> list[tuple[float, int]]:
        """The `limit` best (score, id) pairs, best first, ties by id."""
        found = self.candidates(limit)
        return _ranked(zip(self.values(found) or repeat(0.0), found, strict=False), limit)


class _Dense(_Matcher):
    def __init__(self, impacts: array[int], size: int, weight: float) -> None:
        self.impacts = impacts
        self.size = size
        self.weight = weight

    def ids(self) -> Sequence[int]:
        return list(compress(range(len(self.impacts)), self.impacts))

    def keep(self, among: Sequence[int]) -> list[int]:
        impacts = self.impacts
        return [d for d in among if impacts[d]]

    def values(self, among: Sequence[int]) -> list[float]:
        impacts, weight = self.impacts, self.weight
        return [weight * impacts[d] for d in among]

    def candidates(self, limit: int) -> Sequence[int]:
        return _top_positions(self.impacts, limit)

    def table(self, lookups: int) -> tuple[Mapping[int, int] | array[int], float] | None:
        return self.impacts, self.weight


class _Sparse(_Matcher):
    def __init__(self, ids: array[int], impacts: array[int], weight: float) -> None:
        self._ids = ids
        self.impacts = impacts
        self.size = len(ids)
        self.weight = weight

    def ids(self) -> Sequence[int]:
        return self._ids

    def _found(self, among: Sequence[int]) -> tuple[list[int], Iterator[int]]:
        """Where each of `among` is or would be, and which id is there (padded past the end)."""
        at = list(map(partial(bisect_left, self._ids), among))
        padded = self._ids + array("I", [0xFFFFFFFF])
        return at, map(padded.__getitem__, at)

    def keep(self, among: Sequence[int]) -> list[int]:
        if len(among) * 8 < len(self._ids):
            _, there = self._found(among)
            return list(compress(among, map(eq, there, among)))
        present = set(self._ids)
        return list(compress(among, map(present.__contains__, among)))

    def values(self, among: Sequence[int]) -> list[float]:
        if len(among) * 8 < len(self._ids):
            return self.values0(among)
        table = dict(zip(self._ids, self.impacts, strict=True))
        weight = self.weight
        return [weight * table[d] for d in among]

    def values0(self, among: Sequence[int]) -> list[float]:
        if len(among) * 8 < len(self._ids):
            at, there = self._found(among)
            padded = self.impacts + array("H", [0])
            found = map(mul, map(eq, there, among), map(padded.__getitem__, at))
            weight = self.weight
            return [weight * v for v in found]
        table = dict(zip(self._ids, self.impacts, strict=True))
        get, weight = table.get, self.weight
        return [weight * get(d, 0) for d in among]

    def candidates(self, limit: int) -> Sequence[int]:
        return list(map(self._ids.__getitem__, _top_positions(self.impacts, limit)))

    def table(self, lookups: int) -> tuple[Mapping[int, int] | array[int], float] | None:
        if lookups * 8 < len(self._ids):
            return None
        return dict(zip(self._ids, self.impacts, strict=True)), self.weight


class _Union(_Matcher):
    """A word and its expansions (prefix or typo): the best-scoring one per post."""

    def __init__(self, parts: list[_Matcher]) -> None:
        self.parts = parts
        self.size = sum(p.size for p in parts)
        self._ids: list[int] | None = None

    def ids(self) -> Sequence[int]:
        if self._ids is None:
            found: set[int] = set()
            for part in self.parts:
                found.update(part.ids())
            self._ids = sorted(found)
        return self._ids

    def count(self) -> int:
        return len(self.ids())

    def keep(self, among: Sequence[int]) -> list[int]:
        found: set[int] = set()
        for part in self.parts:
            found.update(part.keep(among))
        return list(compress(among, map(found.__contains__, among)))

    def values(self, among: Sequence[int]) -> list[float]:
        return list(map(max, *(part.values0(among) for part in self.parts)))

    def candidates(self, limit: int) -> Sequence[int]:
        # A post among the best `limit` of the union is among the best of the expansion
        # that gives its score, so the union of each expansion's best holds them all.
        found: set[int] = set()
        for part in self.parts:
            found.update(part.candidates(limit))
        return sorted(found)


class _Posts(_Matcher):
    """A set of posts that adds nothing to the score (a phrase's posts, from a bitmap)."""

    def __init__(self, ids: list[int]) -> None:
        self._ids = ids
        self._set = set(ids)
        self.size = len(ids)

    def ids(self) -> Sequence[int]:
        return self._ids

    def keep(self, among: Sequence[int]) -> list[int]:
        return list(compress(among, map(self._set.__contains__, among)))

    def values(self, among: Sequence[int]) -> None:
        return None


def _scores(matchers: list[_Matcher], among: list[int]) -> list[float]:
    """The sum of the matchers' scores for each post of `among` (all of which match)."""
    tables: list[tuple[Mapping[int, int] | array[int], float]] = []
    others: list[_Matcher] = []
    for matcher in matchers:
        table = matcher.table(len(among))
        if table is None:
            others.append(matcher)
        else:
            tables.append(table)
    # One comprehension over the posts for up to three terms: no list per term.
    totals: list[float] | None = None
    while tables:
        if len(tables) >= 3:
            (t1, w1), (t2, w2), (t3, w3) = tables[:3]
            more = [w1 * t1[d] + w2 * t2[d] + w3 * t3[d] for d in among]
        elif len(tables) == 2:
            (t1, w1), (t2, w2) = tables
            more = [w1 * t1[d] + w2 * t2[d] for d in among]
        else:
            (t1, w1) = tables[0]
            more = [w1 * t1[d] for d in among]
        del tables[:3]
        totals = more if totals is None else list(map(add, totals, more))
    for matcher in others:
        extra = matcher.values(among)
        if extra is not None:
            totals = extra if totals is None else list(map(add, totals, extra))
    return totals if totals is not None else [0.0] * len(among)


def _top(candidates: Sequence[int], scores: list[float], limit: int) -> list[tuple[float, int]]:
    """The best `limit` (score, id) pairs, best first, ties by id."""
    if limit <= 0 or not candidates:
        return []
    if len(candidates) > limit:
        threshold = heapq.nlargest(limit, scores)[-1]
        return _ranked(
            [(s, d) for s, d in zip(scores, candidates, strict=True) if s >= threshold], limit
        )
    return _ranked(zip(scores, candidates, strict=True), limit)


def _utf8_length(ids: list[int]) -> int:
    """Bytes the term ids `ids` take in a forward sequence."""
    if not ids:
        return 0
    if max(ids) < 0x80:
        return len(ids)
    chars = "".join(chr(min(i, _CODE_LIMIT)) for i in ids)
    return len(chars.encode("utf-8", "surrogatepass"))


class SearchIndex:
    """An inverted index over posts. Safe to search from several threads; one writer at a time."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        # Vocabulary.
        self._terms: list[str] = ["", ""]
        self._term_ids: dict[str, int] = {}
        self._df = array("I", [0, 0])
        # Postings: flat arrays as loaded or packed (term t owns base[at[t]:at[t + 1]]),
        # per-term arrays for terms changed since, and per-post impacts of dense terms.
        self._base_at = array("Q", [0])
        self._base_ids = array("I")
        self._base_impacts = array("H")
        self._post: dict[int, tuple[array[int], array[int]]] = {}
        self._dense: dict[int, array[int]] = {}
        # Posts, by id; a removed post leaves a hole (slug None) until compaction.
        self._slugs: list[str | None] = []
        self._titles: list[str] = []
        self._tags: list[tuple[str, ...]] = []
        self._doc_of: dict[str, int] = {}
        self._sigs = array("I")
        self._lengths = array("I")
        """Four per post: title, tags, headings and body lengths in terms."""
        self._forward: list[bytes] = []
        self._overflow: dict[int, array[int]] = {}
        self._pairs: dict[str, bytearray] = {}
        """Bitmaps of the posts holding two common terms in a row, by their two characters."""
        self._pair_bytes = 0
        self._tag_docs: dict[str, set[int]] = {}
        self._length_sums = [0, 0, 0, 0]
        # Snippet records: in the file at (offset, length), or pending until saved.
        self._rec_at = array("Q")
        self._rec_len = array("I")
        self._pending: dict[int, bytes] = {}
        self._file: BinaryIO | None = None
        self._path: Path | None = None
        self._closer: weakref.finalize[..., object] | None = None
        self._region_end = _HEADER.size
        # Caches for prefixes and typos.
        self._sorted_terms: list[str] | None = None
        self._by_length: dict[int, list[str]] | None = None

    # -- building ----------------------------------------------------------

    @classmethod
    def build(cls, posts: Iterable[Post]) -> SearchIndex:
        """A new index over `posts`."""
        index = cls()
        for post in posts:
            index._insert_doc(post)
        index._rebuild_postings()
        return index

    def __len__(self) -> int:
        return len(self._doc_of)

    def __contains__(self, slug: object) -> bool:
        return slug in self._doc_of

    def slugs(self) -> list[str]:
        """Every indexed slug, in index order."""
        return [s for s in self._slugs if s is not None]

    def stale(self, summaries: Iterable[PostSummary]) -> tuple[list[str], list[str]]:
        """Compare with the store: (slugs to (re)index, slugs to drop)."""
        seen: set[str] = set()
        changed: list[str] = []
        sigs = self._sigs
        for summary in summaries:
            seen.add(summary.slug)
            doc_id = self._doc_of.get(summary.slug)
            if doc_id is None or sigs[doc_id] != signature(summary):
                changed.append(summary.slug)
        gone = [slug for slug in self._doc_of if slug not in seen]
        return changed, gone

    def update(self, posts: Iterable[Post], remove: Iterable[str] = ()) -> None:
        """Index new or changed `posts` (replacing older versions) and drop `remove`."""
        with self._lock:
            for slug in remove:
                self._remove_doc(slug)
            added = [self._insert_doc(post) for post in posts]
            if not added:
                return
            if len(added) > max(50, len(self._doc_of) // 4):
                self._rebuild_postings()  # a big import: recompute every weight
                return
            averages = self._averages()
            for doc_id in added:
                self._post_doc(doc_id, averages)

    def _term_id(self, term: str) -> int:
        term_id = self._term_ids.get(term)
        if term_id is None:
            term_id = self._term_ids[term] = len(self._terms)
            self._terms.append(term)
            self._df.append(0)
            self._sorted_terms = None
            self._by_length = None
        return term_id

    def _ids(self, text: str, out: list[int]) -> int:
        found = terms(text)
        ids = list(map(self._term_ids.get, found))
        if None in ids:
            new = self._term_id
            out.extend([new(t) for t in found])
        else:
            out.extend(ids)  # type: ignore[arg-type]
        return len(found)

    def _encode(self, doc_id: int, ids: list[int]) -> bytes:
        limit = _CODE_LIMIT
        if not ids or max(ids) < limit:
            return "".join(map(chr, ids)).encode("utf-8", "surrogatepass")
        self._overflow[doc_id] = array("I", [i for i in ids if i >= limit])
        chars = [chr(i) if i < limit else _OVERFLOW_CHAR for i in ids]
        return "".join(chars).encode("utf-8", "surrogatepass")

    def _sequence(self, doc_id: int) -> list[int]:
        """The forward term ids of a post."""
        text = self._forward[doc_id].decode("utf-8", "surrogatepass")
        overflow = self._overflow.get(doc_id)
        if overflow is None:
            return list(map(ord, text))
        more = iter(overflow)
        return [next(more) if c == _OVERFLOW_CHAR else ord(c) for c in text]

    def _doc_terms(self, doc_id: int) -> set[int]:
        """The distinct term ids of a post."""
        found = set(map(ord, set(self._forward[doc_id].decode("utf-8", "surrogatepass"))))
        found.difference_update((_BARRIER, _FIELD, ord(_OVERFLOW_CHAR)))
        found.update(self._overflow.get(doc_id, ()))
        return found

    def _doc_pairs(self, doc_id: int) -> set[str]:
        """The distinct adjacent pairs of a post's forward sequence, as two characters."""
        text = self._forward[doc_id].decode("utf-8", "surrogatepass")
        return set(map(add, text, text[1:]))

    def _insert_doc(self, post: Post) -> int:
        """Add a post's document (not its postings); return its id."""
        self._remove_doc(post.slug)
        ids: list[int] = []
        lengths = [self._ids(post.title, ids), 0, 0, 0]
        ids.append(_FIELD)
        for i, tag in enumerate(post.tags):
            if i:
                ids.append(_BARRIER)
            lengths[TAGS] += self._ids(tag, ids)
        ids.append(_FIELD)
        for i, section in enumerate(post.sections):
            if i:
                ids.append(_BARRIER)
            lengths[HEADINGS] += self._ids(section.heading, ids)
        ids.append(_FIELD)
        # The body a chunk at a time, noting where each chunk's terms start in the
        # forward sequence, so a snippet reads only the chunk its words are in.
        pieces = split_text(markdown_to_plain(post.body))
        starts = [len(ids)]
        for piece in pieces:
            lengths[BODY] += self._ids(piece, ids)
            starts.append(len(ids))
        forward_at = [_utf8_length(ids[: starts[0]])]
        for a, b in pairwise(starts[:-1]):
            forward_at.append(forward_at[-1] + _utf8_length(ids[a:b]))
        doc_id = len(self._slugs)
        self._forward.append(self._encode(doc_id, ids))
        self._slugs.append(post.slug)
        self._titles.append(post.title)
        tags = tuple(sys.intern(t) for t in post.tags)
        self._tags.append(tags)
        self._sigs.append(signature(post))
        self._lengths.extend(lengths)
        sections = tuple((s.heading, s.anchor, s.level, s.line) for s in post.sections)
        self._pending[doc_id] = encode_record(pieces, sections, forward_at)
        self._rec_at.append(0)
        self._rec_len.append(0)
        for impacts in self._dense.values():
            impacts.append(0)
        self._doc_of[post.slug] = doc_id
        for tag in tags:
            self._tag_docs.setdefault(_tag_key(tag), set()).add(doc_id)
        for i, n in enumerate(lengths):
            self._length_sums[i] += n
        return doc_id

    def _sparse(self, term_id: int) -> tuple[array[int], array[int]]:
        """A sparse term's (post ids, impacts); do not change them."""
        found = self._post.get(term_id)
        if found is not None:
            return found
        at = self._base_at
        if term_id + 1 < len(at):
            start, end = at[term_id], at[term_id + 1]
            return self._base_ids[start:end], self._base_impacts[start:end]
        return array("I"), array("H")

    def _own(self, term_id: int) -> tuple[array[int], array[int]]:
        """A sparse term's (post ids, impacts), to change."""
        found = self._post.get(term_id)
        if found is None:
            found = self._post[term_id] = self._sparse(term_id)
        return found

    def _remove_doc(self, slug: str) -> None:
        doc_id = self._doc_of.pop(slug, None)
        if doc_id is None:
            return
        for i in range(4):
            self._length_sums[i] -= self._lengths[4 * doc_id + i]
        for tag in self._tags[doc_id]:
            self._tag_docs.get(_tag_key(tag), set()).discard(doc_id)
        df = self._df
        for term_id in self._doc_terms(doc_id):
            dense = self._dense.get(term_id)
            if dense is not None:
                if dense[doc_id]:
                    dense[doc_id] = 0
                    df[term_id] -= 1
                continue
            ids, impacts = self._own(term_id)
            i = bisect_left(ids, doc_id)
            if i < len(ids) and ids[i] == doc_id:
                del ids[i]
                del impacts[i]
                df[term_id] -= 1
        if self._pairs:
            byte, bit = doc_id >> 3, ~(1 << (doc_id & 7)) & 0xFF
            for key in self._doc_pairs(doc_id) & self._pairs.keys():
                self._pairs[key][byte] &= bit
        self._slugs[doc_id] = None
        self._titles[doc_id] = ""
        self._tags[doc_id] = ()
        self._forward[doc_id] = b""
        self._overflow.pop(doc_id, None)
        self._pending.pop(doc_id, None)

    def _averages(self) -> tuple[float, ...]:
        n = max(1, len(self._doc_of))
        return tuple(max(1.0, total / n) for total in self._length_sums)

    def _field_counts(self, doc_id: int) -> list[dict[int, int]]:
        if doc_id not in self._overflow:
            text = self._forward[doc_id].decode("utf-8", "surrogatepass")
            counts = [Counter(part) for part in text.split(_FIELD_CHAR, 3)]
            found = [dict(zip(map(ord, c.keys()), c.values(), strict=True)) for c in counts]
        else:
            found = [{}]
            for term in self._sequence(doc_id):
                if term == _FIELD:
                    found.append({})
                else:
                    found[-1][term] = found[-1].get(term, 0) + 1
        for part in found:
            part.pop(_BARRIER, None)
        return found[:4]

    def _post_doc(self, doc_id: int, averages: tuple[float, ...]) -> None:
        """Compute a post's impacts and append them to its terms' postings."""
        if self._slugs[doc_id] is None:
            return
        lengths = self._lengths
        fields = self._field_counts(doc_id)
        # The body has most terms: one comprehension for it, then add the short fields.
        f = BODY
        norm = K1 * (1 - B[f] + B[f] * lengths[4 * doc_id + f] / averages[f])
        weight = WEIGHTS[f] * (K1 + 1)
        impacts = {t: weight * tf / (tf + norm) for t, tf in fields[BODY].items()}
        get = impacts.get
        for f, counts in enumerate(fields[:BODY]):
            if counts:
                norm = K1 * (1 - B[f] + B[f] * lengths[4 * doc_id + f] / averages[f])
                weight = WEIGHTS[f] * (K1 + 1)
                for term_id, tf in counts.items():
                    impacts[term_id] = get(term_id, 0.0) + weight * tf / (tf + norm)
        df = self._df
        dense = self._dense
        post = self._post
        for term_id, impact in impacts.items():
            # Never above 24.2 * SCALE < 2**16; never 0, which means "absent" in a dense row.
            value = int(impact * SCALE + 0.5) or 1
            df[term_id] += 1
            if term_id in dense:
                dense[term_id][doc_id] = value
                continue
            found = post.get(term_id)
            if found is None:
                found = self._own(term_id)
            found[0].append(doc_id)
            found[1].append(value)
        if self._pairs:
            if doc_id >> 3 >= self._pair_bytes:
                extra = (doc_id >> 3) + 64 - self._pair_bytes
                for bitmap in self._pairs.values():
                    bitmap.extend(bytes(extra))
                self._pair_bytes += extra
            byte, bit = doc_id >> 3, 1 << (doc_id & 7)
            for key in self._doc_pairs(doc_id) & self._pairs.keys():
                self._pairs[key][byte] |= bit

    def _compact_docs(self) -> None:
        """Renumber the live posts 0..n-1 (postings must be recomputed after)."""
        live = [d for d, slug in enumerate(self._slugs) if slug is not None]
        if len(live) == len(self._slugs):
            return
        new_of = {old: new for new, old in enumerate(live)}
        self._slugs = [self._slugs[d] for d in live]
        self._titles = [self._titles[d] for d in live]
        self._tags = [self._tags[d] for d in live]
        self._forward = [self._forward[d] for d in live]
        self._sigs = array("I", [self._sigs[d] for d in live])
        lengths = self._lengths
        self._lengths = array("I", [lengths[4 * d + i] for d in live for i in range(4)])
        self._rec_at = array("Q", [self._rec_at[d] for d in live])
        self._rec_len = array("I", [self._rec_len[d] for d in live])
        self._pending = {new_of[d]: rec for d, rec in self._pending.items()}
        self._overflow = {new_of[d]: ids for d, ids in self._overflow.items()}
        self._doc_of = {slug: i for i, slug in enumerate(self._slugs) if slug is not None}
        self._tag_docs = {}
        for i, tags in enumerate(self._tags):
            for tag in tags:
                self._tag_docs.setdefault(_tag_key(tag), set()).add(i)

    def _rebuild_postings(self) -> None:
        """Recompute every posting from the forward sequences, compacting ids."""
        self._compact_docs()
        n = len(self._slugs)
        chars: Counter[str] = Counter()
        df: Counter[int] = Counter()
        pairs: Counter[str] = Counter()
        # Which pairs are common is judged on a sample (every post of a small library): the
        # bitmaps of those chosen are filled from every post below, so they are exact.
        step = max(1, n // PAIR_SAMPLE)
        for doc_id in range(n):
            text = self._forward[doc_id].decode("utf-8", "surrogatepass")
            chars.update(set(text))
            if doc_id in self._overflow:
                df.update(set(self._overflow[doc_id]))
            if doc_id % step == 0:
                pairs.update(set(map(add, text, text[1:])))
        for char, count in chars.items():
            df[ord(char)] += count
        for special in (_BARRIER, _FIELD, ord(_OVERFLOW_CHAR)):
            df.pop(special, None)
        sampled = (n + step - 1) // step
        self._pair_bytes = (n + 7) >> 3
        specials = (chr(_BARRIER), _FIELD_CHAR, _OVERFLOW_CHAR)
        self._pairs = {
            key: bytearray(self._pair_bytes)
            for key, count in pairs.items()
            if count * step >= PAIR_MIN
            and count * PAIR_SHARE >= sampled
            and not any(c in key for c in specials)
        }
        del pairs, chars
        self._df = array("I", bytes(4 * len(self._terms)))
        self._post = {}
        self._base_at = array("Q", [0])
        self._base_ids = array("I")
        self._base_impacts = array("H")
        self._dense = {
            t: array("H", bytes(2 * n))
            for t, count in df.items()
            if count >= DENSE_MIN and count * DENSE_SHARE > n
        }
        averages = self._averages()
        for doc_id in range(n):
            self._post_doc(doc_id, averages)
        self._drop_unused_terms()
        self._pack()

    def _drop_unused_terms(self) -> None:
        df = self._df
        keep = [t for t in range(_FIRST_TERM, len(self._terms)) if df[t]]
        if len(keep) == len(self._terms) - _FIRST_TERM:
            return
        remap = array("I", [0]) * len(self._terms)
        remap[_FIELD] = _FIELD
        for new, old in enumerate(keep, start=_FIRST_TERM):
            remap[old] = new
        self._terms = ["", "", *(self._terms[t] for t in keep)]
        self._term_ids = {t: i for i, t in enumerate(self._terms) if i >= _FIRST_TERM}
        self._df = array("I", [0, 0, *(df[t] for t in keep)])
        self._post = {remap[t]: p for t, p in self._post.items() if df[t]}
        self._dense = {remap[t]: p for t, p in self._dense.items() if df[t]}
        # New ids are never larger than old ones, so a post without overflow keeps none.
        table = {old: new for old, new in enumerate(remap) if old >= _FIRST_TERM and old != new}
        for doc_id, raw in enumerate(self._forward):
            if doc_id in self._overflow:
                sequence = self._sequence(doc_id)
                del self._overflow[doc_id]
                self._forward[doc_id] = self._encode(doc_id, [remap[t] for t in sequence])
            elif raw:
                text = raw.decode("utf-8", "surrogatepass").translate(table)
                self._forward[doc_id] = text.encode("utf-8", "surrogatepass")
        self._pairs = {key.translate(table): bitmap for key, bitmap in self._pairs.items()}
        self._sorted_terms = None
        self._by_length = None

    def _pack(self) -> None:
        """Gather the postings into flat arrays; move terms between dense and sparse."""
        n = len(self._slugs)
        df = self._df
        at = array("Q", [0])
        ids_out = array("I")
        impacts_out = array("H")
        for term_id in range(len(self._terms)):
            count = df[term_id]
            dense = self._dense.get(term_id)
            if dense is not None and (count < DENSE_MIN or count * DENSE_SHARE * 2 < n):
                ids_out.extend(compress(range(n), dense))
                impacts_out.extend(compress(dense, dense))
                del self._dense[term_id]
            elif dense is None and count >= DENSE_MIN and count * DENSE_SHARE > n:
                ids, impacts = self._sparse(term_id)
                row = array("H", bytes(2 * n))
                for doc_id, value in zip(ids, impacts, strict=True):
                    row[doc_id] = value
                self._dense[term_id] = row
            elif dense is None:
                ids, impacts = self._sparse(term_id)
                ids_out.extend(ids)
                impacts_out.extend(impacts)
            at.append(len(ids_out))
        self._base_at, self._base_ids, self._base_impacts = at, ids_out, impacts_out
        self._post = {}

    # -- persistence -------------------------------------------------------

    def _attach(self, handle: BinaryIO, path: Path) -> None:
        """Read snippet records from `handle` from now on (closing the previous file)."""
        if self._closer is not None:
            self._closer()
        self._file, self._path = handle, path
        self._closer = weakref.finalize(self, handle.close)

    def close(self) -> None:
        """Close the index file (snippets of saved posts are empty afterwards)."""
        with self._lock:
            if self._closer is not None:
                self._closer()
            self._file = self._closer = None

    def _reader(self, doc_id: int) -> Reader | None:
        """Reads parts of a post's snippet record; None if it has none. Caller holds `_lock`."""
        pending = self._pending.get(doc_id)
        if pending is not None:
            return lambda offset, length: pending[offset : offset + length]
        handle, at, size = self._file, self._rec_at[doc_id], self._rec_len[doc_id]
        if handle is None or not size:
            return None

        def read(offset: int, length: int) -> bytes:
            if offset + length > size:
                raise ValueError("read past the end of a snippet record")
            handle.seek(at + offset)
            return handle.read(length)

        return read

    def _write_records(self, out: BinaryIO) -> tuple[array[int], array[int], int]:
        """Write every live post's record after the header; their new offsets and lengths."""
        rec_at = array("Q", self._rec_at)
        rec_len = array("I", self._rec_len)
        position = _HEADER.size
        source = self._file
        if source is not None:
            saved = [
                d
                for d, slug in enumerate(self._slugs)
                if slug is not None and d not in self._pending and rec_len[d]
            ]
            live = sum(map(rec_len.__getitem__, saved))
            region = self._region_end - _HEADER.size
            if live >= (1 - RECORD_SLACK) * region:
                # Copy the region as it is: offsets stay, no record is recompressed.
                source.seek(_HEADER.size)
                left = region
                while left:
                    chunk = source.read(min(_COPY_CHUNK, left))
                    if not chunk:
                        raise OSError("search index file shrank while saving")
                    out.write(chunk)
                    left -= len(chunk)
                position = self._region_end
            else:
                for d in sorted(saved, key=rec_at.__getitem__):
                    source.seek(rec_at[d])
                    data = source.read(rec_len[d])
                    out.write(data)
                    rec_at[d] = position
                    position += len(data)
        for d in sorted(self._pending):
            data = self._pending[d]
            out.write(data)
            rec_at[d], rec_len[d] = position, len(data)
            position += len(data)
        for d, slug in enumerate(self._slugs):
            if slug is None:
                rec_at[d] = rec_len[d] = 0
        return rec_at, rec_len, position

    def save(self, path: Path) -> None:
        """Write the index to `path` atomically (compacting it first if it has many holes)."""
        with self._lock:
            holes = len(self._slugs) - len(self._doc_of)
            if holes and holes > COMPACT_RATIO * len(self._slugs):
                self._rebuild_postings()
            else:
                self._pack()
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            tmp = Path(tmp_name)
            out: BinaryIO = os.fdopen(fd, "w+b")
            reopen = os.name == "nt"  # Windows cannot replace a file that is open
            try:
                out.write(_HEADER.pack(_MAGIC, FORMAT_VERSION, 0, 0))
                rec_at, rec_len, region_end = self._write_records(out)
                self._write_tables(out, rec_at, rec_len, region_end)
                out.flush()
                os.fsync(out.fileno())
                if reopen:
                    out.close()
                    self.close()
                os.replace(tmp, path)
            except BaseException:
                out.close()
                with contextlib.suppress(OSError):
                    tmp.unlink()
                if reopen and self._file is None and self._path is not None:
                    with contextlib.suppress(OSError):
                        self._attach(self._path.open("rb"), self._path)
                raise
            fsync_dir(path.parent)
            if reopen:
                out = path.open("rb")
            self._attach(out, path)
            self._rec_at, self._rec_len, self._region_end = rec_at, rec_len, region_end
            self._pending = {}

    def _write_tables(
        self, out: BinaryIO, rec_at: array[int], rec_len: array[int], region_end: int
    ) -> None:
        dense_ids = sorted(self._dense)
        arrays: list[array[int]] = [
            self._base_at,
            self._base_ids,
            self._base_impacts,
            self._df,
            self._sigs,
            self._lengths,
            rec_at,
            rec_len,
            *(self._dense[t] for t in dense_ids),
        ]
        for a in arrays:
            a.tofile(out)
        forward_at = out.tell()
        sizes = array("Q", map(len, self._forward))
        sizes.tofile(out)
        for chunk in self._forward:
            out.write(chunk)
        for bitmap in self._pairs.values():
            out.write(bitmap)
        toc = {
            "byteorder": sys.byteorder,
            "itemsizes": [a.itemsize for a in arrays[:8]],
            "counts": [len(a) for a in arrays],
            "arrays_at": region_end,
            "forward_at": forward_at,
            "terms": "\n".join(self._terms[_FIRST_TERM:]),
            "dense": dense_ids,
            "slugs": self._slugs,
            "titles": self._titles,
            "tags": self._tags,
            "overflow": {d: a.tobytes() for d, a in self._overflow.items()},
            "length_sums": self._length_sums,
            "pairs": "".join(self._pairs),
            "pair_bytes": self._pair_bytes,
        }
        data = marshal.dumps(toc)
        toc_at = out.tell()
        out.write(data)
        out.seek(0)
        out.write(_HEADER.pack(_MAGIC, FORMAT_VERSION, toc_at, len(data)))

    @classmethod
    def load(cls, path: Path) -> SearchIndex | None:
        """The index saved at `path`, or None if missing, corrupt or of another format."""
        try:
            handle = path.open("rb")
        except OSError:
            return None
        try:
            index = cls._read(handle)
        except Exception:
            # Any damage at all (a wrong type in the table of contents, a count too
            # big to allocate...): the index is a cache, rebuilt from the posts.
            index = None
        if index is None:
            handle.close()
        else:
            index._attach(handle, path)
        return index

    @classmethod
    def _read(cls, handle: BinaryIO) -> SearchIndex | None:
        magic, version, toc_at, toc_len = _HEADER.unpack(handle.read(_HEADER.size))
        if magic != _MAGIC or version != FORMAT_VERSION:
            return None
        size = os.fstat(handle.fileno()).st_size
        if toc_at < _HEADER.size or toc_at + toc_len != size:
            return None
        handle.seek(toc_at)
        toc = marshal.loads(handle.read(toc_len))
        codes = ("Q", "I", "H", "I", "I", "I", "Q", "I")
        if toc["byteorder"] != sys.byteorder or toc["itemsizes"] != [
            array(c).itemsize for c in codes
        ]:
            return None
        counts: list[int] = toc["counts"]
        handle.seek(toc["arrays_at"])
        loaded: list[array[int]] = []
        for i, count in enumerate(counts):
            a: array[int] = array(codes[i] if i < len(codes) else "H")
            a.fromfile(handle, count)
            loaded.append(a)
        base_at, base_ids, base_impacts, df, sigs, lengths, rec_at, rec_len = loaded[:8]
        sizes: array[int] = array("Q")
        sizes.fromfile(handle, len(toc["slugs"]))
        read = handle.read
        forward = [read(n) for n in sizes]
        keys: str = toc["pairs"]
        width: int = toc["pair_bytes"]
        bitmaps = read(width * (len(keys) // 2))

        index = cls()
        index._terms = ["", "", *(toc["terms"].split("\n") if toc["terms"] else [])]
        index._term_ids = {t: i for i, t in enumerate(index._terms) if i >= _FIRST_TERM}
        index._df = df
        index._base_at, index._base_ids, index._base_impacts = base_at, base_ids, base_impacts
        index._dense = dict(zip(toc["dense"], loaded[8:], strict=True))
        index._slugs = list(toc["slugs"])
        index._titles = list(toc["titles"])
        index._tags = [tuple(t) for t in toc["tags"]]
        index._sigs, index._lengths = sigs, lengths
        index._forward = forward
        index._rec_at, index._rec_len = rec_at, rec_len
        index._region_end = toc["arrays_at"]
        index._length_sums = list(toc["length_sums"])
        for d, raw in toc["overflow"].items():
            index._overflow[d] = over = array("I")
            over.frombytes(raw)
        index._pair_bytes = width
        index._pairs = {
            keys[2 * i : 2 * i + 2]: bytearray(bitmaps[width * i : width * (i + 1)])
            for i in range(len(keys) // 2)
        }
        index._doc_of = {s: i for i, s in enumerate(index._slugs) if s is not None}
        for i, tags in enumerate(index._tags):
            for tag in tags:
                index._tag_docs.setdefault(_tag_key(tag), set()).add(i)
        n = len(index._slugs)
        nterms = len(index._terms)
        if not (
            len(base_at) == nterms + 1
            and len(df) == nterms
            and base_at[-1] == len(base_ids) == len(base_impacts)
            and len(index._titles) == len(index._tags) == len(sigs) == n
            and len(lengths) == 4 * n
            and len(rec_at) == len(rec_len) == n
            and len(forward) == n
            and sum(map(len, forward)) == sum(sizes)
            and all(len(row) == n for row in index._dense.values())
            and len(bitmaps) == width * (len(keys) // 2)
            and (not keys or width * 8 >= n)
            and (not n or max(map(add, rec_at, rec_len)) <= index._region_end)
        ):
            return None
        return index

    # -- searching ---------------------------------------------------------

    def _idf(self, term_id: int) -> float:
        n = len(self._doc_of)
        df = self._df[term_id]
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _prefix_terms(self, prefix: str) -> list[int]:
        if self._sorted_terms is None:
            df = self._df
            self._sorted_terms = sorted(
                t for i, t in enumerate(self._terms) if i >= _FIRST_TERM and df[i]
            )
        names = self._sorted_terms
        found: list[int] = []
        i = bisect_left(names, prefix)
        while i < len(names) and names[i].startswith(prefix):
            if names[i] != prefix:
                found.append(self._term_ids[names[i]])
            i += 1
        return found

    def _fuzzy_terms(self, word: str) -> list[int]:
        from rapidfuzz.distance import Levenshtein
        from rapidfuzz.process import extract

        if self._by_length is None:
            by_length: dict[int, list[str]] = {}
            df = self._df
            for i, name in enumerate(self._terms):
                if i >= _FIRST_TERM and df[i]:
                    by_length.setdefault(len(name), []).append(name)
            self._by_length = by_length
        limit = 2 if len(word) >= 9 else 1
        candidates = [
            name
            for n in range(len(word) - limit, len(word) + limit + 1)
            for name in self._by_length.get(n, ())
        ]
        found = extract(
            word,
            candidates,
            scorer=Levenshtein.distance,
            score_cutoff=limit,
            limit=None,
        )
        return [self._term_ids[name] for name, _, _ in found]

    def _cap(self, term_ids: list[int]) -> list[int]:
        """The most frequent expansions, within the caps."""
        df = self._df
        ranked = sorted(term_ids, key=lambda t: -df[t])[:MAX_EXPANSIONS]
        kept: list[int] = []
        total = 0
        for term_id in ranked:
            total += df[term_id]
            if kept and total > MAX_EXPANSION_POSTINGS:
                break
            kept.append(term_id)
        return kept

    def _expand(self, clause: Clause) -> tuple[list[tuple[int, float]], set[str], list[str]]:
        """The (term id, factor) pairs a one-word clause matches, the terms, the prefixes."""
        word = clause.terms[0]
        exact = self._term_ids.get(word)
        pairs: list[tuple[int, float]] = []
        names: set[str] = set()
        prefixes: list[str] = []
        if exact is not None and self._df[exact]:
            pairs.append((exact, 1.0))
            names.add(word)
        if clause.prefix or (is_cjk(word) and len(word) == 1):
            longer = self._cap(self._prefix_terms(word))
            pairs.extend((t, PREFIX_FACTOR) for t in longer)
            if longer:
                prefixes.append(word)
        if not pairs and len(word) >= 5 and not clause.negated:
            fuzzy = self._cap(self._fuzzy_terms(word))
            pairs.extend((t, FUZZY_FACTOR) for t in fuzzy)
            names.update(self._terms[t] for t in fuzzy)
        return pairs, names, prefixes

    def _matcher(self, term_id: int, factor: float) -> _Matcher:
        weight = factor * self._idf(term_id) / SCALE
        dense = self._dense.get(term_id)
        if dense is not None:
            return _Dense(dense, self._df[term_id], weight)
        ids, impacts = self._sparse(term_id)
        return _Sparse(ids, impacts, weight)

    def _clause_matcher(self, pairs: list[tuple[int, float]]) -> _Matcher:
        """One matcher for a word and its expansions: the best-scoring one per post."""
        if len(pairs) == 1:
            return self._matcher(*pairs[0])
        return _Union([self._matcher(t, f) for t, f in pairs])

    def _with_phrase(self, candidates: list[int], ids: list[int]) -> list[int]:
        """The candidates whose forward sequence holds `ids` in a row."""
        if max(ids) >= _CODE_LIMIT:
            return [d for d in candidates if self._has_sequence(d, ids)]
        pattern = "".join(map(chr, ids)).encode("utf-8", "surrogatepass")
        found = map(contains, map(self._forward.__getitem__, candidates), repeat(pattern))
        return list(compress(candidates, found))

    def _has_sequence(self, doc_id: int, ids: list[int]) -> bool:
        sequence = self._sequence(doc_id)
        first, n = ids[0], len(ids)
        return any(term == first and sequence[i : i + n] == ids for i, term in enumerate(sequence))

    def _filter(
        self,
        query: Query,
        tag: str | None,
        bookmarked: Collection[str],
        read: Collection[str],
    ) -> set[int] | None:
        """Ids allowed by the tag and is: filters, or None when every post is."""
        allowed: set[int] | None = None

        def narrow(ids: set[int]) -> None:
            nonlocal allowed
            allowed = set(ids) if allowed is None else allowed & ids

        def all_ids() -> set[int]:
            return set(self._doc_of.values()) if allowed is None else allowed

        def ids_of(slugs: Collection[str]) -> set[int]:
            return {self._doc_of[s] for s in slugs if s in self._doc_of}

        for name in [*([tag] if tag else []), *query.tags]:
            narrow(self._tag_docs.get(_tag_key(name), set()))
        for name in query.excluded_tags:
            allowed = all_ids() - self._tag_docs.get(name, set())
        if query.bookmarked is True:
            narrow(ids_of(bookmarked))
        elif query.bookmarked is False:
            allowed = all_ids() - ids_of(bookmarked)
        if query.unread is True:
            allowed = all_ids() - ids_of(read)
        elif query.unread is False:
            narrow(ids_of(read))
        return allowed

    def search(
        self,
        query: str | Query,
        limit: int = 20,
        tag: str | None = None,
        bookmarked: Collection[str] = (),
        read: Collection[str] = (),
        snippets: bool = True,
        all_slugs: bool = False,
    ) -> SearchResults:
        """Posts matching `query`, best first; never raises on any query text.

        `tag` narrows to one tag (the sidebar's choice) on top of any `tag:`
        in the query; `bookmarked` and `read` are the user's slugs, needed
        only for `is:bookmarked` and `is:unread`. Snippets are made for the
        `limit` hits returned (pass `snippets=False` to skip them).
        `all_slugs=True` also returns every matching slug (for the sidebar's
        counts), which costs about a millisecond per 5,000 matches.
        """
        parsed = parse_query(query) if isinstance(query, str) else query
        with self._lock:
            return self._search(parsed, max(0, limit), tag, bookmarked, read, snippets, all_slugs)

    def _search(
        self,
        query: Query,
        limit: int,
        tag: str | None,
        bookmarked: Collection[str],
        read: Collection[str],
        snippets: bool,
        all_slugs: bool,
    ) -> SearchResults:
        empty = SearchResults(query, (), 0, Highlight())
        if query.is_empty and tag is None:
            return empty
        allowed = self._filter(query, tag, bookmarked, read)
        names: set[str] = set()
        prefixes: list[str] = []
        matchers: list[_Matcher] = []
        scorers: list[_Matcher] = []
        phrases: list[list[int]] = []
        for clause in query.positive:
            if clause.phrase:
                ids = [self._term_ids.get(t) for t in clause.terms]
                present = [i for i in ids if i is not None and self._df[i]]
                if len(present) < len(ids):
                    return empty
                words = [self._matcher(t, 1.0) for t in dict.fromkeys(present)]
                bitmaps = [
                    self._pairs.get(chr(a) + chr(b))
                    for a, b in pairwise(present)
                    if max(a, b) < _CODE_LIMIT
                ]
                matchers.extend(_Posts(_bitmap_ids(b)) for b in bitmaps if b is not None)
                if len(present) == 2 and bitmaps and bitmaps[0] is not None:
                    scorers.extend(words)  # the bitmap is exact: the words only score
                else:
                    matchers.extend(words)
                    phrases.append(present)  # verified on the sequences

                names.update(clause.terms)
                continue
            pairs, matched, more = self._expand(clause)
            if not pairs:
                return empty
            matchers.append(self._clause_matcher(pairs))
            names.update(matched)
            prefixes.extend(more)

        highlight = Highlight(frozenset(names), tuple(prefixes))
        negated = [c for c in query.clauses if c.negated]
        if len(matchers) == 1 and not (scorers or phrases or negated) and allowed is None:
            # One word (or prefix, or typo): no intersection, rank its best candidates only.
            only = matchers[0]
            top = only.best(limit)
            total = only.count()
            chosen: Sequence[int] = only.ids() if all_slugs else ()
        else:
            chosen = self._intersect(matchers, allowed)
            for sequence in phrases:
                chosen = self._with_phrase(chosen, sequence)
            for clause in negated:
                if chosen:
                    excluded = self._matching(clause, chosen)
                    chosen = list(filterfalse(excluded.__contains__, chosen))
            if matchers or scorers:
                top = _top(chosen, _scores([*matchers, *scorers], chosen), limit)
            else:
                top = [(0.0, d) for d in chosen[:limit]]
            total = len(chosen)
        hits = tuple(self._hit(d, score, highlight, snippets) for score, d in top)
        slugs: frozenset[str] | None = None
        if all_slugs:
            slugs = frozenset(map(self._slugs.__getitem__, chosen))  # type: ignore[arg-type]
        return SearchResults(query, hits, total, highlight, slugs)

    def _intersect(self, matchers: list[_Matcher], allowed: set[int] | None) -> list[int]:
        """The posts every matcher matches (and `allowed` allows), smallest matcher first."""
        if not matchers:
            return sorted(allowed if allowed is not None else self._doc_of.values())
        matchers.sort(key=lambda m: m.size)
        candidates = matchers[0].ids()
        if allowed is not None:
            candidates = list(compress(candidates, map(allowed.__contains__, candidates)))
        for matcher in matchers[1:]:
            if not candidates:
                break
            candidates = matcher.keep(candidates)
        return list(candidates)

    def _matching(self, clause: Clause, among: list[int]) -> set[int]:
        """Which of `among` contain the (negated) clause, exactly."""
        ids = [self._term_ids.get(t) for t in clause.terms]
        present = [i for i in ids if i is not None and self._df[i]]
        if len(present) < len(ids):
            return set()
        found = among
        for term_id in dict.fromkeys(present):
            found = self._matcher(term_id, 1.0).keep(found)
        if len(present) > 1:
            found = self._with_phrase(found, present)
        return set(found)

    def _snippet_of(self, doc_id: int, highlight: Highlight) -> tuple[Snippet, Section | None]:
        """A post's snippet and its section; empty when its record is missing or damaged."""
        read = self._reader(doc_id)
        if read is None:
            return Snippet(""), None
        try:
            return snippet(read, self._forward[doc_id], self._patterns(highlight), highlight)
        except (OSError, EOFError, ValueError, TypeError, KeyError, IndexError, zlib.error):
            return Snippet(""), None  # a damaged index: the next save or rebuild repairs it

    def _patterns(self, highlight: Highlight) -> list[bytes]:
        """The highlighted terms as they appear in forward sequences (prefixes capped)."""
        ids = [self._term_ids[t] for t in highlight.terms if t in self._term_ids]
        for prefix in highlight.prefixes:
            ids.extend(self._cap(self._prefix_terms(prefix)))
        return [
            chr(i).encode("utf-8", "surrogatepass") for i in dict.fromkeys(ids) if i < _CODE_LIMIT
        ]

    def with_snippet(self, hit: SearchHit, highlight: Highlight) -> SearchHit:
        """`hit` with its snippet and section filled in (for hits fetched with `snippets=False`).

        Snippets cost a record read and a scan each: a list can show its first
        screen of hits at once and fill the rest afterwards.
        """
        with self._lock:
            doc_id = self._doc_of.get(hit.slug)
            if doc_id is None:
                return hit
            snippet, section = self._snippet_of(doc_id, highlight)
        return replace(hit, snippet=snippet, section=section)

    def _hit(self, doc_id: int, score: float, highlight: Highlight, snippets: bool) -> SearchHit:
        snippet = Snippet("")
        section: Section | None = None
        if snippets:
            snippet, section = self._snippet_of(doc_id, highlight)
        title = self._titles[doc_id]
        return SearchHit(
            slug=self._slugs[doc_id] or "",
            title=title,
            tags=self._tags[doc_id],
            score=round(score, 4),
            snippet=snippet,
            section=section,
            title_marks=find_marks(title, highlight),
        )

    def snippet(self, slug: str, highlight: Highlight) -> Snippet | None:
        """The snippet of one post for a highlight (for hits fetched with `snippets=False`)."""
        with self._lock:
            doc_id = self._doc_of.get(slug)
            if doc_id is None:
                return None
            return self._snippet_of(doc_id, highlight)[0]
