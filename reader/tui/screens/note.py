"""A small dialog to edit a bookmark's note."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label

from reader.tui.screens.dialog import Dialog

__all__ = ["NoteScreen"]


class NoteScreen(Dialog[str | None]):
    """Ask for a note. Dismisses with the text on enter, None on escape."""

    DEFAULT_CSS = """
    NoteScreen { align: center middle; }
    NoteScreen > Vertical {
        width: 64; max-width: 100%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    NoteScreen Label { width: 100%; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="note.cancel"),
    ]
    """Keys of the note dialog; enter saves."""

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self.post_title = title
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Bookmark note"
            yield Label(Content(self.post_title))
            yield Input(self.note, placeholder="A note for this bookmark (enter saves)")

    @on(Input.Submitted)
    def save(self, event: Input.Submitted) -> None:
        """Keep the note."""
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        """Close without changing the note."""
        self.dismiss(None)
