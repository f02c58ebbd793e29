"""Subscribing (a feed's URL, or a web page naming its feed), unsubscribing, and
importing feed and OPML files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from reader.feeds.clean import safe_url
from reader.feeds.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Request, client, fetch
from reader.feeds.opml import feed_links, is_opml, read_opml
from reader.feeds.parse import parse_feed
from reader.feeds.refresh import RefreshReport, forget_feed, import_feed, refresh, store_for
from reader.feeds.subscriptions import Subscription, feed_key
from reader.library import Library

__all__ = ["FeedError", "add_feeds", "find_feed", "import_feed_file", "is_feed_file", "unsubscribe"]

OPML = "opml"
FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom", ".rdf", ".json", ".opml", ".feed"})


class FeedError(Exception):
    """What stops a feed command, said for the user."""


def find_feed(
    url: str, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES
) -> str:
    """The feed at `url`: `url` itself, or the one its web page links to. Raises FeedError."""
    if not safe_url(url):
        raise FeedError(f"{url}: only http and https addresses can be subscribed to")
    with client(timeout) as http:
        result = fetch(http, Request(url), max_bytes)
        if result.error:
            raise FeedError(f"{url}: {result.error}")
        body = result.body or b""
        if parse_feed(body, result.content_type) is not None:
            return result.moved_to or url
        links = feed_links(body.decode("utf-8", "replace"), url)
        if not links:
            raise FeedError(f"{url}: neither a feed nor a page that links to one")
        return links[0]


def add_feeds(library: Library, entries: list[tuple[str, str]]) -> list[Subscription]:
    """Subscribe to (url, title) pairs not yet subscribed; the new subscriptions."""
    store = store_for(library)
    subs = store.load()
    known = {s.url for s in subs}
    new = [Subscription(url, title, feed_key(url)) for url, title in entries if url not in known]
    known_new: dict[str, Subscription] = {s.url: s for s in new}
    new = list(known_new.values())
    if new:
        store.save(subs + new)
    return new


def subscribe(
    library: Library, url: str, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Subscription, RefreshReport]:
    """Subscribe to the feed at `url` (or its page's feed) and fetch it."""
    feed_url = find_feed(url, timeout, max_bytes)
    store = store_for(library)
    existing = store.find(store.load(), feed_url)
    if existing is not None:
        raise FeedError(f"already subscribed to {existing.name} ({existing.url})")
    (sub,) = add_feeds(library, [(feed_url, "")])
    report = refresh(library, [sub.key], timeout, max_bytes)
    found = store.find(store.load(), sub.key)
    return found or sub, report


def unsubscribe(library: Library, wanted: str) -> tuple[Subscription, list[str]]:
    """Drop a subscription and its posts (bookmarks stay, shown as missing)."""
    store = store_for(library)
    subs = store.load()
    sub = store.find(subs, wanted)
    if sub is None:
        raise FeedError(f"no subscription named {wanted}")
    removed = forget_feed(library, sub.key)
    store.save([s for s in store.load() if s.key != sub.key])
    return sub, removed


def is_feed_file(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in FEED_SUFFIXES


def import_feed_file(library: Library, path: Path) -> tuple[list[str], list[str], str]:
    """Import a feed file's entries, or an OPML file's subscriptions.

    Returns (added slugs, updated slugs, warning) for a feed, and
    (subscribed URLs, [], "opml") for OPML. Raises FeedError.
    """
    try:
        body = path.read_bytes()
    except OSError as error:
        raise FeedError(f"{path}: {error.strerror or error}") from None
    if is_opml(body):
        try:
            outlines = read_opml(body)
        except ValueError as error:
            raise FeedError(f"{path}: {error}") from None
        return [s.url for s in add_feeds(library, outlines)], [], OPML
    feed = parse_feed(body)
    if feed is None:
        raise FeedError(f"{path}: not a feed (RSS, Atom, JSON Feed) nor OPML")
    key = feed_key(f"file:{path.resolve()}")
    added, updated = import_feed(library, key, replace(feed), feed.title or path.stem)
    return added, updated, feed.warning
