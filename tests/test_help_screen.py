"""The help screen: sections, the marks, the search syntax, scrolling, at small sizes."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll
from textual.pilot import Pilot

from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.screens.help import MARKS, SEARCH_SYNTAX, HelpScreen
from tests.screen import lines_of, text_of


async def open_help(app: ReaderApp, pilot: Pilot[None]) -> HelpScreen:
    """Press `?` on the main screen: the help screen it opens."""
    await pilot.pause()
    await pilot.press("question_mark")
    await pilot.pause()
    await app.workers.wait_for_complete()
    help_screen = app.screen
    assert isinstance(help_screen, HelpScreen)
    return help_screen


def visible(help_screen: HelpScreen) -> str:
    """The help as it is on screen now: the lines of its text inside the scrolled box."""
    box = help_screen.query_one(VerticalScroll)
    top = int(box.scroll_y)
    shown = lines_of(help_screen.query_one("#help-text"))[
        top : top + box.scrollable_content_region.height
    ]
    return " ".join(" ".join(shown).split())


@pytest.mark.parametrize("size", [(80, 24), (40, 12)])
async def test_help_has_sections_marks_and_search_syntax(
    library: Library, size: tuple[int, int]
) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=size) as pilot:
        help_screen = await open_help(app, pilot)
        lines = text_of(help_screen.query_one("#help-text")).splitlines()
        text = " ".join(" ".join(lines).split())
        for section in ("Everywhere", "Post list", "Reader", "Marks in the list", "Search syntax"):
            assert section in [line.strip() for line in lines], section
        for term, meaning in MARKS + SEARCH_SYNTAX:
            # Nothing that matters is cut off: a narrow screen wraps the meaning.
            assert f"{term} {meaning}" in text, (term, meaning)
        for inherited in ("Copy selected text", "Scroll Left", "Focus Next"):
            assert inherited not in text
        box = help_screen.query_one(VerticalScroll)
        assert box.region.right <= size[0] and box.region.bottom <= size[1]
        assert box.max_scroll_y > 0  # more than fits: it has to scroll


@pytest.mark.parametrize("size", [(80, 24), (40, 12)])
async def test_help_scrolls_with_j_and_k_to_its_last_line(
    library: Library, size: tuple[int, int]
) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=size) as pilot:
        help_screen = await open_help(app, pilot)
        assert "Everywhere" in visible(help_screen)
        last = SEARCH_SYNTAX[-1][0]
        assert last not in visible(help_screen)
        box = help_screen.query_one(VerticalScroll)
        for _ in range(int(box.max_scroll_y)):
            await pilot.press("j")
        await pilot.pause()
        assert last in visible(help_screen) and "Everywhere" not in visible(help_screen)
        await pilot.press("k")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y - 1
        await pilot.press("g")
        await pilot.pause()
        assert "Everywhere" in visible(help_screen)
        await pilot.press("G")
        await pilot.pause()
        assert last in visible(help_screen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
