"""`ReaderPalette`: Textual's command palette, safe against keys that arrive in one read.

A terminal delivers several keys in one read (fast typing, a paste, a busy
moment). The app hands each key to the focused widget as it reads it, so
keys read after the one that closes the palette (`escape`, `enter`) still
reach the palette's input while it is being taken down. In Textual 8.2 the
palette then starts a search whose worker looks up its list after the list
is gone (`NoMatches: CommandList`, which ends the app), a second `enter`
dismisses it again (popping the screen beneath) and runs the command twice,
and `pagedown` before the list has a height raises `KeyError`.

This subclass keeps Textual's behaviour and drops what reaches it once it
is closing: a palette off the screen stack, or being pruned, ignores its
input's changes and submissions and its list's selections, and its search
workers are cancelled before its children are removed. Only the message
handlers are added; nothing of Textual's is replaced but the page keys.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from textual import on
from textual.binding import Binding, BindingType
from textual.command import CommandList, CommandPalette, ProviderSource
from textual.message import Message
from textual.messages import Prune
from textual.widgets import Input, OptionList

from reader.tui.widgets.paged_list import page

__all__ = ["ReaderPalette"]


class ReaderPalette(CommandPalette):
    """The command palette, ignoring what reaches it after it began to close."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "page(1)", "Next page", show=False),
        Binding("pageup", "page(-1)", "Previous page", show=False),
    ]
    """Page keys that work before the list has a height (Textual's raise `KeyError`)."""

    def __init__(
        self,
        providers: ProviderSource | None = None,
        placeholder: str = "Search for commands…",
    ) -> None:
        # Textual's own id: its CSS and tests find it.
        super().__init__(providers, placeholder=placeholder, id="--command-palette")
        self._taken_down = False
        """Set once the palette is being removed (its children go before it does)."""

    @property
    def closing(self) -> bool:
        """True once the palette has left the screen stack or is being removed."""
        return self._taken_down or self not in self.app.screen_stack

    @on(Prune)
    def _stop_searches(self) -> None:
        """Being removed: stop the searches before the list they fill is gone."""
        self._taken_down = True
        self.workers.cancel_node(self)

    @on(Input.Changed)
    @on(Input.Submitted)
    @on(OptionList.OptionSelected)
    def _ignore_once_closing(self, event: Message) -> None:
        """Keys read after the closing one: no new search, no second dismissal or command."""
        if self.closing:
            event.prevent_default()  # Textual's own handlers on the palette do not run
            event.stop()

    def action_page(self, direction: Literal[-1, 1]) -> None:
        """Move a page through the commands (a row while the list has no height)."""
        page(self.query_one(CommandList), direction)
