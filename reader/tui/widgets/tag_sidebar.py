"""The tag sidebar: All, Unread, Bookmarks, the saved searches, the feeds, then every tag."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from reader.models import TagCount
from reader.tui.look import MUTED
from reader.tui.widgets.paged_list import PagedList

__all__ = [
    "ALL",
    "BOOKMARKS",
    "FEEDS_HEADING",
    "FEED_PREFIX",
    "SAVED_PREFIX",
    "UNREAD",
    "TagSidebar",
]

ALL = "all"
"""Filter id of the "All" row."""
UNREAD = "unread"
"""Filter id of the "Unread" row."""
BOOKMARKS = "bookmarks"
"""Filter id of the "Bookmarks" row."""
TAG_PREFIX = "tag:"
SAVED_PREFIX = "saved:"
"""Option ids of the saved searches' rows: the prefix and the query."""
SAVED_HEADING = "Saved searches"
FEED_PREFIX = "feed:"
"""Option ids of the feeds' rows: the prefix and the feed's key."""
FEEDS_HEADING = "Feeds"


def row(label: str, count: int | str, special: bool = False) -> Content:
    """One sidebar row: the label (plain text, never markup) and its count."""
    return Content.assemble((label, "bold" if special else ""), (f" {count}", MUTED))


class TagSidebar(PagedList):
    """Lists the filters. Posts `TagChosen` when the user picks one."""

    DEFAULT_CSS = """
    TagSidebar { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="sidebar.down"),
        Binding("k", "cursor_up", "Up", show=False, id="sidebar.up"),
        Binding("enter", "select", "Filter", id="sidebar.choose"),
        Binding("x,delete", "remove_saved", "Remove saved search", id="sidebar.remove_saved"),
    ]
    """Sidebar keys; arrows, home/end and page keys come from `OptionList`."""

    @dataclass
    class TagChosen(Message):
        """The user chose a filter: `ALL`, `UNREAD`, `BOOKMARKS` or `tag:NAME`."""

        filter_id: str

    @dataclass
    class SavedChosen(Message):
        """The user chose a saved search: run it."""

        query: str

    @dataclass
    class SavedRemoved(Message):
        """The user asked to remove a saved search."""

        query: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Tags"
        self._saved: Sequence[tuple[str, int | str]] = ()
        self._feeds: Sequence[tuple[str, str, str, int | str]] = ()
        self._feeds_status = ""
        self._feed_tags: dict[str, str] = {}
        self._feed_chosen = ""
        """The key of the feed whose row was chosen last ('' once another row is): its
        filter is its tag's, and the highlight goes back to its row, not the tag's."""
        self._filters: list[Option] = []
        self._tags: list[Option] = []
        self._counted: tuple[object, ...] | None = None
        """The counts the filter and tag rows show, to leave them be when they are the same."""

    def show_counts(
        self, total: int, unread: int | str, bookmarks: int, tags: list[TagCount], chosen: str
    ) -> None:
        """Replace the filter and tag rows, keeping `chosen` highlighted (`unread` may be a
        mark, "…", until it is counted).

        The same counts again (the sidebar is refreshed on every keystroke of a
        search) only move the highlight: refilling would repaint the sidebar.
        """
        counted = (total, unread, bookmarks, tuple((t.name, t.count) for t in tags))
        if counted == self._counted:
            self._highlight(chosen, self.highlighted or 0)
            return
        self._counted = counted
        self._filters = [
            Option(row("All", total, special=True), id=ALL),
            Option(row("Unread", unread, special=True), id=UNREAD),
            Option(row("Bookmarks", bookmarks, special=True), id=BOOKMARKS),
        ]
        self._tags = [Option(row(t.name, t.count), id=TAG_PREFIX + t.name) for t in tags]
        self._fill(chosen)

    def show_saved(self, saved: Sequence[tuple[str, int | str]]) -> None:
        """Replace the saved searches' rows: query, and its count (or a mark: "…", "?")."""
        if tuple(saved) == self._saved:
            return  # the same rows: nothing to repaint
        self._saved = tuple(saved)
        self._refill()

    def show_feeds(
        self, feeds: Sequence[tuple[str, str, str, int | str]], status: str = ""
    ) -> None:
        """Replace the feeds' rows: (key, name, tag, unread count); `status` beside the heading.

        Choosing a feed filters by its tag; a feed with no tag yet (never
        fetched) is listed, dimmed, and cannot be chosen.
        """
        if tuple(feeds) == self._feeds and status == self._feeds_status:
            return  # the same rows: nothing to repaint
        self._feeds = tuple(feeds)
        self._feeds_status = status
        self._feed_tags = {key: tag for key, _, tag, _ in self._feeds}
        self._refill()

    def _refill(self) -> None:
        """Fill the rows again, keeping the highlighted one (or its place)."""
        highlighted = self.highlighted_option
        at = self.highlighted or 0
        self._fill(highlighted.id if highlighted is not None and highlighted.id else ALL, at)

    @property
    def highlighted_saved(self) -> str | None:
        """The query of the highlighted saved search's row, if one is highlighted."""
        option = self.highlighted_option
        if option is None or option.id is None or not option.id.startswith(SAVED_PREFIX):
            return None
        return option.id.removeprefix(SAVED_PREFIX)

    def _fill(self, chosen: str, fallback: int = 0) -> None:
        options = list(self._filters)
        if self._saved:
            heading = Content.styled(SAVED_HEADING, f"bold {MUTED}")
            options.append(Option(heading, id="saved-heading", disabled=True))
            options += [Option(row(q, n), id=SAVED_PREFIX + q) for q, n in self._saved]
        if self._feeds:
            status = f" {self._feeds_status}" if self._feeds_status else ""
            heading = Content.styled(FEEDS_HEADING + status, f"bold {MUTED}")
            options.append(Option(heading, id="feeds-heading", disabled=True))
            options += [
                Option(row(name, count), id=FEED_PREFIX + key, disabled=not tag)
                for key, name, tag, count in self._feeds
            ]
        self.set_options(options + self._tags)
        self._highlight(chosen, fallback)

    def _highlight(self, chosen: str, fallback: int) -> None:
        """Highlight the row of `chosen` (a chosen feed's, for its tag's filter), or the one
        at `fallback` if it is gone."""
        feed = self._feed_chosen
        if feed and chosen == TAG_PREFIX + self._feed_tags.get(feed, ""):
            chosen = FEED_PREFIX + feed
        try:
            self.highlighted = self.get_option_index(chosen)
        except (LookupError, OptionDoesNotExist):  # a removed row: stay where it was
            self.highlighted = min(fallback, self.option_count - 1) if self.option_count else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Remove is offered (and in the footer) only on a saved search's row."""
        if action == "remove_saved":
            return self.highlighted_saved is not None
        return True

    def action_remove_saved(self) -> None:
        """Ask to remove the highlighted saved search."""
        query = self.highlighted_saved
        if query is not None:
            self.post_message(self.SavedRemoved(query))

    def _on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.refresh_bindings()

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id
        self._feed_chosen = ""
        if option_id is not None and option_id.startswith(SAVED_PREFIX):
            self.post_message(self.SavedChosen(option_id.removeprefix(SAVED_PREFIX)))
        elif option_id is not None and option_id.startswith(FEED_PREFIX):
            key = option_id.removeprefix(FEED_PREFIX)
            tag = self._feed_tags.get(key, "")
            if tag:  # a feed's posts are the posts with its tag
                self._feed_chosen = key
                self.post_message(self.TagChosen(TAG_PREFIX + tag))
        elif option_id is not None:
            self.post_message(self.TagChosen(option_id))
