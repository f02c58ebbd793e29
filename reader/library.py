"""The service both front ends call: posts, tags, imports, bookmarks.

`Library.open()` finds the data directory and opens both stores. With
`seed=True` (the TUI) an empty library gets the bundled sample posts, so
`reader` shows posts on a fresh machine; the CLI never seeds, so `reader
import` into a fresh data directory imports only what it is given, and the
first import into a library holding only the untouched samples replaces them
(`reader.library_sources`). A damaged library still opens: what was found
and done is in `Library.problems`, and what can be rebuilt from the posts'
sources is.
When the files cannot be read or written at all, `LibraryError` says which
and why.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from reader.library_index import LibraryIndex
from reader.links import LinkResolver
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
from reader.sorting import PostOrders, SortOrder
from reader.sources import SourceStore
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
        self._tags: list[TagCount] | None = None
        self._links: tuple[list[PostSummary], LinkResolver] | None = None
        self._orders: PostOrders | None = None
        self._tags_with_drafts = False
        self.show_drafts = False
        """Show drafts among the other posts, in browsing, tags and search (the
        `show_drafts` setting). Otherwise only `is:draft` or `drafts=True` shows them."""
        self._problems: list[str] = []
        self._restore_tried: set[str] = set()
        self._index = LibraryIndex(
            self.posts, library_dir(root) / "search-index.bin", self._problems
        )
        self.sources = SourceStore(library_dir(root) / "sources.json", self._problems)
        """What was imported, for `reader sources`, `reader sync` and `reader remove --source`."""

    @classmethod
    def open(cls, override: str | Path | None = None, seed: bool = True) -> Library:
        """Open the library in the data directory; with `seed`, as the TUI does, put the
        bundled sample posts into an empty one (see `should_seed`).

        A damaged library is rebuilt from its posts' sources instead (see
        `problems`). Raises `LibraryError` when the data directory cannot be
        used at all.
        """
        where = Path(override or os.environ.get("READER_DATA_DIR") or "the data directory")
        try:
            library = cls(data_dir(override))
            where = library.root
            if library.posts.damaged or library.posts.lost_sources:
                library._rebuild(bundled=seed)
            elif seed and library.should_seed():
                library.import_bundled()
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

    def add_problem(self, message: str) -> None:
        """Add a message to `problems` (something found wrong, and what was done)."""
        self._problems.append(message)

    def _rebuild(self, bundled: bool) -> None:
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

    def summaries(
        self,
        tag: str | None = None,
        order: SortOrder | None = None,
        *,
        drafts: bool | None = None,
    ) -> list[PostSummary]:
        """Posts without bodies, optionally only those with `tag`.

        In library (import) order, or in `order`, sorted once per change of
        the library (see `orders`). Drafts are left out unless `drafts` (by
        default `show_drafts`) is true.
        """
        posts = self.posts.summaries()
        if order is not None and order is not SortOrder.IMPORTED:
            posts = list(self.orders(posts).sorted(order))  # the kept list is not ours to change
        if not (self.show_drafts if drafts is None else drafts):
            posts = [p for p in posts if not p.draft]
        if tag is None:
            return posts
        return [p for p in posts if tag in p.tags]

    def links(self) -> LinkResolver:
        """The resolver of links between posts, rebuilt only when the posts changed."""
        posts = self.posts.summaries()
        cached = self._links
        # The store keeps a post's summary object until the post changes: same objects,
        # same posts (a pointer comparison each, not a rebuild per link).
        if (
            cached is None
            or len(cached[0]) != len(posts)
            or any(a is not b for a, b in zip(cached[0], posts, strict=True))
        ):
            cached = self._links = (posts, LinkResolver(posts))
        return cached[1]

    def orders(self, posts: list[PostSummary] | None = None) -> PostOrders:
        """The posts in each browse order, sorted on first use and kept until they change.

        `posts` are the store's current summaries, when the caller has them.
        """
        posts = self.posts.summaries() if posts is None else posts
        if self._orders is None or not self._orders.holds(posts):
            self._orders = PostOrders(posts)
        return self._orders

    def draft_slugs(self) -> set[str]:
        """The slugs of every draft in the library."""
        return {p.slug for p in self.posts.summaries() if p.draft}

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
        if self._tags is None or self._tags_with_drafts != self.show_drafts:
            self._tags = tag_counts(self.summaries())
            self._tags_with_drafts = self.show_drafts
        return self._tags

    # -- bookmarks ---------------------------------------------------------

    def bookmarked(self) -> list[BookmarkedPost]:
        """Every bookmark, newest first, with its post (None when the post has gone).

        Reads the state file: call it from a worker thread in the TUI.
        """
        return [BookmarkedPost(b, self.posts.summary(b.slug)) for b in self.state.bookmarks()]

    # -- the sample posts ----------------------------------------------------

    def should_seed(self) -> bool:
        """True when the TUI should show the sample posts: the library is empty (nothing
        imported, or all removed) and the samples were never removed by the user."""
        return len(self.posts) == 0 and not self.posts.damaged and not self.sources.samples_removed

    # -- importing and removing --------------------------------------------

    def import_bundled(self) -> ImportReport:
        """Import the posts shipped with the package."""
        return self.import_paths([bundled_content_dir()], source_prefix=BUNDLED_PREFIX)

    def remove(self, slugs: Iterable[str]) -> list[str]:
        """Remove posts (unknown slugs are ignored); the slugs removed, in library order.

        All or nothing across `posts.json` and the body files (see
        `PostStore.commit`); raises `LibraryError` when nothing could be
        removed. Bookmarks of removed posts are kept, and shown as missing. A
        search index in memory is updated and saved; one on disk only is
        brought in step when next loaded (it is compared with the posts then).
        """
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
        self._tags = None
        self._index.remove(gone)
        return gone

    def reload_if_changed(self) -> tuple[set[str], set[str]] | None:
        """Read the posts again if another process changed them (an import, a sync, a
        remove): the slugs added or changed and those gone, or None when nothing
        changed. A search index in memory is brought in step.

        Cheap when nothing changed (one `stat`): the TUI asks every few seconds, in a
        worker thread.
        """
        if not self.posts.changed_on_disk():
            return None
        found = self.posts.reload()
        if found is None:
            return None
        changed, gone = found
        self._tags = None
        self._restore_tried.clear()
        self._index.refresh(sorted(changed), sorted(gone))
        return found

    def import_paths(
        self,
        paths: Iterable[Path],
        progress: ProgressCallback | None = None,
        source_prefix: str | None = None,
        drop: Collection[str] = (),
    ) -> ImportReport:
        """Import files, folders and digests. Re-importing a source updates its post.

        The posts `drop` names are removed in the same commit, if anything is
        written (a first import replacing the sample posts).
        """
        kept = [p for p in self.posts.summaries() if p.slug not in drop]
        by_source = {p.source: p for p in kept}
        taken = SlugClaims(p.slug for p in kept)
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
            self.posts.commit(to_write, drop if to_write else ())
        except OSError as error:
            raise LibraryError.wrap(
                error, "nothing was imported, the library is as it was", self.posts.directory
            ) from error
        self._tags = None
        if to_write:
            self._index.add(to_write)
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

    # -- searching ---------------------------------------------------------

    @property
    def search_index_path(self) -> Path:
        """Where the search index is cached (rebuildable from the posts at any time)."""
        return self._index.path

    @property
    def search_index_loaded(self) -> bool:
        """True once the search index is in memory, so `search` will not wait for it."""
        return self._index.loaded

    def search_index(self) -> SearchIndex:
        """The search index, loaded on first use (see `LibraryIndex.get`). Thread-safe."""
        return self._index.get()

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
        typing: bool = False,
    ) -> SearchResults:
        """Posts matching `query` (see `reader.search.query` for the syntax), best first.

        `tag` narrows to one tag, as the sidebar does; `all_slugs` also returns
        every matching slug (for tag counts); `snippets=False` leaves them to
        `SearchIndex.with_snippet`, for a list that fills them as it shows
        them. `within` (the list's filter) narrows the search before ranking
        and the limit, like `is:` and `tag:` in the query. `is:bookmarked`,
        `is:unread` and such a filter read the user's state, unless the caller
        passes the `bookmarked` and `read` slugs it shows. Drafts are left out
        unless the query says `is:draft` or `show_drafts` is on. `typing` says the
        query is still being typed, so its last word also matches as a prefix
        (the TUI); otherwise only `word*` does (the CLI). Raises `QueryError`
        for an unknown `is:` value or field (with the nearest valid one);
        other problems are repaired and reported in `SearchResults.problems`.
        """
        from reader.search import parse_query

        parsed = parse_query(query, typing=typing)
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
        drafts = self.draft_slugs()
        if parsed.draft is None and not self.show_drafts and (tag or not parsed.is_empty):
            parsed = replace(parsed, draft=False)

        def run(index: SearchIndex) -> SearchResults:
            return index.search(
                parsed,
                limit=limit,
                tag=tag,
                bookmarked=marked,
                read=done,
                all_slugs=all_slugs,
                snippets=snippets,
                drafts=drafts,
            )

        return self._index.run(run)


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
