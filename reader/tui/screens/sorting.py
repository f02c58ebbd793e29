"""The main screen's browse order: `s` cycles it, a setting keeps it, the list's border names it.

A part of `MainScreen` (which derives from it), like `MarksPart`. The posts
are sorted once per library load in every order (`reader.sorting`), after
the first paint, so `s` never waits; search results keep their ranking.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from textual import work
from textual.screen import Screen

from reader.models import Filter
from reader.sorting import SortOrder

if TYPE_CHECKING:
    from reader.config import Config
    from reader.library import Library
    from reader.session import ReadingSession

__all__ = ["BOOKMARKS_TITLE", "SORT_HELP", "SORT_SETTING", "SortingPart"]

SORT_SETTING = "sort"
"""The setting that keeps the browse order (a `SortOrder` value) across restarts."""
SORT_HELP = "Sort the list (search results stay ranked)"
"""The help screen's line for `s`: the footer says only "Sort"."""
BOOKMARKS_TITLE = "Bookmarks · newest bookmarked first"
"""The list's border under Bookmarks, which keep the order they were made in."""


class SortingPart(Screen[None]):
    """The order of the post list: chosen with `s`, remembered, shown in the list's border."""

    library: Library
    session: ReadingSession
    filter: Filter
    order: SortOrder
    search_query: str
    config: Config

    if TYPE_CHECKING:  # the screen's side of it, defined by MainScreen

        def refresh_lists(self) -> None: ...

    def restore_order(self, settings: Mapping[str, object]) -> None:
        """The config's `sort`, else the order saved last time, else the library's default."""
        saved_order = SortOrder.from_name(settings.get(SORT_SETTING))
        self.order = self.config.sort or saved_order or self.library.default_order()

    def list_title(self) -> str:
        """The list's border title while browsing: the order, or that Bookmarks keep theirs."""
        if self.filter.kind == Filter.BOOKMARKS:
            return BOOKMARKS_TITLE
        return f"Posts · {self.order.label}"

    @work(thread=True, group="presort", exit_on_error=False)
    def presort(self) -> None:
        """Sort the posts in every order after the first paint, so `s` never waits for it.

        The title order of 50,000 posts takes a fifth of a second (bench/bench_sort.py).
        """
        orders = self.library.orders()
        for order in SortOrder:
            orders.sorted(order)

    def action_cycle_sort(self) -> None:
        """Sort the list by the next order, and remember it; search results stay ranked."""
        self.order = self.order.next()
        self.session.save_settings({SORT_SETTING: self.order.value})
        if self.search_query:
            self.notify(
                f"Search results stay ranked; the list will be {self.order.label}.", timeout=3
            )
            return
        if self.filter.kind == Filter.BOOKMARKS:
            self.notify(f"Bookmarks stay newest first; other lists: {self.order.label}.", timeout=3)
        self.refresh_lists()
