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
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import threading
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from reader.models import Post, PostSummary, Section
from reader.state import StateStore
from reader.storage import (
    CorruptFileError,
    aside_path,
    atomic_write_bytes,
    decode_json_object,
    encode_json,
    fsync_dir,
)

__all__ = ["SHARDS", "PostStore", "StateStore"]

SHARDS = 32
"""Number of body files. A 10k-post library puts about 300 posts in each."""
_COMMIT = "commit"
"""The table of `posts.json` naming the upsert that wrote it (see `PostStore.upsert`)."""


SectionKey = tuple[str, str, int, int]


def _summary_from_doc(
    doc: Mapping[str, Any], sections: dict[SectionKey, Section] | None = None
) -> PostSummary:
    """A post's summary from its stored document.

    Tags and headings repeat across thousands of posts, so tag strings are
    interned and equal sections shared through `sections` (a cache the caller
    keeps for a whole load): one object each instead of one per post, which
    at 10k posts saves tens of MB and ~20 ms of start-up.

    Raises KeyError, TypeError or ValueError for a damaged document.
    """
    intern = sys.intern
    shared = {} if sections is None else sections
    keys = [
        (s["heading"], s["anchor"], s.get("level", 2), s.get("line", 0))
        for s in doc.get("sections", ())
    ]
    found = []
    for key in keys:
        section = shared.get(key)
        if section is None:
            _check_section(key)  # only for new ones: most posts share their headings
            section = shared[key] = Section(*key)
        found.append(section)
    slug, title, words, source = (
        doc["slug"],
        doc["title"],
        doc.get("words", 0),
        doc.get("source", ""),
    )
    if not (type(slug) is str and slug and type(title) is str and type(source) is str):
        raise ValueError("slug, title or source is not text")
    if type(words) is not int:
        raise ValueError("words is not a number")
    return PostSummary(
        slug=slug,
        title=title,
        tags=tuple(intern(t) for t in doc.get("tags", ())),
        sections=tuple(found),
        words=words,
        source=source,
    )


def _check_section(key: SectionKey) -> None:
    heading, anchor, level, line = key
    if not (type(heading) is str and type(anchor) is str):
        raise ValueError("a section heading is not text")
    if not (type(level) is int and type(line) is int):
        raise ValueError("a section level or line is not a number")


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


_SOURCE = re.compile(rb'"source":\s*("(?:[^"\\\\]|\\\\.)*")')
"""A post's `source` in the raw bytes of `posts.json`, even a half-written one."""


def _salvage_sources(raw: bytes) -> list[str]:
    """The `source` of every post still legible in a damaged `posts.json`."""
    found: dict[str, None] = {}
    for match in _SOURCE.finditer(raw):
        with contextlib.suppress(ValueError):
            source = json.loads(match.group(1).decode("utf-8", "surrogateescape"))
            if isinstance(source, str) and source:
                found[source] = None
    return list(found)


def _strerror(error: OSError) -> str:
    return error.strerror or str(error)


def _describe(error: CorruptFileError) -> str:
    return f"{error.reason} (line {error.line})" if error.line else error.reason


class _Unreadable(Exception):
    """A body file exists but cannot be read now (an I/O error): never written over."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(f"{path}: {_strerror(error)}")
        self.path = path
        self.error = error


class PostStore:
    """The post library. Safe to read from several threads; one writer at a time."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / "posts.json"
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._posts: dict[str, PostSummary] = {}
        self._doc_ids: dict[str, int] = {}
        self._bad_doc_ids: set[str] = set()
        self._shards: dict[int, dict[str, str]] = {}
        self._missing: dict[int, str] = {}
        """Why the body files set aside (or unreadable) lack their posts' text, by shard."""
        self.recoveries: list[str] = []
        """What was found damaged and what was done, a message each, oldest first
        (body files are read on demand, so this can grow after opening)."""
        self.lost_sources: list[str] = []
        """Sources of posts whose metadata was lost to damage: re-import to get them back."""
        self.damaged = False
        """True when `posts.json` was unusable and moved aside (the library starts empty)."""
        self.is_new = False
        """True when no library was ever written here: the place to import the samples."""
        self._finish_interrupted_upsert()
        self._load()

    # -- loading -------------------------------------------------------------

    def _finish_interrupted_upsert(self) -> None:
        """Settle the body files an `upsert` killed midway left behind.

        An upsert keeps each body file's previous version as
        `.NN.json.previous-TOKEN` and writes TOKEN into `posts.json` last. If
        that `posts.json` is on disk, the new bodies are kept; otherwise the
        previous ones are put back, so a post never shows its new text under
        its old title. Files of a writer still running are left to it.
        """
        bodies = self.directory / "bodies"
        left = list(bodies.glob(".*.json.previous-*"))
        if not left:
            return
        try:
            committed = _commit_of(decode_json_object(self.path, self.path.read_bytes()))
        except (OSError, CorruptFileError):
            committed = None
        for previous in left:
            name, _, token = previous.name[1:].rpartition(".previous-")
            with contextlib.suppress(OSError):
                if token == committed:
                    previous.unlink()
                elif not _writer_alive(token):
                    _restore(previous, bodies / name)
        fsync_dir(bodies)

    def _load(self) -> None:
        """Read `posts.json`; set it aside when damaged. Raises OSError if it cannot be read."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self.is_new = not any(self._shard_path(n).exists() for n in range(SHARDS))
            if not self.is_new:
                self._lose_all(f"{self.path} is missing but the posts' texts are there", b"")
            return
        except IsADirectoryError as error:
            self._lose_all(f"{self.path} is not a file ({_strerror(error)})", b"")
            return
        try:
            data = decode_json_object(self.path, raw)
            table = data.get("posts", {})
            if not isinstance(table, dict):
                raise CorruptFileError(self.path, "no table of posts in it")
        except CorruptFileError as error:
            self._lose_all(f"{self.path} is damaged ({_describe(error)})", raw)
            return
        # Read the raw table rather than through TinyDB, which wraps every row
        # in a `Document` first: this runs before the first paint, and at 10k
        # posts the wrapping alone costs ~20 ms.
        sections: dict[SectionKey, Section] = {}
        bad: list[str] = []
        for doc_id, doc in table.items():
            try:
                summary = _summary_from_doc(doc, sections)
                number = int(doc_id)
            except (KeyError, TypeError, ValueError, AttributeError):
                self._bad_doc_ids.add(doc_id)
                source = doc.get("source") if isinstance(doc, dict) else None
                bad.append(f"#{doc_id}")
                if isinstance(source, str) and source:
                    self.lost_sources.append(source)
                continue
            self._posts[summary.slug] = summary
            self._doc_ids[summary.slug] = number
        if bad:
            kept = self._keep_copy(raw)
            shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
            self.recoveries.append(
                f"{len(bad)} of the posts in {self.path} were damaged ({shown}) and are left "
                f"out; {kept}."
            )

    def _keep_copy(self, raw: bytes) -> str:
        """Keep the bytes of a partly damaged `posts.json` beside it; say where."""
        aside = aside_path(self.path)
        try:
            atomic_write_bytes(aside, raw)
        except OSError as error:
            return f"a copy could not be kept ({_strerror(error)})"
        return f"a copy of the file as it was is at {aside}"

    def _lose_all(self, what: str, raw: bytes) -> None:
        """`posts.json` is unusable: move it aside, start empty, keep what sources we can read."""
        self.damaged = True
        self.lost_sources = _salvage_sources(raw)
        where = self._set_aside(self.path)
        self.recoveries.append(f"The list of posts {what}. {where}")

    def _set_aside(self, path: Path) -> str:
        """Move a damaged file out of the way (never write over it); say where it went."""
        if not (path.exists() or path.is_symlink()):
            return ""
        aside = aside_path(path)
        try:
            os.rename(path, aside)
        except OSError as error:
            return f"It could not be moved aside ({_strerror(error)}). "
        fsync_dir(path.parent)
        return f"It was moved to {aside}. "

    # -- bodies --------------------------------------------------------------

    def _shard_path(self, shard: int) -> Path:
        return self.directory / "bodies" / f"{shard:02d}.json"

    def _shard(self, shard: int) -> dict[str, str]:
        """A body file's bodies by slug ({} when set aside as damaged).

        Raises `_Unreadable` when the file cannot be read for now.
        """
        with self._lock:
            found = self._shards.get(shard)
            if found is None:
                found = self._shards[shard] = self._read_shard(shard)
            return found

    def _read_shard(self, shard: int) -> dict[str, str]:
        path = self._shard_path(shard)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return {}
        except IsADirectoryError as error:
            return self._lose_shard(shard, _strerror(error))
        except OSError as error:
            raise _Unreadable(path, error) from error
        try:
            table = decode_json_object(path, raw).get("bodies", {})
            if not isinstance(table, dict):
                raise CorruptFileError(path, "no table of bodies in it")
            bodies = {doc["slug"]: doc["body"] for doc in table.values()}
            if not all(type(k) is str and type(v) is str for k, v in bodies.items()):
                raise CorruptFileError(path, "a body or slug is not text")
        except CorruptFileError as error:
            return self._lose_shard(shard, _describe(error))
        except (KeyError, TypeError, AttributeError):
            return self._lose_shard(shard, "a document in it has no slug or body")
        return bodies

    def _lose_shard(self, shard: int, reason: str) -> dict[str, str]:
        """Set a damaged body file aside and say which posts it costs. Caller holds `_lock`."""
        path = self._shard_path(shard)
        where = self._set_aside(path)
        hit = [s for s in self._posts.values() if self.shard_of(s.slug) == shard]
        titles = ", ".join(repr(s.title) for s in hit[:3])
        more = f" and {len(hit) - 3} more" if len(hit) > 3 else ""
        self._missing[shard] = f"{path} is damaged ({reason}). {where}"
        self.recoveries.append(
            f"The text of {len(hit)} posts could not be read: {path} is damaged ({reason}). "
            f"{where}They still list, but show this message in place of their text "
            f"({titles}{more}); importing their files again restores them."
        )
        return {}

    def body(self, slug: str) -> str | None:
        """The Markdown body of a post, or None when it cannot be read (see `get`)."""
        try:
            return self._shard(self.shard_of(slug)).get(slug)
        except _Unreadable:
            return None

    def missing_body(self, post: PostSummary) -> str:
        """What a post shows in place of a body that cannot be read: why, and what to do."""
        shard = self.shard_of(post.slug)
        path = self._shard_path(shard)
        try:
            self._shard(shard)
            why = self._missing.get(shard, f"it is missing from {path}.")
        except _Unreadable as error:
            why = f"{path} cannot be read ({_strerror(error.error)})."
        if post.source.startswith("bundled:"):
            fix = "It is one of the bundled posts: run reader again to restore it."
        else:
            fix = f"Import its source again to restore it: `reader import {post.source}`."
        return f"*The text of this post could not be read:* {why}\n\n{fix}\n"

    @staticmethod
    def shard_of(slug: str) -> int:
        """The body file that holds `slug`."""
        return zlib.crc32(slug.encode("utf-8")) % SHARDS

    # -- reading -------------------------------------------------------------

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
        """One post with its body, or None for an unknown slug.

        A body that cannot be read (its file damaged, set aside or unreadable)
        is replaced by a message saying why and how to get it back.
        """
        summary = self._posts.get(slug)
        if summary is None:
            return None
        body = self.body(slug)
        return Post(
            slug=summary.slug,
            title=summary.title,
            tags=summary.tags,
            sections=summary.sections,
            words=summary.words,
            source=summary.source,
            body=self.missing_body(summary) if body is None else body,
        )

    # -- writing -------------------------------------------------------------

    def upsert(self, posts: Iterable[Post]) -> None:
        """Add or replace posts by slug, writing each file at most once.

        All or nothing: when a write fails (a full disk, a damaged file), every
        file already written is put back as it was and OSError is raised, so a
        failed import leaves neither posts nor texts behind. Replacing
        `posts.json` is the commit: once it is done the posts are in, and a
        process killed before it is undone when the library is next opened
        (`_finish_interrupted_upsert`).
        """
        posts = list(posts)
        if not posts:
            return
        by_shard: dict[int, list[Post]] = {}
        for post in posts:
            by_shard.setdefault(self.shard_of(post.slug), []).append(post)
        with self._write_lock:
            token = f"{os.getpid()}-{os.urandom(6).hex()}"
            shards: dict[int, dict[str, str]] = {}
            written: list[tuple[Path, Path | bytes | None]] = []
            try:
                # Bodies first: metadata never points at a body not yet written.
                for shard, shard_posts in by_shard.items():
                    try:
                        bodies = dict(self._shard(shard))
                    except _Unreadable as error:
                        raise error.error from None  # never write over what we cannot read
                    bodies.update({p.slug: p.body for p in shard_posts})
                    path = self._shard_path(shard)
                    data = encode_json(
                        {
                            "bodies": {
                                str(i): {"slug": k, "body": v}
                                for i, (k, v) in enumerate(bodies.items(), 1)
                            }
                        }
                    )
                    written.append((path, self._keep_previous(path, token)))
                    atomic_write_bytes(path, data)
                    shards[shard] = bodies
                document, new_ids = self._posts_document(posts, token)
                atomic_write_bytes(self.path, encode_json(document))
            except BaseException as error:
                if not self._committed(token):
                    self._put_back(written)
                    raise
                # posts.json was replaced before the error came: the posts are in.
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
                self._shards.update(shards)
                self._doc_ids = new_ids
                for post in posts:
                    self._posts[post.slug] = post.summary()
                # Keep import order: dicts keep first-insertion order already.
            if interrupted is not None:
                raise interrupted  # a KeyboardInterrupt still stops the program

    def _committed(self, token: str) -> bool:
        """True when `posts.json` on disk is the one the upsert marked with `token`."""
        try:
            return _commit_of(decode_json_object(self.path, self.path.read_bytes())) == token
        except (OSError, CorruptFileError):
            return False

    @staticmethod
    def _keep_previous(path: Path, token: str) -> Path | bytes | None:
        """Keep `path`'s current version to put back: a hard link (no space needed), else
        its bytes; None when there is no file. The link's name carries the upsert's
        `token`, so that the next open can tell whether that upsert was committed."""
        previous = path.with_name(f".{path.name}.previous-{token}")
        try:
            os.link(path, previous)
        except FileNotFoundError:
            return None
        except OSError:  # no hard links here (some network or FAT file systems)
            try:
                return path.read_bytes()
            except FileNotFoundError:
                return None
        return previous

    @staticmethod
    def _put_back(written: list[tuple[Path, Path | bytes | None]]) -> None:
        """Undo the body files written so far, newest first, as far as the disk lets us."""
        for path, previous in reversed(written):
            with contextlib.suppress(OSError):
                if isinstance(previous, Path):
                    _restore(previous, path)
                elif previous is None:
                    path.unlink(missing_ok=True)
                else:
                    atomic_write_bytes(path, previous)
        if written:
            fsync_dir(written[0][0].parent)

    def _posts_document(
        self, posts: list[Post], token: str
    ) -> tuple[dict[str, Any], dict[str, int]]:
        """What `posts.json` holds with the metadata of `posts`, marked with the upsert's
        `token`; and the new ids by slug.

        Reads the file again first, so posts another process imported since we
        opened it are kept. A file damaged since then is set aside and written
        again from what we hold.
        """
        current: dict[str, Any] = {}
        table: dict[str, Any] | None = None
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raw = None
        if raw is not None:
            try:
                current = decode_json_object(self.path, raw)
                found = current.get("posts", {})
                if not isinstance(found, dict):
                    raise CorruptFileError(self.path, "no table of posts in it")
                table = dict(found)
            except CorruptFileError as error:
                where = self._set_aside(self.path)
                self.recoveries.append(
                    f"The list of posts {self.path} was damaged ({_describe(error)}). {where}"
                    "It was written again from the posts reader had open."
                )
                current = {}
        if table is None:
            table = {str(i): _doc_from_summary(self._posts[s]) for s, i in self._doc_ids.items()}
        for key in self._bad_doc_ids:
            table.pop(key, None)
        ids = [int(k) for k in table if k.isdigit()]
        next_id = max([*ids, *self._doc_ids.values()], default=0) + 1
        new_ids = dict(self._doc_ids)
        for post in posts:
            doc_id = new_ids.get(post.slug)
            if doc_id is None:
                doc_id = new_ids[post.slug] = next_id
                next_id += 1
            table[str(doc_id)] = _doc_from_summary(post)
        current["posts"] = table
        current[_COMMIT] = {"1": {"token": token}}
        return current, new_ids


def _commit_of(document: dict[str, Any]) -> str | None:
    """The token of the upsert that wrote this `posts.json` document, if any."""
    table = document.get(_COMMIT)
    doc = table.get("1") if isinstance(table, dict) else None
    token = doc.get("token") if isinstance(doc, dict) else None
    return token if isinstance(token, str) else None


def _restore(previous: Path, path: Path) -> None:
    """Put `previous` (a hard link to an earlier version) back in place of `path`.

    When `path` was never replaced the two are links to one file, and a
    rename between them does nothing: the extra link is removed instead.
    """
    os.replace(previous, path)
    previous.unlink(missing_ok=True)


def _writer_alive(token: str) -> bool:
    """Whether the process that made an upsert's `token` ("PID-RANDOM") may still be writing.

    Assumed so for this process (another thread may be), where we cannot ask
    (Windows) and for a token we cannot read.
    """
    pid_text = token.partition("-")[0]
    if not pid_text.isdigit() or sys.platform == "win32" or int(pid_text) == os.getpid():
        return True
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but is not ours to signal
    return True
