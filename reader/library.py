"""The service both front ends call: posts, tags, imports, bookmarks.

`Library.open()` finds the data directory, opens both stores and, when the
library is new, imports the bundled posts, so `reader` shows posts on a
fresh machine. A damaged library still opens: what was found and done is in
`Library.problems`, and what can be rebuilt from the posts' sources is.
When the files cannot be read or written at all, `LibraryError` says which
and why.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from reader.models import (
    BookmarkedPost,
    Filter,
    ImportProblem,
    ImportReport,
    Post,
    PostSummary,
    TagCount,
)
from reader.paths import bundled_content_dir, data_dir, library_dir, state_path
from reader.store import PostStore, StateStore
from reader.text import SlugClaims, slugify

if TYPE_CHECKING:
    from reader.importer import Candidate
    from reader.search import SearchIndex, SearchResults

# The importer (markdown-it, PyYAML) and the search engine are imported where
# they are used: `reader` with no command must paint its first screen fast,
# and needs neither to do so.

__all__ = [
    "BUNDLED_PREFIX",
    "INDEXING",
    "Library",
    "LibraryError",
    "ProgressCallback",
    "tag_counts",
]

BUNDLED_PREFIX = "bundled:"
ProgressCallback = Callable[[int, str], None]
"""Called with the number of documents read so far and the current file; last,
with the number of posts to store and `INDEXING`."""
INDEXING = "(saving and indexing)"
"""What `ProgressCallback` gets as the file once reading is done."""


def tag_counts(posts: Iterable[PostSummary]) -> list[TagCount]:
    """How many of `posts` carry each tag, most used first, then by name."""
    counts = Counter(tag for post in posts for tag in post.tags)
    return [TagCount(n, c) for n, c in sorted(counts.items(), key=lambda i: (-i[1], i[0]))]


class LibraryError(OSError):
    """The library's files cannot be read or written (a read-only or full disk...).

    `message` is one line for stderr or a notification, naming the file and
    the reason; `path` is that file. An OSError, so callers that catch those
    still do.
    """

    def __init__(self, message: str, path: Path | None = None, error: OSError | None = None):
        super().__init__(error.errno if error else errno.EIO, message)
        self.message = message
        self.path = path
        self.error = error

    @classmethod
    def wrap(cls, error: OSError, doing: str, fallback: Path) -> LibraryError:
        """A `LibraryError` for `error`, raised while `doing` something under `fallback`."""
        if isinstance(error, LibraryError):
            if error.error is None:
                return error
            error = error.error  # say what we were doing at this level
        path = Path(os.fsdecode(error.filename)) if error.filename else fallback
        reason = error.strerror or str(error)
        return cls(f"{doing}: {path}: {reason}", path, error)

    def __str__(self) -> str:
        return self.message


class Library:
    """Posts and the user's state, behind one object."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.posts = PostStore(library_dir(root))
        self.state = StateStore(state_path(root))
        self._search: SearchIndex | None = None
        self._search_lock = threading.Lock()
        self._tags: list[TagCount] | None = None
        self._problems: list[str] = []
        self._restore_tried: set[str] = set()
        self._search_rebuilt = False

    @classmethod
    def open(cls, override: str | Path | None = None, seed: bool = True) -> Library:
        """Open the library in the data directory, importing the bundled posts if new.

        Only a library never written before is seeded: a damaged one is
        rebuilt from its posts' sources instead (see `problems`). Raises
        `LibraryError` when the data directory cannot be used at all.
        """
        where = Path(override or os.environ.get("READER_DATA_DIR") or "the data directory")
        try:
            library = cls(data_dir(override))
            where = library.root
            if seed and library.posts.is_new:
                library.import_bundled()
            elif library.posts.damaged or library.posts.lost_sources:
                library._rebuild(bundled=seed)
        except OSError as error:
            raise LibraryError.wrap(error, "cannot open the library", where) from error
        return library

    @property
    def problems(self) -> list[str]:
        """What was found damaged in the library and what was done about it, oldest first.

        A message each, for stderr or a notification. It can grow after
        opening: body files are read when a post is first shown. (Problems
        with the user's state are in `state.recoveries`.)
        """
        return [*self.posts.recoveries, *self._problems]

    def _rebuild(self, bundled: bool) -> None:
        """Re-import what a damaged `posts.json` lost, from the sources that still exist."""
        lost = self.posts.lost_sources
        paths: dict[Path, None] = {}
        gone: list[str] = []
        for source in lost:
            if source.startswith(BUNDLED_PREFIX):
                continue
            path = _source_file(source)
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
            told.append(f"{found} of your posts were imported again from their files.")
        if gone:
            shown = ", ".join(gone[:3]) + (f" and {len(gone) - 3} more" if len(gone) > 3 else "")
            told.append(f"{len(gone)} files no longer exist ({shown}).")
        if self.posts.damaged:
            # Whatever was past the damage is unknown: say so rather than guess.
            told.append(
                "Any other post you imported is not listed any more: "
                "re-import it with `reader import PATH`."
            )
        told = told or ["nothing to re-import."]
        told[0] = told[0][0].upper() + told[0][1:]
        self._problems.append("Rebuilding the library: " + " ".join(told))

    # -- reading -----------------------------------------------------------

    def summaries(self, tag: str | None = None) -> list[PostSummary]:
        """Posts without bodies, in library order, optionally only those with `tag`."""
        posts = self.posts.summaries()
        if tag is None:
            return posts
        return [p for p in posts if tag in p.tags]

    def get(self, slug: str) -> Post | None:
        """One post with its body.

        A body lost to a damaged body file is imported again from the post's
        source when that still exists; otherwise the body says why it is
        missing (see `PostStore.get`).
        """
        if self.posts.summary(slug) is not None and self.posts.body(slug) is None:
            self._restore_body(slug)
        return self.posts.get(slug)

    def _restore_body(self, slug: str) -> None:
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
        path = _source_file(summary.source)
        if path is not None:
            with contextlib.suppress(OSError):
                self.import_paths([path])

    def tags(self) -> list[TagCount]:
        """Every tag with its number of posts, most used first, then by name.

        Counted once and kept until the next import: the sidebar asks on every
        mark change, and counting 10,000 posts is not free.
        """
        if self._tags is None:
            self._tags = tag_counts(self.posts.summaries())
        return self._tags

    # -- bookmarks ---------------------------------------------------------

    def bookmarked(self) -> list[BookmarkedPost]:
        """Every bookmark, newest first, with its post (None when the post has gone).

        Reads the state file: call it from a worker thread in the TUI.
        """
        return [BookmarkedPost(b, self.posts.summary(b.slug)) for b in self.state.bookmarks()]

    # -- importing ---------------------------------------------------------

    def import_bundled(self) -> ImportReport:
        """Import the posts shipped with the package."""
        return self.import_paths([bundled_content_dir()], source_prefix=BUNDLED_PREFIX)

    def import_paths(
        self,
        paths: Iterable[Path],
        progress: ProgressCallback | None = None,
        source_prefix: str | None = None,
    ) -> ImportReport:
        """Import files, folders and digests. Re-importing a source updates its post."""
        by_source = {p.source: p for p in self.posts.summaries()}
        taken = SlugClaims(p.slug for p in self.posts.summaries())
        added: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        problems: list[ImportProblem] = []
        to_write: list[Post] = []
        from reader.importer import read_documents

        for count, item in enumerate(read_documents(paths, source_prefix), start=1):
            if isinstance(item, ImportProblem):
                problems.append(item)
                if progress:
                    progress(count, item.path)
                continue
            post, existing = self._post_for(item, by_source, taken)
            if progress:
                progress(count, item.source)
            if existing is None:
                by_source[post.source] = post
                added.append(post.slug)
                to_write.append(post)
            elif self.posts.get(post.slug) == post:
                unchanged.append(post.slug)
            else:
                updated.append(post.slug)
                to_write.append(post)
        if progress and to_write:
            progress(len(to_write), INDEXING)
        try:
            self.posts.upsert(to_write)
        except OSError as error:
            raise LibraryError.wrap(
                error, "nothing was imported, the library is as it was", self.posts.directory
            ) from error
        self._tags = None
        if to_write:
            self._index_posts(to_write)
        return ImportReport(tuple(added), tuple(updated), tuple(unchanged), tuple(problems))

    @staticmethod
    def _post_for(
        item: Candidate, by_source: dict[str, PostSummary], taken: SlugClaims
    ) -> tuple[Post, PostSummary | None]:
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
        )
        return post, existing

    # -- searching ---------------------------------------------------------

    @property
    def search_index_path(self) -> Path:
        """Where the search index is cached (rebuildable from the posts at any time)."""
        return library_dir(self.root) / "search-index.bin"

    @property
    def search_index_loaded(self) -> bool:
        """True once the search index is in memory, so `search` will not wait for it."""
        return self._search is not None

    def search_index(self) -> SearchIndex:
        """The search index, loaded on first use; built or repaired if missing or stale.

        Loading 10,000 posts' index takes a fraction of a second and a rebuild
        some seconds: the TUI calls this once in a thread worker at start-up,
        never on the event loop. Thread-safe. Once loaded it is kept in step
        by `import_paths`, so later calls return it without another check
        (comparing 10,000 posts on every keystroke cost ~15 ms).
        """
        index = self._search
        if index is not None:
            return index
        with self._search_lock:
            return self._load_search_index([])

    def _load_search_index(self, fresh: list[Post]) -> SearchIndex:
        """Load (or build) the index, index `fresh` posts, sync with the store, save if changed.

        Callers hold `_search_lock`.
        """
        from reader.search import SearchIndex

        if self._search is not None:
            return self._sync_index(self._search, fresh, False)
        loaded = SearchIndex.load(self.search_index_path)
        if loaded is None:  # missing or damaged: the posts just stored are in the store
            return self._sync_index(SearchIndex(), [], True)
        try:
            return self._sync_index(loaded, fresh, False)
        except Exception as error:
            # Damage `SearchIndex.load` did not see came out while updating the
            # index: it is a cache, so start again from the posts.
            loaded.close()
            self._problems.append(
                f"The search index {self.search_index_path} was damaged "
                f"({type(error).__name__}: {error}) and has been rebuilt."
            )
            return self._sync_index(SearchIndex(), [], True)

    def _sync_index(self, index: SearchIndex, fresh: list[Post], dirty: bool) -> SearchIndex:
        """Bring `index` in step with the store (and `fresh` posts), save it if changed,
        and make it the library's index. Callers hold `_search_lock`."""
        if fresh:
            index.update(fresh)
            dirty = True
        changed, gone = index.stale(self.posts.summaries())
        if changed or gone:
            posts = [p for slug in changed if (p := self.posts.get(slug)) is not None]
            index.update(posts, remove=gone)
            dirty = True
        if dirty:
            # The index is a cache: if it cannot be saved, searching still works.
            with contextlib.suppress(OSError):
                index.save(self.search_index_path)
        self._search = index
        return index

    def _index_posts(self, posts: list[Post]) -> None:
        with self._search_lock:
            self._load_search_index(posts)

    def search(
        self,
        query: str,
        limit: int = 20,
        tag: str | None = None,
        all_slugs: bool = False,
        snippets: bool = True,
        *,
        within: Filter | None = None,
        bookmarked: Collection[str] | None = None,
        read: Collection[str] | None = None,
    ) -> SearchResults:
        """Posts matching `query` (see `reader.search.query` for the syntax), best first.

        `tag` narrows to one tag, as the sidebar does; `all_slugs` also returns
        every matching slug (for tag counts); `snippets=False` leaves them to
        `SearchIndex.with_snippet`, for a list that fills them as it shows
        them. `within` (the list's filter) narrows the search before ranking
        and the limit, like `is:` and `tag:` in the query. `is:bookmarked`,
        `is:unread` and such a filter read the user's state, unless the caller
        passes the `bookmarked` and `read` slugs it shows. Never raises on bad
        query text: problems are reported in `SearchResults.problems`.
        """
        from reader.search import parse_query

        parsed = parse_query(query)
        if within is not None and within.kind == Filter.TAG:
            if tag is None:
                tag = within.tag
            else:
                parsed = replace(parsed, tags=(*parsed.tags, within.tag))
        elif within is not None and within.kind == Filter.BOOKMARKS:
            if parsed.bookmarked is False:  # `-is:bookmarked` under Bookmarks: nothing
                bookmarked = ()
            parsed = replace(parsed, bookmarked=True)
        elif within is not None and within.kind == Filter.UNREAD:
            if parsed.unread is False:  # `is:read` under Unread: nothing
                read = {s.slug for s in self.summaries()}
            parsed = replace(parsed, unread=True)
        marked: set[str] = set()
        done: set[str] = set()
        if parsed.bookmarked is not None:
            marked = set(
                bookmarked if bookmarked is not None else (b.slug for b in self.state.bookmarks())
            )
        if parsed.unread is not None:
            done = set(read if read is not None else self.state.read_slugs())

        def run(index: SearchIndex) -> SearchResults:
            return index.search(
                parsed,
                limit=limit,
                tag=tag,
                bookmarked=marked,
                read=done,
                all_slugs=all_slugs,
                snippets=snippets,
            )

        index = self.search_index()
        try:
            return run(index)
        except Exception as error:
            # Damage `SearchIndex.load` cannot see (a posting pointing nowhere)
            # shows up here: rebuild once from the posts and search again. A
            # second failure is a bug, and raises.
            if not self._rebuild_search_index(index, error):
                raise
        return run(self.search_index())

    def _rebuild_search_index(self, broken: SearchIndex, error: Exception) -> bool:
        """Replace a search index that failed with one built afresh; False if done before."""
        from reader.search import SearchIndex

        with self._search_lock:
            if self._search_rebuilt:
                return False
            self._search_rebuilt = True
            if self._search is broken:
                broken.close()
                posts = [p for s in self.posts.summaries() if (p := self.posts.get(s.slug))]
                index = SearchIndex.build(posts)
                saved = "and rebuilt"
                try:
                    index.save(self.search_index_path)
                except OSError as save_error:
                    saved = (
                        f"and rebuilt in memory (not saved: {save_error.strerror or save_error})"
                    )
                self._search = index
                self._problems.append(
                    f"The search index {self.search_index_path} was damaged "
                    f"({type(error).__name__}: {error}) {saved}."
                )
        return True


def _source_file(source: str) -> Path | None:
    """The file a post's `source` names (`PATH`, or `PATH#key` in a digest), if it still exists."""
    path = Path(source)
    if path.is_file():
        return path
    if "#" in source:
        path = Path(source.rsplit("#", 1)[0])
        if path.is_file():
            return path
    return None
