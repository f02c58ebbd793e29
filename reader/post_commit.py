"""How an upsert writes several library files all or nothing, even when killed.

An upsert keeps each body file's previous version as a hard link
`.NN.json.previous-TOKEN` before replacing it, and writes TOKEN into
`posts.json` (its `commit` table) last: replacing `posts.json` is the commit.
A failed upsert puts the previous versions back itself; one killed midway
is settled by `finish_interrupted` the next time the library is opened, which
keeps the new bodies if `posts.json` carries the token and puts the previous
ones back otherwise, so a post never shows its new text under its old title.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reader.models import PostSummary
from reader.post_bodies import describe, set_aside
from reader.post_docs import doc_from_summary
from reader.storage import CorruptFileError, decode_json_object, fsync_dir

__all__ = [
    "COMMIT",
    "commit_of",
    "committed",
    "finish_interrupted",
    "keep_previous",
    "new_token",
    "posts_document",
    "put_back",
    "restore",
]

COMMIT = "commit"
"""The table of `posts.json` naming the upsert that wrote it."""


def new_token() -> str:
    """A token naming one upsert: "PID-RANDOM", so a later open can tell if its writer lives."""
    return f"{os.getpid()}-{os.urandom(6).hex()}"


def commit_of(document: dict[str, Any]) -> str | None:
    """The token of the upsert that wrote this `posts.json` document, if any."""
    table = document.get(COMMIT)
    doc = table.get("1") if isinstance(table, dict) else None
    token = doc.get("token") if isinstance(doc, dict) else None
    return token if isinstance(token, str) else None


def committed(path: Path, token: str) -> bool:
    """True when `posts.json` (`path`) on disk is the one the upsert marked with `token`."""
    try:
        return commit_of(decode_json_object(path, path.read_bytes())) == token
    except (OSError, CorruptFileError):
        return False


def finish_interrupted(bodies: Path, path: Path) -> None:
    """Settle the body files in `bodies` an upsert killed midway left behind.

    If the `posts.json` (`path`) it was writing is on disk, the new bodies
    are kept; otherwise the previous ones are put back. Files of a writer
    still running are left to it.
    """
    left = list(bodies.glob(".*.json.previous-*"))
    if not left:
        return
    try:
        done = commit_of(decode_json_object(path, path.read_bytes()))
    except (OSError, CorruptFileError):
        done = None
    for previous in left:
        name, _, token = previous.name[1:].rpartition(".previous-")
        with contextlib.suppress(OSError):
            if token == done:
                previous.unlink()
            elif not _writer_alive(token):
                restore(previous, bodies / name)
    fsync_dir(bodies)


def keep_previous(path: Path, token: str) -> Path | bytes | None:
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


def restore(previous: Path, path: Path) -> None:
    """Put `previous` (a hard link to an earlier version) back in place of `path`.

    When `path` was never replaced the two are links to one file, and a
    rename between them does nothing: the extra link is removed instead.
    """
    os.replace(previous, path)
    previous.unlink(missing_ok=True)


def put_back(
    written: list[tuple[Path, Path | bytes | None]], write: Callable[[Path, bytes], None]
) -> None:
    """Undo the files a failed upsert wrote so far, newest first, as far as the disk lets us.

    Each is put back from what `keep_previous` kept: a link, bytes (written with `write`,
    the store's writer) or nothing (the file is removed).
    """
    for path, previous in reversed(written):
        with contextlib.suppress(OSError):
            if isinstance(previous, Path):
                restore(previous, path)
            elif previous is None:
                path.unlink(missing_ok=True)
            else:
                write(path, previous)
    if written:
        fsync_dir(written[0][0].parent)


def posts_document(
    path: Path,
    held: dict[str, PostSummary],
    doc_ids: dict[str, int],
    bad_doc_ids: set[str],
    change: tuple[list[PostSummary], set[str]],
    token: str,
    recoveries: list[str],
) -> tuple[dict[str, Any], dict[str, int]]:
    """What `posts.json` (`path`) holds with the metadata of the posts `change` writes and
    without the posts it removes, marked with the commit's `token`; and the new ids by slug.

    `held` are the posts the store has open, `doc_ids` their ids and `bad_doc_ids` the
    damaged documents it found. Reads the file again first, so posts another process
    imported since we opened it are kept. A file damaged since then is set aside (said
    in `recoveries`) and written again from what the store holds.
    """
    posts, gone = change
    current: dict[str, Any] = {}
    table: dict[str, Any] | None = None
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raw = None
    if raw is not None:
        try:
            current = decode_json_object(path, raw)
            found = current.get("posts", {})
            if not isinstance(found, dict):
                raise CorruptFileError(path, "no table of posts in it")
            table = dict(found)
        except CorruptFileError as error:
            where = set_aside(path)
            recoveries.append(
                f"The list of posts {path} was damaged ({describe(error)}). {where}"
                "It was written again from the posts reader had open."
            )
            current = {}
    if table is None:
        table = {str(i): doc_from_summary(held[s]) for s, i in doc_ids.items()}
    for key in bad_doc_ids:
        table.pop(key, None)
    ids = [int(k) for k in table if k.isdigit()]
    next_id = max([*ids, *doc_ids.values()], default=0) + 1
    new_ids = dict(doc_ids)
    if gone:
        for key in [k for k, doc in table.items() if _slug_of(doc) in gone]:
            del table[key]
        for slug in gone:
            new_ids.pop(slug, None)
    for post in posts:
        doc_id = new_ids.get(post.slug)
        if doc_id is None:
            doc_id = new_ids[post.slug] = next_id
            next_id += 1
        table[str(doc_id)] = doc_from_summary(post)
    current["posts"] = table
    current[COMMIT] = {"1": {"token": token}}
    return current, new_ids


def _slug_of(doc: object) -> object:
    """The slug a stored document names, or None for one that names none."""
    return doc.get("slug") if isinstance(doc, dict) else None


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
