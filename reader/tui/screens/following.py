"""The main screen's loading of posts into the reader, and following links between posts.

A part of `MainScreen` (which derives from it), like `MarksPart`. A post is
read off the event loop with where it was left, and shown only if it is
still the one wanted; a link to another post in the library opens that post
at the linked section (`reader.links`), never at a search hit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.screen import Screen
from textual.worker import get_current_worker

from reader.models import Post, ReadingPosition
from reader.tui.widgets.reader_pane import ReaderPane

if TYPE_CHECKING:
    from textual.widget import Widget

    from reader.library import Library
    from reader.session import ReadingSession
    from reader.tui.timings import Timings

__all__ = ["FollowingPart"]


class FollowingPart(Screen[None]):
    """Posts reaching the reader: loaded in a worker, or reached by a link in another post."""

    library: Library
    session: ReadingSession
    timings: Timings
    wanted_slug: str | None
    shown_highlight: tuple[str, ...]

    if TYPE_CHECKING:  # the screen's side of it, defined by MainScreen and its other parts

        def highlight_words(self) -> tuple[str, ...]: ...

        def start_reading(self, slug: str) -> None: ...

        def report_library_problems(self) -> None: ...

        def focus_now(self, widget: Widget) -> None: ...

        def record_visit(self, slug: str, position: ReadingPosition | None = None) -> None: ...

    @work(exclusive=True, group="load-post", thread=True, exit_on_error=False)
    def load_post(
        self, slug: str, position: ReadingPosition | None, followed: bool = False
    ) -> None:
        """Read the post, and where it was left if not known here, off the event loop."""
        post = self.library.get(slug)
        if position is None:
            position = self.library.state.position(slug)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_loaded, slug, post, position, followed)

    def show_loaded(
        self,
        slug: str,
        post: Post | None,
        position: ReadingPosition | None,
        followed: bool = False,
    ) -> None:
        """Render a loaded post, unless the user has moved on since.

        A post reached by following a link opens where the link points, not at a search hit.
        """
        self.report_library_problems()
        if slug != self.wanted_slug:
            return
        highlight = () if followed else self.highlight_words()
        if highlight:
            position = None  # from a search, go to the first hit instead
        self.shown_highlight = highlight
        mark = self.session.bookmarks.get(slug)
        note = mark.note if mark is not None else ""
        self.query_one(ReaderPane).show_post(post, position, highlight, note)

    @on(ReaderPane.PostLinkChosen)
    def post_link_chosen(self, event: ReaderPane.PostLinkChosen) -> None:
        """Open the post a link points at, at its section; say so when it is not here."""
        reader = self.query_one(ReaderPane)
        target = self.library.links().resolve(event.url, reader.post, wiki=event.wiki)
        if target is None:
            self.notify(f"Not a post in the library: {event.url}", title="Link", markup=False)
            return
        slug, anchor = target
        self.record_visit(slug, ReadingPosition(slug, anchor))
        self.open_at(ReadingPosition(slug, anchor))

    def open_at(self, position: ReadingPosition) -> None:
        """Open a post in the reader at `position` (a link's section, a place in the history)."""
        self.wanted_slug = position.slug
        self.load_post(position.slug, position, followed=True)
        self.start_reading(position.slug)
        self.set_class(True, "-reading")
        self.focus_now(self.query_one(ReaderPane))
