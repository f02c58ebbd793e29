"""Where the snippet records live: in the index file, or in memory until the next save.

Each post's snippet record (its plain text and sections, `reader.search.records`)
is written once, into the *records region* of the index file, and read back
a part at a time through the file handle the index keeps open. A save copies
the region as it is and appends the new records after it, so an import does
not compress the whole library's text again; once more than `RECORD_SLACK` of
the region is dead (records of removed or re-imported posts), the save
rewrites it with the live records only.
"""

from __future__ import annotations

import tempfile
import weakref
from array import array
from collections.abc import Iterator, MutableMapping, Sequence
from pathlib import Path
from typing import IO, BinaryIO

from reader.search.records import Reader

__all__ = ["RECORD_SLACK", "SPILL_BYTES", "PendingRecords", "RecordFile"]

RECORD_SLACK = 0.3
"""Rewrite the records region (dropping dead records) when more than this share is dead."""
_COPY_CHUNK = 1 << 20
SPILL_BYTES = 8 << 20
"""Records pending a save kept in memory up to this many bytes; past it (a big import:
some 90 MB at 50,000 posts) they go to a temporary file until the save."""


class PendingRecords(MutableMapping[int, bytes]):
    """Records not saved yet, by document id: in memory, then in an unnamed temporary
    file once they pass `SPILL_BYTES` (it goes with the process, however it ends)."""

    def __init__(self) -> None:
        self._held: dict[int, bytes] = {}
        self._at: dict[int, tuple[int, int]] = {}
        """Records in the file: (offset, length)."""
        self._file: IO[bytes] | None = None
        self._end = 0
        self._bytes = 0

    def __getitem__(self, doc_id: int) -> bytes:
        held = self._held.get(doc_id)
        if held is not None:
            return held
        offset, length = self._at[doc_id]
        assert self._file is not None
        self._file.seek(offset)
        return self._file.read(length)

    def __setitem__(self, doc_id: int, record: bytes) -> None:
        self.pop(doc_id, None)
        if self._file is None and self._bytes + len(record) <= SPILL_BYTES:
            self._held[doc_id] = record
            self._bytes += len(record)
            return
        if self._file is None:
            # No `with`: the file lives until the save empties these records.
            self._file = tempfile.TemporaryFile(prefix="reader-records-")  # noqa: SIM115
        self._file.seek(self._end)
        self._file.write(record)
        self._at[doc_id] = (self._end, len(record))
        self._end += len(record)

    def __delitem__(self, doc_id: int) -> None:
        record = self._held.pop(doc_id, None)
        if record is not None:
            self._bytes -= len(record)
        elif self._at.pop(doc_id, None) is None:
            raise KeyError(doc_id)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._held or doc_id in self._at

    def __iter__(self) -> Iterator[int]:
        yield from self._held
        yield from self._at

    def __len__(self) -> int:
        return len(self._held) + len(self._at)

    def renumbered(self, new_of: dict[int, int]) -> PendingRecords:
        """These records under new document ids (`new_of`, old -> new), without copying
        the file; this object is not used afterwards."""
        moved = PendingRecords()
        moved._held = {new_of[d]: r for d, r in self._held.items()}
        moved._at = {new_of[d]: at for d, at in self._at.items()}
        moved._file, moved._end, moved._bytes = self._file, self._end, self._bytes
        self._file = None
        return moved

    def close(self) -> None:
        """Remove the temporary file, if any."""
        if self._file is not None:
            self._file.close()
            self._file = None


class RecordFile:
    """Every document's snippet record: its place in the file, or its bytes if not saved."""

    def __init__(self) -> None:
        self.at = array("Q")
        """Offset in the file of each document's record (0 if none there)."""
        self.length = array("I")
        """Length of each document's record in the file (0 if none there)."""
        self.region = (0, 0)
        """Start and end of the records region in the file."""
        self.pending = PendingRecords()
        """Records not saved yet, by document id."""
        self._file: BinaryIO | None = None
        self.path: Path | None = None
        """The file the records are read from, if any."""
        self._closer: weakref.finalize[..., object] | None = None

    def append(self, record: bytes) -> None:
        """The record of the next document id."""
        self.pending[len(self.at)] = record
        self.at.append(0)
        self.length.append(0)

    def drop(self, doc_id: int) -> None:
        """Forget the unsaved record of a removed document (a saved one is dead space)."""
        self.pending.pop(doc_id, None)

    def compact(self, live: list[int]) -> None:
        """Keep only the `live` documents, renumbered 0..n-1 in that order."""
        new_of = {old: new for new, old in enumerate(live)}
        self.at = array("Q", [self.at[d] for d in live])
        self.length = array("I", [self.length[d] for d in live])
        self.pending = self.pending.renumbered(new_of)

    # -- the open file ---------------------------------------------------------

    def attach(self, handle: BinaryIO, path: Path) -> None:
        """Read records from `handle` from now on (closing the previous file)."""
        if self._closer is not None:
            self._closer()
        self._file, self.path = handle, path
        self._closer = weakref.finalize(self, handle.close)

    @property
    def closed(self) -> bool:
        """True if no file is open to read records from."""
        return self._file is None

    def close(self) -> None:
        """Close the file (records of saved documents cannot be read afterwards)."""
        if self._closer is not None:
            self._closer()
        self._file = self._closer = None

    def reader(self, doc_id: int) -> Reader | None:
        """Reads parts of a document's record; None if it has none.

        The file handle is shared: call it, and what it returns, holding the
        lock of the index.
        """
        pending = self.pending.get(doc_id)
        if pending is not None:
            return lambda offset, length: pending[offset : offset + length]
        handle, at, size = self._file, self.at[doc_id], self.length[doc_id]
        if handle is None or not size:
            return None

        def read(offset: int, length: int) -> bytes:
            if offset + length > size:
                raise ValueError("read past the end of a snippet record")
            handle.seek(at + offset)
            return handle.read(length)

        return read

    # -- saving ----------------------------------------------------------------

    def write(self, out: BinaryIO, live: Sequence[bool]) -> tuple[array[int], array[int], int]:
        """Write the records region of a new file at `out`'s position.

        `live` says which document ids are live. Returns every document's
        offset and length in the new file, and where the region ends; the
        offsets become this file's once the new file replaces the old
        (`saved`).
        """
        start = position = out.tell()
        at = array("Q", self.at)
        length = array("I", self.length)
        source = self._file
        if source is not None:
            saved = [d for d, alive in enumerate(live) if alive and d not in self.pending]
            saved = [d for d in saved if length[d]]
            used = sum(map(length.__getitem__, saved))
            old_start, old_end = self.region
            if used >= (1 - RECORD_SLACK) * (old_end - old_start):
                # Copy the region as it is: no record is recompressed.
                source.seek(old_start)
                left = old_end - old_start
                while left:
                    chunk = source.read(min(_COPY_CHUNK, left))
                    if not chunk:
                        raise OSError("search index file shrank while saving")
                    out.write(chunk)
                    left -= len(chunk)
                if start != old_start:
                    for d in saved:
                        at[d] += start - old_start
                position += old_end - old_start
            else:
                for d in sorted(saved, key=at.__getitem__):
                    source.seek(at[d])
                    data = source.read(length[d])
                    out.write(data)
                    at[d] = position
                    position += len(data)
        for d in sorted(self.pending):
            data = self.pending[d]
            out.write(data)
            at[d], length[d] = position, len(data)
            position += len(data)
        for d, alive in enumerate(live):
            if not alive:
                at[d] = length[d] = 0
        return at, length, position

    def saved(self, at: array[int], length: array[int], region: tuple[int, int]) -> None:
        """The new file replaced the old: read records at these places from now on."""
        self.at, self.length, self.region = at, length, region
        self.pending.close()
        self.pending = PendingRecords()
