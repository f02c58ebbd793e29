"""The main screen's start on a big library: the first screen at once, the rest after it.

A part of `MainScreen` (which derives from it), like `SortingPart`. When the
library was opened lazily and its first screen is kept (`Library.first_screen`:
the first rows in the default order, the tag counts, the totals), the screen
shows that before the first frame, and a thread worker reads every post after
it. Then the rest of the rows are added to the list a chunk at a time, between
frames, so keys keep working; the cursor stays where it is. Anything that needs
every post before then (another filter, another order, a search) waits for the
load, which by then is under way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

from textual import work
from textual.screen import Screen

from reader.first_screen import FirstScreen
from reader.listing import Places
from reader.models import Filter
from reader.resume_screen import ResumeScreen, view_key
from reader.tui.widgets.post_list import PostList

if TYPE_CHECKING:
    from reader.library import Library
    from reader.models import PostSummary, TagCount
    from reader.session import ReadingSession
    from reader.sorting import SortOrder

__all__ = ["CHUNK", "UNKNOWN_COUNT", "LoadingPart"]

CHUNK = 1000
"""Rows added to the list between two frames once every post is read (~5 ms each)."""
UNKNOWN_COUNT = "…"
"""The Unread count in the sidebar until every post is read (when some are read)."""


class LoadingPart(Screen[None]):
    """The first screen from `Library.first_screen`, then every post."""

    library: Library
    session: ReadingSession
    filter: Filter
    order: SortOrder
    search_query: str
    wanted_slug: str | None

    if TYPE_CHECKING:  # the screen's side of it, defined by MainScreen and its other parts

        def list_title(self) -> str: ...

        def refresh_lists(self) -> None: ...

        def refresh_sidebar(
            self,
            total: int,
            unread: int | str,
            bookmarks: int,
            tags: list[TagCount] | None = None,
        ) -> None: ...

        def preload_search_index(self) -> Any: ...

        def presort(self) -> Any: ...

    _first_list: int | None = None
    """`PostList.generation` of the list filled from the first screen, while it shows."""

    def first_screen_fits(self, first: FirstScreen) -> bool:
        """True when the list as it opens is the start of the first screen's rows."""
        if self.filter != Filter() or self.order != first.order or self.search_query:
            return False
        listed = first.listed(self.library.show_drafts)
        return bool(listed) and (
            self.wanted_slug is None or any(p.slug == self.wanted_slug for p in listed)
        )

    def resume_that_fits(self) -> ResumeScreen | None:
        """The list as it was left (`Library.resume_screen`), when it is the list opening
        now and holds the post to resume."""
        kept = self.library.resume_screen
        if kept is None or self.search_query:
            return None
        view = view_key(self.filter.id, self.order.value, self.library.show_drafts)
        if kept.view != view or not kept.rows:
            return None
        wanted = self.wanted_slug
        return kept if wanted is None or any(p.slug == wanted for p in kept.rows) else None

    def keep_resume_screen(self) -> None:
        """Keep the list as it is now for the next start (see `reader.resume_screen`):
        when it shows every post or a tag, and every post is read."""
        kinds = (Filter.ALL, Filter.TAG)
        if self.search_query or self.filter.kind not in kinds or not self.library.posts.loaded:
            return
        at = self.query_one(PostList).highlighted
        if at is not None:
            view = view_key(self.filter.id, self.order.value, self.library.show_drafts)
            self.library.keep_resume_screen(view, self.session.posts(self.filter, self.order), at)

    def show_first_screen(
        self, first: FirstScreen, rows: Sequence[PostSummary] | None = None
    ) -> None:
        """Fill the sidebar and the list from the first screen alone (see the module), or
        the list with `rows` (those of the list as it was left)."""
        drafts = self.library.show_drafts
        posts = first.listed(drafts) if rows is None else list(rows)
        session = self.session
        read = session.read
        total = first.total if drafts else first.total - first.drafts
        # With nothing read every post is unread; otherwise it takes every slug to count.
        self.refresh_sidebar(total, UNKNOWN_COUNT if read else total, len(session.bookmarks))
        post_list = self.query_one(PostList)
        post_list.border_subtitle = ""
        unread = {p.slug for p in posts if p.slug not in read}
        post_list.show_posts(
            posts,
            session.bookmarks,
            unread,
            keep=self.wanted_slug,
            title=self.list_title(),
        )
        self._first_list = post_list.generation

    def load_after_first_frame(self) -> None:
        """Read every post (if not yet), then the search index and the other orders."""
        self.call_after_refresh(self.load_library)

    @work(thread=True, exclusive=True, group="library-load", exit_on_error=False)
    def load_library(self) -> None:
        """Read every post, sort them and count their tags, off the event loop."""
        self.library.load()
        self.app.call_from_thread(self.library_loaded)

    def library_loaded(self) -> None:
        """Every post is read: finish the list the first screen began, then load the rest."""
        post_list = self.query_one(PostList)
        if self._first_list is not None and self._first_list == post_list.generation:
            self._finish_first_list(post_list)
        self._first_list = None
        self.preload_search_index()
        self.presort()

    def _finish_first_list(self, post_list: PostList) -> None:
        session = self.session
        summaries = self.library.summaries()
        unread = {p.slug for p in summaries if session.is_unread(p.slug)}
        self.refresh_sidebar(len(summaries), len(unread), len(session.bookmarks))
        posts = session.posts(self.filter, self.order)
        shown = post_list.slugs
        if [p.slug for p in islice(posts, len(shown))] != shown:
            self.refresh_lists()  # the library changed meanwhile: show it as it is now
            return
        places = Places(posts)
        post_list.take_places(places)
        self.add_rows(post_list, posts[len(shown) :], places)

    @work(exclusive=True, group="list-rows", exit_on_error=False)
    async def add_rows(self, post_list: PostList, posts: list[PostSummary], places: Places) -> None:
        """Add `posts` to the end of the list, a chunk between two frames, while the list
        is still the one they continue (with the marks as they are when each is added)."""
        generation = post_list.generation
        session = self.session
        for start in range(0, len(posts), CHUNK):
            if post_list.generation != generation:
                return
            chunk = posts[start : start + CHUNK]
            read = session.read
            unread = {p.slug for p in chunk if p.slug not in read}
            post_list.add_posts(chunk, session.bookmarks, unread, places)
            await asyncio.sleep(0)
