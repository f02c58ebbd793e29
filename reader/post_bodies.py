"""The post library's body files: `SHARDS` files read on demand, set aside when damaged.

Showing one post reads one small shard rather than every body in the
library. A damaged body file is moved aside under a timestamped name (never
written over) and the posts it held show a message saying why their text is
missing and how to get it back; one that cannot be read now is retried.
"""

from __future__ import annotations

import contextlib
import os
import threading
import zlib
from collections.abc import Callable
from pathlib import Path

from reader.body_spans import (
    Spans,
    decode_spans,
    encode_spans,
    encode_with_spans,
    read_span,
    spans_path,
)
from reader.models import PostSummary
from reader.storage import (
    CorruptFileError,
    aside_path,
    decode_json_object,
    file_identity,
    fsync_dir,
)
from reader.text import plural

__all__ = [
    "SHARDS",
    "BodyFiles",
    "Unreadable",
    "describe",
    "set_aside",
    "strerror",
]

SHARDS = 32
"""Number of body files. A 10k-post library puts about 300 posts in each."""


def strerror(error: OSError) -> str:
    """What the system said about `error`."""
    return error.strerror or str(error)


def describe(error: CorruptFileError) -> str:
    """What is wrong with a damaged file, with the line when known."""
    return f"{error.reason} (line {error.line})" if error.line else error.reason


def set_aside(path: Path) -> str:
    """Move a damaged file out of the way (never write over it); say where it went."""
    if not (path.exists() or path.is_symlink()):
        return ""
    aside = aside_path(path)
    try:
        os.rename(path, aside)
    except OSError as error:
        return f"It could not be moved aside ({strerror(error)}). "
    fsync_dir(path.parent)
    return f"It was moved to {aside}. "


class _NoSpans(Exception):
    """No usable spans for a body file: read it whole."""


class Unreadable(Exception):
    """A body file exists but cannot be read now (an I/O error): never written over."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(f"{path}: {strerror(error)}")
        self.path = path
        self.error = error


class BodyFiles:
    """The bodies by shard, read once each; safe from several threads under `lock`."""

    def __init__(
        self,
        folder: Path,
        lock: threading.Lock,
        posts_in: Callable[[int], list[PostSummary]],
        recoveries: list[str],
        write: Callable[[Path, bytes], None] | None = None,
    ) -> None:
        self.folder = folder
        self._lock = lock
        """The library's lock, shared: `posts_in` reads its posts under it."""
        self._posts_in = posts_in
        self._recoveries = recoveries
        self._write = write
        """How the store writes a file (atomically): here, the spans files."""
        self._shards: dict[int, dict[str, str]] = {}
        """Whole body files, read to change them (or with no spans to read one post)."""
        self._spans: dict[int, tuple[tuple[int, int, int, int], Spans]] = {}
        """Where each post's body is in its file, by shard, with the file's version."""
        self._missing: dict[int, str] = {}
        """Why the body files set aside (or unreadable) lack their posts' text, by shard."""

    @staticmethod
    def shard_of(slug: str) -> int:
        """The body file that holds `slug`."""
        return zlib.crc32(slug.encode("utf-8")) % SHARDS

    def path(self, shard: int) -> Path:
        """The file of body shard `shard`."""
        return self.folder / f"{shard:02d}.json"

    def shard(self, shard: int) -> dict[str, str]:
        """A body file's bodies by slug ({} when set aside as damaged).

        Raises `Unreadable` when the file cannot be read for now.
        """
        with self._lock:
            found = self._shards.get(shard)
            if found is None:
                found = self._shards[shard] = self._read(shard)
            return found

    def updated(
        self,
        shard: int,
        posts: list[PostSummary],
        gone: set[str],
        body_of: Callable[[PostSummary], str],
    ) -> dict[str, str]:
        """The bodies of `shard` with those of `posts` (each read with `body_of`) put in and
        those `gone` names taken out. Raises the OSError of a file that cannot be read:
        never write over it. A shard not held already is read but not kept: a big
        import passes through every shard once, and keeping them all would hold every
        body of the library."""
        with self._lock:
            held = self._shards.get(shard)
        try:
            bodies = dict(held) if held is not None else self._read_locked(shard)
        except Unreadable as error:
            raise error.error from None
        bodies.update({p.slug: body_of(p) for p in posts})
        for slug in gone:
            bodies.pop(slug, None)
        return bodies

    def holds(self, shard: int) -> bool:
        """True when `shard`'s bodies have been read and are kept."""
        return shard in self._shards

    def written(self, shards: dict[int, dict[str, str]], spans: dict[int, Spans]) -> None:
        """Take the bodies an upsert wrote, for the shards held already, and where each
        body is in its file. Caller holds the lock."""
        for shard, bodies in shards.items():
            if shard in self._shards:
                self._shards[shard] = bodies
        for shard, found in spans.items():
            self._keep_spans(shard, file_identity(self.path(shard)), found)

    def _read_locked(self, shard: int) -> dict[str, str]:
        with self._lock:
            return self._read(shard)

    def forget(self) -> None:
        """Drop the bodies read so far: another process changed the library. Caller holds
        the lock."""
        self._shards.clear()
        self._spans.clear()
        self._missing.clear()

    def _keep_spans(
        self, shard: int, identity: tuple[int, int, int, int] | None, spans: Spans
    ) -> None:
        """Remember where the bodies are in the version `identity` of a body file, and save
        it beside the file (best effort: without it the file is read whole)."""
        if identity is None:
            return
        self._spans[shard] = (identity, spans)
        if self._write is not None:
            # A read-only library, a full disk: the file is read whole next time.
            with contextlib.suppress(OSError):
                self._write(spans_path(self.path(shard)), encode_spans(identity, spans))

    def _from_spans(self, shard: int, slug: str) -> str | None:
        """The body of `slug` read alone through the spans of its file; None when the file
        does not hold it. Raises `_NoSpans` when there are no usable spans."""
        path = self.path(shard)
        identity = file_identity(path)
        known = self._spans.get(shard)
        if known is None or known[0] != identity:
            found = decode_spans(spans_path(path), identity)
            if found is None or identity is None:
                raise _NoSpans
            with self._lock:
                known = self._spans[shard] = (identity, found)
        span = known[1].get(slug)
        if span is None:
            return None
        try:
            text = read_span(path, span)
        except OSError:
            raise _NoSpans from None  # read it whole, which says why it cannot be read
        if text is None:
            raise _NoSpans  # damaged there: read it whole, which sets it aside
        return text

    def _read(self, shard: int) -> dict[str, str]:
        path = self.path(shard)
        identity = file_identity(path)  # before reading: spans are never of a later version
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return {}
        except IsADirectoryError as error:
            return self._lose(shard, strerror(error))
        except OSError as error:
            raise Unreadable(path, error) from error
        try:
            table = decode_json_object(path, raw).get("bodies", {})
            if not isinstance(table, dict):
                raise CorruptFileError(path, "no table of bodies in it")
            bodies = {doc["slug"]: doc["body"] for doc in table.values()}
            if not all(type(k) is str and type(v) is str for k, v in bodies.items()):
                raise CorruptFileError(path, "a body or slug is not text")
        except CorruptFileError as error:
            return self._lose(shard, describe(error))
        except (KeyError, TypeError, AttributeError):
            return self._lose(shard, "a document in it has no slug or body")
        if shard not in self._spans or self._spans[shard][0] != identity:
            data, spans = encode_with_spans(bodies)
            if data == raw:  # written as we write them: the spans are exact
                self._keep_spans(shard, identity, spans)
        return bodies

    def _lose(self, shard: int, reason: str) -> dict[str, str]:
        """Set a damaged body file aside and say which posts it costs. Caller holds the lock."""
        path = self.path(shard)
        where = set_aside(path)
        hit = self._posts_in(shard)
        titles = ", ".join(repr(s.title) for s in hit[:3])
        more = f" and {len(hit) - 3} more" if len(hit) > 3 else ""
        self._missing[shard] = f"{path} is damaged ({reason}). {where}"
        self._recoveries.append(
            f"The text of {plural(len(hit), 'post')} could not be read: "
            f"{path} is damaged ({reason}). "
            f"{where}They still list, but show this message in place of their text "
            f"({titles}{more}); importing their files again restores them."
        )
        return {}

    def body(self, slug: str) -> str | None:
        """The Markdown body of a post, or None when it cannot be read.

        Read alone through its file's spans when they are known; otherwise the
        file is read whole (and kept only if no spans could be made of it).
        """
        shard = self.shard_of(slug)
        whole = self._shards.get(shard)
        if whole is None:
            with contextlib.suppress(_NoSpans):
                return self._from_spans(shard, slug)
        try:
            with self._lock:
                whole = self._shards.get(shard)
                if whole is None:
                    whole = self._read(shard)
                    if shard not in self._spans:
                        self._shards[shard] = whole
        except Unreadable:
            return None
        return whole.get(slug)

    def missing_body(self, post: PostSummary) -> str:
        """What a post shows in place of a body that cannot be read: why, and what to do."""
        shard = self.shard_of(post.slug)
        path = self.path(shard)
        try:
            self.shard(shard)
            why = self._missing.get(shard, f"it is missing from {path}.")
        except Unreadable as error:
            why = f"{path} cannot be read ({strerror(error.error)})."
        if post.source.startswith("bundled:"):
            fix = "It is one of the bundled posts: run reader again to restore it."
        else:
            fix = f"Import its source again to restore it: `reader import {post.source}`."
        return f"*The text of this post could not be read:* {why}\n\n{fix}\n"
