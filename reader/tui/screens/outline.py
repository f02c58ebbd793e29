"""The outline of a post: a modal list of its sections; choosing one returns its index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets.option_list import Option

from reader.tui.screens.dialog import Dialog
from reader.tui.widgets.paged_list import PagedList

__all__ = ["OutlineScreen"]


class OutlineScreen(Dialog[int | None]):
    """Lists `(heading, level)` pairs indented by level; dismisses with the chosen index."""

    DEFAULT_CSS = """
    OutlineScreen {
        align: center middle;
        & > Vertical {
            width: 80%;
            max-width: 80;
            height: auto;
            max-height: 80%;
            border: round $accent;
            background: $surface;
        }
        & OptionList { height: auto; max-height: 100%; border: none; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,o", "dismiss_outline", "Close", id="reader.outline.close"),
    ]
    """Escape (or `o` again) closes the outline without moving."""

    AUTO_FOCUS = "#outline-list"

    def __init__(self, sections: Sequence[tuple[str, int]], current: int = -1) -> None:
        super().__init__()
        self.sections = list(sections)
        self.current = current

    def compose(self) -> ComposeResult:
        top = min((level for _, level in self.sections), default=1)
        options = PagedList(
            *(
                Option(Content("  " * (level - top) + heading), id=str(n))
                for n, (heading, level) in enumerate(self.sections)
            ),
            id="outline-list",
        )
        if self.sections:
            options.highlighted = max(0, self.current)
        with Vertical() as box:
            box.border_title = "Outline"
            yield options

    @on(PagedList.OptionSelected, "#outline-list")
    def _chosen(self, event: PagedList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def action_dismiss_outline(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
