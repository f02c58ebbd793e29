"""The subscribed feeds, in `library/feeds.json`, written atomically.

Chosen by the user, so never written over when it cannot be read: a damaged
file raises `CorruptFileError` and the command stops, the file as it was.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from reader.storage import atomic_write_bytes, decode_json_object, encode_json

__all__ = ["Subscription", "SubscriptionStore", "feed_key"]


def feed_key(url: str) -> str:
    """A short stable name for a feed's folder and post sources."""
    return hashlib.blake2b(url.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class Subscription:
    url: str
    title: str = ""
    key: str = ""
    """Kept across a permanent redirect, so the posts keep their identity."""
    etag: str = ""
    modified: str = ""
    fetched: str = ""
    """When last fetched (ISO 8601, UTC), '' when never."""
    error: str = ""
    """What went wrong the last time, '' when it went well."""
    tag: str = ""
    """The tag its posts carry, given at its first refresh: its title's slug, or that
    slug and a number when another feed of the same title has it ('' before)."""

    @property
    def name(self) -> str:
        return self.title or self.url


class SubscriptionStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[Subscription]:
        """The subscriptions; raises OSError or CorruptFileError, never loses the file."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        data = decode_json_object(self.path, raw)
        found = []
        for item in data.get("feeds", []):
            if isinstance(item, dict) and isinstance(item.get("url"), str):
                fields = {k: str(v) for k, v in item.items() if k in Subscription.__slots__}
                sub = Subscription(**fields)
                found.append(sub if sub.key else replace(sub, key=feed_key(sub.url)))
        return found

    def save(self, subscriptions: list[Subscription]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.path, encode_json({"feeds": [asdict(s) for s in subscriptions]}))

    def find(self, subscriptions: list[Subscription], wanted: str) -> Subscription | None:
        """The subscription with this URL, title or key (case-insensitive title)."""
        for sub in subscriptions:
            if wanted in (sub.url, sub.key) or wanted.casefold() == sub.title.casefold():
                return sub
        return None
