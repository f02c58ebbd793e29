"""`PagedList`: an `OptionList` whose page keys work at any height.

`OptionList` pages by its visible height through its line table, which it
only fills once it has a height: in a terminal a few rows tall, page up or
down before that raised `KeyError`. With no visible rows there is no page,
so the page keys move one row instead.
"""

from __future__ import annotations

from textual.widgets import OptionList

__all__ = ["PagedList"]


class PagedList(OptionList):
    """An `OptionList` that pages safely when it has no visible rows."""

    def action_page_down(self) -> None:
        """Move the highlight down a page (a row when none is visible)."""
        if self.scrollable_content_region.height > 0:
            super().action_page_down()  # type: ignore[no-untyped-call]  # untyped upstream
        else:
            self.action_cursor_down()

    def action_page_up(self) -> None:
        """Move the highlight up a page (a row when none is visible)."""
        if self.scrollable_content_region.height > 0:
            super().action_page_up()  # type: ignore[no-untyped-call]  # untyped upstream
        else:
            self.action_cursor_up()
