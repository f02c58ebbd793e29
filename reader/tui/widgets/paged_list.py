"""`PagedList`: an `OptionList` whose page keys work at any height.

`OptionList` pages by its visible height through its line table, which it
only fills once it has a height: in a terminal a few rows tall, or in a list
not laid out yet, page up or down raised `KeyError`. With no visible rows
there is no page, so the page keys move one row instead (`page`, which the
command palette's list uses too).
"""

from __future__ import annotations

from typing import Literal

from textual.widgets import OptionList

__all__ = ["PagedList", "page"]


def page(options: OptionList, direction: Literal[-1, 1]) -> None:
    """Move the highlight of `options` a page down (1) or up (-1); a row when none is visible
    (or laid out)."""
    if options.scrollable_content_region.height:
        try:
            if direction > 0:
                OptionList.action_page_down(options)  # type: ignore[no-untyped-call]  # untyped
            else:
                OptionList.action_page_up(options)  # type: ignore[no-untyped-call]  # upstream
            return
        except KeyError:  # Textual 8.2: a height, but its lines not laid out yet
            pass
    options.action_cursor_down() if direction > 0 else options.action_cursor_up()


class PagedList(OptionList):
    """An `OptionList` that pages safely when it has no visible rows."""

    def action_page_down(self) -> None:
        """Move the highlight down a page (a row when none is visible)."""
        page(self, 1)

    def action_page_up(self) -> None:
        """Move the highlight up a page (a row when none is visible)."""
        page(self, -1)
