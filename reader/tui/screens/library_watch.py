"""The main screen's watch on the library: posts another process imported, synced or removed.

A part of `MainScreen` (which derives from it), like `MarksPart` for the
user state. Every `Timings.library_poll` seconds a thread worker asks the
library whether `posts.json` changed (one `stat`); when it did, the worker
reads the posts again and counts the tags, and the screen refills the list
keeping the cursor on the same post (or, if that went, on the next one still
there). An open post that was removed is closed with a message; one that
changed is shown again, where it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.events import Mount
from textual.screen import Screen

from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.reader_pane import ReaderPane

if TYPE_CHECKING:
    from reader.library import Library
    from reader.tui.timings import Timings

__all__ = ["LibraryPart"]


class LibraryPart(Screen[None]):
    """Picks up changes to the library made by another process."""

    library: Library
    timings: Timings
    wanted_slug: str | None

    if TYPE_CHECKING:  # the screen's side of it, defined by MainScreen and MarksPart

        def refresh_lists(self) -> None: ...

        def request_post(self, slug: str) -> None: ...

        def report_library_problems(self) -> None: ...

    @on(Mount)
    def start_library_poll(self) -> None:
        """Look for changes every `Timings.library_poll` seconds."""
        self.set_interval(self.timings.library_poll, self.poll_library)

    @work(thread=True, exclusive=True, group="library-poll", exit_on_error=False)
    def poll_library(self) -> None:
        """Read the posts again if another process changed them, off the event loop."""
        found = self.library.reload_if_changed()
        if found is None:
            return
        self.library.tags()  # counted here, not on the event loop
        changed, gone = found
        self.app.call_from_thread(self.library_changed, changed, gone)

    def library_changed(self, changed: set[str], gone: set[str]) -> None:
        """Show the posts as they are now; close an open post that was removed."""
        self.report_library_problems()
        reader = self.query_one(ReaderPane)
        open_post = reader.post
        if open_post is not None and open_post.slug in gone:
            self.notify(
                f"{open_post.title!r} was removed from the library by another reader.",
                title="Post removed",
                severity="warning",
                timeout=10,
                markup=False,
            )
            reader.show_post(None)
            if self.wanted_slug == open_post.slug:
                self.wanted_slug = None
        post_list = self.query_one(PostList)
        current = post_list.highlighted_slug
        if current in gone:
            # The cursor's post went: keep it where it was, on the next post still there.
            listed = post_list.slugs
            at = listed.index(current)
            after = [s for s in listed[at + 1 :] if s not in gone]
            before = [s for s in reversed(listed[:at]) if s not in gone]
            survivors = after or before
            if survivors:
                post_list.highlighted = listed.index(survivors[0])
        self.refresh_lists()
        if open_post is not None and open_post.slug in changed:
            self.wanted_slug = open_post.slug
            self.request_post(open_post.slug)  # its new text, where the reader was
