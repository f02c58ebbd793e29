"""OPML in and out, and finding a web page's feed (`<link rel="alternate">`)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin
from xml.etree import ElementTree

from reader.feeds.clean import clean_text, safe_url
from reader.feeds.subscriptions import Subscription

__all__ = ["FEED_TYPES", "feed_links", "is_opml", "read_opml", "write_opml"]

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
        "application/rdf+xml",
        "text/xml",
        "application/xml",
    }
)


def is_opml(body: bytes) -> bool:
    return b"<opml" in body[:2048].lower()


def read_opml(body: bytes) -> list[tuple[str, str]]:
    """The (url, title) of every feed outline in an OPML document. Raises ValueError."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise ValueError("OPML with a DOCTYPE is not read")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise ValueError(f"not valid OPML ({error})") from None
    found = []
    for outline in root.iter("outline"):
        url = safe_url(outline.get("xmlUrl", ""))
        if url:
            title = outline.get("title") or outline.get("text") or ""
            found.append((url, clean_text(title)))
    return found


def write_opml(subscriptions: list[Subscription]) -> str:
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = "reader subscriptions"
    body = ElementTree.SubElement(root, "body")
    for sub in subscriptions:
        ElementTree.SubElement(
            body, "outline", type="rss", text=sub.name, title=sub.name, xmlUrl=sub.url
        )
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, "unicode") + "\n"


class _Links(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and values.get("href"):
            self.base = urljoin(self.base, values["href"])
        rel = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        if tag == "link" and "alternate" in rel and kind in FEED_TYPES and values.get("href"):
            url = safe_url(urljoin(self.base, values["href"]))
            if url:
                self.found.append(url)


def feed_links(html: str, base: str) -> list[str]:
    """The feeds a web page names with `<link rel="alternate" type=...>`, absolute."""
    parser = _Links(base)
    parser.feed(html)
    return parser.found
