"""The two stores, in TinyDB's file layout: the post library and the user's state.

The library reads and writes its files itself (through `reader.storage`), so
that it can check every document and write several files all or nothing.
TinyDB documents stay inside this module and `reader.state` (the user's state,
re-exported here); callers get and give the frozen dataclasses of
`reader.models`.

The library keeps post metadata in one file (`library/posts.json`, read at
start-up: it is what the list and the sidebar need) and the bodies in
`SHARDS` files beside it, so showing one post reads one small shard rather
than every body in the library. An upsert writes the body files, then
`posts.json` last, which commits it: one killed before that is undone the
next time the library is opened, so a post never shows a new text under an
old title.

Damage never stops the library from opening, and nothing damaged is written
over: a bad `posts.json` or body file is moved aside under a timestamped name,
`PostStore.recoveries` says what happened, and the posts it held either list
(a bad body file: their text says why it is missing) or are left for
`reader.library.Library` to re-import from their sources (a bad `posts.json`:
see `PostStore.lost_sources`).

`PostStore` is the facade over four parts: `reader.post_docs` turns
documents into `PostSummary` and back, `reader.post_load` reads and checks
the table of posts in `posts.json` (at opening, and again when another
process changed it), `reader.post_bodies` owns the body files (read on
demand, set aside when damaged), and `reader.post_commit` holds the
all-or-nothing protocol of an upsert across files (the document it writes,
and putting files back). Every write goes through `atomic_write_bytes`
here, in this module.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from reader.body_spans import Spans, encode_with_spans
from reader.first_screen import (
    FIRST_SCREEN_NAME,
    FirstScreen,
    decode_first_screen,
    encode_first_screen,
    first_screen_of,
)
from reader.models import SUMMARY_FIELDS, Post, PostSummary
from reader.post_bodies import SHARDS, BodyFiles, describe, set_aside, strerror
from reader.post_cache import CACHE_NAME, decode_cache, encode_cache
from reader.post_commit import (
    committed,
    finish_interrupted,
    keep_previous,
    new_token,
    posts_document,
    put_back,
)
from reader.post_docs import salvage_sources
from reader.post_load import (
    PostTable,
    damaged_posts,
    file_identity,
    read_table,
    reread,
    table_of,
)
from reader.post_spill import PostSpill
from reader.resume_screen import (
    RESUME_SCREEN_NAME,
    ResumeScreen,
    decode_resume,
    encode_resume,
)
from reader.state import StateStore
from reader.storage import (
    CorruptFileError,
    aside_path,
    atomic_write_bytes,
    encode_json,
    fsync_dir,
)

__all__ = ["SHARDS", "PostStore", "StateStore", "file_identity"]


class PostStore:
    """The post library. Safe to read from several threads; one writer at a time.

    With `lazy`, only the first screen (`reader.first_screen`) is read when
    its file is up to date; the rest is read by `load`, which every method
    that needs it calls (and waits for): the TUI calls it in a worker after
    its first frame.
    """

    def __init__(self, directory: Path, lazy: bool = False) -> None:
        self.directory = directory
        self.path = directory / "posts.json"
        self.cache_path = directory / CACHE_NAME
        """A compact copy of `posts.json`'s table, rebuilt whenever missing, stale or
        damaged (see `reader.post_cache`)."""
        self.first_screen_path = directory / FIRST_SCREEN_NAME
        """What the first screen shows (`reader.first_screen`), written with the cache."""
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._loaded = False
        self._lazy = lazy
        self.first_screen: FirstScreen | None = None
        """The first screen read from its file when opened lazily and it was up to date."""
        self.resume_screen_path = directory / RESUME_SCREEN_NAME
        """The list as the TUI left it (`reader.resume_screen`), written when it quits."""
        self.resume_screen: ResumeScreen | None = None
        """The list as the TUI left it, read with the first screen when up to date."""
        self._first_rows: dict[str, PostSummary] = {}
        self._write_lock = threading.Lock()
        self._posts: dict[str, PostSummary] = {}
        self._doc_ids: dict[str, int] = {}
        self._bad_doc_ids: set[str] = set()
        self.recoveries: list[str] = []
        """What was found damaged and what was done, a message each, oldest first
        (body files are read on demand, so this can grow after opening)."""
        self._bodies = BodyFiles(
            directory / "bodies",
            self._lock,
            self._posts_in,
            self.recoveries,
            # Every write is made here; spans are a cache, not worth an fsync per file.
            partial(atomic_write_bytes, durable=False),
        )
        self.lost_sources: list[str] = []
        """Sources of posts whose metadata was lost to damage: re-import to get them back."""
        self.damaged = False
        """True when `posts.json` was unusable and moved aside (the library starts empty)."""
        self.is_new = False
        """True when no library was ever written here."""
        self._seen: tuple[int, int, int, int] | None = None
        """`file_identity` of `posts.json` as last read or written here."""
        self._finish_interrupted_upsert()
        if lazy:
            self._seen = file_identity(self.path)
            self.first_screen = decode_first_screen(self.first_screen_path, self._seen)
        if self.first_screen is None:
            self.load()
        else:
            # The file was read whole and written from the posts: nothing damaged, not new.
            self.resume_screen = decode_resume(self.resume_screen_path, self._seen)
            kept = self.resume_screen.rows if self.resume_screen is not None else ()
            self._first_rows = {p.slug: p for p in (*self.first_screen.rows, *kept)}

    @property
    def loaded(self) -> bool:
        """True once every post is in memory (always, unless opened lazily)."""
        return self._loaded

    def load(self) -> None:
        """Read every post now if they are not yet (opened lazily); waits for a load
        another thread has begun. Raises OSError if `posts.json` cannot be read."""
        if self._loaded:
            return
        with self._load_lock:
            if not self._loaded:
                self._load()
                self._loaded = True

    # -- loading -------------------------------------------------------------

    def _finish_interrupted_upsert(self) -> None:
        """Settle the body files an `upsert` killed midway left behind (see `post_commit`)."""
        finish_interrupted(self.directory / "bodies", self.path)

    def _load(self) -> None:
        """Read `posts.json`; set it aside when damaged. Raises OSError if it cannot be read."""
        self._seen = file_identity(self.path)
        cached = decode_cache(self.cache_path, self._seen)
        if cached is not None:
            self._take(cached)
            if self._lazy and self.first_screen is None:
                self._write_first_screen()  # missing or stale: the next start needs it
            return
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self.is_new = not any(self._bodies.path(n).exists() for n in range(SHARDS))
            if not self.is_new:
                self._lose_all(f"{self.path} is missing but the posts' texts are there", b"")
            return
        except IsADirectoryError as error:
            self._lose_all(f"{self.path} is not a file ({strerror(error)})", b"")
            return
        try:
            table = table_of(self.path, raw)
        except CorruptFileError as error:
            self._lose_all(f"{self.path} is damaged ({describe(error)})", raw)
            return
        bad = self._take(read_table(table))
        if bad:
            self.recoveries.append(damaged_posts(self.path, bad, self._keep_copy(raw)))
        else:
            self._write_cache()

    def _write_cache(self) -> None:
        """Write the cache of the posts as they are now, read from or written to the version
        `_seen` of `posts.json`. Best effort: without it the library still opens."""
        if self._seen is None:
            return
        # A read-only library, a full disk: no cache, and a stale one is never used.
        with contextlib.suppress(OSError):
            atomic_write_bytes(
                self.cache_path, encode_cache(self._seen, self._posts, self._doc_ids)
            )
        self._write_first_screen()

    def _write_first_screen(self) -> None:
        """Write the first screen of the posts as they are now (see `_write_cache`)."""
        if self._seen is None:
            return
        screen = first_screen_of(list(self._posts.values()))
        with contextlib.suppress(OSError):
            atomic_write_bytes(self.first_screen_path, encode_first_screen(self._seen, screen))

    def keep_resume_screen(self, screen: ResumeScreen) -> None:
        """Write the list as the TUI leaves it, for the next start (best effort: without it
        that start reads every post first). Only once every post is read."""
        if not self._loaded or self._seen is None:
            return
        with contextlib.suppress(OSError):
            atomic_write_bytes(
                self.resume_screen_path, encode_resume(self._seen, screen), durable=False
            )

    def _take(self, read: PostTable) -> list[str]:
        """Take the posts `read` from `posts.json` as the library's; the ids of the damaged ones."""
        self._bad_doc_ids = set(read.bad_doc_ids)
        self.lost_sources.extend(read.lost_sources)
        with self._lock:
            # A new dict, not this one changed in place: `summary` reads it unlocked.
            self._posts = read.posts
            self._doc_ids = read.doc_ids
        return read.bad_doc_ids

    # -- changes made by another process ---------------------------------------

    def changed_on_disk(self) -> bool:
        """True when `posts.json` is not the version this store last read or wrote.

        One `stat`: cheap enough to ask every few seconds.
        """
        return file_identity(self.path) != self._seen

    def reload(self) -> tuple[set[str], set[str]] | None:
        """Read `posts.json` again if another process changed it: (slugs added or changed,
        slugs gone), or None when it has not changed.

        A file found damaged now is left alone (it is set aside when the library is
        next opened) and the posts stay as they were, with a message in `recoveries`.
        """
        self.load()
        with self._write_lock:
            seen = file_identity(self.path)
            if seen == self._seen:
                return None
            self._seen = seen
            before = {s.slug: s for s in self.summaries()}
            table = reread(self.path)
            if isinstance(table, str):
                self.recoveries.append(
                    f"The list of posts {self.path} was changed by another program and cannot "
                    f"be read ({table}): the posts are shown as they were."
                )
                return set(), set()
            self._take(read_table(table))
            with self._lock:
                self._bodies.forget()
                after = dict(self._posts)
        changed = {slug for slug, post in after.items() if before.get(slug) != post}
        return changed, set(before) - set(after)

    def _keep_copy(self, raw: bytes) -> str:
        """Keep the bytes of a partly damaged `posts.json` beside it; say where."""
        aside = aside_path(self.path)
        try:
            atomic_write_bytes(aside, raw)
        except OSError as error:
            return f"a copy could not be kept ({strerror(error)})"
        return f"a copy of the file as it was is at {aside}"

    def _lose_all(self, what: str, raw: bytes) -> None:
        """`posts.json` is unusable: move it aside, start empty, keep what sources we can read."""
        self.damaged = True
        self.lost_sources = salvage_sources(raw)
        where = set_aside(self.path)
        self.recoveries.append(f"The list of posts {what}. {where}")

    def _posts_in(self, shard: int) -> list[PostSummary]:
        """The posts whose bodies are in `shard`. Caller holds `_lock`."""
        posts = self._posts if self._loaded else self._peek()
        return [s for s in posts.values() if self.shard_of(s.slug) == shard]

    def _peek(self) -> dict[str, PostSummary]:
        """The posts as on disk now, for a store not loaded yet, without its locks (a
        damaged body file found before the load must still name every post it costs)."""
        cached = decode_cache(self.cache_path, file_identity(self.path))
        if cached is not None:
            return cached.posts
        table = reread(self.path)
        return {} if isinstance(table, str) else read_table(table).posts

    # -- bodies --------------------------------------------------------------

    def body(self, slug: str) -> str | None:
        """The Markdown body of a post, or None when it cannot be read (see `get`)."""
        return self._bodies.body(slug)

    def missing_body(self, post: PostSummary) -> str:
        """What a post shows in place of a body that cannot be read: why, and what to do."""
        return self._bodies.missing_body(post)

    @staticmethod
    def shard_of(slug: str) -> int:
        """The body file that holds `slug`."""
        return BodyFiles.shard_of(slug)

    # -- reading -------------------------------------------------------------

    def __len__(self) -> int:
        if not self._loaded and self.first_screen is not None:
            return self.first_screen.total
        return len(self._posts)

    def summaries(self) -> list[PostSummary]:
        """Every post without its body, in import order."""
        self.load()
        with self._lock:
            return list(self._posts.values())

    def summary(self, slug: str) -> PostSummary | None:
        """One post without its body (those of the first screen before the load)."""
        if not self._loaded:
            found = self._first_rows.get(slug)
            if found is not None:
                return found
            self.load()
        return self._posts.get(slug)

    def get(self, slug: str) -> Post | None:
        """One post with its body, or None for an unknown slug.

        A body that cannot be read (its file damaged, set aside or unreadable)
        is replaced by a message saying why and how to get it back.
        """
        summary = self.summary(slug)
        if summary is None:
            return None
        body = self.body(slug)
        # Every field of the summary, so a post read back equals the post stored
        # (an import compares them to tell an unchanged file from an edited one).
        return Post(
            **{name: getattr(summary, name) for name in SUMMARY_FIELDS},
            body=self.missing_body(summary) if body is None else body,
        )

    # -- writing -------------------------------------------------------------

    def upsert(self, posts: Iterable[Post]) -> None:
        """Add or replace posts by slug, writing each file at most once (see `commit`)."""
        self.commit(posts)

    def delete(self, slugs: Iterable[str]) -> None:
        """Remove posts by slug: their metadata and their bodies (see `commit`)."""
        self.commit((), slugs)

    def commit(self, posts: Iterable[Post] | PostSpill, remove: Iterable[str] = ()) -> None:
        """Add or replace `posts` by slug and remove the posts `remove` names, in one commit.

        `posts` may be a `PostSpill` (a big import): its bodies are read back one
        body file at a time, so the commit never holds them all.

        All or nothing: when a write fails (a full disk, a damaged file), every
        file already written is put back as it was and OSError is raised, so a
        failed import or removal leaves the library as it was. Replacing
        `posts.json` is the commit: once it is done the change is in, and a
        process killed before it is undone when the library is next opened
        (`_finish_interrupted_upsert`).
        """
        body_of: Callable[[PostSummary], str] = (
            posts.body if isinstance(posts, PostSpill) else _body
        )
        change: list[PostSummary] = list(posts)
        self.load()
        gone = {slug for slug in remove if slug in self._posts} - {p.slug for p in change}
        if not change and not gone:
            return
        by_shard: dict[int, list[PostSummary]] = {}
        for post in change:
            by_shard.setdefault(self.shard_of(post.slug), []).append(post)
        for slug in gone:
            by_shard.setdefault(self.shard_of(slug), [])
        with self._write_lock:
            token = new_token()
            unchanged = False
            shards: dict[int, dict[str, str]] = {}
            spans: dict[int, Spans] = {}
            written: list[tuple[Path, Path | bytes | None]] = []
            try:
                # Bodies first: metadata never points at a body not yet written.
                for shard, shard_posts in by_shard.items():
                    bodies = self._bodies.updated(shard, shard_posts, gone, body_of)
                    path = self._bodies.path(shard)
                    data, spans[shard] = encode_with_spans(bodies)
                    written.append((path, keep_previous(path, token)))
                    atomic_write_bytes(path, data)
                    if self._bodies.holds(shard):
                        shards[shard] = bodies
                    del bodies, data
                # posts.json as this store last saw it: the document written is then what
                # the store holds, and the cache can be written from memory.
                unchanged = file_identity(self.path) == self._seen
                document, new_ids = posts_document(
                    self.path,
                    self._posts,
                    self._doc_ids,
                    self._bad_doc_ids,
                    (change, gone),
                    token,
                    self.recoveries,
                )
                atomic_write_bytes(self.path, encode_json(document))
            except BaseException as error:
                if not committed(self.path, token):
                    put_back(written, atomic_write_bytes)  # every write is made here
                    raise
                # posts.json was replaced before the error came: the change is in.
                fsync_dir(self.path.parent)
                interrupted = None if isinstance(error, OSError) else error
            else:
                interrupted = None
            self._bad_doc_ids.clear()
            for _, previous in written:
                if isinstance(previous, Path):
                    with contextlib.suppress(OSError):
                        previous.unlink()
            with self._lock:
                self._bodies.written(shards, spans)
                self._doc_ids = new_ids
                for slug in gone:
                    self._posts.pop(slug, None)
                for post in change:
                    self._posts[post.slug] = post.without_body() if isinstance(post, Post) else post
                # Keep import order: dicts keep first-insertion order already.
                self._seen = file_identity(self.path)
            if interrupted is None and unchanged:
                self._write_cache()  # still under the write lock: no commit in between
            if interrupted is not None:
                raise interrupted  # a KeyboardInterrupt still stops the program


def _body(post: PostSummary) -> str:
    """The body of a post given to `PostStore.commit` whole."""
    assert isinstance(post, Post)
    return post.body
