"""Snippet records: each post's plain text and sections, in chunks read one at a time.

A snippet shows some 28 words, so what it costs must not grow with the post:
a 10 MB post must list as fast as a short one. The text is cut into chunks of
about `CHUNK_CHARS` characters, compressed one by one behind a small head
that says, for each chunk, its size, its first line, where its words start
in the post's forward term sequence (kept in memory by the index) and the
section it starts in. The index finds the chunk holding the query's words
with byte searches in that sequence, then reads and decompresses only that
chunk and a little of its neighbours.

Layout of a record (integers little-endian):

    u32 H                 length of the head
    H bytes               the head: zlib of a JSON array, one
                          [length, first_line, forward_at, section] per chunk
    chunks                each: zlib of (u32 T, T bytes of UTF-8 text,
                          a JSON array of the sections that start in it)

A section is `[heading, anchor, level, line]` (the head's is the section the
chunk starts in, or null). Text is UTF-8 with lone surrogates passed through
(a name that was not UTF-8 keeps its escapes); JSON is ASCII with `\\u`
escapes, which carry lone surrogates too. Part of the index file format
(`reader.search.file_format`): a change here bumps its version.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reader.models import Section
from reader.search.snippets import Highlight, Snippet, make_snippet

__all__ = ["CHUNK_CHARS", "RecordHead", "encode_record", "read_head", "snippet", "split_text"]

CHUNK_CHARS = 16_384
"""Characters in a chunk, about 2,700 words: most posts are one chunk."""
CONTEXT_CHARS = 400
"""Characters of the chunks either side kept around a chunk, so a snippet at its
edge still has its words of context and its full window."""
_LENGTH = struct.Struct("<I")
_SPACE = re.compile(r"\s")
_DECODER = json.JSONDecoder()

SectionRow = tuple[str, str, int, int]
"""A section as stored: heading, anchor, level, line."""
Reader = Callable[[int, int], bytes]
"""Reads `length` bytes of a record from `offset`."""


def split_text(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """`text` cut into pieces of about `size` characters, at a line break or a space.

    Words never straddle two pieces, so each piece tokenizes as it would in
    the whole text.
    """
    pieces: list[str] = []
    start = 0
    while len(text) - start > size:
        low, high = start + size // 2, start + size
        end = text.rfind("\n", low, high)
        if end < 0:
            end = max(text.rfind(" ", low, high), text.rfind("\t", low, high))
        end = high if end < 0 else end + 1
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return pieces


def encode_record(
    pieces: Sequence[str], sections: Sequence[SectionRow], forward_at: Sequence[int]
) -> bytes:
    """The record of a post cut into `pieces`, whose words start at `forward_at` bytes."""
    head: list[tuple[int, int, int, SectionRow | None]] = []
    chunks: list[bytes] = []
    lines = [row[3] for row in sections]
    line = 0
    for piece, at in zip(pieces, forward_at, strict=True):
        last = line + piece.count("\n")
        # A line cut between two chunks lists its section in both: harmless, as
        # the lookup takes the last section starting at or before a line.
        low, high = bisect_left(lines, line), bisect_right(lines, last)
        text = piece.encode("utf-8", "surrogatepass")
        starting = json.dumps(sections[low:high], separators=(",", ":")).encode("ascii")
        chunk = zlib.compress(b"".join([_LENGTH.pack(len(text)), text, starting]), 1)
        head.append((len(chunk), line, at, sections[low - 1] if low else None))
        chunks.append(chunk)
        line = last
    packed = zlib.compress(json.dumps(head, separators=(",", ":")).encode("ascii"), 1)
    return b"".join([_LENGTH.pack(len(packed)), packed, *chunks])


@dataclass(frozen=True, slots=True)
class RecordHead:
    """The head of a record: where each chunk is and what it starts with."""

    chunks: list[tuple[int, int, int, SectionRow | None]]
    """`(length, first_line, forward_at, section)` per chunk."""
    data_at: int
    """Offset of the first chunk in the record."""

    def offset(self, index: int) -> int:
        """Offset of chunk `index` in the record."""
        return self.data_at + sum(row[0] for row in self.chunks[:index])


def _json(data: bytes | memoryview) -> object:
    """The JSON value that is the whole of `data` (ASCII). Faster than `json.loads` of bytes."""
    value, end = _DECODER.raw_decode(str(data, "ascii"))
    if end != len(data):
        raise ValueError("extra data after JSON in a snippet record")
    return value


def read_head(read: Reader) -> RecordHead:
    """The head of a record. Raises ValueError, TypeError, struct.error or zlib.error if damaged."""
    (length,) = _LENGTH.unpack(read(0, _LENGTH.size))
    chunks = _json(zlib.decompress(read(_LENGTH.size, length)))
    if not isinstance(chunks, list) or not chunks:
        raise ValueError("record head is not a list of chunks")
    return RecordHead(chunks, _LENGTH.size + length)


def _chunk(read: Reader, head: RecordHead, index: int) -> tuple[str, list[SectionRow]]:
    data = memoryview(zlib.decompress(read(head.offset(index), head.chunks[index][0])))
    (size,) = _LENGTH.unpack_from(data)
    end = _LENGTH.size + size
    text = str(data[_LENGTH.size : end], "utf-8", "surrogatepass")
    sections = _json(data[end:])
    if not isinstance(sections, list):
        raise TypeError("record chunk has no list of sections")
    return text, sections


def _pick(head: RecordHead, forward: bytes, patterns: Sequence[bytes]) -> int:
    """The chunk with the most distinct matched terms (the first such), 0 if none match.

    Looks at the chunks holding the first occurrence of each term: a few byte
    searches in the forward sequence, whatever the post's length.
    """
    starts = [row[2] for row in head.chunks]
    if len(starts) == 1 or not patterns:
        return 0
    candidates: set[int] = set()
    for pattern in patterns:
        found = forward.find(pattern, starts[0])
        if found >= 0:
            candidates.add(bisect_right(starts, found) - 1)
    best, best_count = 0, 0
    for index in sorted(candidates):
        end = starts[index + 1] if index + 1 < len(starts) else len(forward)
        count = sum(forward.find(p, starts[index], end) >= 0 for p in patterns)
        if count > best_count:
            best, best_count = index, count
    return best


def snippet(
    read: Reader, forward: bytes, patterns: Sequence[bytes], highlight: Highlight
) -> tuple[Snippet, Section | None]:
    """The snippet of a post and the section it is in, reading at most three chunks.

    `patterns` are the UTF-8 encodings of the highlighted terms' ids, as they
    appear in `forward`. Raises ValueError, EOFError, TypeError, KeyError,
    IndexError, OSError or zlib.error for a damaged record.
    """
    head = read_head(read)
    index = _pick(head, forward, patterns)
    text, sections = _chunk(read, head, index)
    line = head.chunks[index][1]
    before = head.chunks[index][3]
    more_before = more_after = False
    if index > 0:
        previous, earlier = _chunk(read, head, index - 1)
        tail = previous[-CONTEXT_CHARS:]
        if len(tail) < len(previous):  # drop the word cut in two
            space = _SPACE.search(tail)
            tail = tail[space.end() :] if space else ""
        more_before = len(tail) < len(previous) or index > 1
        line -= tail.count("\n")
        text = tail + text
        sections = [*earlier, *sections]
        before = head.chunks[index - 1][3]
    if index + 1 < len(head.chunks):
        following, later = _chunk(read, head, index + 1)
        lead = following[:CONTEXT_CHARS]
        if len(lead) < len(following):  # drop the word cut in two
            lead = lead[: max(lead.rfind(" "), lead.rfind("\n"), lead.rfind("\t")) + 1]
        more_after = len(lead) < len(following) or index + 2 < len(head.chunks)
        text += lead
        sections += later
    found = make_snippet(text, highlight, more_before=more_before, more_after=more_after)
    if found.line is None:
        return found, None
    at = line + found.line
    section = Section(*before) if before else None
    for heading, anchor, level, start in sections:
        if start > at:
            break
        section = Section(heading, anchor, level, start)
    return Snippet(found.text, found.marks, at), section
