"""The search index file: a header, the snippet records, typed sections, a table of contents.

The index is a cache of the library, so the format favours opening fast: the
file is mapped (`mmap`, read-only), the big sections (postings, dense rows,
forward sequences, pair bitmaps) are used in place as views of the map, and
only the small ones (strings, the documents' tables) are decoded; the
snippet records stay on disk, read back for the hits shown. Only the pages
a query touches are read, and the kernel can drop them again. All integers
are little-endian, whatever the machine (on a big-endian one every section
is copied and swapped instead).

Layout::

    offset 0    header, 32 bytes
                  8s   magic, b"rdsearch"
                  u32  version (`reader.search.index.FORMAT_VERSION`)
                  u32  CRC-32 of the table of contents
                  u64  offset of the table of contents
                  u64  length of the table of contents
    32          the records region: each post's snippet record
                (layout in `reader.search.records`), where `record_at` says
    ...         the sections, one after the other, in the order of the TOC
    end - L     the table of contents (TOC): L bytes of UTF-8 JSON

The TOC is a JSON object::

    {"format": "reader-search-index", "version": 5,
     "code_limit": 1114111,           term ids below it are one character
                                      of a forward sequence
     "records": [32, 123456],         start and end of the records region
     "pair_width": 1250,              bytes in each pair bitmap
     "sections": [{"name": "slugs", "type": "strs", "offset": 123456,
                   "size": 2048, "count": 100, "crc": 2914405512}, ...]}

Each section has the CRC-32 of its bytes, except the bulk of the postings,
sequences and bitmaps (`sparse_ids`, `sparse_impacts`, `dense_impacts`,
`forward`, `pair_bitmaps`: `"crc": null`), nine tenths of the bytes after
the records, which would cost as much to check as the rest of the load.

A section's type says how its `size` bytes at `offset` hold `count` items:

    u16, u32, u64   `count` unsigned integers; size = count * 2, 4 or 8
    bytes           `count` bytes; size = count
    strs            `count` strings: `count` u32 offsets (in characters) where
                    each string ends in the text, then the text as UTF-8 (lone
                    surrogates passed through); size = 4 * count + text bytes

The sections, every one present, in this order (n documents, t term ids
counting the two separators, g distinct tags, k dense terms, p pairs, m
posts with overflow):

    name             type   count            what
    slugs            strs   n                "" for a hole (a removed post)
    holes            u32    up to n          the ids of the holes, ascending
    titles           strs   n
    tag_names        strs   g                every distinct tag
    tag_counts       u32    n                tags per document
    tag_ids          u32    sum(tag_counts)  every document's tags in turn,
                                             as indexes into tag_names
    signatures       u32    n                `documents.signature` of each
    lengths          u32    4 n              terms per field (title, tags,
                                             headings, body) of each document
    stemmer_names    strs   s                every stemmer a document has had
                                             (a Snowball algorithm, "" for none)
    stemmers         bytes  n                each document's, as an index into
                                             stemmer_names
    record_at        u64    n                offset of each snippet record
    record_length    u32    n                (0, 0: no record)
    terms            strs   t - 2            the terms from id 2 on
    df               u32    t                posts per term id
    sparse_at        u64    t + 1            term i's sparse postings are
    sparse_ids       u32    sparse_at[t]     ids and impacts
    sparse_impacts   u16    sparse_at[t]     [sparse_at[i]:sparse_at[i + 1]]
    dense_terms      u32    k                the dense term ids, ascending
    dense_impacts    u16    k n              a row of n impacts per dense term
    forward_sizes    u64    n                bytes of each forward sequence
    forward          bytes  sum(...)         the sequences, one after another
    overflow_docs    u32    m                posts with term ids >= code_limit
    overflow_counts  u32    m                how many each
    overflow_ids     u32    sum(...)         those ids, in order, post by post
    pair_terms       u32    2 p              each common pair's two term ids
    pair_bitmaps     bytes  p pair_width     each pair's bitmap of documents

What the parts mean is documented in their modules (`documents`, `forward`,
`postings`, `pairs`, `records`), and the whole in docs/SEARCH_INDEX.md. A
reader rejects a file whose magic, version, checksums, section list or
counts are not as above; `SearchIndex.load` then returns None and the index
is rebuilt from the posts. Any change to this layout, to the records' or to
the tokenizer bumps the version.
"""

from __future__ import annotations

import mmap
import os
import sys
import zlib
from array import array
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import BinaryIO, Literal

import numpy as np

from reader.search.documents import Documents, StringTable
from reader.search.forward import FIELDS, ForwardLists, MappedSequences
from reader.search.pairs import PairBitmaps
from reader.search.parts import IndexParts
from reader.search.postings import Numbers
from reader.search.toc import (
    BULK,
    HEADER,
    ITEM_SIZES,
    MAGIC,
    TYPECODES,
    FormatError,
    Kind,
    Section,
    Toc,
)
from reader.search.vocabulary import FIRST_TERM, Vocabulary

__all__ = ["FormatError", "read", "write"]

_SWAP = sys.byteorder != "little"
_VIEWS: dict[Kind, Literal["H", "I", "Q"]] = {Kind.U16: "H", Kind.U32: "I", Kind.U64: "Q"}
"""`memoryview.cast` formats of the numbers' kinds (the `TYPECODES`)."""


# -- writing -------------------------------------------------------------------


class _Writer:
    """Writes sections one after another, noting each one's entry and checksum."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.sections: list[Section] = []
        self._crc: int | None = None

    def _start(self, name: str) -> int:
        self._crc = None if name in BULK else 0
        return self.out.tell()

    def _emit(self, data: bytes | bytearray | memoryview) -> None:
        if self._crc is not None:
            self._crc = zlib.crc32(data, self._crc)
        self.out.write(data)

    def _note(self, name: str, kind: Kind, offset: int, count: int) -> None:
        size = self.out.tell() - offset
        self.sections.append(Section(name, kind, offset, size, count, self._crc))

    def _numbers(self, kind: Kind, values: Numbers | Sequence[int]) -> int:
        if isinstance(values, memoryview):  # a view of the old file's map, little-endian
            if values.format != TYPECODES[kind] or values.itemsize != ITEM_SIZES[kind]:
                raise OSError(f"cannot write {values.format!r} views as {kind}")
            self._emit(values.cast("B"))
            return len(values)
        found = values if isinstance(values, array) else array(TYPECODES[kind], values)
        if found.typecode != TYPECODES[kind] or found.itemsize != ITEM_SIZES[kind]:
            raise OSError(f"cannot write {found.typecode!r} arrays as {kind}")
        if _SWAP:
            found = array(found.typecode, found)
            found.byteswap()
        if self._crc is None:
            found.tofile(self.out)  # no copy of the big arrays
        else:
            self._emit(found.tobytes())
        return len(found)

    def numbers(self, name: str, kind: Kind, values: Numbers | Sequence[int]) -> None:
        offset = self._start(name)
        self._note(name, kind, offset, self._numbers(kind, values))

    def rows(self, name: str, kind: Kind, rows: Sequence[Numbers]) -> None:
        offset = self._start(name)
        self._note(name, kind, offset, sum(self._numbers(kind, row) for row in rows))

    def strings(self, name: str, values: Sequence[str]) -> None:
        offset = self._start(name)
        self._numbers(Kind.U32, array("I", accumulate(map(len, values))))
        self._emit("".join(values).encode("utf-8", "surrogatepass"))
        self._note(name, Kind.STRS, offset, len(values))

    def blob(self, name: str, chunks: Iterable[bytes | bytearray | memoryview]) -> None:
        offset = self._start(name)
        if self._crc is None:
            self.out.writelines(chunks)  # thousands of sequences: no Python call each
        else:
            for chunk in chunks:
                self._emit(chunk)
        self._note(name, Kind.BYTES, offset, self.out.tell() - offset)


def write(
    out: BinaryIO, parts: IndexParts, version: int
) -> tuple[array[int], array[int], tuple[int, int]]:
    """Write the whole index to `out` (an empty file, open for reading and writing).

    Returns the records' new offsets and lengths and their region, for
    `RecordFile.saved` once the file is in place.
    """
    docs, vocabulary, postings = parts.documents, parts.vocabulary, parts.postings
    forward, pairs = parts.forward, parts.pairs
    out.write(bytes(HEADER.size))
    live = [slug is not None for slug in docs.slugs]
    record_at, record_length, records_end = parts.records.write(out, live)
    w = _Writer(out)
    w.strings("slugs", [slug or "" for slug in docs.slugs])
    w.numbers("holes", Kind.U32, [d for d, alive in enumerate(live) if not alive])
    w.strings("titles", docs.titles)
    number: dict[str, int] = {}  # each distinct tag, numbered as first seen
    tag_ids = [number.setdefault(tag, len(number)) for tags in docs.tags for tag in tags]
    w.strings("tag_names", list(number))
    w.numbers("tag_counts", Kind.U32, list(map(len, docs.tags)))
    w.numbers("tag_ids", Kind.U32, tag_ids)
    w.numbers("signatures", Kind.U32, docs.sigs)
    w.numbers("lengths", Kind.U32, docs.lengths)
    w.strings("stemmer_names", docs.stemmer_names)
    w.blob("stemmers", [docs.stemmer_of.tobytes()])
    w.numbers("record_at", Kind.U64, record_at)
    w.numbers("record_length", Kind.U32, record_length)
    w.strings("terms", vocabulary.terms[FIRST_TERM:])
    w.numbers("df", Kind.U32, postings.df)
    w.numbers("sparse_at", Kind.U64, postings.base_at)
    w.numbers("sparse_ids", Kind.U32, postings.base_ids)
    w.numbers("sparse_impacts", Kind.U16, postings.base_impacts)
    dense = sorted(postings.dense)
    w.numbers("dense_terms", Kind.U32, dense)
    w.rows("dense_impacts", Kind.U16, [postings.dense[t] for t in dense])
    w.numbers("forward_sizes", Kind.U64, list(map(len, forward.sequences)))
    w.blob("forward", forward.sequences)
    overflow = sorted(forward.overflow)
    w.numbers("overflow_docs", Kind.U32, overflow)
    w.numbers("overflow_counts", Kind.U32, [len(forward.overflow[d]) for d in overflow])
    w.numbers("overflow_ids", Kind.U32, [t for d in overflow for t in forward.overflow[d]])
    w.numbers("pair_terms", Kind.U32, [ord(c) for key in pairs.bitmaps for c in key])
    w.blob("pair_bitmaps", pairs.bitmaps.values())
    toc = Toc(
        version,
        forward.code_limit,
        (HEADER.size, records_end),
        pairs.width,
        tuple(w.sections),
    ).encode()
    toc_at = out.tell()
    out.write(toc)
    out.seek(0)
    out.write(HEADER.pack(MAGIC, version, zlib.crc32(toc), toc_at, len(toc)))
    return record_at, record_length, (HEADER.size, records_end)


# -- reading -------------------------------------------------------------------


def read(handle: BinaryIO, version: int) -> IndexParts:
    """The index in the file `handle`, whose records stay there to be read.

    The file is mapped read-only, and the big sections stay in the map: the
    file must be replaced, never truncated or written over in place, while
    the index is in use (`SearchIndex.save` replaces it).

    Raises FormatError (or another exception, for damage the checks do not
    name) if the file is not an index of `version`, or is damaged.
    """
    handle.seek(0)
    head = handle.read(HEADER.size)
    if len(head) != HEADER.size:
        raise FormatError("too short for a search index")
    magic, found, crc, toc_at, toc_len = HEADER.unpack(head)
    if magic != MAGIC:
        raise FormatError("not a search index")
    if found != version:
        raise FormatError(f"index format {found}, not {version}")
    if toc_at + toc_len != os.fstat(handle.fileno()).st_size:
        raise FormatError("the file is not as long as its header says")
    data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    table = data[toc_at : toc_at + toc_len]
    if len(table) != toc_len or zlib.crc32(table) != crc:
        raise FormatError("the table of contents is damaged")
    toc = Toc.decode(table)
    if toc.version != version or not FIRST_TERM < toc.code_limit <= 0x10FFFF:
        raise FormatError("bad table of contents")
    toc.check(toc_at)
    return _Reader(data, toc).parts()


class _Reader:
    """Reads the sections of a mapped file: the small ones decoded and checked against
    their checksums, the bulk ones as views of the map (copies, on a big-endian machine)."""

    def __init__(self, data: mmap.mmap, toc: Toc) -> None:
        self.data = data
        self.view = memoryview(data)
        self.toc = toc
        self.sections = {s.name: s for s in toc.sections}

    def _bytes(self, name: str) -> bytes:
        section = self.sections[name]
        data = self.data[section.offset : section.offset + section.size]
        if len(data) != section.size or zlib.crc32(data) != section.crc:
            raise FormatError(f"section {name} is damaged")
        return data

    def _bulk(self, name: str) -> memoryview:
        section = self.sections[name]
        found = self.view[section.offset : section.offset + section.size]
        if len(found) != section.size:
            raise FormatError(f"section {name} is damaged")
        return found

    @staticmethod
    def _array(kind: Kind) -> array[int]:
        found: array[int] = array(TYPECODES[kind])
        if found.itemsize != ITEM_SIZES[kind]:
            raise FormatError(f"no {kind} arrays on this platform")
        return found

    def numbers(self, name: str, kind: Kind) -> array[int]:
        """A whole section of numbers, copied."""
        found = self._array(kind)
        found.frombytes(self._bulk(name) if name in BULK else self._bytes(name))
        if _SWAP:
            found.byteswap()
        return found

    def mapped(self, name: str, kind: Kind) -> Numbers:
        """A bulk section of numbers, as a view of the map where the machine allows."""
        if _SWAP:
            return self.numbers(name, kind)
        self._array(kind)  # the item size
        return self._bulk(name).cast(_VIEWS[kind])

    def rows(self, name: str, kind: Kind, rows: int, width: int) -> list[Numbers]:
        """A bulk section of numbers as `rows` views (or arrays) of `width`."""
        if rows * width != self.sections[name].count:
            raise FormatError(f"section {name} does not hold {rows} rows of {width}")
        found = self.mapped(name, kind)
        return [found[r * width : (r + 1) * width] for r in range(rows)]

    def table(self, name: str) -> StringTable:
        """A section of strings, sliced out of its text when asked for."""
        data = self._bytes(name)
        ends = self._array(Kind.U32)
        split = 4 * self.sections[name].count
        ends.frombytes(data[:split])
        if _SWAP:
            ends.byteswap()
        text = data[split:].decode("utf-8", "surrogatepass")
        if ends and ends[-1] != len(text):
            raise FormatError(f"section {name} is damaged")
        return StringTable(text, ends)

    def strings(self, name: str) -> list[str]:
        """A section of strings."""
        table = self.table(name)
        return table[:]

    def parts(self) -> IndexParts:
        """Every part, as saved."""
        slugs: list[str | None] = self.strings("slugs")  # type: ignore[assignment]
        for hole in self.numbers("holes", Kind.U32):
            slugs[hole] = None
        n = len(slugs)
        titles = self.table("titles")
        names = self.strings("tag_names")
        tag_ends = array("Q", accumulate(self.numbers("tag_counts", Kind.U32)))
        tag_ids = self.numbers("tag_ids", Kind.U32)
        if (tag_ends[-1] if tag_ends else 0) != len(tag_ids) or _largest(tag_ids) >= len(names):
            raise FormatError("tags do not add up")
        # Built now, not sliced when asked for like the titles: every hit reads its tags.
        flat = list(map(names.__getitem__, tag_ids))
        tags = [tuple(flat[a:b]) for a, b in zip([0, *tag_ends][:-1], tag_ends, strict=True)]
        sigs = self.numbers("signatures", Kind.U32)
        lengths = self.numbers("lengths", Kind.U32)
        stemmer_names = self.strings("stemmer_names")
        stemmer_of = array("B", self._bytes("stemmers"))
        if len(stemmer_of) != n or _largest(stemmer_of) >= len(stemmer_names):
            raise FormatError("stemmers do not add up")
        documents = Documents.restore(slugs, titles, tags, sigs, lengths, stemmer_names, stemmer_of)
        parts = IndexParts(Vocabulary(), documents, ForwardLists(self.toc.code_limit))
        parts.records.at = self.numbers("record_at", Kind.U64)
        parts.records.length = self.numbers("record_length", Kind.U32)
        parts.records.region = self.toc.records
        parts.vocabulary = Vocabulary(self.strings("terms"))
        postings = parts.postings
        postings.df = self.numbers("df", Kind.U32)
        postings.base_at = self.numbers("sparse_at", Kind.U64)
        postings.base_ids = self.mapped("sparse_ids", Kind.U32)
        postings.base_impacts = self.mapped("sparse_impacts", Kind.U16)
        dense = self.numbers("dense_terms", Kind.U32)
        rows = self.rows("dense_impacts", Kind.U16, len(dense), n)
        postings.dense = dict(zip(dense, rows, strict=True))
        forward = parts.forward
        sizes = self.numbers("forward_sizes", Kind.U64)
        section = self.sections["forward"]
        at = array("Q", accumulate(sizes, initial=section.offset))
        if at[-1] != section.offset + section.size:
            raise FormatError("forward sequences do not add up")
        forward.sequences = MappedSequences(self.data, at)
        overflow_docs = self.numbers("overflow_docs", Kind.U32)
        ends = list(accumulate(self.numbers("overflow_counts", Kind.U32)))
        overflow_ids = self.numbers("overflow_ids", Kind.U32)
        if (ends[-1] if ends else 0) != len(overflow_ids) or len(ends) != len(overflow_docs):
            raise FormatError("overflow ids do not add up")
        for doc_id, a, b in zip(overflow_docs, [0, *ends][:-1], ends, strict=True):
            forward.overflow[doc_id] = overflow_ids[a:b]
        keys = self.numbers("pair_terms", Kind.U32)
        width = self.toc.pair_width
        bitmaps = self._bulk("pair_bitmaps")
        if len(bitmaps) != width * (len(keys) // 2):
            raise FormatError("pair bitmaps do not add up")
        parts.pairs = PairBitmaps(
            {
                chr(a) + chr(b): bitmaps[i * width : (i + 1) * width]
                for i, (a, b) in enumerate(zip(keys[::2], keys[1::2], strict=True))
            },
            width,
        )
        _check_counts(parts, self.sections["holes"].count)
        return parts


def _largest(values: array[int], plus: array[int] | None = None) -> int:
    """The largest of `values` (each plus the same item of `plus`), -1 if there are none."""
    if not values:
        return -1
    found = np.frombuffer(values, dtype=f"u{values.itemsize}").astype(np.uint64)
    if plus is not None:
        found += np.frombuffer(plus, dtype=f"u{plus.itemsize}")
    return int(found.max())


def _check_counts(parts: IndexParts, holes: int) -> None:
    """The parts agree with each other on how many documents, terms and postings there are."""
    docs, postings, forward = parts.documents, parts.postings, parts.forward
    n = len(docs.slugs)
    terms = len(parts.vocabulary)
    at = postings.base_at
    records = parts.records
    if not (
        len(docs.titles) == len(docs.tags) == len(docs.sigs) == n
        and len(docs.lengths) == FIELDS * n
        and len(records.at) == len(records.length) == len(forward.sequences) == n
        and len(postings.df) == terms
        and len(at) == terms + 1
        and at[-1] == len(postings.base_ids) == len(postings.base_impacts)
        and all(t < terms for t in postings.dense)
        and holes == n - len(docs)
        and all(d < n for d in forward.overflow)
        and (not parts.pairs.bitmaps or parts.pairs.width * 8 >= n)
        and _largest(records.at, records.length) <= records.region[1]
    ):
        raise FormatError("the sections do not agree with each other")
