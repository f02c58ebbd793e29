"""The user state's tables in memory and as bytes, in TinyDB's layout.

The file is one JSON object: table name -> document id (digits) -> document,
exactly what TinyDB's storages read and write, so `TinyDB(path, storage=...)`
opens it. `StateTables` keeps each table indexed by slug (a lookup is one
dict access, not a scan of 10,000 read marks) and each table's JSON as last
encoded (a bookmark toggle re-encodes the bookmarks alone).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reader.models import Bookmark
from reader.storage import CorruptFileError, decode_json_object

__all__ = [
    "BOOKMARKS",
    "POSITIONS",
    "READ",
    "SETTINGS",
    "Doc",
    "StateTables",
    "Tables",
    "bookmark_from_doc",
    "doc_from_bookmark",
    "normalise_timestamp",
    "now_timestamp",
    "order_key",
    "parse",
]

BOOKMARKS = "bookmarks"
READ = "read"
POSITIONS = "positions"
SETTINGS = "settings"
_SLUG_TABLES = (BOOKMARKS, READ, POSITIONS)
_SETTINGS_ID = "1"

Doc = dict[str, Any]
Tables = dict[str, dict[str, Doc]]


def now_timestamp() -> str:
    """The current time as ISO 8601 in UTC with microseconds, so newest-first order is stable."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def normalise_timestamp(text: str) -> str | None:
    """`text` as a UTC timestamp in our format, or None when it is not ISO 8601.

    Imported files may say `Z`, carry an offset or omit the fraction; storing
    one format keeps the order of bookmarks right.
    """
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def order_key(created: str) -> datetime:
    """A stored timestamp as a datetime to sort by; the earliest possible when unreadable."""
    try:
        when = datetime.fromisoformat(created)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


class StateTables:
    """The file's tables, indexed by slug. TinyDB's layout, so TinyDB can open the file."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self._index: dict[str, dict[str, str]] = {}
        self._next_id: dict[str, int] = {}
        # Each table's JSON as last encoded: a bookmark toggle then re-encodes the
        # bookmarks alone, not 10,000 read marks.
        self._encoded: dict[str, bytes] = {}

    def table(self, name: str) -> dict[str, Doc]:
        """Document id -> document of table `name` ({} when there is none)."""
        return self.tables.get(name, {})

    def _slugs(self, name: str) -> dict[str, str]:
        index = self._index.get(name)
        if index is None:
            index = {doc["slug"]: doc_id for doc_id, doc in self.table(name).items()}
            self._index[name] = index
        return index

    def get(self, name: str, slug: str) -> Doc | None:
        """The document of `slug` in table `name`, if any."""
        doc_id = self._slugs(name).get(slug)
        return None if doc_id is None else self.tables[name][doc_id]

    def has(self, name: str, slug: str) -> bool:
        """Whether table `name` holds a document for `slug`."""
        return slug in self._slugs(name)

    def slugs(self, name: str) -> set[str]:
        """Every slug in table `name`."""
        return set(self._slugs(name))

    def put(self, name: str, doc: Doc) -> None:
        """Add `doc` to table `name`, or replace the document with its slug."""
        table = self.tables.setdefault(name, {})
        index = self._slugs(name)
        doc_id = index.get(doc["slug"])
        if doc_id is None:
            next_id = self._next_id.get(name)
            if next_id is None:
                next_id = max((int(k) for k in table), default=0) + 1
            doc_id = str(next_id)
            self._next_id[name] = next_id + 1
            index[doc["slug"]] = doc_id
        table[doc_id] = doc
        self._encoded.pop(name, None)

    def delete(self, name: str, slug: str) -> bool:
        """Remove the document of `slug` from table `name`; False if there was none."""
        doc_id = self._slugs(name).pop(slug, None)
        if doc_id is None:
            return False
        del self.tables[name][doc_id]
        self._encoded.pop(name, None)
        return True

    def settings(self) -> Doc:
        """The settings document (the one document of the settings table)."""
        return self.table(SETTINGS).get(_SETTINGS_ID, {})

    def set_settings(self, doc: Doc) -> None:
        """Replace the settings document."""
        self.tables[SETTINGS] = {_SETTINGS_ID: doc}
        self._encoded.pop(SETTINGS, None)

    def copy(self) -> StateTables:
        """A deep copy, to replay changes on without touching these tables."""
        return StateTables(copy.deepcopy(self.tables))

    def encode(self) -> bytes:
        """The whole file's bytes, re-encoding only the tables changed since last time."""
        parts = []
        for name, table in self.tables.items():
            encoded = self._encoded.get(name)
            if encoded is None:
                encoded = self._encoded[name] = _dumps({name: table})[1:-1]
            parts.append(encoded)
        return b"{" + b",".join(parts) + b"}"


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def parse(path: Path, raw: bytes) -> Tables:
    """Decode and check the state file; `CorruptFileError` when it is not ours."""
    data = decode_json_object(path, raw)
    for name, table in data.items():
        if not isinstance(table, dict):
            raise CorruptFileError(path, f"table {name!r} is not a JSON object")
        for doc_id, doc in table.items():
            if not doc_id.isdigit() or not isinstance(doc, dict):
                raise CorruptFileError(path, f"table {name!r}: document {doc_id!r} is malformed")
            if name in _SLUG_TABLES and not isinstance(doc.get("slug"), str):
                raise CorruptFileError(path, f"table {name!r}: document {doc_id} has no slug")
    return data


def bookmark_from_doc(doc: Mapping[str, Any]) -> Bookmark:
    """The bookmark a stored document describes."""
    return Bookmark(
        doc["slug"], str(doc.get("created", "")), doc.get("note", ""), doc.get("section", "")
    )


def doc_from_bookmark(mark: Bookmark) -> Doc:
    """The document that stores `mark`."""
    return {"slug": mark.slug, "created": mark.created, "note": mark.note, "section": mark.section}
