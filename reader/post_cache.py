"""A compact copy of `posts.json`'s table of posts, for opening a big library fast.

Decoding the JSON of `posts.json` and checking every document is most of
the time a big library takes to open (1.5 s at 50,000 posts). This cache,
`posts.cache` beside it, holds the same summaries in `marshal`'s format,
which loads several times faster. It is derived data: `posts.json` stays
the document store, and the cache is used only when it says it was made
from the very version of `posts.json` on disk (its `file_identity`: inode,
device, size and mtime in nanoseconds; every write of `posts.json`
replaces the file, so a new version has a new identity) and its checksum
holds. Otherwise, missing, stale or damaged, it is ignored and the store
reads `posts.json` and writes the cache again. Writing it is the store's
(`PostStore`), like every other write of the library.
"""

from __future__ import annotations

import marshal
import zlib
from collections.abc import Mapping
from pathlib import Path

from reader.models import PostSummary, Section
from reader.post_load import PostTable

__all__ = ["CACHE_NAME", "decode_cache", "encode_cache"]

CACHE_NAME = "posts.cache"
"""The cache's file name, beside `posts.json`."""

_MAGIC = b"reader-posts-cache\x00"
_VERSION = 1
"""Bump when the layout below or `PostSummary`'s fields change."""

Identity = tuple[int, int, int, int]


def encode_cache(
    identity: Identity, posts: Mapping[str, PostSummary], doc_ids: Mapping[str, int]
) -> bytes:
    """The bytes of a cache of `posts` (and their document ids) read from the version
    `identity` of `posts.json`."""
    sections: dict[Section, int] = {}
    rows = []
    for slug, post in posts.items():
        rows.append(
            (
                doc_ids[slug],
                post.slug,
                post.title,
                post.tags,
                tuple(sections.setdefault(s, len(sections)) for s in post.sections),
                post.words,
                post.source,
                post.date,
                post.updated,
                post.authors,
                post.summary,
                post.draft,
                post.lang,
                post.url,
                post.aliases,
            )
        )
    keys = [(s.heading, s.anchor, s.level, s.line) for s in sections]
    payload = marshal.dumps((_VERSION, tuple(identity), keys, rows))
    return _MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload


def decode_cache(path: Path, identity: Identity | None) -> PostTable | None:
    """The posts in the cache at `path`, or None when it is missing, unreadable, damaged,
    of another version, or not made from the version `identity` of `posts.json`."""
    if identity is None:
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    start = len(_MAGIC) + 4
    if not raw.startswith(_MAGIC) or zlib.crc32(raw[start:]) != int.from_bytes(
        raw[len(_MAGIC) : start], "big"
    ):
        return None
    try:
        version, made_from, keys, rows = marshal.loads(raw[start:])
        if version != _VERSION or tuple(made_from) != tuple(identity):
            return None
        shared = [Section(*key) for key in keys]
        table = PostTable()
        posts, doc_ids = table.posts, table.doc_ids
        for doc_id, slug, title, tags, found, *rest in rows:
            posts[slug] = PostSummary(slug, title, tags, tuple([shared[i] for i in found]), *rest)
            doc_ids[slug] = doc_id
    except (ValueError, TypeError, EOFError, IndexError):
        return None
    return table
