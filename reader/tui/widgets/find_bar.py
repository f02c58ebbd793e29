"""The find bar of the reader pane: a query box and a "3/14" counter."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from reader.tui.find_state import FindState

__all__ = ["FindBar"]


class FindBar(Horizontal):
    """Asks for the text to find; the pane does the finding and sets the counter."""

    DEFAULT_CSS = """
    FindBar {
        height: 1;
        dock: bottom;
        display: none;
        background: $boost;
        &.-open { display: block; }
        & > Input { width: 1fr; height: 1; border: none; padding: 0 1; }
        & > Input:focus { border: none; }
        & > #find-counter {
            width: auto; min-width: 7; height: 1; padding: 0 1;
            text-style: dim;  /* not $text-muted: see reader.tui.look */
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close find", id="reader.find.close"),
    ]
    """Escape closes the bar and clears the hits."""

    class Changed(Message):
        """The query was edited."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class Submitted(Message):
        """Enter was pressed in the query box."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class Dismissed(Message):
        """The bar was closed with escape."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Find in post", id="find-input")
        yield Static(id="find-counter", markup=False)

    @property
    def text(self) -> str:
        """The text in the query box."""
        return self.query_one(Input).value

    def open(self, query: str = "") -> None:
        """Show the bar and focus its query box."""
        self.add_class("-open")
        box = self.query_one(Input)
        if query:
            box.value = query
        # At once, not after the queued messages: the keys read with `f` are the query.
        self.screen.set_focus(box)

    def close(self) -> None:
        """Hide the bar."""
        self.remove_class("-open")

    @property
    def is_open(self) -> bool:
        """True while the bar is shown."""
        return self.has_class("-open")

    def set_counter(self, find: FindState) -> None:
        """Show the counter of `find`: "3/14", "0/0" with no match, nothing with no query."""
        self.query_one("#find-counter", Static).update(Content(find.counter))

    @property
    def counter(self) -> str:
        """The counter's text, e.g. "3/14"."""
        return str(self.query_one("#find-counter", Static).content)

    @on(Input.Changed, "#find-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value))

    @on(Input.Submitted, "#find-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(event.value))

    def action_dismiss(self) -> None:
        """Close the bar (the pane clears the hits)."""
        self.post_message(self.Dismissed())
