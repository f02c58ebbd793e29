"""Moving around: next/previous post, g/G, half pages, back/forward, shift+tab to the tags.

Pressed on the real main screen; each asserts on what is drawn (the reader's
border and top line, the list's cursor, the pane in focus).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.widgets.post_list import MARK_WIDTH, PostList
from reader.tui.widgets.post_view import PostView
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.tag_sidebar import TagSidebar
from tests.screen import notices, text_of
from tests.test_keys import (
    FIRST,
    KEYS_POSTS,
    NOTES,
    SECOND,
    WIDE,
    focus_of,
    make_app,
    open_notes,
    reader_shows,
    settle,
    top_line,
)

MARKUP = Path(__file__).parent / "data" / "markup"


@pytest.fixture
def notes_library(library: Library) -> Library:
    """The bundled posts and one long post with links and three sections."""
    library.import_paths([KEYS_POSTS])
    return library


def cursor_title(app: ReaderApp) -> str:
    """The title of the row under the list's cursor."""
    post_list = app.screen.query_one(PostList)
    option = post_list.highlighted_option
    assert option is not None
    return str(option.prompt).split("\n")[0][MARK_WIDTH:]


async def test_capital_j_and_k_step_to_the_next_and_previous_post(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert reader_shows(app, FIRST)
        await pilot.press("J")
        await settle(app, pilot)
        assert reader_shows(app, SECOND) and cursor_title(app) == SECOND
        assert app.screen.query_one(ReaderPane).has_focus_within
        await pilot.press("K")
        await settle(app, pilot)
        assert reader_shows(app, FIRST) and cursor_title(app) == FIRST
        await pilot.press("K")
        await settle(app, pilot)
        assert reader_shows(app, FIRST) and "first post" in notices(app)


async def test_g_and_capital_g_go_to_the_top_and_bottom(notes_library: Library) -> None:
    app = make_app(notes_library)
    async with app.run_test(size=WIDE) as pilot:
        await open_notes(app, pilot)
        view = app.screen.query_one(PostView)
        await pilot.press("G")
        await pilot.pause()
        assert "The last lantern of the post." in text_of(view)
        await pilot.press("g")
        await pilot.pause()
        assert top_line(app) == NOTES
        # In the list: the first and the last row.
        await pilot.press("escape", "G")
        await settle(app, pilot)
        assert cursor_title(app) == NOTES
        await pilot.press("g")
        await settle(app, pilot)
        assert cursor_title(app) == FIRST


async def test_ctrl_d_and_ctrl_u_scroll_half_a_page(notes_library: Library) -> None:
    app = make_app(notes_library)
    async with app.run_test(size=WIDE) as pilot:
        await open_notes(app, pilot)
        view = app.screen.query_one(PostView)
        height = view.scrollable_content_region.height
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert view.scroll_y == height // 2
        assert top_line(app) == view.line_text(height // 2).strip()
        await pilot.press("ctrl+d", "ctrl+u", "ctrl+u")
        await pilot.pause()
        assert top_line(app) == NOTES


async def test_backspace_and_alt_arrows_go_back_and_forward_where_each_post_was_left(
    notes_library: Library,
) -> None:
    app = make_app(notes_library)
    async with app.run_test(size=WIDE) as pilot:
        pane = await open_notes(app, pilot)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert top_line(app) == "Alpha Section"
        await pilot.press("escape", "home", "enter")
        await settle(app, pilot)
        assert reader_shows(app, FIRST)
        await pilot.press("backspace")
        await settle(app, pilot)
        assert reader_shows(app, "Alpha Section") and top_line(app) == "Alpha Section"
        assert pane.has_focus_within and cursor_title(app) == NOTES
        await pilot.press("alt+right")
        await settle(app, pilot)
        assert reader_shows(app, FIRST)
        await pilot.press("alt+left")
        await settle(app, pilot)
        assert top_line(app) == "Alpha Section"
        await pilot.press("alt+left")  # nothing older: stays
        await settle(app, pilot)
        assert top_line(app) == "Alpha Section"


async def test_a_followed_link_goes_on_the_history(isolated_data_dir: Path) -> None:
    library = Library.open(isolated_data_dir, seed=False)
    library.import_paths([MARKUP / "obsidian"])
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert reader_shows(app, "Garden Index")
        await pilot.press("l", "l", "l", "enter")
        await settle(app, pilot)
        assert reader_shows(app, "Compost Heaps")
        await pilot.press("backspace")
        await settle(app, pilot)
        assert reader_shows(app, "Garden Index")
        await pilot.press("alt+right")
        await settle(app, pilot)
        assert reader_shows(app, "Compost Heaps")


async def test_shift_tab_from_the_list_goes_to_the_tags_even_when_hidden(
    library: Library,
) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        sidebar = app.screen.query_one(TagSidebar)
        await pilot.press("shift+tab")
        assert focus_of(app) is sidebar
        await pilot.press("t")  # hides the tags, back to the list
        await pilot.pause()
        assert sidebar.region.width == 0
        assert focus_of(app) is app.screen.query_one(PostList)
        await pilot.press("shift+tab")
        await pilot.pause()
        assert focus_of(app) is sidebar and sidebar.region.width > 0


NAVIGATION_KEY_TESTS = {
    (
        "everywhere",
        "`backspace` / `alt+left`, `alt+right`",
    ): test_backspace_and_alt_arrows_go_back_and_forward_where_each_post_was_left,
    ("post list", "`g` / `G`"): test_g_and_capital_g_go_to_the_top_and_bottom,
    ("reader", "`g` / `G`"): test_g_and_capital_g_go_to_the_top_and_bottom,
    ("reader", "`ctrl+d` / `ctrl+u`"): test_ctrl_d_and_ctrl_u_scroll_half_a_page,
    ("reader", "`J` / `K`"): test_capital_j_and_k_step_to_the_next_and_previous_post,
}
"""This file's rows of the README's key table (test_keys checks the table against them)."""
