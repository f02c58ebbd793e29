"""The typed table of contents of a search index file, and its header.

The layout these describe is documented in `reader.search.file_format`. The
TOC is stored as JSON so any tool can read it, and checked on the way in:
every section of `SECTIONS` listed once, in order, of its type, one after
the other, with a size that fits its count, and a checksum unless `BULK`.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "BULK",
    "HEADER",
    "ITEM_SIZES",
    "MAGIC",
    "SECTIONS",
    "TYPECODES",
    "FormatError",
    "Kind",
    "Section",
    "Toc",
]

MAGIC = b"rdsearch"
HEADER = struct.Struct("<8sIIQQ")
"""Magic, version, CRC-32 of the TOC, offset and length of the TOC."""
_FORMAT = "reader-search-index"


class FormatError(ValueError):
    """The file is not a search index of this version, or is damaged."""


class Kind(StrEnum):
    """The type of a section."""

    U16 = "u16"
    U32 = "u32"
    U64 = "u64"
    BYTES = "bytes"
    STRS = "strs"


TYPECODES = {Kind.U16: "H", Kind.U32: "I", Kind.U64: "Q"}
ITEM_SIZES = {Kind.U16: 2, Kind.U32: 4, Kind.U64: 8, Kind.BYTES: 1}

SECTIONS: tuple[tuple[str, Kind], ...] = (
    ("slugs", Kind.STRS),
    ("holes", Kind.U32),
    ("titles", Kind.STRS),
    ("tag_names", Kind.STRS),
    ("tag_counts", Kind.U32),
    ("tag_ids", Kind.U32),
    ("signatures", Kind.U32),
    ("lengths", Kind.U32),
    ("stemmer_names", Kind.STRS),
    ("stemmers", Kind.BYTES),
    ("record_at", Kind.U64),
    ("record_length", Kind.U32),
    ("terms", Kind.STRS),
    ("df", Kind.U32),
    ("sparse_at", Kind.U64),
    ("sparse_ids", Kind.U32),
    ("sparse_impacts", Kind.U16),
    ("dense_terms", Kind.U32),
    ("dense_impacts", Kind.U16),
    ("forward_sizes", Kind.U64),
    ("forward", Kind.BYTES),
    ("overflow_docs", Kind.U32),
    ("overflow_counts", Kind.U32),
    ("overflow_ids", Kind.U32),
    ("pair_terms", Kind.U32),
    ("pair_bitmaps", Kind.BYTES),
)
"""Every section, in file order, with its type."""
BULK = frozenset({"sparse_ids", "sparse_impacts", "dense_impacts", "forward", "pair_bitmaps"})
"""The sections of the postings, sequences and bitmaps themselves: nine tenths of the
bytes after the records. They carry no checksum, as checking them at every load would
cost as much as the load; every other section has its CRC-32 in the TOC."""


@dataclass(frozen=True, slots=True)
class Section:
    """One entry of the table of contents."""

    name: str
    kind: Kind
    offset: int
    size: int
    """In bytes."""
    count: int
    """In items of its kind."""
    crc: int | None
    """CRC-32 of its bytes; None for the `BULK` sections."""


@dataclass(frozen=True, slots=True)
class Toc:
    """The table of contents."""

    version: int
    code_limit: int
    records: tuple[int, int]
    pair_width: int
    sections: tuple[Section, ...]

    def encode(self) -> bytes:
        """The TOC as stored."""
        return json.dumps(
            {
                "format": _FORMAT,
                "version": self.version,
                "code_limit": self.code_limit,
                "records": list(self.records),
                "pair_width": self.pair_width,
                "sections": [
                    {
                        "name": s.name,
                        "type": s.kind.value,
                        "offset": s.offset,
                        "size": s.size,
                        "count": s.count,
                        "crc": s.crc,
                    }
                    for s in self.sections
                ],
            },
            separators=(",", ":"),
        ).encode("utf-8")

    @classmethod
    def decode(cls, data: bytes) -> Toc:
        """The TOC stored as `data`; raises FormatError if it is not one."""
        toc = json.loads(data)
        if not isinstance(toc, dict) or toc.get("format") != _FORMAT:
            raise FormatError("not a search index table of contents")
        records = toc["records"]
        if not isinstance(records, list) or len(records) != 2:
            raise FormatError("bad records region")
        sections = []
        for entry in toc["sections"]:
            if not isinstance(entry, dict) or not isinstance(entry["name"], str):
                raise FormatError("bad section entry")
            sections.append(
                Section(
                    entry["name"],
                    Kind(entry["type"]),
                    _int(entry["offset"]),
                    _int(entry["size"]),
                    _int(entry["count"]),
                    None if entry["crc"] is None else _int(entry["crc"]),
                )
            )
        return cls(
            _int(toc["version"]),
            _int(toc["code_limit"]),
            (_int(records[0]), _int(records[1])),
            _int(toc["pair_width"]),
            tuple(sections),
        )

    def check(self, end: int) -> None:
        """Raise FormatError unless the sections are as `SECTIONS` says, ending at `end`."""
        start, records_end = self.records
        if start != HEADER.size or records_end < start:
            raise FormatError("bad records region")
        if [(s.name, s.kind) for s in self.sections] != list(SECTIONS):
            raise FormatError("unexpected sections")
        at = records_end
        for section in self.sections:
            if section.offset != at:
                raise FormatError(f"section {section.name} is not where expected")
            item = ITEM_SIZES.get(section.kind)
            if item is not None and section.size != item * section.count:
                raise FormatError(f"section {section.name} has a wrong size")
            if section.kind is Kind.STRS and section.size < 4 * section.count:
                raise FormatError(f"section {section.name} is too small")
            if (section.crc is None) != (section.name in BULK):
                raise FormatError(f"section {section.name} has or lacks a checksum")
            at += section.size
        if at != end:
            raise FormatError("sections do not end at the table of contents")


def _int(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise FormatError(f"expected a count, found {value!r}")
    return value
