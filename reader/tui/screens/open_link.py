"""Shows a link's URL before it is opened; other schemes are shown and never opened."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from reader.tui.screens.dialog import Dialog

__all__ = ["OpenLinkScreen"]


class OpenLinkScreen(Dialog[bool]):
    """Dismisses with True only when the user chose to open a safe (http/https) link."""

    DEFAULT_CSS = """
    OpenLinkScreen {
        align: center middle;
        & > Vertical {
            width: 80%;
            max-width: 90;
            height: auto;
            border: round $accent;
            background: $surface;
            padding: 0 1;
        }
        & #link-url { color: $text-primary; margin: 1 0; }
        & #link-note { text-style: dim; }  /* not $text-muted: see reader.tui.look */
        & Horizontal { height: auto; align-horizontal: right; }
        & Button { margin-left: 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="reader.link.cancel"),
    ]
    """Escape closes the dialog without opening anything."""

    AUTO_FOCUS = "#link-open, #link-cancel"
    """Open when the link can be opened, else Close."""

    def __init__(self, url: str, can_open: bool) -> None:
        super().__init__()
        self.url = url
        self.can_open = can_open

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Open link?" if self.can_open else "Link"
            yield Static(Content(self.url), id="link-url")
            if not self.can_open:
                yield Static(
                    Content("Only http and https links are opened; this one is shown only."),
                    id="link-note",
                )
            with Horizontal():
                if self.can_open:
                    yield Button("Open in browser", variant="primary", id="link-open")
                yield Button("Cancel" if self.can_open else "Close", id="link-cancel")

    @on(Button.Pressed, "#link-open")
    def _open(self) -> None:
        self.dismiss(self.can_open)

    @on(Button.Pressed, "#link-cancel")
    def _cancel(self) -> None:
        self.dismiss(False)

    def action_cancel(self) -> None:
        """Close without opening."""
        self.dismiss(False)
