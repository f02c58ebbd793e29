"""The user state's tables in memory, changed through TinyDB, and as bytes.

The file is one JSON object: table name -> document id (digits) -> document,
TinyDB's layout, so `TinyDB(path, storage=...)` opens it. `parse` checks the
bytes before anything trusts them; `StateTables` puts them in a TinyDB over
a storage of ours (`TablesStorage`, in memory) and makes every change with
TinyDB's public `Table` API, so TinyDB, not we, decides the layout and the
document ids. A slug index of ours finds documents by id rather than by a
`Query` scan, and each table's JSON is kept until TinyDB replaces the table.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from reader.models import Bookmark
from reader.storage import CorruptFileError, decode_json_object

__all__ = [
    "BOOKMARKS",
    "POSITIONS",
    "READ",
    "SAVED_SEARCHES",
    "SETTINGS",
    "Doc",
    "StateTables",
    "Tables",
    "TablesStorage",
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
SAVED_SEARCHES = "saved_searches"
_KEYS = {BOOKMARKS: "slug", READ: "slug", POSITIONS: "slug", SAVED_SEARCHES: "query"}
"""The field each keyed table finds its documents by (a saved search by its query)."""
_SETTINGS_ID = 1

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


class TablesStorage(Storage):
    """A TinyDB storage holding the tables of one read of the state file, in memory.

    TinyDB's `Table` makes every change on it; the store writes the result to
    the file itself (`StateTables.encode`, then `StateFile.write`) under the
    file lock: the explicit flush of a caching middleware, done where the
    store has checked that the file may be written over. The journal's
    copies (`StateTables.copy`) are never written at all.
    """

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def read(self) -> Tables:
        """The tables, as TinyDB's `Table` reads them before every operation."""
        return self.tables

    def write(self, data: Tables) -> None:
        """Keep what TinyDB's `Table` wrote: memory only, see the class docstring."""
        self.tables = data


class StateTables:
    """The state's tables through TinyDB's public `Table` API, found by slug.

    TinyDB finds a document by scanning with a `Query` (all 10,000 read marks
    for one); a slug index of ours turns that into `Table.get(doc_id=...)`,
    and changes go by document id (`insert`, `update`, `remove`). Each
    table's JSON is kept until one of our methods changes that table (or
    the table is no longer the same object), so a bookmark toggle
    re-encodes the bookmarks alone, not 10,000 read marks. That rests on our
    own calls, not on how TinyDB's `Table` rewrites a table inside.
    """

    def __init__(self, tables: Tables) -> None:
        self._db = TinyDB(tables, storage=TablesStorage)
        storage = self._db.storage
        assert isinstance(storage, TablesStorage)
        self._storage = storage
        self._index: dict[str, dict[str, str]] = {}
        """Slug -> document id (as in the file: TinyDB takes ints) by table."""
        self._encoded: dict[str, tuple[dict[str, Doc], bytes]] = {}
        """Each table's JSON as last encoded, with the table it was encoded from."""

    def _slugs(self, name: str) -> dict[str, str]:
        index = self._index.get(name)
        if index is None:
            # From the tables as parsed, which `parse` checked have a slug each: at
            # 10,000 read marks, wrapping every row in a TinyDB `Document` first
            # would cost most of the start-up.
            table = self._storage.tables.get(name, {})
            key = _KEYS.get(name, "slug")
            index = {doc[key]: doc_id for doc_id, doc in table.items()}
            self._index[name] = index
        return index

    def documents(self, name: str) -> list[Document]:
        """Every document of table `name` (each carries its `doc_id`)."""
        return self._db.table(name).all()

    def get(self, name: str, slug: str) -> Doc | None:
        """The document of `slug` in table `name`, if any."""
        doc_id = self._slugs(name).get(slug)
        if doc_id is None:
            return None
        found = self._db.table(name).get(doc_id=int(doc_id))
        return None if found is None else dict(found)

    def has(self, name: str, slug: str) -> bool:
        """Whether table `name` holds a document for `slug`."""
        return slug in self._slugs(name)

    def slugs(self, name: str) -> set[str]:
        """Every slug in table `name`."""
        return set(self._slugs(name))

    def put(self, name: str, doc: Doc) -> None:
        """Add `doc` to table `name`, or replace the document with its slug (or query)."""
        index = self._slugs(name)
        table = self._db.table(name)
        key = doc[_KEYS.get(name, "slug")]
        doc_id = index.get(key)
        self._encoded.pop(name, None)
        if doc_id is None:
            index[key] = str(table.insert(doc))
        else:
            table.update(_replace_with(doc), doc_ids=[int(doc_id)])

    def delete(self, name: str, slug: str) -> bool:
        """Remove the document of `slug` from table `name`; False if there was none."""
        doc_id = self._slugs(name).pop(slug, None)
        if doc_id is None:
            return False
        self._encoded.pop(name, None)
        self._db.table(name).remove(doc_ids=[int(doc_id)])
        return True

    def add_many(self, name: str, docs: Iterable[Doc]) -> None:
        """Add documents whose slugs table `name` does not hold yet, in one TinyDB call
        (a call per document rebuilds the table each time: 10,000 read marks at once)."""
        fresh = [dict(doc) for doc in docs]
        if not fresh:
            return
        index = self._slugs(name)
        key = _KEYS.get(name, "slug")
        self._encoded.pop(name, None)
        ids = self._db.table(name).insert_multiple(fresh)
        for doc, doc_id in zip(fresh, ids, strict=True):
            index[doc[key]] = str(doc_id)

    def delete_many(self, name: str, slugs: Iterable[str]) -> None:
        """Remove the documents of `slugs` from table `name` (those it holds), in one call."""
        index = self._slugs(name)
        ids = [int(doc_id) for slug in slugs if (doc_id := index.pop(slug, None)) is not None]
        if ids:
            self._encoded.pop(name, None)
            self._db.table(name).remove(doc_ids=ids)

    def settings(self) -> Doc:
        """The settings document (the one document of the settings table)."""
        found = self._db.table(SETTINGS).get(doc_id=_SETTINGS_ID)
        return {} if found is None else dict(found)

    def set_settings(self, doc: Doc) -> None:
        """Replace the settings document."""
        table = self._db.table(SETTINGS)
        self._encoded.pop(SETTINGS, None)
        table.truncate()
        table.insert(Document(doc, doc_id=_SETTINGS_ID))

    def copy(self) -> StateTables:
        """A deep copy, to replay changes on without touching these tables."""
        return StateTables(copy.deepcopy(self._storage.tables))

    def encode(self) -> bytes:
        """The whole file's bytes, re-encoding only the tables changed since last time."""
        parts = []
        for name, table in self._storage.tables.items():
            cached = self._encoded.get(name)
            if cached is not None and cached[0] is table:
                encoded = cached[1]
            else:
                encoded = _dumps({name: table})[1:-1]
                self._encoded[name] = (table, encoded)
            parts.append(encoded)
        return b"{" + b",".join(parts) + b"}"


def _replace_with(doc: Doc) -> Callable[[MutableMapping[Any, Any]], None]:
    """A TinyDB update that replaces a document's fields with `doc`'s (not merges them)."""

    def replace(stored: MutableMapping[Any, Any]) -> None:
        stored.clear()
        stored.update(doc)

    return replace


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
            key = _KEYS.get(name)
            if key is not None and not isinstance(doc.get(key), str):
                raise CorruptFileError(path, f"table {name!r}: document {doc_id} has no {key}")
    return data


def bookmark_from_doc(doc: Mapping[str, Any]) -> Bookmark:
    """The bookmark a stored document describes."""
    return Bookmark(
        doc["slug"], str(doc.get("created", "")), doc.get("note", ""), doc.get("section", "")
    )


def doc_from_bookmark(mark: Bookmark) -> Doc:
    """The document that stores `mark`."""
    return {"slug": mark.slug, "created": mark.created, "note": mark.note, "section": mark.section}
