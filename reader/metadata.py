"""What a post's front matter and file name say about it, under each tool's usual names.

Hugo, Jekyll, Zola and Obsidian name the same things differently (`lastmod`
or `updated`, `categories` or `[taxonomies]`, `published: false` or
`draft: true`). `read_metadata` reads them all into one `Metadata`;
`name_hints` reads what a path says (Jekyll's `2014-05-14-name.md` date,
Hugo's `index.de.md` language, a page bundle's folder name).

Front matter is written by hand and by tools we did not write: a value of
the wrong type is coerced (a number title becomes text) or dropped (a table
where text is expected, a `null` in a list), never a crash. Containers are
never turned into text, so a YAML alias bomb cannot blow up into a string.
Every string passes through `clean_text`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from reader.text import clean_text, fold

__all__ = ["SUMMARY_MAX_CHARS", "Metadata", "NameHints", "iso_date", "name_hints", "read_metadata"]

SUMMARY_MAX_CHARS = 1000
"""A summary is a line or two for the list: a longer one is cut (at a word) with `…`."""

_TITLE_KEYS = ("title",)
_DATE_KEYS = ("date", "publishdate", "pubdate", "published")
_UPDATED_KEYS = ("updated", "lastmod", "modified", "last_modified_at")
_SUMMARY_KEYS = ("summary", "description", "excerpt")
"""`summary` (Hugo's list text) first; `description` is often written for search engines."""
_TAG_KEYS = ("tags", "categories", "category", "keywords", "series")
_URL_KEYS = ("url", "link", "canonical", "canonical_url", "canonicalurl")
_LANG_KEYS = ("lang", "language")
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[-_](?:[A-Za-z]{4}|[A-Za-z]{2}|\d{3}))?$")
_FILE_LANG = re.compile(r"^[a-z]{2}(?:-(?:[A-Za-z]{4}|[A-Z]{2}|\d{3}))?$")
"""A language suffix in a file name (`index.de.md`, `_index.zh-CN.md`): two letters,
then maybe a script or region, so `notes.old.md` is not read as a language."""
_JEKYLL_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
_BUNDLE_NAMES = frozenset({"index", "_index"})
_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z",  # Jekyll's own: 2014-05-14 11:02:00 -0400
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",  # single-digit months and days: 2014-5-4
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d.%m.%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%a, %d %b %Y %H:%M:%S %z",  # RFC 2822, as in feeds
)
_TAGS_IN_TAG = re.compile(r"^#+")


@dataclass(frozen=True, slots=True)
class Metadata:
    """The fields of a post that front matter gives, cleaned and normalised."""

    title: str = ""
    date: str | None = None
    """ISO 8601: `YYYY-MM-DD`, or a full timestamp (with its offset when it had one)."""
    updated: str | None = None
    authors: tuple[str, ...] = ()
    summary: str = ""
    """Plain text: HTML tags dropped, entities decoded, whitespace collapsed."""
    tags: tuple[str, ...] = ()
    """Tags, categories, keywords, series and every Zola taxonomy, deduplicated."""
    draft: bool = False
    slug: str = ""
    """The slug asked for, as written (the caller makes it a slug)."""
    aliases: tuple[str, ...] = ()
    lang: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class NameHints:
    """What a file's path says about its post."""

    title: str
    """The name to fall back on: the file name without its date or language, or the
    page bundle's folder name for `index.md` and `_index.md`."""
    date: str | None = None
    """From a Jekyll `YYYY-MM-DD-name.md` file name."""
    lang: str = ""
    """From a Hugo `name.de.md` file name."""


def name_hints(path: PurePath) -> NameHints:
    """Read the date, language and fallback title out of a file's path."""
    stem = path.stem
    lang = ""
    base, dot, suffix = stem.rpartition(".")
    if dot and base and _FILE_LANG.match(suffix):
        stem, lang = base, suffix
    date: str | None = None
    jekyll = _JEKYLL_NAME.match(stem)
    if jekyll:
        date = iso_date(jekyll[1])
        if date is not None:
            stem = jekyll[2]
    if stem.lower() in _BUNDLE_NAMES and path.parent.name:
        stem = path.parent.name
    # Not cleaned here: a name that is not UTF-8 keeps its surrogates for the caller's
    # `display_name`, which shows them as U+FFFD (`parse_markdown` cleans the rest).
    return NameHints(" ".join(stem.split()) or path.stem, date, lang)


def read_metadata(data: Mapping[Any, Any]) -> Metadata:
    """The post fields of one front-matter block (see the module docstring)."""
    meta = _lowered(data)
    extra = _lowered(meta.get("extra"))
    published = meta.get("published")
    return Metadata(
        title=_line(_first(meta, _TITLE_KEYS)),
        date=_first_date(meta, _DATE_KEYS),
        updated=_first_date(meta, _UPDATED_KEYS),
        authors=_authors(meta, extra),
        summary=_summary(_first(meta, _SUMMARY_KEYS)),
        tags=_all_tags(meta),
        draft=_flag(meta.get("draft")) is True or _flag(published) is False,
        slug=_line(meta.get("slug")),
        aliases=_strings(meta.get("aliases", meta.get("alias"))),
        lang=_language(_first(meta, _LANG_KEYS)),
        url=_url(meta) or _url(extra),
    )


def _lowered(value: object) -> dict[str, Any]:
    """A table's text keys in lower case (Hugo's keys are case-insensitive); {} if no table."""
    if not isinstance(value, Mapping):
        return {}
    return {k.lower(): v for k, v in value.items() if isinstance(k, str)}


def _first(meta: Mapping[str, Any], keys: Iterable[str]) -> object:
    """The first of `keys` with a value that is not empty."""
    for key in keys:
        value = meta.get(key)
        if value is not None and value != "" and value != []:
            return value
    return None


def _scalar(value: object) -> str:
    """`value` as text if it is a scalar (text, a number, a date); "" otherwise."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, str | int | float | dt.date | dt.time):
        return clean_text(str(value))
    return ""


def _line(value: object) -> str:
    """A scalar as one line of text, whitespace collapsed."""
    return " ".join(_scalar(value).split())


def _strings(value: object) -> tuple[str, ...]:
    """A string or a list of them, each one line; nulls, empties and tables dropped."""
    items = value if isinstance(value, list | tuple) else [value]
    found = (_line(item) for item in items)
    return tuple(dict.fromkeys(s for s in found if s))


def _flag(value: object) -> bool | None:
    """A yes/no value: a YAML/TOML boolean, or the words for one."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return None


def iso_date(value: object) -> str | None:
    """`value` as an ISO 8601 date or timestamp, or None when it is not a date.

    A date stays a date (`2014-05-14`); a timestamp keeps its time and offset.
    Text is read with `datetime.fromisoformat`, then a few common forms
    (`2014-05-14 11:02:00 -0400`, `May 14, 2014`, `14.05.2014`...).
    """
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    text = " ".join(clean_text(value).split())
    if not text or len(text) > 64:
        return None
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text).isoformat()
        return dt.datetime.fromisoformat(text).isoformat()
    except ValueError:
        pass
    for form in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, form)
        except ValueError:
            continue
        if "%H" in form:
            return parsed.isoformat()
        return parsed.date().isoformat()
    return None


def _first_date(meta: Mapping[str, Any], keys: Iterable[str]) -> str | None:
    for key in keys:
        found = iso_date(meta.get(key))
        if found is not None:
            return found
    return None


def _authors(meta: Mapping[str, Any], extra: Mapping[str, Any]) -> tuple[str, ...]:
    """`author`/`authors`: text, a list, or tables with a `name` (Zola's `[extra] author`)."""
    names: list[str] = []
    for value in (meta.get("authors"), meta.get("author"), extra.get("author")):
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            name = _line(_lowered(item).get("name")) if isinstance(item, Mapping) else _line(item)
            if name:
                names.append(name)
        if names:
            break
    return tuple(dict.fromkeys(names))


def _all_tags(meta: Mapping[str, Any]) -> tuple[str, ...]:
    """Every tag-like list, in order, deduplicated without regard to case or accents."""
    groups: list[object] = [meta.get(key) for key in _TAG_KEYS]
    taxonomies = meta.get("taxonomies")
    if isinstance(taxonomies, Mapping):
        groups.extend(taxonomies.values())
    return merge_tags(_tag_items(value) for value in groups)


def _tag_items(value: object) -> list[str]:
    """A tag list: a list, or text with commas between tags (`tags: a, b`)."""
    if isinstance(value, str):
        return [clean_text(part) for part in value.split(",")]
    if isinstance(value, list | tuple):
        return [_scalar(item) for item in value]
    return [_scalar(value)]


def merge_tags(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """The tags of `groups` in order, the first spelling of each (compared folded) kept."""
    seen: dict[str, str] = {}
    for group in groups:
        for raw in group:
            tag = " ".join(_TAGS_IN_TAG.sub("", raw.strip()).split())
            if tag and fold(tag) not in seen:
                seen[fold(tag)] = tag
    return tuple(seen.values())


def _summary(value: object) -> str:
    """A description as plain text: no HTML (Jekyll's excerpts are HTML), one paragraph."""
    text = _scalar(value)
    if "<" in text or "&" in text:
        from reader.plain_text import html_to_text

        text = html_to_text(text)
    text = " ".join(text.split())
    if len(text) > SUMMARY_MAX_CHARS:
        text = text[:SUMMARY_MAX_CHARS].rsplit(" ", 1)[0] + "…"
    return text


def _language(value: object) -> str:
    text = _line(value)
    return text.replace("_", "-") if _LANG.match(text) else ""


def _url(meta: Mapping[str, Any]) -> str:
    """The original address: one word of text, whatever key holds it."""
    text = _line(_first(meta, _URL_KEYS))
    return text if text and " " not in text else ""
