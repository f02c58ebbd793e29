"""The main screen's ways out: `c` copies a URL, `O` opens the post's original page.

A part of `MainScreen` (which derives from it and declares the keys). The
clipboard is Textual's `copy_to_clipboard` (OSC 52, so it works over ssh);
the browser is the system's (`reader.tui.browser`), which says so when there is none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

from reader.tui.browser import open_in_browser
from reader.tui.widgets.reader_pane import ReaderPane

if TYPE_CHECKING:
    from reader.library import Library

__all__ = ["OutsidePart"]


class OutsidePart(Screen[None]):
    """Copying and opening URLs: the focused link's, or the post's original one."""

    library: Library

    if TYPE_CHECKING:  # defined by MarksPart

        def target_slug(self) -> str | None: ...

    def focused_link_url(self) -> str | None:
        """The URL of the link focused in the reader (`l`), if the reader has the focus."""
        reader = self.query_one(ReaderPane)
        document = reader.document
        index = reader.view.focused_link
        if not reader.has_focus_within or document is None:
            return None
        return document.links[index].url if 0 <= index < len(document.links) else None

    def original_url(self) -> str | None:
        """The open (or highlighted) post's original URL (front matter `url`/`link`)."""
        slug = self.target_slug()
        summary = self.library.posts.summary(slug) if slug is not None else None
        return summary.url if summary is not None and summary.url else None

    def action_copy_url(self) -> None:
        """Copy the focused link, else the post's original URL, to the clipboard."""
        url = self.focused_link_url() or self.original_url()
        if url is None:
            self.notify("No link is focused and this post has no original URL.", timeout=4)
            return
        self.app.copy_to_clipboard(url)
        self.notify(f"Copied {url}", timeout=3, markup=False)

    def action_open_original(self) -> None:
        """Open the post's original URL in the browser; say so when it has none."""
        url = self.original_url()
        if url is None:
            self.notify("This post has no original URL (front matter url or link).", timeout=4)
            return
        open_in_browser(self.app, url)
