"""The tag sidebar: All, Unread, Bookmarks, then every tag with its count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.models import TagCount
from reader.tui.widgets.paged_list import PagedList

__all__ = ["ALL", "BOOKMARKS", "UNREAD", "TagSidebar"]

ALL = "all"
"""Filter id of the "All" row."""
UNREAD = "unread"
"""Filter id of the "Unread" row."""
BOOKMARKS = "bookmarks"
"""Filter id of the "Bookmarks" row."""
TAG_PREFIX = "tag:"


def row(label: str, count: int, special: bool = False) -> Content:
    """One sidebar row: the label (plain text, never markup) and its count."""
    return Content.assemble((label, "bold" if special else ""), (f" {count}", "$text-muted"))


class TagSidebar(PagedList):
    """Lists the filters. Posts `TagChosen` when the user picks one."""

    DEFAULT_CSS = """
    TagSidebar { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="sidebar.down"),
        Binding("k", "cursor_up", "Up", show=False, id="sidebar.up"),
        Binding("enter", "select", "Filter", id="sidebar.choose"),
    ]
    """Sidebar keys; arrows, home/end and page keys come from `OptionList`."""

    @dataclass
    class TagChosen(Message):
        """The user chose a filter: `ALL`, `UNREAD`, `BOOKMARKS` or `tag:NAME`."""

        filter_id: str

    def show_counts(
        self, total: int, unread: int, bookmarks: int, tags: list[TagCount], chosen: str
    ) -> None:
        """Replace the rows, keeping `chosen` highlighted."""
        options = [
            Option(row("All", total, special=True), id=ALL),
            Option(row("Unread", unread, special=True), id=UNREAD),
            Option(row("Bookmarks", bookmarks, special=True), id=BOOKMARKS),
        ]
        options += [Option(row(t.name, t.count), id=TAG_PREFIX + t.name) for t in tags]
        self.set_options(options)
        try:
            self.highlighted = self.get_option_index(chosen)
        except LookupError:
            self.highlighted = 0

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.TagChosen(event.option.id))
