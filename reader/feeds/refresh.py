"""Refreshing subscriptions: fetch, parse, write each entry as Markdown, import.

Each entry becomes `library/feeds/KEY/ENTRY.md` (front matter + Markdown) and
is imported with the source `feed:KEY/ENTRY.md`: the importer's identity by
source keeps a post's slug, so an entry updated upstream updates its post and
keeps its bookmark, read mark and position.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import yaml

from reader.feeds.clean import clean_text, safe_url, to_markdown
from reader.feeds.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Request, fetch_many
from reader.feeds.parse import Entry, Feed, parse_feed
from reader.feeds.subscriptions import Subscription, SubscriptionStore
from reader.library import Library
from reader.paths import library_dir
from reader.text import slugify

__all__ = ["RefreshReport", "feed_posts", "import_feed", "refresh", "store_for"]


@dataclass(slots=True)
class RefreshReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    not_modified: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    """(feed name, reason) for every feed that went wrong."""

    def line(self) -> str:
        return (
            f"{len(self.added)} new, {len(self.updated)} updated, "
            f"{len(self.errors)} feeds with errors"
        )


def store_for(library: Library) -> SubscriptionStore:
    return SubscriptionStore(library_dir(library.root) / "feeds.json")


def _folder(library: Library, key: str) -> Path:
    return library_dir(library.root) / "feeds" / key


def source_prefix(key: str) -> str:
    return f"feed:{key}/"


def feed_posts(library: Library, key: str) -> list[str]:
    """The slugs of the posts from one feed."""
    prefix = source_prefix(key)
    return [p.slug for p in library.posts.summaries() if p.source.startswith(prefix)]


def entry_document(entry: Entry, feed_title: str) -> str:
    meta: dict[str, object] = {"title": clean_text(entry.title) or "Untitled"}
    if entry.date:
        meta["date"] = entry.date
    if entry.updated:
        meta["updated"] = entry.updated
    if entry.authors:
        meta["authors"] = [clean_text(a) for a in entry.authors]
    tags = [slugify(clean_text(t)) for t in entry.tags]
    if feed_title:
        tags.append(slugify(clean_text(feed_title)))
    meta["tags"] = [t for t in dict.fromkeys(tags) if t]
    url = safe_url(entry.url)
    if url:
        meta["url"] = url
    summary = to_markdown(entry.summary).strip() if entry.summary else ""
    if summary:
        meta["summary"] = summary
    if feed_title:
        meta["feed"] = clean_text(feed_title)
    body = to_markdown(entry.html) if entry.html else ""
    if not body.strip() and url:
        body = f"[Read the original]({url})\n"
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n{body}"


def import_feed(library: Library, key: str, feed: Feed, title: str) -> tuple[list[str], list[str]]:
    """Write `feed`'s entries and import them; the slugs added and updated."""
    folder = _folder(library, key)
    folder.mkdir(parents=True, exist_ok=True)
    for entry in feed.entries:
        name = hashlib.blake2b(entry.key.encode("utf-8"), digest_size=10).hexdigest() + ".md"
        target = folder / name
        text = entry_document(entry, title)
        if not target.exists() or target.read_text("utf-8") != text:
            target.write_text(text, "utf-8")
    report = library.import_paths([folder], source_prefix=source_prefix(key))
    return list(report.added), list(report.updated)


def forget_feed(library: Library, key: str) -> list[str]:
    """Remove a feed's posts and files; the slugs removed (bookmarks stay, missing)."""
    removed = library.remove(feed_posts(library, key))
    shutil.rmtree(_folder(library, key), ignore_errors=True)
    return removed


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def refresh(
    library: Library,
    names: Iterable[str] = (),
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int, Subscription], None] | None = None,
    on_posts: Callable[[list[str]], None] | None = None,
) -> RefreshReport:
    """Fetch the named subscriptions (all when none), import what changed."""
    store = store_for(library)
    subs = store.load()
    wanted = list(names)
    chosen = [s for s in subs if not wanted or any(store.find([s], n) for n in wanted)]
    report = RefreshReport()
    for name in wanted:
        if store.find(subs, name) is None:
            report.errors.append((name, "no such subscription"))
    requests = [Request(s.url, s.etag, s.modified) for s in chosen]
    done: dict[str, Subscription] = {}
    results = fetch_many(requests, timeout, max_bytes)
    for count, (sub, result) in enumerate(zip(chosen, results, strict=True), start=1):
        sub = replace(sub, fetched=_now(), url=result.moved_to or sub.url)
        if result.error:
            sub = replace(sub, error=result.error)
            report.errors.append((sub.name, result.error))
        elif result.not_modified:
            sub = replace(sub, error="")
            report.not_modified += 1
        else:
            feed = parse_feed(result.body or b"", result.content_type)
            if feed is None:
                sub = replace(sub, error="not a feed (RSS, Atom or JSON Feed)")
                report.errors.append((sub.name, sub.error))
            else:
                title = sub.title or clean_text(feed.title)
                added, updated = import_feed(library, sub.key, feed, title)
                report.added += added
                report.updated += updated
                if on_posts and (added or updated):
                    on_posts(added + updated)
                sub = replace(
                    sub, title=title, etag=result.etag, modified=result.modified, error=feed.warning
                )
                if feed.warning:
                    report.errors.append((sub.name, feed.warning))
        done[sub.key] = sub
        if progress:
            progress(count, len(chosen), sub)
    # Read again before writing, so a subscription added meanwhile is kept.
    latest = store.load()
    store.save([done.get(s.key, s) for s in latest])
    return report
