"""The library's search index: loaded once, kept in step with the posts, rebuilt when damaged.

`Library` owns one `LibraryIndex`. The index is a cache of the posts: a
missing, stale or damaged file is rebuilt from the store, and a failure to
save it never stops a search. Every change goes through one lock, so the
TUI's start-up worker and a search worker never load it twice.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from reader.models import Post
from reader.store import PostStore

if TYPE_CHECKING:
    from reader.search import SearchIndex
    from reader.search.forward import PostTerms

__all__ = ["LibraryIndex"]

T = TypeVar("T")


class LibraryIndex:
    """The search index of one library's posts (see the module docstring)."""

    def __init__(self, posts: PostStore, path: Path, problems: list[str]) -> None:
        self.posts = posts
        self.path = path
        """Where the index is cached."""
        self._problems = problems
        """The library's list of repairs, to which ours are added."""
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()
        self._rebuilt = False
        self._inserted = False
        """True when `insert` added posts not saved yet."""

    @property
    def loaded(self) -> bool:
        """True once the index is in memory, so a search will not wait for it."""
        return self._index is not None

    def get(self) -> SearchIndex:
        """The index, loaded on first use; built or repaired if missing or stale.

        Loading 10,000 posts' index takes a fraction of a second and a rebuild
        some seconds: the TUI calls this once in a thread worker at start-up,
        never on the event loop. Once loaded it is kept in step by `add`, so
        later calls return it without another check (comparing 10,000 posts on
        every keystroke cost ~15 ms).
        """
        index = self._index
        if index is not None:
            return index
        with self._lock:
            return self._load([])

    def add(self, posts: list[Post]) -> None:
        """Index posts just stored (loading the index first if need be), and save it."""
        with self._lock:
            self._load(posts)

    def insert(self, posts: list[Post], texts: Sequence[PostTerms | None] = ()) -> None:
        """Index posts an import has read, before it stores them, without saving: a big
        import indexes a batch at a time (`SearchIndex.insert`). Once the posts are
        stored, `add` makes their postings and saves the index; if storing them
        failed, `forget` drops them."""
        with self._lock:
            index = self._index
            if index is None:
                index = self._load([], save=False)
            index.insert(posts, texts)
            self._inserted = True

    def forget(self) -> None:
        """Drop the index in memory (an import that failed after `insert`): the next use
        loads it from its file, in step with the store."""
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None
            self._inserted = False

    def remove(self, slugs: list[str]) -> None:
        """Drop posts just removed from the store from an index in memory, and save it.

        An index not loaded is left on disk as it is: loading compares it with
        the store (`_sync`), which drops them then.
        """
        with self._lock:
            index = self._index
            if index is not None:
                index.update([], remove=slugs)
                with contextlib.suppress(OSError):
                    index.save(self.path)

    def refresh(self, changed: list[str], gone: list[str]) -> None:
        """Bring an index in memory in step with posts another process changed.

        `changed` are posts added or whose metadata changed, `gone` those
        removed; the comparison with the store then catches anything else.
        """
        with self._lock:
            index = self._index
            if index is not None:
                posts = [p for slug in changed if (p := self.posts.get(slug)) is not None]
                index.update([], remove=gone)
                self._sync(index, posts, False)

    def run(self, search: Callable[[SearchIndex], T]) -> T:
        """`search(index)`; if the index fails, rebuild it once from the posts and try again.

        Damage `SearchIndex.load` cannot see (a posting pointing nowhere)
        shows up only here. A second failure is a bug, and raises.
        """
        index = self.get()
        try:
            return search(index)
        except Exception as error:
            if not self._rebuild(index, error):
                raise
        return search(self.get())

    def _load(self, fresh: list[Post], save: bool = True) -> SearchIndex:
        """Load (or build) the index, index `fresh` posts, sync with the store, save if changed
        (and `save`).

        Callers hold the lock.
        """
        from reader.search import SearchIndex

        if self._index is not None:
            return self._sync(self._index, fresh, False, save)
        loaded = SearchIndex.load(self.path)
        if loaded is None:  # missing or damaged: the posts just stored are in the store
            return self._sync(SearchIndex(), [], True, save)
        try:
            return self._sync(loaded, fresh, False, save)
        except Exception as error:
            # Damage `SearchIndex.load` did not see came out while updating the
            # index: it is a cache, so start again from the posts.
            loaded.close()
            self._problems.append(
                f"The search index {self.path} was damaged "
                f"({type(error).__name__}: {error}) and has been rebuilt."
            )
            return self._sync(SearchIndex(), [], True, save)

    def _sync(
        self, index: SearchIndex, fresh: list[Post], dirty: bool, save: bool = True
    ) -> SearchIndex:
        """Bring `index` in step with the store (and `fresh` posts), save it if changed (and
        `save`), and make it the library's index. Callers hold the lock."""
        if not save:
            # Posts `insert` adds are not in the store yet: no comparison with it now.
            self._inserted = self._inserted or dirty
            self._index = index
            return index
        dirty = dirty or self._inserted
        self._inserted = False
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
                index.save(self.path)
        self._index = index
        return index

    def _rebuild(self, broken: SearchIndex, error: Exception) -> bool:
        """Replace an index that failed with one built afresh; False if done before."""
        from reader.search import SearchIndex

        with self._lock:
            if self._rebuilt:
                return False
            self._rebuilt = True
            if self._index is broken:
                broken.close()
                posts = [p for s in self.posts.summaries() if (p := self.posts.get(s.slug))]
                index = SearchIndex.build(posts)
                saved = "and rebuilt"
                try:
                    index.save(self.path)
                except OSError as save_error:
                    saved = (
                        f"and rebuilt in memory (not saved: {save_error.strerror or save_error})"
                    )
                self._index = index
                self._problems.append(
                    f"The search index {self.path} was damaged "
                    f"({type(error).__name__}: {error}) {saved}."
                )
        return True
