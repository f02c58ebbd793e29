"""The main screen's feeds: `R` refreshes the subscriptions in a thread worker; the sidebar
lists the feeds with their unread posts.

A part of `MainScreen`, like `LibraryPart`. The worker reads the
subscriptions, fetches and imports off the event loop; the posts of each
batch of feeds done reach the list as soon as they are stored (through
`LibraryPart.library_changed`, which keeps the cursor and the open post),
the sidebar's "Feeds" heading counts the feeds done, and a notification ends
with the summary line and names every feed that failed. Keys go on working
meanwhile; `R` during a refresh says so rather than start a second one.
With `[feeds] refresh_on_start_minutes` in the config, the screen refreshes
on start, in the same worker, when the last refresh is older than that.

The feeds' unread counts are recounted in a worker whenever the marks or the
library change (like the saved searches' counts), never while a key waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.events import Mount
from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker

from reader.text import plural
from reader.tui.widgets.tag_sidebar import TagSidebar

if TYPE_CHECKING:
    from reader.feeds.counts import FeedCount
    from reader.library import Library
    from reader.session import ReadingSession

__all__ = ["NO_FEEDS", "FeedsPart"]

NO_FEEDS = "No feeds yet: subscribe with reader add URL, or reader import a feed or OPML file."
"""What `R` says when there is nothing to refresh."""
ALREADY = "The feeds are being refreshed already."
"""What `R` says during a refresh."""


class FeedsPart(Screen[None]):
    """Refreshes the feeds without blocking keys; shows them in the sidebar."""

    library: Library
    session: ReadingSession

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("R", "refresh_feeds", "Refresh feeds", key_display="R", id="main.refresh_feeds"),
    ]

    @dataclass
    class FeedsCounted(Message):
        """The feeds with their unread counts, as counted by a worker."""

        feeds: list[FeedCount]

    @dataclass
    class FeedsProgress(Message):
        """A refresh has stored `done` of `total` feeds."""

        done: int
        total: int

    class FeedsRefreshed(Message):
        """A refresh ended (done, failed, or there was nothing to refresh)."""

    def __init__(self) -> None:
        super().__init__()
        self._feeds: list[FeedCount] = []
        self._feeds_counted_for: tuple[object, ...] | None = None
        self._feeds_status = ""
        self._refreshing = False

    if TYPE_CHECKING:

        def library_changed(self, changed: set[str], gone: set[str]) -> None: ...

    # -- the sidebar's feeds ----------------------------------------------------

    def refresh_feed_rows(self, force: bool = False) -> None:
        """Recount the feeds' unread posts if the marks or the library changed."""
        key = (self.session.read, self.library.posts_version())
        fresh = self._feeds_counted_for is not None and all(
            a is b for a, b in zip(key, self._feeds_counted_for, strict=True)
        )
        if force or not fresh:
            self._feeds_counted_for = key
            self.count_feeds()

    @work(exclusive=True, group="feed-counts", thread=True, exit_on_error=False)
    def count_feeds(self) -> None:
        """Read the subscriptions and count each feed's unread posts, off the event loop."""
        from reader.feeds.counts import feed_counts

        try:
            feeds = feed_counts(self.library, self.session.is_unread)
        except (OSError, ValueError):
            return  # `R` names a damaged feeds.json
        if not get_current_worker().is_cancelled:
            self.post_message(self.FeedsCounted(feeds))

    @on(FeedsCounted)
    def feeds_counted(self, event: FeedsCounted) -> None:
        self._feeds = event.feeds
        self._show_feeds()

    def _show_feeds(self) -> None:
        rows = [(f.key, f.name, f.tag, f.unread) for f in self._feeds]
        self.query_one(TagSidebar).show_feeds(rows, self._feeds_status)

    # -- refreshing ---------------------------------------------------------------

    @on(Mount)
    def refresh_feeds_on_start(self) -> None:
        from reader.feeds.settings import refresh_on_start_minutes

        minutes = refresh_on_start_minutes(self.library)
        if minutes is None:
            return
        self._refreshing = True
        self.refresh_feeds(due_after=minutes)

    def action_refresh_feeds(self) -> None:
        """Fetch every subscription in a thread worker (one at a time)."""
        if self._refreshing:
            self.notify(ALREADY, title="Feeds", timeout=3, markup=False)
            return
        self._refreshing = True
        self.refresh_feeds()

    @work(thread=True, group="feeds", exit_on_error=False)
    def refresh_feeds(self, due_after: int | None = None) -> None:
        """Refresh the feeds; with `due_after`, only if the last refresh is older (minutes).

        With no subscriptions, say how to add one (unless this is the start's refresh).
        """
        try:
            self._refresh_feeds(due_after)
        finally:
            self.post_message(self.FeedsRefreshed())

    def _refresh_feeds(self, due_after: int | None) -> None:
        from reader.feeds.refresh import refresh, store_for
        from reader.feeds.settings import refresh_due

        app = self.app
        worker = get_current_worker()
        try:
            subs = store_for(self.library).load()
        except (OSError, ValueError) as error:
            app.notify(f"Cannot refresh: {error}", title="Feeds", severity="error", markup=False)
            return
        if due_after is not None and not refresh_due(subs, due_after):
            return
        if not subs:
            if due_after is None:
                app.notify(NO_FEEDS, title="Feeds", markup=False)
            return
        feeds = plural(len(subs), "feed")
        ago = "" if due_after is None else plural(due_after, "minute")
        why = "" if due_after is None else f" (last refreshed over {ago} ago)"
        app.notify(f"Refreshing {feeds}…{why}", title="Feeds", timeout=10, markup=False)
        self.post_message(self.FeedsProgress(0, len(subs)))

        def arrived(slugs: list[str]) -> None:
            self.library.tags()  # counted here, not on the event loop
            if not worker.is_cancelled:  # quitting: no loop to call any more
                app.call_from_thread(self.library_changed, set(slugs), set())

        def progress(done: int, total: int, _: object) -> None:
            self.post_message(self.FeedsProgress(done, total))

        try:
            # Quitting cancels the worker: the refresh stops, nothing half stored.
            report = refresh(
                self.library,
                on_posts=arrived,
                progress=progress,
                stop=lambda: worker.is_cancelled,
            )
        except (OSError, ValueError) as error:
            app.notify(f"Cannot refresh: {error}", title="Feeds", severity="error", markup=False)
            return
        if report.stopped:
            return
        lines = [report.line()] + [f"{name}: {reason}" for name, reason in report.errors]
        app.notify(
            "\n".join(lines),
            title="Feeds refreshed",
            severity="warning" if report.errors else "information",
            timeout=10,
            markup=False,
        )

    @on(FeedsProgress)
    def feeds_progress(self, event: FeedsProgress) -> None:
        """Count the feeds done beside the sidebar's heading."""
        self._feeds_status = f"(refreshing {event.done}/{event.total})"
        self._show_feeds()

    @on(FeedsRefreshed)
    def feeds_refreshed(self) -> None:
        """The refresh is over: `R` works again, the counts are taken afresh (new titles)."""
        self._refreshing = False
        self._feeds_status = ""
        self._show_feeds()
        self.refresh_feed_rows(force=True)
