"""The two TinyDB stores: the post library and the user's state.

TinyDB documents stay inside this module and `reader.state` (the user's state,
re-exported here); callers get and give the frozen dataclasses of
`reader.models`.

The library keeps post metadata in one file (`library/posts.json`, read at
start-up: it is what the list and the sidebar need) and the bodies in
`SHARDS` files beside it, so showing one post reads one small shard rather
than every body in the library.
"""

from __future__ import annotations

import sys
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Table

from reader.models import Post, PostSummary, Section
from reader.state import StateStore
from reader.storage import AtomicJSONStorage

__all__ = ["SHARDS", "PostStore", "StateStore"]

SHARDS = 32
"""Number of body files. A 10k-post library puts about 300 posts in each."""


SectionKey = tuple[str, str, int, int]


def _summary_from_doc(
    doc: Mapping[str, Any], sections: dict[SectionKey, Section] | None = None
) -> PostSummary:
    """A post's summary from its stored document.

    Tags and headings repeat across thousands of posts, so tag strings are
    interned and equal sections shared through `sections` (a cache the caller
    keeps for a whole load): one object each instead of one per post, which
    at 10k posts saves tens of MB and ~20 ms of start-up.
    """
    intern = sys.intern
    shared = {} if sections is None else sections
    keys = [
        (s["heading"], s["anchor"], s.get("level", 2), s.get("line", 0))
        for s in doc.get("sections", ())
    ]
    return PostSummary(
        slug=doc["slug"],
        title=doc["title"],
        tags=tuple(intern(t) for t in doc.get("tags", ())),
        sections=tuple(shared.get(k) or shared.setdefault(k, Section(*k)) for k in keys),
        words=doc.get("words", 0),
        source=doc.get("source", ""),
    )


def _doc_from_summary(post: PostSummary) -> dict[str, Any]:
    return {
        "slug": post.slug,
        "title": post.title,
        "tags": list(post.tags),
        "sections": [
            {"heading": s.heading, "anchor": s.anchor, "level": s.level, "line": s.line}
            for s in post.sections
        ],
        "words": post.words,
        "source": post.source,
    }


def _replace_table(table: Table, change: Callable[[dict[int, Any]], None]) -> None:
    """Apply `change` to the table's documents in one write.

    TinyDB's public API writes the whole file once per call, so upserting
    10,000 posts one by one would rewrite it 10,000 times; every public
    method funnels through `Table._update_table`, which we use to batch.
    """
    table._update_table(change)  # private, but what every public method uses


def _open(path: Path, backup: bool = False) -> TinyDB:
    return TinyDB(path, storage=AtomicJSONStorage, backup=backup)


class PostStore:
    """The post library. Safe to read from several threads."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._db = _open(directory / "posts.json")
        self._posts: dict[str, PostSummary] = {}
        self._doc_ids: dict[str, int] = {}
        self._shards: dict[int, dict[str, str]] = {}
        self._load()

    def _load(self) -> None:
        # Read the raw table through our storage rather than `Table.all()`,
        # which wraps every row in a `Document` first: this runs before the
        # first paint, and at 10k posts the wrapping alone costs ~20 ms.
        raw = self._db.storage.read() or {}
        sections: dict[SectionKey, Section] = {}
        for doc_id, doc in raw.get("posts", {}).items():
            summary = _summary_from_doc(doc, sections)
            self._posts[summary.slug] = summary
            self._doc_ids[summary.slug] = int(doc_id)

    def _shard_db(self, shard: int) -> TinyDB:
        return _open(self.directory / "bodies" / f"{shard:02d}.json")

    def _shard(self, shard: int) -> dict[str, str]:
        with self._lock:
            if shard not in self._shards:
                table = self._shard_db(shard).table("bodies")
                self._shards[shard] = {doc["slug"]: doc["body"] for doc in table.all()}
            return self._shards[shard]

    @staticmethod
    def shard_of(slug: str) -> int:
        """The body file that holds `slug`."""
        return zlib.crc32(slug.encode("utf-8")) % SHARDS

    def __len__(self) -> int:
        return len(self._posts)

    def summaries(self) -> list[PostSummary]:
        """Every post without its body, in import order."""
        with self._lock:
            return list(self._posts.values())

    def summary(self, slug: str) -> PostSummary | None:
        """One post without its body."""
        return self._posts.get(slug)

    def get(self, slug: str) -> Post | None:
        """One post with its body, or None for an unknown slug."""
        summary = self._posts.get(slug)
        if summary is None:
            return None
        body = self._shard(self.shard_of(slug)).get(slug, "")
        return Post(
            slug=summary.slug,
            title=summary.title,
            tags=summary.tags,
            sections=summary.sections,
            words=summary.words,
            source=summary.source,
            body=body,
        )

    def upsert(self, posts: Iterable[Post]) -> None:
        """Add or replace posts by slug, writing each file at most once."""
        posts = list(posts)
        if not posts:
            return
        by_shard: dict[int, list[Post]] = {}
        for post in posts:
            by_shard.setdefault(self.shard_of(post.slug), []).append(post)
        # Bodies first: a crash after this leaves bodies with no metadata
        # (invisible), never metadata pointing at a missing body.
        for shard, shard_posts in by_shard.items():
            bodies = dict(self._shard(shard))
            bodies.update({p.slug: p.body for p in shard_posts})
            self._write_shard(shard, bodies)

        next_id = max(self._doc_ids.values(), default=0) + 1
        new_ids = dict(self._doc_ids)
        docs: dict[int, dict[str, Any]] = {}
        for post in posts:
            doc_id = new_ids.get(post.slug)
            if doc_id is None:
                doc_id = new_ids[post.slug] = next_id
                next_id += 1
            docs[doc_id] = _doc_from_summary(post)

        def change(table: dict[int, Any]) -> None:
            table.update(docs)

        with self._lock:
            _replace_table(self._db.table("posts"), change)
            self._doc_ids = new_ids
            for post in posts:
                self._posts[post.slug] = post.summary()
            # Keep import order: dicts keep first-insertion order already.

    def _write_shard(self, shard: int, bodies: dict[str, str]) -> None:
        docs = {i: {"slug": slug, "body": body} for i, (slug, body) in enumerate(bodies.items(), 1)}

        def change(table: dict[int, Any]) -> None:
            table.clear()
            table.update(docs)

        _replace_table(self._shard_db(shard).table("bodies"), change)
        with self._lock:
            self._shards[shard] = bodies
