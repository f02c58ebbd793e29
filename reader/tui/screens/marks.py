"""The main screen's marks: bookmarks, notes, read marks, and changes made elsewhere.

A part of `MainScreen` (which derives from it). Every change goes to the
`ReadingSession`, which shows it at once and writes it in order off the
event loop; this part redraws the rows and says when saving is not possible.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual import on
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from reader.config import Config, ReadRule
from reader.session import Snapshot
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.note import NoteScreen
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.reader_pane import ReaderPane

if TYPE_CHECKING:
    from reader.library import Library
    from reader.models import Filter
    from reader.search import SearchResults
    from reader.session import ReadingSession
    from reader.sorting import SortOrder
    from reader.tui.timings import Timings

__all__ = ["MarksPart", "count_of"]


def count_of(count: int) -> str:
    """`count` posts, in words ("1 post", "123 posts")."""
    return f"{count} post" if count == 1 else f"{count} posts"


class MarksPart(Screen[None]):
    """Bookmarks and read marks: the main screen's half that changes the user state."""

    library: Library
    session: ReadingSession
    timings: Timings
    filter: Filter
    wanted_slug: str | None
    config: Config

    @dataclass
    class StateRead(Message):
        """The user state as read from disk (it may have been changed elsewhere)."""

        snapshot: Snapshot

    def __init__(self) -> None:
        super().__init__()
        self._poll: Future[object] | None = None
        self._shown_problem: str | None = None
        self._library_problems_shown: set[str] = set()
        self._read_timer: Timer | None = None
        self._reading: str | None = None
        """The post the user opened in the reader, while it is shown: the rule's only subject."""
        self._resume_timer: Timer | None = None
        self.undo_read: frozenset[str] = frozenset()
        """The posts the last `M` marked read, for `u` to make unread again."""

    if TYPE_CHECKING:  # the screen's side of it, defined by MainScreen and its parts
        search_query: str
        search_results: SearchResults | None
        order: SortOrder

        def refresh_lists(self) -> None: ...

        def refresh_row(self, slug: str, in_place: bool = False) -> None: ...

    # -- bookmarks ------------------------------------------------------------------

    def target_slug(self) -> str | None:
        """The post a bookmark or read-mark key acts on: the open one, else the highlighted."""
        reader = self.query_one(ReaderPane)
        if reader.post is not None and reader.has_focus_within:
            return reader.post.slug
        return self.query_one(PostList).highlighted_slug

    def current_section(self, slug: str) -> str:
        """Anchor of the section the reader is in, when `slug` is the open post."""
        reader = self.query_one(ReaderPane)
        if reader.post is None or reader.post.slug != slug:
            return ""
        return reader.current_anchor

    def action_toggle_bookmark(self) -> None:
        """Bookmark the open or highlighted post, or remove its bookmark."""
        slug = self.target_slug()
        if slug is None:
            return
        if self.session.toggle_bookmark(slug, self.current_section(slug)):
            self.notify("Bookmarked.", timeout=2)
        else:
            self.notify("Bookmark removed.", timeout=2)
        self.refresh_row(slug)
        self.show_open_note()

    def action_edit_note(self) -> None:
        """Edit the bookmark's note (bookmarking the post if need be)."""
        slug = self.target_slug()
        if slug is None:
            return
        summary = self.library.posts.summary(slug)
        title = summary.title if summary else slug
        mark = self.session.bookmarks.get(slug)
        self.app.push_screen(
            NoteScreen(title, mark.note if mark else ""), partial(self.save_note, slug)
        )

    def save_note(self, slug: str, note: str | None) -> None:
        """Keep the note written in the dialog (None: cancelled)."""
        if note is None:
            return
        self.session.set_note(slug, note, self.current_section(slug))
        self.refresh_row(slug)
        self.show_open_note()

    def show_open_note(self) -> None:
        """Show the note of the open post's bookmark under its title, as it is now."""
        reader = self.query_one(ReaderPane)
        if reader.post is not None:
            mark = self.session.bookmarks.get(reader.post.slug)
            reader.show_note(mark.note if mark is not None else "")

    # -- read marks -----------------------------------------------------------------

    def action_toggle_read(self) -> None:
        """Mark the open or highlighted post read, or unread again."""
        slug = self.target_slug()
        if slug is None:
            return
        self.set_read(slug, self.session.is_unread(slug))
        if self._read_timer is not None:
            self._read_timer.stop()  # the user decided; don't override it

    def set_read(self, slug: str, read: bool, in_place: bool = False) -> None:
        """Change a read mark here and on disk."""
        self.session.set_read(slug, read)
        self.refresh_row(slug, in_place)

    def mark_read_if_open(self, slug: str) -> None:
        """Mark `slug` read if it is still the post shown (the row stays where it is)."""
        post = self.query_one(ReaderPane).post
        if post is not None and post.slug == slug and self.session.is_unread(slug):
            self.set_read(slug, True, in_place=True)

    # -- every post listed at once (`M`, and `u` to undo it) -----------------------

    def listed_slugs(self) -> list[str]:
        """Every post the list shows under the filter: the search's matches (all of them,
        not only the best shown), or the posts browsed."""
        if self.search_query:
            results = self.search_results
            if results is None:
                return []
            return sorted(results.slugs or {h.slug for h in results.hits})
        return [p.slug for p in self.session.posts(self.filter, self.order)]

    def action_mark_all_read(self) -> None:
        """Ask, giving the count, then mark every unread post the list shows read."""
        unread = frozenset(s for s in self.listed_slugs() if self.session.is_unread(s))
        if not unread:
            self.notify("Every post listed is read already.", timeout=3)
            return
        question = f"Mark {count_of(len(unread))} read?"
        self.app.push_screen(
            ConfirmScreen(question, "Mark all read"), partial(self._mark_all_read, unread)
        )

    def _mark_all_read(self, slugs: frozenset[str], yes: bool | None) -> None:
        if not yes:
            return
        changed = self.session.mark_read_many(slugs)
        if not changed:
            return  # read meanwhile (another process, the rule)
        self.undo_read = changed
        self.refresh_lists()
        self.refresh_bindings()
        self.notify(f"Marked {count_of(len(changed))} read. Press u to undo.", timeout=5)

    def action_undo_mark_read(self) -> None:
        """Make the posts the last `M` marked read unread again, those alone."""
        slugs, self.undo_read = self.undo_read, frozenset()
        self.refresh_bindings()
        if not slugs:
            self.notify("Nothing to undo.", timeout=3)
            return
        restored = self.session.mark_unread_many(slugs)
        self.refresh_lists()
        self.notify(f"{count_of(len(restored)).capitalize()} unread again.", timeout=5)

    # -- the read-marking rule (`mark_read` in the config) ----------------------------

    def start_reading(self, slug: str) -> None:
        """The user opened `slug` in the reader (enter, a link, next post, the history).

        Only an opened post is ever marked read by the rule: the one shown at
        start, or one just highlighted in the list, never is.
        """
        self.stop_reading()
        self._reading = slug
        rule = self.config.mark_read
        if rule is ReadRule.ON_OPEN and self.session.is_unread(slug):
            self.set_read(slug, True, in_place=True)
        elif rule is ReadRule.ON_END:
            reader = self.query_one(ReaderPane)
            if reader.post is not None and reader.post.slug == slug and reader.end_in_view:
                self.mark_read_if_open(slug)  # shown already, and it fits: at its end
        elif rule is ReadRule.AFTER_SECONDS:
            self._read_timer = self.set_timer(
                self.config.mark_read_seconds, partial(self._read_a_while, slug)
            )

    def stop_reading(self) -> None:
        """The reader moved on to a post that was not opened (only highlighted in the list)."""
        self._reading = None
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None

    def reached_end(self, slug: str) -> None:
        """The reader shows the end of `slug`: with `on-end`, it is read if the user took
        it there (opened it, or scrolled the reader in focus), not where it opened by itself."""
        if self.config.mark_read is not ReadRule.ON_END:
            return
        if slug == self._reading or self.query_one(ReaderPane).has_focus_within:
            self.mark_read_if_open(slug)

    @on(ReaderPane.EndInView)
    def end_shown(self, event: ReaderPane.EndInView) -> None:
        """A post that fits on screen is at its end as it opens (`on-end`)."""
        self.reached_end(event.slug)

    def _read_a_while(self, slug: str) -> None:
        if slug == self._reading:
            self.mark_read_if_open(slug)

    # -- where the user was ---------------------------------------------------------------

    def save_before_quit(self) -> None:
        """Queue the reading position now: the pane reports it only once scrolling settles."""
        position = self.query_one(ReaderPane).current_position()
        if position is not None:
            self.session.set_position(position)
        if self._resume_timer is not None:
            self._resume_timer.stop()
            self._save_place()

    def remember_place(self) -> None:
        """Save the filter and post to come back to, once the cursor settles."""
        if self._resume_timer is not None:
            self._resume_timer.stop()
        self._resume_timer = self.set_timer(self.timings.save_place, self._save_place)

    def _save_place(self) -> None:
        self.session.save_settings({"last_filter": self.filter.id, "last_slug": self.wanted_slug})

    # -- other processes, and problems ------------------------------------------------

    def poll_state(self) -> None:
        """Pick up bookmarks and read marks changed by another process; retry refused writes."""
        if self._poll is not None and not self._poll.done():
            return  # the last poll is still waiting (a lock held elsewhere, a slow disk)
        self._poll = self.session.read_from_disk()
        # Posted from the writer thread: it must never wait for the event loop,
        # which may be waiting for that thread (on quit).
        self._poll.add_done_callback(self._state_read)

    def _state_read(self, done: Future[object]) -> None:
        snapshot = None if done.cancelled() or done.exception() else done.result()
        if isinstance(snapshot, Snapshot):
            self.post_message(self.StateRead(snapshot))

    @on(StateRead)
    def apply_state(self, event: StateRead) -> None:
        """Show state read from disk if it differs from what is shown."""
        self.show_state_problem(event.snapshot.problem)
        if self.session.apply(event.snapshot):
            self.refresh_lists()
            self.show_open_note()

    def report_library_problems(self) -> None:
        """Notify each damage to the library found since the last call (a bad file set aside).

        The library finds some only when it reads a body or searches, so this
        runs after those too.
        """
        for problem in self.library.problems:
            if problem not in self._library_problems_shown:
                self._library_problems_shown.add(problem)
                self.notify(
                    problem, title="Library repaired", severity="warning", timeout=30, markup=False
                )

    def show_state_problem(self, problem: str | None) -> None:
        """Say, above the footer, that changes are not being saved and why (None: all well).

        The first time, also as a notification that stays until dismissed:
        the user must know before making a change that would be lost.
        """
        banner = self.query_one("#state-problem", Static)
        if problem == self._shown_problem:
            return
        self._shown_problem = problem
        self.set_class(problem is not None, "-state-problem")
        if problem is None:
            banner.update("")
            self.notify("Your reader state can be saved again.", title="State saved", timeout=5)
            return
        banner.update(Content(f"NOT SAVING: {problem}"))
        self.notify(
            problem, title="Changes are not being saved", severity="error", timeout=60, markup=False
        )
