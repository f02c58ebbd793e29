"""The service both front ends call: posts, tags, imports, bookmarks.

`Library.open()` finds the data directory, opens both stores and, when the
library is empty, imports the bundled posts, so `reader` shows posts on a
fresh machine.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from reader.models import (
    BookmarkedPost,
    ImportProblem,
    ImportReport,
    Post,
    PostSummary,
    TagCount,
)
from reader.paths import bundled_content_dir, data_dir, library_dir, state_path
from reader.store import PostStore, StateStore
from reader.text import slugify, unique_slug

if TYPE_CHECKING:
    from reader.importer import Candidate
    from reader.search import SearchIndex, SearchResults

# The importer (markdown-it, PyYAML) and the search engine are imported where
# they are used: `reader` with no command must paint its first screen fast,
# and needs neither to do so.

__all__ = ["BUNDLED_PREFIX", "INDEXING", "Library", "ProgressCallback", "tag_counts"]

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


class Library:
    """Posts and the user's state, behind one object."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.posts = PostStore(library_dir(root))
        self.state = StateStore(state_path(root))
        self._search: SearchIndex | None = None
        self._search_lock = threading.Lock()
        self._tags: list[TagCount] | None = None

    @classmethod
    def open(cls, override: str | Path | None = None, seed: bool = True) -> Library:
        """Open the library in the data directory, importing the bundled posts if empty."""
        library = cls(data_dir(override))
        if seed and len(library.posts) == 0:
            library.import_bundled()
        return library

    # -- reading -----------------------------------------------------------

    def summaries(self, tag: str | None = None) -> list[PostSummary]:
        """Posts without bodies, in library order, optionally only those with `tag`."""
        posts = self.posts.summaries()
        if tag is None:
            return posts
        return [p for p in posts if tag in p.tags]

    def get(self, slug: str) -> Post | None:
        """One post with its body."""
        return self.posts.get(slug)

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
        taken: set[str] = {p.slug for p in self.posts.summaries()}
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
                taken.add(post.slug)
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
        self.posts.upsert(to_write)
        self._tags = None
        if to_write:
            self._index_posts(to_write)
        return ImportReport(tuple(added), tuple(updated), tuple(unchanged), tuple(problems))

    @staticmethod
    def _post_for(
        item: Candidate, by_source: dict[str, PostSummary], taken: set[str]
    ) -> tuple[Post, PostSummary | None]:
        existing = by_source.get(item.source)
        parsed = item.parsed
        if existing is not None:
            slug = existing.slug
        else:
            slug = unique_slug(parsed.slug or slugify(parsed.title), taken)
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
        index = self._search
        dirty = False
        if index is None:
            from reader.search import SearchIndex

            index = SearchIndex.load(self.search_index_path)
            if index is None:
                index, dirty = SearchIndex(), True
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
    ) -> SearchResults:
        """Posts matching `query` (see `reader.search.query` for the syntax), best first.

        `tag` narrows to one tag, as the sidebar does; `all_slugs` also returns
        every matching slug (for tag counts); `snippets=False` leaves them to
        `SearchIndex.with_snippet`, for a list that fills them as it shows
        them. `is:bookmarked` and
        `is:unread` read the user's state. Never raises on bad query text:
        problems are reported in `SearchResults.problems`.
        """
        from reader.search import parse_query

        parsed = parse_query(query)
        bookmarked: set[str] = set()
        read: set[str] = set()
        if parsed.bookmarked is not None:
            bookmarked = {b.slug for b in self.state.bookmarks()}
        if parsed.unread is not None:
            read = self.state.read_slugs()
        return self.search_index().search(
            parsed,
            limit=limit,
            tag=tag,
            bookmarked=bookmarked,
            read=read,
            all_slugs=all_slugs,
            snippets=snippets,
        )
