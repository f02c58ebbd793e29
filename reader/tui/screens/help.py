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
NOISE = SIDEWAYS | {"screen.copy_text"}
"""Inherited actions not listed: sideways scrolling, and Textual's copy of selected text."""

TextRow = tuple[str, str]
"""A term and what it means, for the sections that are not keys."""

SEARCH_SYNTAX: list[TextRow] = [
    ("words", "posts holding every word"),
    ('"a phrase"', "the words side by side, in order"),
    ("word*", "also longer words (git* finds gitlint)"),
    ("-word", 'leave out posts holding it (-"a phrase" too)'),
    ("a OR b", "either (x a OR b: x, and a or b)"),
    ("(a b) OR c", "a group; -(a b) leaves it out"),
    ("tag:NAME", 'only that tag (tag:"two words"; -tag:NAME)'),
    ("is:unread", "also is:read, is:bookmarked, is:noted"),
    ("is:draft", "only drafts (left out of searches otherwise)"),
    ("note:WORD", "posts whose bookmark note holds the word"),
    ("after:2024-01", "dated in or after (a year, month or day)"),
    ("before:2025-06-30", "dated in or before"),
    ("year:2023", "dated in that year"),
]
"""The query language of `reader.search.query`, in short."""

MARKS: list[TextRow] = [
    ("•", "unread (the title in bold)"),
    ("★", "bookmarked (beside • when unread too)"),
    ("✎", "bookmarked, with a note (B to write it)"),
    ("draft", "under the title: the post is a draft"),
]
"""What the marks in the post list mean."""

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
            if binding.key in taken or not binding.description or binding.action in NOISE:
                continue
            taken.add(binding.key)
            # A tooltip is the longer line, where the footer has room only for a word.
            row = rows.setdefault(binding.action, ([], binding.tooltip or binding.description))
            row[0].append(binding)
    return list(rows.values())


class HelpScreen(Dialog[None]):
    """Lists the keys by where they work, the marks and the search syntax.

    Scrolls with j/k and the arrows; closed by escape, q or ?.
    """

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 72; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
        Binding("j,down", "scroll(1)", "Scroll down", id="help.down"),
        Binding("k,up", "scroll(-1)", "Scroll up", id="help.up"),
        Binding("space,pagedown", "scroll_page(1)", "Page down", id="help.page-down"),
        Binding("pageup", "scroll_page(-1)", "Page up", id="help.page-up"),
        Binding("g,home", "scroll_edge(0)", "Top", id="help.top"),
        Binding("G,end", "scroll_edge(1)", "Bottom", id="help.bottom"),
    ]
    """Keys of the help screen itself."""

    def __init__(
        self,
        sections: Iterable[tuple[str, Iterable[KeyRow]]],
        notes: Iterable[tuple[str, Iterable[TextRow]]] = (
            ("Marks in the list", MARKS),
            ("Search syntax", SEARCH_SYNTAX),
        ),
    ) -> None:
        super().__init__()
        self.sections = [(title, list(bindings)) for title, bindings in sections]
        self.notes = [(title, list(rows)) for title, rows in notes]
        """Sections that are not keys: the marks and the search syntax."""

    def compose(self) -> ComposeResult:
        keys = [
            (title, [(", ".join(map(self.app.get_key_display, b)), d) for b, d in bindings])
            for title, bindings in self.sections
        ]
        lines: list[Content] = []
        for title, rows in keys + self.notes:
            if not rows:
                continue
            lines.append(Content.styled(title, "bold $accent"))
            for term, meaning in rows:
                lines.append(Content.assemble((f"  {term:<18}", "bold"), " ", meaning))
            lines.append(Content(""))
        with VerticalScroll() as scroll:
            scroll.border_title = "Help"
            scroll.border_subtitle = "j/k scroll · esc closes"
            yield Static(Content("\n").join(lines[:-1]), id="help-text")

    def action_scroll(self, lines: int) -> None:
        """Scroll the help by `lines` lines."""
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_scroll_edge(self, end: int) -> None:
        """Go to the top (0) or the bottom (1) of the help."""
        scroll = self.query_one(VerticalScroll)
        scroll.scroll_to(y=scroll.max_scroll_y if end else 0, animate=False)

    def action_scroll_page(self, pages: int) -> None:
        """Scroll the help by whole screens."""
        scroll = self.query_one(VerticalScroll)
        step = max(1, scroll.scrollable_content_region.height - 1)
        scroll.scroll_relative(y=pages * step, animate=False)

    async def action_dismiss(self, result: None = None) -> None:
        """Close the help screen."""
        self.dismiss(result)
