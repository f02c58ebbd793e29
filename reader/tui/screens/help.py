"""The help screen: every key binding of the app, read from the bindings themselves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from reader.tui.screens.dialog import Dialog

__all__ = ["HelpScreen", "KeyRow", "bindings_of"]


SIDEWAYS = frozenset({"scroll_left", "scroll_right", "page_left", "page_right"})
"""Inherited sideways scrolling: our lists and panes never scroll sideways, so not listed."""

KeyRow = tuple[list[Binding], str]
"""The bindings of one action, and its description."""


def bindings_of(cls: type, inherit: bool = True) -> list[KeyRow]:
    """The described actions a class declares (and inherits), each with all its keys.

    The most derived class wins: its description is shown, and a key it
    rebinds is not also listed under the base class's action.
    """
    rows: dict[str, KeyRow] = {}
    taken: set[str] = set()
    for klass in cls.__mro__ if inherit else (cls,):
        for binding in Binding.make_bindings(klass.__dict__.get("BINDINGS", ())):
            if binding.key in taken or not binding.description or binding.action in SIDEWAYS:
                continue
            taken.add(binding.key)
            # A tooltip is the longer line, where the footer has room only for a word.
            row = rows.setdefault(binding.action, ([], binding.tooltip or binding.description))
            row[0].append(binding)
    return list(rows.values())


class HelpScreen(Dialog[None]):
    """Lists the keys by where they work. Closed by escape, q or ?."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 72; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]
    """Keys of the help screen itself."""

    def __init__(self, sections: Iterable[tuple[str, Iterable[KeyRow]]]) -> None:
        super().__init__()
        self.sections = [(title, list(bindings)) for title, bindings in sections]

    def compose(self) -> ComposeResult:
        lines: list[Content] = []
        for title, bindings in self.sections:
            if not bindings:
                continue
            lines.append(Content.styled(title, "bold $accent"))
            for keys, description in bindings:
                label = ", ".join(self.app.get_key_display(b) for b in keys)
                lines.append(Content.assemble((f"  {label:<18}", "bold"), " ", description))
            lines.append(Content(""))
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            yield Static(Content("\n").join(lines), id="help-text")

    async def action_dismiss(self, result: None = None) -> None:
        """Close the help screen."""
        self.dismiss(result)
