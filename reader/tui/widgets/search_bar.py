"""The search bar above the post list: type to search the library."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.message import Message
from textual.widgets import Input

__all__ = ["PLACEHOLDERS", "SearchBar"]

PLACEHOLDERS = (
    '/ search  (words, "phrase", -not, tag:name, is:unread)',
    '/ search  (words, "phrase", tag:x)',
    "/ search  (? for syntax)",
    "/ search",
)
"""The search bar's hint, longest first: the longest that fits its width is shown."""


class SearchBar(Input):
    """An `Input` that reports queries as they are typed. Widgets never search themselves."""

    DEFAULT_CSS = """
    SearchBar {
        height: 1;
        border: none;
        padding: 0 2;
        background: $boost;
        &:focus { border: none; background: $primary 20%; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_search", "Clear search", id="search.clear"),
        Binding("down", "to_results", "Results", id="search.results"),
        Binding("enter", "open_result", "Open result", id="search.open"),
        Binding("ctrl+s", "save_search", "Save search", id="search.save"),
    ]
    """Keys of the search bar; typing edits the query."""

    @dataclass
    class QueryChanged(Message):
        """The query text changed (possibly to empty)."""

        query: str

    @dataclass
    class ResultRequested(Message):
        """Enter: open the top (or highlighted) result."""

        query: str

    @dataclass
    class SaveRequested(Message):
        """Ctrl+S: pin the query in the sidebar."""

        query: str

    @dataclass
    class Dismissed(Message):
        """Escape: the search was cleared and the user wants the list back."""

    @dataclass
    class ResultsFocused(Message):
        """Down: move into the results."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder=PLACEHOLDERS[0], id=id)

    def on_resize(self, event: Resize) -> None:
        """The longest placeholder that fits: a cut one reads as nonsense."""
        room = self.content_size.width - 1  # the cursor's cell
        self.placeholder = next((p for p in PLACEHOLDERS if len(p) <= room), PLACEHOLDERS[-1])

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.QueryChanged(event.value))

    def action_open_result(self) -> None:
        """Open the top or highlighted result."""
        self.post_message(self.ResultRequested(self.value))

    def action_save_search(self) -> None:
        """Pin the query as a saved search in the sidebar."""
        self.post_message(self.SaveRequested(self.value))

    def action_clear_search(self) -> None:
        """Clear the query and go back to the list."""
        self.value = ""
        self.post_message(self.Dismissed())

    def action_to_results(self) -> None:
        """Move the focus to the results."""
        self.post_message(self.ResultsFocused())
