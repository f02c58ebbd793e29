"""Refreshing subscriptions: fetch, parse, write each entry as Markdown, import.

Feeds are fetched, parsed and written a few at a time in threads; the ones
done so far are imported together in one commit (see `refresh`).

Each entry becomes `library/feeds/KEY/ENTRY.md` (front matter + Markdown) and
is imported with the source `feed:KEY/ENTRY.md`: the importer's identity by
source keeps a post's slug, so an entry updated upstream updates its post and
keeps its bookmark, read mark and position.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import yaml

from reader.feeds.clean import clean_text, safe_url, to_markdown
from reader.feeds.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Request, client, fetch
from reader.feeds.parse import Entry, Feed, parse_feed
from reader.feeds.subscriptions import Subscription, SubscriptionStore
from reader.library import Library
from reader.paths import library_dir
from reader.text import plural, slugify, unique_slug

__all__ = [
    "RefreshReport",
    "feed_posts",
    "feed_tag",
    "fetching",
    "import_feed",
    "refresh",
    "store_for",
    "write_entries",
]


@dataclass(slots=True)
class RefreshReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    not_modified: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    """(feed name, reason) for every feed that went wrong."""
    stopped: bool = False
    """Stopped before every feed was stored (see `refresh`'s `stop`)."""

    def line(self) -> str:
        return (
            f"{len(self.added)} new, {len(self.updated)} updated, "
            f"{plural(len(self.errors), 'feed')} with errors"
        )


FETCHING = "feeds-fetch"
"""The name of the threads that fetch feeds (they end with the refresh)."""


def fetching() -> bool:
    """Whether a refresh's threads are still fetching (a stopped refresh ends with them)."""
    return any(t.name.startswith(FETCHING) for t in threading.enumerate())


STOP_POLL = 0.1
"""Seconds between two looks at `refresh`'s `stop` while the feeds are fetched."""


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


def feed_tag(title: str) -> str:
    """The tag every post of the feed named `title` carries ('' for no title)."""
    return slugify(clean_text(title))


def entry_document(entry: Entry, feed_title: str, tag: str = "") -> str:
    """The Markdown file of one entry; `tag` is the feed's (its title's slug when not given)."""
    meta: dict[str, object] = {"title": clean_text(entry.title) or "Untitled"}
    if entry.date:
        meta["date"] = entry.date
    if entry.updated:
        meta["updated"] = entry.updated
    if entry.authors:
        meta["authors"] = [clean_text(a) for a in entry.authors]
    tags = [slugify(clean_text(t)) for t in entry.tags]
    if tag or feed_title:
        tags.append(tag or feed_tag(feed_title))
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
    # libyaml's dumper when PyYAML was built with it: a fifth of a cold refresh otherwise.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    front = yaml.dump(meta, Dumper=dumper, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n{body}"


def write_entries(library: Library, key: str, feed: Feed, title: str, tag: str = "") -> Path:
    """Write `feed`'s entries as Markdown files in the feed's folder; the folder.

    Each file is replaced whole (a temporary file renamed over it), so a
    refresh stopped midway leaves every file either as it was or as it is
    now; the posts change only when the folder is imported. A file whose text
    is the same is not written again.
    """
    folder = _folder(library, key)
    folder.mkdir(parents=True, exist_ok=True)
    # One listing rather than a failed open per new entry: in threads, every
    # system call waits for the GIL again.
    present = set(os.listdir(folder))
    for entry in feed.entries:
        name = hashlib.blake2b(entry.key.encode("utf-8"), digest_size=10).hexdigest() + ".md"
        target = folder / name
        text = entry_document(entry, title, tag)
        try:
            same = name in present and target.read_text("utf-8") == text
        except (OSError, UnicodeDecodeError):  # gone since, or not what we wrote
            same = False
        if not same:
            tmp = folder / f".{name}.tmp"
            tmp.write_text(text, "utf-8")
            os.replace(tmp, target)
    return folder


def import_feed(library: Library, key: str, feed: Feed, title: str) -> tuple[list[str], list[str]]:
    """Write `feed`'s entries and import them; the slugs added and updated."""
    folder = write_entries(library, key, feed, title)
    report = library.import_paths([folder], source_prefix=source_prefix(key))
    return list(report.added), list(report.updated)


def forget_feed(library: Library, key: str) -> list[str]:
    """Remove a feed's posts and files; the slugs removed (bookmarks stay, missing)."""
    removed = library.remove(feed_posts(library, key))
    shutil.rmtree(_folder(library, key), ignore_errors=True)
    return removed


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class _Fetched:
    """One feed fetched and its entries written, waiting to be imported."""

    sub: Subscription
    """The subscription as it is to be saved once the entries are imported."""
    folder: Path | None = None
    """The feed's folder, when it has entries to import."""
    error: str = ""
    not_modified: bool = False


class _Tags:
    """The feeds' tags, handed out once each: two feeds of the same title get two tags.

    Shared by the pool's threads, which learn a new feed's title only once it
    is fetched; taken in the order of `feeds.json` for the feeds already named.
    """

    def __init__(self, subs: list[Subscription]) -> None:
        self._lock = threading.Lock()
        self._taken = {s.tag for s in subs if s.tag}
        self.given = {s.key: self.claim(s.title) for s in subs if s.title and not s.tag}
        """Tags given now to the feeds named before they had one."""

    def claim(self, title: str) -> str:
        """A tag for a feed titled `title` that no other feed has ('' for no title)."""
        base = feed_tag(title)
        if not base:
            return ""
        with self._lock:
            tag = unique_slug(base, self._taken)
            self._taken.add(tag)
        return tag


def _fetch_and_write(
    http: httpx.Client, library: Library, sub: Subscription, max_bytes: int, tags: _Tags
) -> _Fetched:
    """Fetch one feed, parse it and write its entries (in a pool thread)."""
    result = fetch(http, Request(sub.url, sub.etag, sub.modified), max_bytes)
    sub = replace(sub, fetched=_now(), url=result.moved_to or sub.url)
    if result.error:
        return _Fetched(replace(sub, error=result.error), error=result.error)
    if result.not_modified:
        return _Fetched(replace(sub, error=""), not_modified=True)
    feed = parse_feed(result.body or b"", result.content_type)
    if feed is None:
        reason = "not a feed (RSS, Atom or JSON Feed)"
        return _Fetched(replace(sub, error=reason), error=reason)
    title = sub.title or clean_text(feed.title)
    tag = sub.tag or tags.given.get(sub.key) or tags.claim(title)
    folder = write_entries(library, sub.key, feed, title, tag)
    sub = replace(
        sub, title=title, tag=tag, etag=result.etag, modified=result.modified, error=feed.warning
    )
    return _Fetched(sub, folder=folder, error=feed.warning)


def refresh(
    library: Library,
    names: Iterable[str] = (),
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int, Subscription], None] | None = None,
    on_posts: Callable[[list[str]], None] | None = None,
    workers: int = 4,
    stop: Callable[[], bool] | None = None,
) -> RefreshReport:
    """Fetch the named subscriptions (all when none), import what changed.

    A few feeds are fetched, parsed and written at once, in threads; the
    feeds done so far are imported together, in one commit and one update of
    the search index, while the others go on (a slow feed holds up no other,
    and a cold refresh of many feeds makes a few commits, not one a feed).
    After each commit the subscriptions are saved with their new ETag: a
    refresh stopped midway leaves every feed either imported and recorded, or
    to be fetched again in full. `on_posts` gets each commit's new and updated
    slugs; `progress` is called for every feed once it is stored.

    Once `stop()` is true (the app quits) nothing more is imported or
    recorded: the feeds not yet fetched are not, the ones being fetched finish
    (within the timeout) and their files stay unimported, so they are all
    fetched again in full by the next refresh, as if it had never begun.
    """
    store = store_for(library)
    subs = store.load()
    wanted = list(names)
    chosen = [s for s in subs if not wanted or any(store.find([s], n) for n in wanted)]
    report = RefreshReport()
    for name in wanted:
        if store.find(subs, name) is None:
            report.errors.append((name, "no such subscription"))
    if not chosen:
        return report
    done: dict[str, Subscription] = {}
    tags = _Tags(subs)
    count = 0
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=FETCHING)
    try:
        with client(timeout) as http:
            order = {}
            for at, sub in enumerate(chosen):
                future = pool.submit(_fetch_and_write, http, library, sub, max_bytes, tags)
                order[future] = at
            waiting = set(order)
            while waiting:
                ready, waiting = wait(waiting, timeout=STOP_POLL, return_when=FIRST_COMPLETED)
                if stop is not None and stop():
                    report.stopped = True
                    return report  # `finally` drops the feeds not begun
                if not ready:
                    continue
                batch = [f.result() for f in sorted(ready, key=order.__getitem__)]
                groups = [([b.folder], source_prefix(b.sub.key)) for b in batch if b.folder]
                fresh: list[str] = []
                if groups:
                    imported = library.import_groups(groups)
                    report.added += imported.added
                    report.updated += imported.updated
                    fresh = [*imported.added, *imported.updated]
                for fetched in batch:
                    if fetched.not_modified:
                        report.not_modified += 1
                    if fetched.error:
                        report.errors.append((fetched.sub.name, fetched.error))
                    done[fetched.sub.key] = fetched.sub
                if groups:  # the new ETags go with the posts just stored
                    _save(store, done)
                if on_posts and fresh:
                    on_posts(fresh)
                for fetched in batch:
                    count += 1
                    if progress:
                        progress(count, len(chosen), fetched.sub)
        _save(store, done)  # the feeds unchanged or failed since the last commit
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return report


def _save(store: SubscriptionStore, done: dict[str, Subscription]) -> None:
    """Save the subscriptions refreshed so far, read again first so one added meanwhile stays."""
    latest = store.load()
    store.save([done.get(s.key, s) for s in latest])
