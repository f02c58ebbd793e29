"""Importing into the library: files to posts, the sample posts, and rebuilding what was lost.

`Library` owns one `Importer` and delegates to it. `import_paths` reads
files, folders and digests (`reader.importer`), gives each new source a
slug of its own and keeps the slug of a source seen before, and stores what
changed in one commit (`PostStore.commit`); `remove` takes posts out the
same way. The same importer puts back what damage took: the posts a damaged
`posts.json` lost, from the sources that still exist, and a body whose file
was damaged, from its post's source.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Collection, Iterable
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from reader.library_error import LibraryError
from reader.library_index import LibraryIndex
from reader.models import ImportProblem, ImportReport, Post, PostSummary
from reader.paths import bundled_content_dir
from reader.sources import SourceStore
from reader.store import PostStore
from reader.text import SlugClaims, plural, slugify

if TYPE_CHECKING:
    from reader.importer import Candidate
    from reader.search.forward import PostTerms

# The importer (markdown-it, PyYAML) is imported where it is used: `reader`
# with no command must paint its first screen fast, and needs none of it.

__all__ = [
    "BUNDLED_PREFIX",
    "INDEXING",
    "Importer",
    "ProgressCallback",
    "post_for",
    "source_file",
]

BUNDLED_PREFIX = "bundled:"
ProgressCallback = Callable[[int, str], None]
"""Called with the number of documents read so far and the current file; last,
with the number of posts to store and `INDEXING`."""
IMPORT_WORKERS = min(
    2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
)
"""Processes that parse a big import (`reader.importer.read_documents`)."""
INDEX_BATCH = 500
"""Posts an import gives the search index at a time."""
INDEXING = "(saving and indexing)"
"""What `ProgressCallback` gets as the file once reading is done."""


class Importer:
    """Imports into, and removes from, one library's posts and search index (see the
    module docstring)."""

    def __init__(
        self,
        posts: PostStore,
        index: LibraryIndex,
        sources: SourceStore,
        problems: list[str],
        changed: Callable[[], None],
    ) -> None:
        self.posts = posts
        self.index = index
        self.sources = sources
        self._problems = problems
        """The library's list of repairs, to which ours are added."""
        self._changed = changed
        """Called once an import or a removal is stored (or had nothing to store): the
        library forgets the tags it counted."""
        self._restore_tried: set[str] = set()

    # -- the sample posts ----------------------------------------------------

    def should_seed(self) -> bool:
        """True when the TUI should show the sample posts (see `Library.should_seed`)."""
        return len(self.posts) == 0 and not self.posts.damaged and not self.sources.samples_removed

    def import_bundled(self) -> ImportReport:
        """Import the posts shipped with the package."""
        return self.import_paths([bundled_content_dir()], source_prefix=BUNDLED_PREFIX)

    # -- importing -------------------------------------------------------------

    def import_paths(
        self,
        paths: Iterable[Path],
        progress: ProgressCallback | None = None,
        source_prefix: str | None = None,
        drop: Collection[str] = (),
    ) -> ImportReport:
        """Import files, folders and digests (see `Library.import_paths`)."""
        return self.import_groups([(paths, source_prefix)], progress, drop)

    def import_groups(
        self,
        groups: Iterable[tuple[Iterable[Path], str | None]],
        progress: ProgressCallback | None = None,
        drop: Collection[str] = (),
    ) -> ImportReport:
        """Import several groups of paths, each with its own source prefix, in one commit."""
        kept = [p for p in self.posts.summaries() if p.slug not in drop]
        by_source = {p.source: p for p in kept}
        taken = SlugClaims(p.slug for p in kept)
        added: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        problems: list[ImportProblem] = []
        from reader.importer import read_documents
        from reader.post_spill import PostSpill

        # The posts to write go to a spill file as they are read (their bodies on disk,
        # not in memory) and to the search index a batch at a time; one commit then
        # stores them all, one body file at a time.
        with PostSpill(self.posts.directory) as spill:
            batch: list[Post] = []
            texts: list[PostTerms | None] = []
            documents = chain.from_iterable(
                read_documents(paths, prefix, workers=IMPORT_WORKERS) for paths, prefix in groups
            )
            try:
                for count, item in enumerate(documents, start=1):
                    if isinstance(item, ImportProblem):
                        problems.append(item)
                        if progress:
                            progress(count, item.path)
                        continue
                    post, existing = post_for(item, by_source, taken)
                    if progress:
                        progress(count, item.source)
                    if existing is None:
                        added.append(post.slug)
                    elif self.posts.get(post.slug) == post:
                        unchanged.append(post.slug)
                        continue
                    else:
                        updated.append(post.slug)
                    # Its summary, not the post: the body stays in the spill file only.
                    by_source[post.source] = spill.add(post)
                    batch.append(post)
                    texts.append(item.terms)
                    if len(batch) >= INDEX_BATCH:
                        self.index.insert(batch, texts)
                        batch, texts = [], []
                if batch:
                    self.index.insert(batch, texts)
                del batch, texts
                if progress and len(spill):
                    progress(len(spill), INDEXING)
                self.posts.commit(spill, drop if len(spill) else ())
            except BaseException as error:
                if len(spill):
                    self.index.forget()  # it holds posts that were not stored
                if isinstance(error, OSError):
                    raise LibraryError.wrap(
                        error,
                        "nothing was imported, the library is as it was",
                        self.posts.directory,
                    ) from error
                raise
            written = len(spill)
        self._changed()
        if written:
            self.index.add([])
        return ImportReport(tuple(added), tuple(updated), tuple(unchanged), tuple(problems))

    def remove(self, slugs: Iterable[str]) -> list[str]:
        """Remove posts; the slugs removed, in library order (see `Library.remove`)."""
        wanted = set(slugs)
        gone = [p.slug for p in self.posts.summaries() if p.slug in wanted]
        if not gone:
            return []
        try:
            self.posts.delete(gone)
        except OSError as error:
            raise LibraryError.wrap(
                error, "nothing was removed, the library is as it was", self.posts.directory
            ) from error
        self._changed()
        self.index.remove(gone)
        return gone

    # -- putting back what damage took -----------------------------------------

    def rebuild(self, bundled: bool) -> None:
        """Re-import what a damaged `posts.json` lost, from the sources that still exist."""
        lost = self.posts.lost_sources
        # The samples come back if they were in the list, or if nothing of it could
        # be read (then we cannot tell), unless the user removed them.
        bundled = (
            bundled or not lost or any(source.startswith(BUNDLED_PREFIX) for source in lost)
        ) and not self.sources.samples_removed
        paths: dict[Path, None] = {}
        gone: list[str] = []
        for source in lost:
            if source.startswith(BUNDLED_PREFIX):
                continue
            path = source_file(source)
            if path is None:
                gone.append(source)
            else:
                paths[path] = None
        try:
            if self.posts.damaged and bundled:
                self.import_bundled()
            report = self.import_paths(paths)
        except OSError as error:
            self._problems.append(
                f"The library could not be rebuilt ({error.strerror or error}): "
                "re-import your files with `reader import PATH`."
            )
            return
        found = len(report.added) + len(report.updated) + len(report.unchanged)
        told: list[str] = []
        if self.posts.damaged and bundled:
            told.append("the bundled posts were imported again.")
        if paths:
            told.append(
                f"{found} of your posts {'was' if found == 1 else 'were'} imported again"
                " from their files."
            )
        if gone:
            shown = ", ".join(gone[:3]) + (f" and {len(gone) - 3} more" if len(gone) > 3 else "")
            exist = "no longer exists" if len(gone) == 1 else "no longer exist"
            told.append(f"{plural(len(gone), 'file')} {exist} ({shown}).")
        if self.posts.damaged:
            # Whatever was past the damage is unknown: say so rather than guess.
            told.append(
                "Any other post you imported is not listed any more: "
                "re-import it with `reader import PATH`."
            )
        told = told or ["nothing to re-import."]
        told[0] = told[0][0].upper() + told[0][1:]
        self._problems.append("Rebuilding the library: " + " ".join(told))

    def restore_body(self, slug: str) -> None:
        """Re-import the source of `slug`, whose body cannot be read (once: it may fail again)."""
        summary = self.posts.summary(slug)
        if summary is None or slug in self._restore_tried:
            return
        self._restore_tried.add(slug)
        if summary.source.startswith(BUNDLED_PREFIX):
            # The bundled posts are few: all of them at once.
            with contextlib.suppress(OSError):
                self.import_bundled()
            return
        path = source_file(summary.source)
        if path is not None:
            with contextlib.suppress(OSError):
                self.import_paths([path])

    def forget_restores(self) -> None:
        """Let `restore_body` try again: the posts were read again from disk."""
        self._restore_tried.clear()


def post_for(
    item: Candidate, by_source: dict[str, PostSummary], taken: SlugClaims
) -> tuple[Post, PostSummary | None]:
    """The post `item` becomes, and the post of its source already in the library, if any.

    A source seen before keeps its slug; a new one claims a slug of its own in `taken`.
    """
    existing = by_source.get(item.source)
    parsed = item.parsed
    if existing is not None:
        slug = existing.slug
    else:
        slug = taken.claim(parsed.slug or slugify(parsed.title))
    post = Post(
        slug=slug,
        title=parsed.title,
        tags=parsed.tags,
        sections=parsed.sections,
        words=parsed.words,
        source=item.source,
        body=parsed.body,
        date=parsed.date,
        updated=parsed.updated,
        authors=parsed.authors,
        summary=parsed.summary,
        draft=parsed.draft,
        lang=parsed.lang,
        url=parsed.url,
        aliases=parsed.aliases,
    )
    return post, existing


def source_file(source: str) -> Path | None:
    """The file a post's `source` names (`PATH`, or `PATH#key` in a digest), if it still exists."""
    path = Path(source)
    if path.is_file():
        return path
    if "#" in source:
        path = Path(source.rsplit("#", 1)[0])
        if path.is_file():
            return path
    return None
