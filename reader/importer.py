"""Find and read the documents to import: Markdown files, folders, digests.

This module only reads and parses; `reader.library` decides slugs and writes
to the store. A file that cannot be read or parsed becomes an
`ImportProblem` naming the file (and the line, when known); the others go on.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import multiprocessing
import os
import stat
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from reader.digest import is_digest, parse_digest, render_markdown
from reader.metadata import name_hints
from reader.models import ImportProblem
from reader.parsing import ParsedPost, ParseError, parse_markdown
from reader.text import SlugClaims, slugify

if TYPE_CHECKING:
    from reader.search.forward import PostTerms

__all__ = ["MARKDOWN_SUFFIXES", "POOL_MIN_FILES", "Candidate", "find_files", "read_documents"]

MARKDOWN_SUFFIXES = (".md", ".markdown")
DIGEST_SUFFIX = ".txt"
"""A `.txt` file is imported only when it is a digest (`reader.digest.is_digest`)."""
POOL_MIN_FILES = 200
"""Files from which `read_documents` parses in a pool of processes: below it, starting
the processes (each imports markdown-it and PyYAML) costs more than it saves."""
CHUNK_FILES = 16
"""Files a pool process reads and parses per task."""
IN_FLIGHT = 4
"""Tasks queued per pool process: enough to keep it busy, few enough that parsed
posts never pile up in memory while the importer stores them."""
NOT_A_DIGEST = (
    "not a digest: a .txt file is imported only as a digest "
    "(a 'Tag: NAME' first line, then '  • Title' posts)"
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A parsed document ready to become a post."""

    source: str
    """Stable identity of the document: re-importing it updates the same post."""
    parsed: ParsedPost
    terms: PostTerms | None = field(default=None, compare=False)
    """Its search terms (`reader.search.forward.post_terms`), when found in a parse
    process: the search index need not find them again."""


def find_files(paths: Iterable[Path]) -> Iterator[Path | ImportProblem]:
    """Expand folders (recursively: Markdown files and digests) and check that paths exist.

    In a folder, a `.txt` file that is not a digest is left out without a
    word (notes, licences); given by name, it is read, and refused then.

    Whatever cannot be looked at (a folder that cannot be entered, a broken
    link, a symlink loop) becomes an `ImportProblem` naming it.
    """
    for path in paths:
        try:
            info = path.stat()
        except OSError as error:
            yield ImportProblem(str(path), _not_found(path, error))
            continue
        if stat.S_ISDIR(info.st_mode):
            found, problems = _walk(path)
            if not found and not problems:
                yield ImportProblem(str(path), "no .md or .markdown files in this folder")
            yield from found
            yield from problems
        elif stat.S_ISREG(info.st_mode):
            yield path
        else:
            yield ImportProblem(str(path), "not a regular file")


def _not_found(path: Path, error: OSError) -> str:
    """Why `path` cannot be looked at, in the user's words."""
    if error.errno == errno.ELOOP:
        return "symlink loop: the link leads back to itself"
    if error.errno == errno.ENOENT:
        return "broken symlink" if path.is_symlink() else "no such file or folder"
    return error.strerror or str(error)


def _walk(folder: Path) -> tuple[list[Path], list[ImportProblem]]:
    """The Markdown files under `folder` (sorted) and what could not be looked at.

    `os.walk` rather than `Path.rglob`, which skips folders it cannot read
    without a word. Links to folders are followed, but never into a folder
    already being walked: that is a loop, and is reported.
    """
    found: list[Path] = []
    problems: list[ImportProblem] = []

    def unreadable(error: OSError) -> None:
        where = error.filename or folder
        problems.append(ImportProblem(str(where), f"cannot read this folder: {error.strerror}"))

    # Every folder walked or about to be, by (device, inode): none is walked twice.
    visited: set[tuple[int, int]] = set()
    with contextlib.suppress(OSError):
        info = folder.stat()
        visited.add((info.st_dev, info.st_ino))
    for top, dirs, files in os.walk(folder, onerror=unreadable, followlinks=True):
        here = Path(top)
        keep = []
        for name in sorted(dirs):
            sub = here / name
            try:
                info = sub.stat()
            except OSError as error:
                problems.append(ImportProblem(str(sub), _not_found(sub, error)))
                continue
            if (info.st_dev, info.st_ino) in visited:
                if sub.is_symlink() and _is_ancestor(sub, here):
                    back = os.path.realpath(sub)
                    problems.append(ImportProblem(str(sub), f"symlink loop: leads back to {back}"))
                continue  # already walked (another link to the same folder)
            visited.add((info.st_dev, info.st_ino))
            keep.append(name)
        dirs[:] = keep
        for name in files:
            lowered = name.lower()
            if not lowered.endswith(MARKDOWN_SUFFIXES) and not lowered.endswith(DIGEST_SUFFIX):
                continue
            file = here / name
            try:
                info = file.stat()
            except OSError as error:
                problems.append(ImportProblem(str(file), _not_found(file, error)))
                continue
            if stat.S_ISREG(info.st_mode) and (
                not lowered.endswith(DIGEST_SUFFIX) or _holds_digest(file)
            ):
                found.append(file)
    found.sort()
    return found, problems


def _holds_digest(file: Path) -> bool:
    """True when `file` reads as a digest; one that cannot be read is kept, to be reported."""
    try:
        return is_digest(_decode(file, file.read_bytes()))
    except ParseError:
        return False  # not text: not a digest either
    except OSError:
        return True


def _is_ancestor(link: Path, here: Path) -> bool:
    """True when the folder `link` points to holds `here` (following it would loop)."""
    target = os.path.realpath(link)
    current = os.path.realpath(here)
    return current == target or current.startswith(target.rstrip(os.sep) + os.sep)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
"""Byte-order marks of the encodings we decode besides UTF-8 (UTF-32 first: its
little-endian mark starts with UTF-16's)."""


def _decode(path: Path, raw: bytes) -> str:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)  # reads the mark, and drops it
            except UnicodeDecodeError as error:
                raise ParseError(f"not valid {encoding.upper()} ({error.reason})") from None
    if b"\x00" in raw[:8192]:
        raise ParseError("binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ParseError(f"not UTF-8 (byte 0x{raw[error.start]:02x})", line) from None


def display_name(name: str) -> str:
    """`name` (a file name, maybe not UTF-8) as text that can be shown and stored.

    Names that are not valid UTF-8 come from the OS with lone surrogates
    (surrogateescape); those become U+FFFD here. The post's `source` keeps the
    exact name, so re-importing the file still finds its post.
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "replace")
    return name


def read_document(path: Path, source: str | None = None) -> list[Candidate]:
    """Read one file: a digest gives several candidates, Markdown gives one.

    `source` overrides the identity (the bundled posts use `bundled:NAME`).
    What the file's name says (a Jekyll date, a Hugo language, a page
    bundle's folder) fills in what its front matter leaves out.
    Raises `ParseError` or `OSError`.
    """
    identity = source or str(path.resolve())
    text = _decode(path, path.read_bytes())
    if is_digest(text):
        candidates = []
        seen = SlugClaims()
        for post in parse_digest(text):
            # Identity by title, not position, so editing the digest keeps slugs.
            key = seen.claim(slugify(post.title))
            body = render_markdown(post)
            parsed = parse_markdown(body, default_title=post.title)
            parsed = ParsedPost(
                title=post.title,
                body=parsed.body,
                tags=(post.tag,),
                sections=parsed.sections,
                words=parsed.words,
            )
            candidates.append(Candidate(f"{identity}#{key}", parsed))
        return candidates
    if path.suffix.lower() == DIGEST_SUFFIX:
        raise ParseError(NOT_A_DIGEST)
    hints = name_hints(path)
    parsed = parse_markdown(
        text, display_name(hints.title), file_date=hints.date, file_lang=hints.lang
    )
    return [Candidate(identity, parsed)]


def read_documents(
    paths: Iterable[Path], source_prefix: str | None = None, workers: int = 1
) -> Iterator[Candidate | ImportProblem]:
    """Read every document under `paths`, yielding candidates and problems in order.

    With `workers` above 1 and at least `POOL_MIN_FILES` files, the files are read
    and parsed in that many processes (markdown-it is most of an import's time),
    a few chunks ahead of what the caller has taken: in order, and never the
    whole import in memory. Only where forking is safe (`_can_fork`).
    """
    found = list(find_files(paths))
    files = sum(1 for item in found if not isinstance(item, ImportProblem))
    if workers < 2 or files < POOL_MIN_FILES or not _can_fork():
        for item in found:
            yield from _read_one(item, source_prefix)
        return
    context = multiprocessing.get_context("fork")
    items = iter(found)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: deque[Future[list[Candidate | ImportProblem]]] = deque()
        try:
            while True:
                while len(pending) < workers * IN_FLIGHT:
                    chunk = list(islice(items, CHUNK_FILES))
                    if not chunk:
                        break
                    pending.append(pool.submit(_read_chunk, chunk, source_prefix))
                if not pending:
                    return
                yield from pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _can_fork() -> bool:
    """True when a pool of processes can be forked safely: on Linux, from a process
    running one thread (the CLI). Forking copies no other thread, and a lock another
    thread holds would stay locked in the copy; `spawn` (the other way) imports the
    caller's `__main__` again in each process, which a script without a main guard
    does not survive. Elsewhere, and from the TUI's threads, one process parses."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def _read_chunk(
    items: list[Path | ImportProblem], source_prefix: str | None
) -> list[Candidate | ImportProblem]:
    """`_read_one` of each of `items`, with their search terms, in a pool process."""
    from reader.search.forward import post_terms

    return [
        replace(read, terms=post_terms(read.parsed)) if isinstance(read, Candidate) else read
        for item in items
        for read in _read_one(item, source_prefix)
    ]


def _read_one(
    item: Path | ImportProblem, source_prefix: str | None
) -> list[Candidate | ImportProblem]:
    """The candidates of one file found, or the problem that names it."""
    if isinstance(item, ImportProblem):
        return [item]
    source = f"{source_prefix}{item.name}" if source_prefix else None
    try:
        return list(read_document(item, source))
    except ParseError as error:
        return [ImportProblem(str(item), error.reason, error.line)]
    except OSError as error:
        return [ImportProblem(str(item), error.strerror or str(error))]
