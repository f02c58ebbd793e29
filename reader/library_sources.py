"""Imports that are remembered: `reader import`, `reader sync`, `reader sources`, `reader remove`.

`import_sources` imports the folders and files it is given, as
`Library.import_paths` does, and remembers them and what each file was
(`reader.sources`); the first import into a library holding only the
untouched sample posts replaces them, in the same commit. `sync` imports
again what changed under the remembered sources: a file whose size and
modification time are those it had is not read at all, one that was only
touched is read and hashed but not parsed, new files are added and the posts
of files that are gone are removed (their bookmarks are kept, shown as
missing). A source that is missing along with the folder that held it (an
unmounted disk, most likely) is reported and its posts kept.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reader.importer import find_files
from reader.library import BUNDLED_PREFIX, Library, ProgressCallback
from reader.models import ImportProblem, PostSummary
from reader.sources import FILE, FOLDER, Fingerprint, Source, fingerprint, is_under

__all__ = [
    "SourceCount",
    "SyncReport",
    "import_sources",
    "only_untouched_samples",
    "posts_of_source",
    "remove_samples",
    "remove_source",
    "sample_slugs",
    "source_counts",
    "sync",
]


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What an import or a sync did, by slug."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    problems: tuple[ImportProblem, ...] = ()
    samples_removed: tuple[str, ...] = ()
    """The sample posts a first import replaced (also counted in `removed`)."""
    forgotten: tuple[str, ...] = ()
    """Sources that were deleted, with the folder that held them still there: forgotten."""


@dataclass(frozen=True, slots=True)
class SourceCount:
    """A remembered source, with how many posts came from it."""

    source: Source
    posts: int
    exists: bool


def _file_of(source: str) -> tuple[str, str | None]:
    """A post's `source` as (the file, the other reading): a digest's posts are `PATH#key`."""
    if "#" in source:
        return source, source.rsplit("#", 1)[0]
    return source, None


class _PostsByFile:
    """The library's posts (but the samples) by the file they came from."""

    def __init__(self, posts: Iterable[PostSummary]) -> None:
        self.by_source: dict[str, list[PostSummary]] = {}
        self.by_digest: dict[str, list[PostSummary]] = {}
        for post in posts:
            if post.source.startswith(BUNDLED_PREFIX):
                continue
            whole, digest = _file_of(post.source)
            self.by_source.setdefault(whole, []).append(post)
            if digest is not None:
                self.by_digest.setdefault(digest, []).append(post)

    def of(self, file: str) -> list[PostSummary]:
        """The posts that came from `file` (one, or a digest's several)."""
        return [*self.by_source.get(file, ()), *self.by_digest.get(file, ())]

    def under(self, source: str) -> list[PostSummary]:
        """The posts whose file is `source` or inside it."""
        found: dict[str, PostSummary] = {}
        for table in (self.by_source, self.by_digest):
            for file, posts in table.items():
                if is_under(file, source):
                    found.update((p.slug, p) for p in posts)
        return list(found.values())


def _exists(path: str) -> bool:
    return os.path.lexists(path)


def posts_of_source(library: Library, path: str) -> list[PostSummary]:
    """The posts that came from the file or folder at `path` (absolute), in library order."""
    slugs = {p.slug for p in _PostsByFile(library.posts.summaries()).under(path)}
    return [p for p in library.posts.summaries() if p.slug in slugs]


def source_counts(library: Library) -> list[SourceCount]:
    """Every remembered source with its number of posts, in the order first imported."""
    posts = _PostsByFile(library.posts.summaries())
    return [
        SourceCount(s, len(posts.under(s.path)), _exists(s.path)) for s in library.sources.sources()
    ]


def _walk(
    paths: Iterable[Path], progress: ProgressCallback | None
) -> tuple[dict[str, Path], list[ImportProblem]]:
    """Every file under `paths` by its identity (the resolved path posts keep as their
    source), and what could not be looked at."""
    files: dict[str, Path] = {}
    problems: list[ImportProblem] = []
    folders: dict[str, str] = {}
    for item in find_files(paths):
        if isinstance(item, ImportProblem):
            problems.append(item)
            continue
        files.setdefault(_identity(item, folders), item)
        if progress is not None:
            progress(len(files), str(item))
    return files, problems


def _identity(path: Path, folders: dict[str, str]) -> str:
    """`str(path.resolve())`, the source the importer gives its post, resolving each
    folder once (`folders` keeps them): resolving every file costs a `stat` per part of
    its path, most of an unchanged sync's time at 10,000 files."""
    if os.path.islink(path):
        return str(path.resolve())
    parent = str(path.parent)
    real = folders.get(parent)
    if real is None:
        real = folders[parent] = os.path.realpath(parent)
    return os.path.join(real, path.name)


def _prints(files: dict[str, Path]) -> dict[str, Fingerprint]:
    """The fingerprints of `files` now; a file that cannot be read is left to the importer."""
    found: dict[str, Fingerprint] = {}
    for key, path in files.items():
        try:
            found[key] = fingerprint(path)
        except OSError:
            continue
    return found


def _imported(
    prints: dict[str, Fingerprint], files: dict[str, Path], problems: Iterable[ImportProblem]
) -> dict[str, Fingerprint]:
    """The fingerprints of the files that were imported (not those that failed)."""
    failed = {p.path for p in problems}
    return {k: f for k, f in prints.items() if str(files[k]) not in failed and k not in failed}


def import_sources(
    library: Library, paths: Iterable[Path], progress: ProgressCallback | None = None
) -> SyncReport:
    """Import files and folders and remember them (see the module docstring).

    Raises `LibraryError` when nothing could be imported.
    """
    paths = list(paths)
    files, problems = _walk(paths, None)
    prints = _prints(files)
    samples = sample_slugs(library) if only_untouched_samples(library) else []
    report = library.import_paths(list(files.values()), progress, drop=samples)
    replaced = tuple(samples) if report.added or report.updated else ()
    sources = []
    for path in paths:
        if path.is_dir():
            sources.append(Source(str(path.resolve()), FOLDER))
        elif path.is_file():
            sources.append(Source(str(path.resolve()), FILE))
    library.sources.try_remember(
        library.add_problem,
        sources=sources,
        files=_imported(prints, files, report.problems),
        samples_removed=True if replaced else None,
    )
    return SyncReport(
        added=report.added,
        updated=report.updated,
        removed=replaced,
        unchanged=report.unchanged,
        problems=(*problems, *report.problems),
        samples_removed=replaced,
    )


def sync(library: Library, progress: ProgressCallback | None = None) -> SyncReport:
    """Import again what changed under the remembered sources (see the module docstring).

    Raises `LibraryError` when nothing could be written.
    """
    store = library.sources
    posts = _PostsByFile(library.posts.summaries())
    roots: list[str] = []
    forget: list[str] = []
    problems: list[ImportProblem] = []
    for source in store.sources():
        if _exists(source.path):
            roots.append(source.path)
        elif os.path.isdir(os.path.dirname(source.path)):
            roots.append(source.path)  # deleted: its posts go, and it is forgotten
            forget.append(source.path)
        else:
            problems.append(
                ImportProblem(
                    source.path,
                    "missing, and so is the folder that held it (a disk not mounted?): its "
                    "posts are kept; `reader remove --source` removes them",
                )
            )
    files, walk_problems = _walk([Path(r) for r in roots if r not in forget], progress)
    problems.extend(walk_problems)
    unchanged: list[str] = []
    to_read: dict[str, Path] = {}
    prints: dict[str, Fingerprint] = {}
    for key, path in files.items():
        known = store.fingerprint(key)
        has_posts = posts.of(key)
        if known is not None and has_posts:
            try:
                info = os.stat(path)
            except OSError:
                info = None
            if info is not None and (info.st_size, info.st_mtime_ns) == (
                known.size,
                known.mtime_ns,
            ):
                unchanged.extend(p.slug for p in has_posts)
                continue
        try:
            now = fingerprint(path)
        except OSError:
            to_read[key] = path  # the importer says why it cannot be read
            continue
        if known is not None and has_posts and now.digest == known.digest:
            unchanged.extend(p.slug for p in has_posts)  # touched, not changed
            prints[key] = now
            continue
        to_read[key] = path
        prints[key] = now
    report = library.import_paths(list(to_read.values()), progress)
    # A digest read again may have lost some of its posts (a file that could not be
    # read now keeps the posts it had).
    kept = {*report.added, *report.updated, *report.unchanged}
    failed = {p.path for p in report.problems}
    gone = [
        p.slug
        for key, path in to_read.items()
        if str(path) not in failed and key not in failed
        for p in posts.of(key)
        if p.slug not in kept
    ]
    # The posts of files no longer there (never of a file that is, but was not walked).
    for root in roots:
        for post in posts.under(root):
            whole, digest = _file_of(post.source)
            if whole in files or digest in files:
                continue
            if not _exists(whole) and (digest is None or not _exists(digest)):
                gone.append(post.slug)
    removed = library.remove(dict.fromkeys(gone))
    gone_files = [k for k in list(posts.by_source) + list(posts.by_digest) if k not in files]
    store.try_remember(
        library.add_problem,
        files=_imported(prints, files, report.problems),
        forget=forget,
        forget_files=[f for f in gone_files if store.fingerprint(f) and not _exists(f)],
    )
    return SyncReport(
        added=report.added,
        updated=report.updated,
        removed=tuple(removed),
        unchanged=tuple(dict.fromkeys([*unchanged, *report.unchanged])),
        problems=(*problems, *report.problems),
        forgotten=tuple(forget),
    )


def remove_source(library: Library, path: str) -> list[str]:
    """Remove every post from the file or folder at `path` (absolute) and forget it.

    The slugs removed. Raises `LibraryError` when nothing could be removed.
    """
    posts = posts_of_source(library, path)
    removed = library.remove(p.slug for p in posts)
    files = {_file_of(p.source)[1] or p.source for p in posts}
    library.sources.try_remember(library.add_problem, forget=[path], forget_files=files)
    return removed


def sample_slugs(library: Library) -> list[str]:
    """The slugs of the bundled sample posts in the library."""
    return [p.slug for p in library.posts.summaries() if p.source.startswith(BUNDLED_PREFIX)]


def only_untouched_samples(library: Library) -> bool:
    """True when the library holds the sample posts and nothing else, and none of
    them is bookmarked: then a first import replaces them."""
    summaries = library.posts.summaries()
    if not summaries or not all(p.source.startswith(BUNDLED_PREFIX) for p in summaries):
        return False
    if library.state.unreadable is not None:
        return False  # cannot tell whether the user bookmarked them: keep them
    slugs = {p.slug for p in summaries}
    return not any(b.slug in slugs for b in library.state.bookmarks())


def remove_samples(library: Library) -> list[str]:
    """Remove the sample posts, and remember not to put them back. The slugs removed."""
    removed = library.remove(sample_slugs(library))
    library.sources.try_remember(library.add_problem, samples_removed=True)
    return removed
