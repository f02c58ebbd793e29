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

import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reader.config import Config
from reader.first_screen import FirstScreen, tag_counts
from reader.library_error import LibraryError
from reader.library_import import BUNDLED_PREFIX, INDEXING, Importer, ProgressCallback
from reader.library_index import LibraryIndex
from reader.library_search import search as search_library
from reader.links import LinkResolver
from reader.models import (
    BookmarkedPost,
    Filter,
    ImportReport,
    Post,
    PostSummary,
    SavedSearch,
    TagCount,
)
from reader.paths import data_dir, library_dir, state_path
from reader.resume_screen import ResumeScreen, resume_of
from reader.sorting import PostOrders, SortOrder
from reader.sources import SourceStore
from reader.store import PostStore, StateStore

if TYPE_CHECKING:
    from reader.search import SearchIndex, SearchResults

# The jobs are in modules of their own, and `Library` delegates to them:
# importing and rebuilding (`reader.library_import`), searching
# (`reader.library_search`), the search index (`reader.library_index`) and
# the remembered sources (`reader.library_sources`). The names they define
# that callers use are importable from here too.

__all__ = [
    "BUNDLED_PREFIX",
    "INDEXING",
    "Library",
    "LibraryError",
    "ProgressCallback",
    "tag_counts",
]


class Library:
    """Posts and the user's state, behind one object."""

    def __init__(self, root: Path, lazy: bool = False) -> None:
        self.root = root
        self.posts = PostStore(library_dir(root), lazy=lazy)
        self.state = StateStore(state_path(root))
        self._tags: list[TagCount] | None = None
        self._links: tuple[list[PostSummary], LinkResolver] | None = None
        self._drafts: tuple[object, frozenset[str]] | None = None
        self._orders: PostOrders | None = None
        self._tags_with_drafts = False
        self.show_drafts = False
        """Show drafts among the other posts, in browsing, tags and search (the
        `show_drafts` setting). Otherwise only `is:draft` or `drafts=True` shows them."""
        self.config = Config()
        """The user's settings (`config.toml`), set by `use_config`; the defaults until then."""
        self._problems: list[str] = []
        self._index = LibraryIndex(
            self.posts, library_dir(root) / "search-index.bin", self._problems
        )
        self.sources = SourceStore(library_dir(root) / "sources.json", self._problems)
        """What was imported, for `reader sources`, `reader sync` and `reader remove --source`."""
        self._importer = Importer(
            self.posts, self._index, self.sources, self._problems, self._forget_tags
        )

    @classmethod
    def open(
        cls, override: str | Path | None = None, seed: bool = True, lazy: bool = False
    ) -> Library:
        """Open the library in the data directory; with `seed`, as the TUI does, put the
        bundled sample posts into an empty one (see `should_seed`). With `lazy`, as the
        TUI does too, only what its first screen shows is read, when that is kept and up
        to date (see `first_screen`); the rest is read on first need, or by `load`.

        A damaged library is rebuilt from its posts' sources instead (see
        `problems`). Raises `LibraryError` when the data directory cannot be
        used at all.
        """
        where = Path(override or os.environ.get("READER_DATA_DIR") or "the data directory")
        try:
            library = cls(data_dir(override), lazy=lazy)
            where = library.root
            if library.posts.damaged or library.posts.lost_sources:
                library._importer.rebuild(bundled=seed)
            elif seed and library.should_seed():
                library.import_bundled()
        except OSError as error:
            raise LibraryError.wrap(error, "cannot open the library", where) from error
        return library

    def use_config(self, config: Config) -> None:
        """Take the user's settings: whether drafts show, and what the feeds read."""
        self.config = config
        self.show_drafts = config.show_drafts

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

    # -- reading -----------------------------------------------------------

    @property
    def first_screen(self) -> FirstScreen | None:
        """What the first screen shows, while the rest of the posts is not read yet (opened
        lazily); None once they are, or when they were read at once."""
        return None if self.posts.loaded else self.posts.first_screen

    @property
    def resume_screen(self) -> ResumeScreen | None:
        """The list as the TUI left it (`reader.resume_screen`), while the rest of the posts
        is not read yet; None once they are, or when it was not kept or is stale."""
        return None if self.posts.loaded else self.posts.resume_screen

    def keep_resume_screen(self, view: str, posts: Sequence[PostSummary], at: int) -> None:
        """Keep the first rows of the list `posts` (the view `view`, its cursor on row `at`)
        for the next start: see `reader.resume_screen`."""
        self.posts.keep_resume_screen(resume_of(view, posts, at))

    def load(self) -> None:
        """Read every post now, if opened lazily, and count the tags and sort the posts in
        the default order: what the list needs next. Blocks: for a worker thread."""
        self.posts.load()
        self.orders().sorted(self.orders().default)
        self.tags()

    def default_order(self) -> SortOrder:
        """The order the list takes when the user has not chosen one."""
        first = self.first_screen
        return first.order if first is not None else self.orders().default

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

    def draft_slugs(self) -> frozenset[str]:
        """The slugs of every draft in the library (found again after the posts change:
        every search asks)."""
        version = self.posts_version()
        kept = self._drafts
        if kept is None or kept[0] is not version:
            kept = self._drafts = (
                version,
                frozenset(p.slug for p in self.posts.summaries() if p.draft),
            )
        return kept[1]

    def get(self, slug: str) -> Post | None:
        """One post with its body.

        A body lost to a damaged body file is imported again from the post's
        source when that still exists; otherwise the body says why it is
        missing (see `PostStore.get`).
        """
        if self.posts.summary(slug) is not None and self.posts.body(slug) is None:
            self._importer.restore_body(slug)
        return self.posts.get(slug)

    def posts_version(self) -> object:
        """An object that stays the same (`is`) until the posts change: an import, a
        removal, a reload, every post read after a lazy open. For keying what is counted
        over the posts (the session likewise replaces its marks, never edits them)."""
        return self.tags() if self.posts.loaded else self.posts.first_screen

    def tags(self) -> list[TagCount]:
        """Every tag with its number of posts, most used first, then by name.

        Counted once and kept until the next import: the sidebar asks on every
        mark change, and counting 10,000 posts is not free.
        """
        first = self.first_screen
        if first is not None:
            return first.tag_counts(self.show_drafts)  # the same, without reading every post
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
        return self._importer.should_seed()

    # -- importing and removing --------------------------------------------

    def import_bundled(self) -> ImportReport:
        """Import the posts shipped with the package."""
        return self._importer.import_bundled()

    def remove(self, slugs: Iterable[str]) -> list[str]:
        """Remove posts (unknown slugs are ignored); the slugs removed, in library order.

        All or nothing across `posts.json` and the body files (see
        `PostStore.commit`); raises `LibraryError` when nothing could be
        removed. Bookmarks of removed posts are kept, and shown as missing. A
        search index in memory is updated and saved; one on disk only is
        brought in step when next loaded (it is compared with the posts then).
        """
        return self._importer.remove(slugs)

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
        self._forget_tags()
        self._importer.forget_restores()
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
        return self._importer.import_paths(paths, progress, source_prefix, drop)

    def import_groups(self, groups: Iterable[tuple[Iterable[Path], str | None]]) -> ImportReport:
        """Import several groups of paths, each with its own source prefix, in one commit
        and one update of the search index (a refresh's feeds, each under its own prefix)."""
        return self._importer.import_groups(groups)

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
        notes: Mapping[str, str] | None = None,
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
        `notes` (bookmark notes by slug, as the caller shows them; else the
        state's) serve `note:`, `is:noted` and plain words found in a note.
        """
        return search_library(
            self,
            self._index,
            query,
            limit,
            tag,
            all_slugs,
            snippets,
            within=within,
            bookmarked=bookmarked,
            read=read,
            typing=typing,
            notes=notes,
        )

    # -- saved searches ----------------------------------------------------

    def saved_searches(self) -> list[SavedSearch]:
        """The pinned searches, oldest first (`StateStore.saved_searches`). Reads the state file."""
        return self.state.saved_searches()

    def save_search(self, query: str) -> bool:
        """Pin `query`; False when already pinned, `ValueError` when empty."""
        return self.state.save_search(query)

    def remove_saved_search(self, query: str) -> bool:
        """Unpin `query`; False when it was not pinned."""
        return self.state.remove_saved_search(query)

    def saved_search_count(
        self,
        query: str,
        *,
        bookmarked: Collection[str] | None = None,
        read: Collection[str] | None = None,
        typing: bool = False,
    ) -> int | None:
        """How many posts `query` finds now; None when it is not valid.

        As the CLI reads it, unless `typing` (the TUI's search bar, see `search`).

        No snippets and one hit, so it costs one ranking pass. Blocks on the
        index: call it from a worker thread in the TUI.
        """
        from reader.search import QueryError

        try:
            results = self.search(
                query, limit=1, snippets=False, bookmarked=bookmarked, read=read, typing=typing
            )
        except QueryError:
            return None
        return results.total

    def _forget_tags(self) -> None:
        """The posts changed: count the tags again when next asked."""
        self._tags = None
