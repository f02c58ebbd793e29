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

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from reader.models import PostSummary, Section
from reader.post_load import PostTable
from reader.sealed import Identity, seal_made_from, unseal_made_from

__all__ = [
    "CACHE_NAME",
    "decode_cache",
    "decode_rows",
    "encode_cache",
    "encode_rows",
]

CACHE_NAME = "posts.cache"
"""The cache's file name, beside `posts.json`."""

_MAGIC = b"reader-posts-cache\x00"
_VERSION = 1
"""Bump when the layout below or `PostSummary`'s fields change."""

SectionKey = tuple[str, str, int, int]
Row = tuple[Any, ...]


def encode_rows(
    posts: Iterable[PostSummary], doc_ids: Mapping[str, int]
) -> tuple[list[SectionKey], list[Row]]:
    """`posts` as marshal-able rows, their sections shared: (the section keys, the rows),
    each row a post's document id then its fields in order, with its sections as
    indexes into the keys."""
    sections: dict[Section, int] = {}
    rows = [
        (
            doc_ids.get(post.slug, 0),
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
        for post in posts
    ]
    return [(s.heading, s.anchor, s.level, s.line) for s in sections], rows


def decode_rows(
    keys: Sequence[SectionKey], rows: Iterable[Row]
) -> Iterator[tuple[int, PostSummary]]:
    """The document ids and summaries of rows made by `encode_rows`; raises ValueError,
    TypeError or IndexError when they are not such rows."""
    shared = [Section(*key) for key in keys]
    for doc_id, slug, title, tags, found, *rest in rows:
        yield doc_id, PostSummary(slug, title, tags, tuple([shared[i] for i in found]), *rest)


def encode_cache(
    identity: Identity, posts: Mapping[str, PostSummary], doc_ids: Mapping[str, int]
) -> bytes:
    """The bytes of a cache of `posts` (and their document ids) read from the version
    `identity` of `posts.json`."""
    keys, rows = encode_rows(posts.values(), doc_ids)
    return seal_made_from(_MAGIC, _VERSION, identity, (keys, rows))


def decode_cache(path: Path, identity: Identity | None) -> PostTable | None:
    """The posts in the cache at `path`, or None when it is missing, unreadable, damaged,
    of another version, or not made from the version `identity` of `posts.json`."""
    found = unseal_made_from(path, _MAGIC, _VERSION, identity)
    if found is None:
        return None
    try:
        keys, rows = found
        table = PostTable()
        posts, doc_ids = table.posts, table.doc_ids
        for doc_id, post in decode_rows(keys, rows):
            posts[post.slug] = post
            doc_ids[post.slug] = doc_id
    except (ValueError, TypeError, IndexError):
        return None
    return table
