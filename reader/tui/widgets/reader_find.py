"""The reader pane's find: the find bar's query run over the post, `n` and `N` through the hits.

A part of `ReaderPane` (which derives from it and declares its keys), kept
apart so the pane's showing and restoring read on one page. What was found is
one `FindState`, replaced as a whole and handed down to the view (which draws
the hits) and to the bar (which shows the counter), so they never disagree.
"""

from __future__ import annotations

from textual import on
from textual.containers import Vertical

from reader.models import Post
from reader.text import fold
from reader.tui.find_state import FindState, find_hits
from reader.tui.opening import choose_hit
from reader.tui.widgets.find_bar import FindBar
from reader.tui.widgets.post_view import PostView

__all__ = ["FindPart"]


class FindPart(Vertical):
    """Finding words in the post shown: the find actions and the find bar's messages."""

    post: Post | None
    view: PostView
    find_bar: FindBar

    find_state = FindState()
    """The query, its hits and the current hit (`FindState()` when not finding)."""

    @property
    def find_counter(self) -> str:
        """The counter of the find bar, e.g. "3/14" ("" with no query)."""
        return self.find_state.counter

    def action_find(self) -> None:
        """Open the find bar."""
        if self.post is None:
            return
        self.find_bar.open(self.find_state.query)
        self.refresh_bindings()

    @on(FindBar.Changed)
    def _find_changed(self, event: FindBar.Changed) -> None:
        event.stop()
        self.run_find(event.query)

    @on(FindBar.Submitted)
    def _find_submitted(self, event: FindBar.Submitted) -> None:
        event.stop()
        self.screen.set_focus(self)

    @on(FindBar.Dismissed)
    def _find_dismissed(self, event: FindBar.Dismissed) -> None:
        event.stop()
        self.action_end_find()

    def run_find(self, query: str, move: bool = True) -> None:
        """Find `query` in the post and, with `move`, show the first hit from the top of the view.

        Without `move` (the query is run again over more of the post), the
        current hit stays current while it is still a hit.
        """
        view = self.view
        document = view.document
        needle = fold(query)
        hits = find_hits(document, (needle,)) if document is not None and needle.strip() else []
        lines = (view.line_of(hit.unit, hit.start) for hit in hits)
        keep = -1 if move else self.find_state.index
        index = choose_hit(len(hits), lines, round(view.scroll_y), keep)
        self._set_find(FindState(query, tuple(hits), index), show=move)
        self.refresh_bindings()

    def _set_find(self, find: FindState, show: bool) -> None:
        """Make `find` what the pane, the view and the bar show; with `show`, scroll to its hit."""
        self.find_state = find
        self.view.set_find(find)
        self.find_bar.set_counter(find)
        hit = find.current
        if show and hit is not None:
            self.view.ensure_line_visible(self.view.line_of(hit.unit, hit.start))

    def action_find_next(self) -> None:
        """Go to the next hit (wrapping around)."""
        if self.find_state.hits:
            self._set_find(self.find_state.stepped(1), show=True)

    def action_find_previous(self) -> None:
        """Go to the previous hit (wrapping around)."""
        if self.find_state.hits:
            self._set_find(self.find_state.stepped(-1), show=True)

    def action_end_find(self) -> None:
        """Close the find bar and clear its hits."""
        self.close_find()
        self.screen.set_focus(self)

    def close_find(self) -> None:
        """Close the find bar and forget the query and its hits."""
        if not (self.find_bar.is_open or self.find_state.active or self.find_state.hits):
            return  # nothing to close: skip the repaints
        self.find_bar.close()
        self._set_find(FindState(), show=False)
        self.refresh_bindings()
