"""Reading a feed document: RSS 0.9x/1.0/2.0 and Atom with feedparser, JSON Feed with json."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import feedparser

__all__ = ["Entry", "Feed", "parse_feed"]


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    """The entry's identity: its id (guid), else its link."""
    title: str
    html: str = ""
    summary: str = ""
    url: str = ""
    date: str | None = None
    updated: str | None = None
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(slots=True)
class Feed:
    title: str
    link: str = ""
    entries: list[Entry] = field(default_factory=list)
    warning: str = ""
    """What was wrong with a document that was still read (feedparser's bozo)."""


def _iso(value: Any) -> str | None:
    if isinstance(value, time.struct_time):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def parse_feed(body: bytes, content_type: str = "") -> Feed | None:
    """The feed in `body`, or None when it is not a feed at all."""
    stripped = body.lstrip()
    if "json" in content_type or stripped.startswith(b"{"):
        return _json_feed(body)
    parsed = feedparser.parse(body, sanitize_html=False)
    if not parsed.get("version") and not parsed.entries:
        return None
    feed = parsed.feed
    result = Feed(title=str(feed.get("title", "")), link=str(feed.get("link", "")))
    if parsed.get("bozo"):
        result.warning = f"malformed feed ({parsed.get('bozo_exception')})"
    for item in parsed.entries:
        content = item.get("content") or []
        html = content[0].get("value", "") if content else ""
        summary = str(item.get("summary", ""))
        link = str(item.get("link", ""))
        # dict.get: feedparser's own get maps a missing `updated` to `published`, warning.
        updated = dict.get(item, "updated_parsed")
        key = str(item.get("id") or link)
        if not key:
            continue
        authors = tuple(a.get("name", "") for a in item.get("authors", []) if a.get("name"))
        tags = tuple(t.get("term", "") for t in item.get("tags", []) if t.get("term"))
        result.entries.append(
            Entry(
                key=key,
                title=str(item.get("title", "")),
                html=html or summary,
                summary=summary if html else "",
                url=link,
                date=_iso(dict.get(item, "published_parsed")) or _iso(updated),
                updated=_iso(updated),
                authors=authors,
                tags=tags,
            )
        )
    return result


def _json_feed(body: bytes) -> Feed | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        return None
    result = Feed(title=str(data.get("title", "")), link=str(data.get("home_page_url", "")))
    feed_authors = _json_authors(data)
    for item in data.get("items") or []:
        if not isinstance(item, dict):
            continue
        url = str(item.get("url") or "")
        key = str(item.get("id") or url)
        if not key:
            continue
        html = item.get("content_html")
        text = item.get("content_text")
        body_html = str(html) if html else _text_html(str(text or ""))
        result.entries.append(
            Entry(
                key=key,
                title=str(item.get("title") or ""),
                html=body_html,
                summary=str(item.get("summary") or ""),
                url=url,
                date=_iso(item.get("date_published")) or _iso(item.get("date_modified")),
                updated=_iso(item.get("date_modified")),
                authors=_json_authors(item) or feed_authors,
                tags=tuple(str(t) for t in item.get("tags") or [] if isinstance(t, str)),
            )
        )
    return result


def _json_authors(data: dict[str, Any]) -> tuple[str, ...]:
    found = data.get("authors") or ([data["author"]] if data.get("author") else [])
    return tuple(str(a["name"]) for a in found if isinstance(a, dict) and a.get("name"))


def _text_html(text: str) -> str:
    from html import escape

    return "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n") if p.strip())
