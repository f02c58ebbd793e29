"""Bookmarks in and out: JSON and Markdown exports, and reading an export back.

The JSON export is the format `reader import-bookmarks` takes back. Reading
accepts it, or the bare list printed by `reader bookmarks --json`; an error
names the file and the line of the offending entry. The recovery file of
changes that could not be saved (`unsaved_json`) is an export too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from json import scanner
from pathlib import Path
from typing import Any

from reader.models import Bookmark, BookmarkedPost
from reader.state import now_timestamp
from reader.storage import CorruptFileError
from reader.text import clean_text

__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "bookmark_json",
    "export_json",
    "export_markdown",
    "read_bookmarks_file",
    "unsaved_json",
]

EXPORT_FORMAT = "reader-bookmarks"
EXPORT_VERSION = 1

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def bookmark_json(entry: BookmarkedPost) -> dict[str, Any]:
    """The JSON object for one bookmark, in `bookmarks --json` and the export."""
    post = entry.post
    return {
        "slug": entry.bookmark.slug,
        "title": entry.title,
        "tags": list(post.tags) if post else [],
        "note": entry.bookmark.note,
        "section": entry.bookmark.section,
        "created": entry.bookmark.created,
        "missing": entry.missing,
    }


def export_json(entries: Iterable[BookmarkedPost]) -> str:
    """Every bookmark as a JSON document that `read_bookmarks_file` takes back."""
    document = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported": now_timestamp(),
        "bookmarks": [bookmark_json(e) for e in entries],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def unsaved_json(state_file: Path, marks: Iterable[Bookmark], changes: Iterable[str]) -> str:
    """Changes `state_file` refused, as an export `read_bookmarks_file` takes back.

    `marks` are the bookmarks those changes made, importable as they are;
    "unsaved" lists every change in words, read marks and positions too, for
    the user to redo by hand.
    """
    document = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported": now_timestamp(),
        "state_file": str(state_file),
        "unsaved": list(changes),
        "bookmarks": [
            {"slug": m.slug, "note": m.note, "section": m.section, "created": m.created}
            for m in marks
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _md(text: str) -> str:
    """Plain text made safe inside a Markdown line: special characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def export_markdown(entries: Iterable[BookmarkedPost]) -> str:
    """Every bookmark as a Markdown list: title, slug, tags, date, and the note quoted."""
    lines = ["# Bookmarks", ""]
    count = 0
    for entry in entries:
        count += 1
        mark = entry.bookmark
        title = _md(entry.title) + (" (missing from the library)" if entry.missing else "")
        line = f"- **{title}** (`{mark.slug.replace('`', '')}`)"
        if entry.post is not None and entry.post.tags:
            line += " — tags: " + ", ".join(_md(t) for t in entry.post.tags)
        line += f" — {mark.created[:10]}"
        lines.append(line)
        if mark.note:
            lines.extend(
                f"  > {_md(part)}" if part.strip() else "  >" for part in mark.note.splitlines()
            )
    if count == 0:
        lines.append("No bookmarks yet.")
    return "\n".join(lines) + "\n"


class _LineDict(dict[str, Any]):
    """A decoded JSON object that remembers the line it started on."""

    line = 0


class _LineDecoder(json.JSONDecoder):
    """A JSON decoder whose objects know their line, so errors can point at an entry."""

    def __init__(self) -> None:
        super().__init__()
        # Neither is in typeshed, but both are public names of the json package.
        plain: Any = getattr(json.decoder, "JSONObject")  # noqa: B009
        make_scanner: Any = getattr(scanner, "py_make_scanner")  # noqa: B009

        def parse_object(
            s_and_end: tuple[str, int], *args: Any, **kwargs: Any
        ) -> tuple[_LineDict, int]:
            s, end = s_and_end
            obj, new_end = plain(s_and_end, *args, **kwargs)
            found = _LineDict(obj)
            found.line = s.count("\n", 0, end) + 1
            return found, new_end

        self.parse_object = parse_object
        # The C scanner ignores `parse_object`; the Python one calls it.
        self.scan_once = make_scanner(self)


def read_bookmarks_file(path: Path) -> list[Bookmark]:
    """The bookmarks in an export file, or `CorruptFileError` naming the file and line."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise CorruptFileError(path, "not UTF-8 text", line) from None
    try:
        data = json.loads(text, cls=_LineDecoder) if text.strip() else None
    except json.JSONDecodeError as error:
        raise CorruptFileError(path, f"invalid JSON: {error.msg}", error.lineno) from None
    if isinstance(data, dict):
        if data.get("format", EXPORT_FORMAT) != EXPORT_FORMAT:
            raise CorruptFileError(
                path, f"not a reader bookmarks export ({data.get('format')!r})", _line(data)
            )
        entries = data.get("bookmarks")
        if not isinstance(entries, list):
            raise CorruptFileError(path, 'expected a "bookmarks" list', _line(data))
    elif isinstance(data, list):
        entries = data
    else:
        raise CorruptFileError(path, "expected a bookmarks export (a JSON object or list)", 1)
    return [_bookmark_from_entry(path, entry, n) for n, entry in enumerate(entries, 1)]


def _line(value: object) -> int | None:
    return value.line if isinstance(value, _LineDict) else None


def _bookmark_from_entry(path: Path, entry: object, n: int) -> Bookmark:
    if not isinstance(entry, dict):
        raise CorruptFileError(path, f"bookmark {n} is not a JSON object", None)
    line = _line(entry)
    slug = entry.get("slug")
    if not isinstance(slug, str) or not clean_text(slug).strip():
        raise CorruptFileError(path, f"bookmark {n} has no slug", line)
    slug = clean_text(slug).strip()
    if any(ch.isspace() for ch in slug):
        raise CorruptFileError(path, f"bookmark {n}: slug {slug!r} contains spaces", line)
    fields: dict[str, str] = {}
    for name in ("created", "note", "section"):
        value = entry.get(name, "")
        if not isinstance(value, str):
            raise CorruptFileError(path, f"bookmark {n} ({slug}): {name} is not a string", line)
        fields[name] = value
    return Bookmark(slug, fields["created"], fields["note"], fields["section"])
