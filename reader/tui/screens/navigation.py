"""The main screen's moving around: next and previous post, back and forward, the panes.

A part of `MainScreen` (which derives from it and declares the keys). Every
post opened (enter, a link, next/previous) goes on the session's `History`
with where the reader was in the post it leaves; `backspace`/`alt+left`
and `alt+right` step through it and open each post where it was left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.screen import Screen

from reader.history import History
from reader.models import ReadingPosition
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.reader_pane import ReaderPane

if TYPE_CHECKING:
    from textual.widget import Widget

__all__ = ["NavigationPart"]


class NavigationPart(Screen[None]):
    """Where the reader goes next: the list's neighbours and the history."""

    wanted_slug: str | None

    if TYPE_CHECKING:  # the screen's side of it, defined by MainScreen and its other parts

        def focus_now(self, widget: Widget) -> None: ...

        def open_at(self, position: ReadingPosition) -> None: ...

        def request_post(self, slug: str) -> None: ...

        def start_reading(self, slug: str) -> None: ...

        def action_show_sidebar(self) -> None: ...

    def __init__(self) -> None:
        super().__init__()
        self.history = History()
        """The posts opened in this session, for back and forward."""

    def record_visit(self, slug: str, position: ReadingPosition | None = None) -> None:
        """Put `slug` on the history, keeping where the reader is in the post it leaves."""
        here = self.query_one(ReaderPane).current_position()
        self.history.visit(position or ReadingPosition(slug), here)
        self.refresh_bindings()

    # -- back and forward ---------------------------------------------------------

    def _go(self, position: ReadingPosition | None) -> None:
        if position is None:
            return
        post_list = self.query_one(PostList)
        if position.slug in post_list.slugs:
            with post_list.prevent(PostList.PostHighlighted):
                post_list.highlighted = post_list.slugs.index(position.slug)
        self.open_at(position)
        self.refresh_bindings()

    def action_history_back(self) -> None:
        """Go back to the post read before, where it was left."""
        self._go(self.history.back(self.query_one(ReaderPane).current_position()))

    def action_history_forward(self) -> None:
        """Go forward again after going back."""
        self._go(self.history.forward(self.query_one(ReaderPane).current_position()))

    # -- next and previous post -----------------------------------------------------

    @on(ReaderPane.StepPost)
    def step_post(self, event: ReaderPane.StepPost) -> None:
        """Open the next (or previous) post of the list in the reader."""
        post_list = self.query_one(PostList)
        slugs = post_list.slugs
        post = self.query_one(ReaderPane).post
        if not slugs or post is None:
            return
        index = slugs.index(post.slug) + event.step if post.slug in slugs else 0
        if not 0 <= index < len(slugs):
            self.notify(
                "This is the last post." if event.step > 0 else "This is the first post.",
                timeout=2,
            )
            return
        slug = slugs[index]
        self.record_visit(slug)
        self.wanted_slug = slug
        self.request_post(slug)
        self.start_reading(slug)
        with post_list.prevent(PostList.PostHighlighted):
            post_list.highlighted = index

    # -- panes ------------------------------------------------------------------------

    def action_previous_pane(self) -> None:
        """From the list, to the tag sidebar (shown if hidden); elsewhere the previous pane."""
        if self.query_one(PostList).has_focus:
            self.action_show_sidebar()
        else:
            self.app.action_focus_previous()
