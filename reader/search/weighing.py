"""Every posting at once: the impacts of every term in every post, computed with numpy.

`SearchIndex._reweigh` (a big import, a compaction, a new index) recomputes
the postings from the forward sequences. Post by post, in Python, that took
a third of a 50,000-post import. Here the sequences are read a chunk of posts
at a time as arrays of term ids, and the term frequencies, impacts, document
frequencies and pair bitmaps come out of array operations. The numbers are
those `SearchIndex._weigh` gives one post at a time, bit for bit: the same
float operations, in the same order (`scoring.impacts`), and a test holds
the two to it.

Two passes over the chunks: the first finds each post's (term, impact) pairs,
the document frequencies and a sample of adjacent pairs; once the dense terms
and the pairs worth a bitmap are chosen, the second puts each pair in place.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from reader.search.forward import _SURROGATES, FIELDS, OVERFLOW_CHAR, ForwardLists
from reader.search.pairs import PairBitmaps
from reader.search.parts import IndexParts
from reader.search.postings import _is_dense
from reader.search.scoring import K1, SCALE, WEIGHTS, B
from reader.search.vocabulary import BARRIER, FIELD, FIRST_TERM

__all__ = ["reweigh"]

CHUNK_POSTS = 128
"""Posts read into arrays at a time (a multiple of 8, so that each chunk fills whole bytes
of the pair bitmaps): a few MB of arrays, whatever the library."""

_BODY = FIELDS - 1
_ORDER = (_BODY, *range(_BODY))
"""The order `scoring.impacts` adds a term's fields in: the body, then the others."""
_PAIR_SHIFT = 21
"""A pair of characters as one integer: the first shifted past any character."""

Ints = npt.NDArray[np.int64]


class _Chunk(NamedTuple):
    """What the first pass found in a chunk of posts."""

    docs: npt.NDArray[np.uint32]
    """Document id of each (post, term) pair, ascending."""
    terms: npt.NDArray[np.uint32]
    """Term id of each pair (ascending within a post)."""
    values: npt.NDArray[np.uint16]
    """Each pair's stored impact, `round(impact * SCALE)`, never 0."""


def reweigh(parts: IndexParts) -> None:
    """Recompute every posting and pair bitmap of `parts` from the forward sequences (of
    compact ids, no holes), and drop the terms no post holds, as `SearchIndex._reweigh`
    says."""
    forward, documents, postings = parts.forward, parts.documents, parts.postings
    n = len(documents.slugs)
    terms = len(parts.vocabulary)
    lengths = np.frombuffer(documents.lengths, dtype=np.uint32).reshape(-1, FIELDS)
    averages = np.array(documents.averages(), dtype=np.float64)

    # First pass: the document frequencies and the sampled pairs. The impacts are
    # computed again in the second pass rather than kept: kept, they would take three
    # times the memory of the postings they make.
    step = PairBitmaps.sample_step(n)
    df = np.zeros(terms, dtype=np.int64)
    sampled: list[Ints] = []
    for first, codes, ids, starts in _chunks(forward, n):
        docs = _doc_of_each(first, starts)
        df += np.bincount(_doc_terms(ids, starts, terms) % terms, minlength=terms)
        sampled.append(_distinct_pairs(codes, docs, keep=docs % step == 0))
    parts.pairs.choose(_pair_counts(sampled, n), n)
    del sampled
    keys = list(parts.pairs.bitmaps)
    chosen = np.array([(ord(k[0]) << _PAIR_SHIFT) | ord(k[1]) for k in keys], dtype=np.int64)
    by_key = np.argsort(chosen)

    # The terms no post holds are dropped, the others renumbered (`Vocabulary.keep`).
    kept = np.flatnonzero(df[FIRST_TERM:]) + FIRST_TERM
    remap: array[int] | None = None
    renumber = np.arange(terms, dtype=np.int64)
    if len(kept) < terms - FIRST_TERM:
        remap = parts.vocabulary.keep(kept.tolist())
        renumber = np.frombuffer(remap, dtype=np.uint32).astype(np.int64)
        df = np.concatenate([np.zeros(FIRST_TERM, dtype=np.int64), df[kept]])

    # Where everything goes: a row per dense term, a slice of flat arrays per sparse one,
    # each an `array` of the postings filled in place through a numpy view of it.
    dense = [t for t in range(len(df)) if _is_dense(int(df[t]), n)]
    row_of = np.full(len(df), -1, dtype=np.int64)
    row_of[dense] = np.arange(len(dense))
    at = np.zeros(len(df) + 1, dtype=np.int64)
    np.cumsum(np.where(row_of < 0, df, 0), out=at[1:])
    size = int(at[-1])
    postings.changed = {}
    postings.df = _array("I", df.astype(np.uint32))
    postings.base_at = _array("Q", at.astype(np.uint64))
    postings.base_ids = array("I", [0]) * size
    postings.base_impacts = array("H", [0]) * size
    postings.dense = {t: array("H", [0]) * n for t in dense}
    parts.pairs.bitmaps = {key: bytearray((n + 7) >> 3) for key in keys}
    flat = _Flat(
        [np.frombuffer(postings.dense[t], dtype=np.uint16) for t in dense],
        np.frombuffer(postings.base_ids, dtype=np.uint32),
        np.frombuffer(postings.base_impacts, dtype=np.uint16),
        at[:-1].copy(),
    )
    bitmaps = [np.frombuffer(parts.pairs.bitmaps[key], dtype=np.uint8) for key in keys]

    # Second pass: each (post, term) in its place, each chosen pair's posts.
    for first, codes, ids, starts in _chunks(forward, n):
        _place(_impacts(first, ids, starts, lengths, averages, terms), renumber, row_of, flat)
        if len(keys):
            docs = _doc_of_each(first, starts)
            pairs, where = _pairs(codes, docs)
            hit = np.isin(pairs, chosen)
            found = by_key[np.searchsorted(chosen, pairs[hit], sorter=by_key)]
            bits = np.zeros((len(keys), len(starts) - 1), dtype=bool)
            bits[found, where[hit] - first] = True
            packed = np.packbits(bits, axis=1, bitorder="little")
            for bitmap, row in zip(bitmaps, packed, strict=True):
                bitmap[first >> 3 : (first >> 3) + len(row)] = row
    del flat, bitmaps  # the views: the arrays can grow again
    if remap is not None:
        parts.pairs.renumber(forward.remap(remap))


class _Flat(NamedTuple):
    """The postings being filled: `cursor[t]` is where sparse term t's next goes."""

    rows: list[npt.NDArray[np.uint16]]
    """The dense terms' rows, by `row_of`."""
    ids: npt.NDArray[np.uint32]
    impacts: npt.NDArray[np.uint16]
    cursor: Ints


def _array(code: str, values: npt.NDArray[np.generic]) -> array[int]:
    """A numpy array as an `array.array` of type `code` (the same item size)."""
    found = array(code)
    found.frombytes(np.ascontiguousarray(values).data.cast("B"))
    return found


def _chunks(forward: ForwardLists, n: int) -> Iterator[tuple[int, Ints, Ints, Ints]]:
    """Each chunk of posts: its first document id, the characters of its sequences (one
    per term), their term ids (an overflowing post's own ids in place of its
    `OVERFLOW_CHAR`s) and where each post starts in them (and where the last ends)."""
    sequences = forward.sequences
    for first in range(0, n, CHUNK_POSTS):
        part = sequences[first : first + CHUNK_POSTS]
        raw = b"".join(part)
        text = raw.decode("utf-8", _SURROGATES)
        utf32 = text.encode("utf-32-le", _SURROGATES)
        codes = np.frombuffer(utf32, dtype=np.uint32).astype(np.int64)
        # A character starts at every byte that is not a continuation byte.
        heads = (np.frombuffer(raw, dtype=np.uint8) & 0xC0) != 0x80
        before = np.zeros(len(raw) + 1, dtype=np.int64)
        np.cumsum(heads, out=before[1:])
        ends = np.zeros(len(part) + 1, dtype=np.int64)
        np.cumsum([len(s) for s in part], out=ends[1:])
        starts = before[ends]
        ids = codes
        overflowing = [d for d in forward.overflow if first <= d < first + len(part)]
        if overflowing:
            ids = codes.copy()
            for doc_id in overflowing:
                a, b = starts[doc_id - first], starts[doc_id - first + 1]
                where = np.flatnonzero(codes[a:b] == ord(OVERFLOW_CHAR)) + a
                ids[where] = np.frombuffer(forward.overflow[doc_id], dtype=np.uint32)
        yield first, codes, ids, starts


def _doc_of_each(first: int, starts: Ints) -> Ints:
    """The document id of each position of a chunk."""
    return np.repeat(np.arange(first, first + len(starts) - 1, dtype=np.int64), np.diff(starts))


def _impacts(
    first: int,
    ids: Ints,
    starts: Ints,
    lengths: npt.NDArray[np.uint32],
    averages: npt.NDArray[np.float64],
    terms: int,
) -> _Chunk:
    """Each (post, term) of a chunk and its stored impact, as `SearchIndex._weigh` makes
    them (`ForwardLists.field_counts`, then `scoring.impacts`)."""
    key = _term_keys(ids, starts, terms)
    key, tf = np.unique(key, return_counts=True)
    field = key % FIELDS
    pair = key // FIELDS
    doc = pair // terms + first
    # scoring.impacts, operation for operation.
    b = np.array(B, dtype=np.float64)[field]
    norm = K1 * ((1 - b) + b * lengths[doc, field] / averages[field])
    weight = np.array([w * (K1 + 1) for w in WEIGHTS], dtype=np.float64)[field]
    value = weight * tf / (tf + norm)
    new = np.ones(len(pair), dtype=bool)
    new[1:] = pair[1:] != pair[:-1]
    group = np.cumsum(new) - 1
    grid = np.zeros((int(group[-1]) + 1 if len(group) else 0, FIELDS), dtype=np.float64)
    grid[group, field] = value
    impact = grid[:, _ORDER[0]].copy()
    for f in _ORDER[1:]:
        impact += grid[:, f]
    stored = (impact * SCALE + 0.5).astype(np.int64)
    stored[stored == 0] = 1
    return _Chunk(
        doc[new].astype(np.uint32), (pair[new] % terms).astype(np.uint32), stored.astype(np.uint16)
    )


def _term_keys(ids: Ints, starts: Ints, terms: int) -> Ints:
    """Each term of a chunk's posts as (post in the chunk, term id, field) in one integer,
    `(post * terms + term) * FIELDS + field`, the fields as `ForwardLists.field_counts`
    tells them: separators and barriers are not terms."""
    local = _doc_of_each(0, starts)
    is_field = ids == FIELD
    seen = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(is_field, out=seen[1:])
    # Fields before each position in its post: the FIELD ids before it, in it.
    field = seen[:-1] - seen[starts[:-1]][local]
    # A post has FIELDS - 1 separators; any FIELD id past them counts as a term of the body.
    term_at = ~(is_field & (field < FIELDS - 1)) & (ids != BARRIER)
    field = np.minimum(field[term_at], FIELDS - 1)
    keys: Ints = (local[term_at] * terms + ids[term_at]) * FIELDS + field
    return keys


def _doc_terms(ids: Ints, starts: Ints, terms: int) -> Ints:
    """The distinct (post in the chunk, term id) of a chunk, as `post * terms + term`."""
    return np.unique(_term_keys(ids, starts, terms) // FIELDS)


def _pairs(codes: Ints, docs: Ints) -> tuple[Ints, Ints]:
    """Every pair of adjacent characters of a chunk's posts, as one integer, and its post."""
    same = docs[:-1] == docs[1:]
    pairs = (codes[:-1] << _PAIR_SHIFT) | codes[1:]
    return pairs[same], docs[:-1][same]


def _distinct_pairs(codes: Ints, docs: Ints, keep: npt.NDArray[np.bool_]) -> Ints:
    """The distinct pairs of each post whose positions `keep` marks, one entry a post."""
    pairs, where = _pairs(codes[keep], docs[keep])
    if not len(pairs):
        return pairs
    local = where - where[0]
    return np.unique(local << (2 * _PAIR_SHIFT) | pairs) & ((1 << (2 * _PAIR_SHIFT)) - 1)


def _pair_counts(sampled: list[Ints], n: int) -> dict[str, int]:
    """Posts of the sample per pair, for `PairBitmaps.choose`: only those that could be
    chosen (the rest are too rare)."""
    pairs, counts = np.unique(np.concatenate([np.zeros(0, np.int64), *sampled]), return_counts=True)
    common = counts >= PairBitmaps.least(n)
    mask = (1 << _PAIR_SHIFT) - 1
    return {
        chr(p >> _PAIR_SHIFT) + chr(p & mask): int(c)
        for p, c in zip(pairs[common].tolist(), counts[common].tolist(), strict=True)
    }


def _place(chunk: _Chunk, renumber: Ints, row_of: Ints, flat: _Flat) -> None:
    """Put a chunk's (post, term, impact) triples in the dense rows and the flat arrays."""
    terms = renumber[chunk.terms]
    row = row_of[terms]
    dense = row >= 0
    if dense.any():
        by_row = np.argsort(row[dense], kind="stable")
        rows, docs, values = (
            row[dense][by_row],
            chunk.docs[dense][by_row],
            chunk.values[dense][by_row],
        )
        cuts = np.flatnonzero(rows[1:] != rows[:-1]) + 1
        for part, part_docs, part_values in zip(
            np.split(rows, cuts), np.split(docs, cuts), np.split(values, cuts), strict=True
        ):
            flat.rows[int(part[0])][part_docs] = part_values
    sparse = ~dense
    terms, docs, values = terms[sparse], chunk.docs[sparse], chunk.values[sparse]
    # By term, each term's posts still ascending (the chunk is by post, then term).
    order = np.argsort(terms, kind="stable")
    terms, docs, values = terms[order], docs[order], values[order]
    if not len(terms):
        return
    first = np.ones(len(terms), dtype=bool)
    first[1:] = terms[1:] != terms[:-1]
    starts = np.flatnonzero(first)
    rank = np.arange(len(terms)) - np.repeat(starts, np.diff(np.append(starts, len(terms))))
    where = flat.cursor[terms] + rank
    flat.ids[where] = docs
    flat.impacts[where] = values
    np.add.at(flat.cursor, terms[starts], np.diff(np.append(starts, len(terms))))
