"""The main screen's feeds: `R` refreshes the subscriptions in a thread worker.

A part of `MainScreen`, like `LibraryPart`. The worker fetches and imports
off the event loop; each feed's new and updated posts reach the list as that
feed is done (through `LibraryPart.library_changed`), and a notification
ends with the summary line and names every feed that failed. Keys go on
working meanwhile. With `[feeds] refresh_on_start_minutes` in the config, the
screen refreshes on start when the last refresh is older than that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.events import Mount
from textual.screen import Screen

if TYPE_CHECKING:
    from reader.library import Library

__all__ = ["NO_FEEDS", "FeedsPart"]

NO_FEEDS = "No feeds yet: subscribe with reader add URL, or reader import a feed or OPML file."
"""What `R` says when there is nothing to refresh."""


class FeedsPart(Screen[None]):
    """Refreshes the feeds without blocking keys."""

    library: Library

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("R", "refresh_feeds", "Refresh feeds", key_display="R", id="main.refresh_feeds"),
    ]

    if TYPE_CHECKING:

        def library_changed(self, changed: set[str], gone: set[str]) -> None: ...

    @on(Mount)
    def refresh_feeds_on_start(self) -> None:
        from reader.feeds.refresh import store_for
        from reader.feeds.settings import refresh_due, refresh_on_start_minutes

        minutes = refresh_on_start_minutes(self.library)
        if minutes is None:
            return
        try:
            due = refresh_due(store_for(self.library).load(), minutes)
        except (OSError, ValueError):
            return
        if due:
            self.action_refresh_feeds()

    def action_refresh_feeds(self) -> None:
        """Fetch every subscription in a thread worker; with none, say how to add one."""
        from reader.feeds.refresh import store_for

        try:
            none = not store_for(self.library).load()
        except (OSError, ValueError):
            none = False  # the worker names the damaged file
        if none:
            self.notify(NO_FEEDS, title="Feeds", markup=False)
            return
        self.notify("Refreshing feeds…", title="Feeds", timeout=3, markup=False)
        self.refresh_feeds()

    @work(thread=True, exclusive=True, group="feeds", exit_on_error=False)
    def refresh_feeds(self) -> None:
        from reader.feeds.refresh import refresh

        def arrived(slugs: list[str]) -> None:
            self.app.call_from_thread(self.library_changed, set(slugs), set())

        try:
            report = refresh(self.library, on_posts=arrived)
        except (OSError, ValueError) as error:
            self.app.call_from_thread(
                self.notify,
                f"Cannot refresh: {error}",
                title="Feeds",
                severity="error",
                markup=False,
            )
            return
        lines = [report.line()] + [f"{name}: {reason}" for name, reason in report.errors]
        self.app.call_from_thread(
            self.notify,
            "\n".join(lines),
            title="Feeds refreshed",
            severity="warning" if report.errors else "information",
            timeout=10,
            markup=False,
        )
