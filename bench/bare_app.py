"""The baseline for the start-up benchmark: a bare Textual app with reader's three widgets.

A tag sidebar (`OptionList`), a post list (`OptionList`) and a scrollable
reader pane holding a `Static`, side by side, with no data and no imports
beyond Textual. `bench/startup.py` runs it beside `reader` and waits for
`MARKER` to appear on the screen. `q` quits.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import OptionList, Static

MARKER = "Nothing to read yet."
"""Shown in the reader pane; the benchmark's sign that the first screen is painted."""


class BareApp(App[None]):
    """Three panes, no data."""

    CSS = """
    #tags { width: 24; }
    #posts { width: 1fr; }
    #pane { width: 2fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit", id="quit")]

    def compose(self) -> ComposeResult:
        """The sidebar, the list and the pane."""
        with Horizontal():
            yield OptionList("All  0", "Bookmarks  0", id="tags")
            yield OptionList(id="posts")
            with VerticalScroll(id="pane"):
                yield Static(MARKER, markup=False)


if __name__ == "__main__":
    BareApp().run()
