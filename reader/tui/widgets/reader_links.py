"""The reader pane's links: `l` and `L` move the focus between them, `enter` offers to open one.

A part of `ReaderPane` (which derives from it and declares its keys), kept
apart so the pane's showing and restoring read on one page. A link is only
ever opened after the user saw its URL and agreed, and only if it is http(s).
A link that may point at another post (a wikilink, a path with no scheme) is
posted up as `PostLinkChosen`: the screen asks the library which post it is.
"""

from __future__ import annotations

from textual import on
from textual.containers import Vertical
from textual.message import Message

from reader.tui.document import Link
from reader.tui.opening import next_link
from reader.tui.screens.open_link import OpenLinkScreen
from reader.tui.widgets.post_view import PostView

__all__ = ["LinkPart"]


class LinkPart(Vertical):
    """Moving between the links of the post shown, and opening them."""

    view: PostView

    class PostLinkChosen(Message, namespace="reader_pane"):
        """A link that may point at another post was activated; the screen opens that post."""

        def __init__(self, url: str, wiki: bool) -> None:
            super().__init__()
            self.url = url
            """The link's target as written (`../other.md#part`, `Note#Heading`)."""
            self.wiki = wiki
            """True for a wikilink, whose target names a note rather than a path."""

    class LinkOpened(Message, namespace="reader_pane"):
        """An http(s) link was confirmed and handed to the browser."""

        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

    def _link_lines(self) -> list[int]:
        view = self.view
        document = view.document
        if document is None or view.text_layout is None:
            return []
        return [view.line_of(link.unit, link.start) for link in document.links]

    def _step_link(self, step: int) -> None:
        view = self.view
        lines = self._link_lines()
        index = next_link(lines, view.focused_link, view.viewport, step)
        if index < 0:
            return
        view.set_focused_link(index)
        view.ensure_line_visible(lines[index])
        self.refresh_bindings()

    def action_next_link(self) -> None:
        """Focus the next link (the first in view when none is focused)."""
        self._step_link(1)

    def action_previous_link(self) -> None:
        """Focus the previous link."""
        self._step_link(-1)

    def action_open_link(self) -> None:
        """Show the focused link's URL and offer to open it (http and https only)."""
        document = self.view.document
        index = self.view.focused_link
        if document is not None and 0 <= index < len(document.links):
            self.confirm_link(document.links[index])

    @on(PostView.LinkClicked)
    def _link_clicked(self, event: PostView.LinkClicked) -> None:
        event.stop()
        document = self.view.document
        if document is not None and 0 <= event.index < len(document.links):
            self.view.set_focused_link(event.index)
            self.refresh_bindings()
            self.confirm_link(document.links[event.index])

    def confirm_link(self, link: Link) -> None:
        """Show the link's URL; open it only if it is http(s) and the user agrees.

        A link to a post goes up to the screen instead, which opens the post.
        """
        url = link.url
        if link.to_post:
            self.post_message(self.PostLinkChosen(url, link.wiki))
            return

        def chosen(result: bool | None) -> None:
            if result and link.safe:
                self.app.open_url(url)
                self.post_message(self.LinkOpened(url))

        self.app.push_screen(OpenLinkScreen(url, link.safe), chosen)
