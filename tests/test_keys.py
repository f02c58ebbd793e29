"""Every key in the README's table, pressed on the real main screen.

Each test presses a key and asserts on what the user sees change: the widget
in focus, the rows listed and their order, the marks and text on screen, the
sidebar shown or hidden, the find counter's text, the file on disk. Nothing
here reads a private attribute. `test_every_readme_key_has_a_test` keeps the
README's table and this file in step.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.main import MainScreen
from reader.tui.screens.note import NoteScreen
from reader.tui.screens.open_link import OpenLinkScreen
from reader.tui.screens.outline import OutlineScreen
from reader.tui.settings import load_for_tui
from reader.tui.timings import Timings
from reader.tui.widgets.find_bar import FindBar
from reader.tui.widgets.post_list import MARK_WIDTH, PostList
from reader.tui.widgets.post_view import PostView
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.search_bar import SearchBar
from reader.tui.widgets.tag_sidebar import TagSidebar
from tests import test_tui_saved_searches as saved_tests  # the module: not collected twice
from tests.dated import BY_NEWEST, BY_OLDEST, BY_TIME, BY_TITLE, IMPORTED, dated_library, rows_in
from tests.screen import background_runs, find_counter, lines_of, list_rows, reverse_runs, text_of
from tests.test_feeds_tui import (
    test_R_refreshes_without_blocking_keys_and_lists_new_posts as refresh_feeds_test,
)

README = Path(__file__).parent.parent / "README.md"
KEYS_POSTS = Path(__file__).parent / "data" / "keys"
RANKING_POSTS = Path(__file__).parent / "data" / "ranking"

FIRST = "The Hard-Won Playbook for Shipping Streaming Pipelines Fast"
SECOND = "Debugging Redis Caching: 7 Techniques You Need to Know"
NOTES = "Field Notes on Lanterns"
WIDE = (140, 40)

Test = Callable[..., Awaitable[None]]

STEADY = Timings()
"""No post is marked read behind a test's back, however slow the machine."""


def make_app(library: Library) -> ReaderApp:
    return ReaderApp(library, timings=STEADY)


# -- what is on screen -------------------------------------------------------------


def focus_of(app: ReaderApp) -> Widget | None:
    """The widget in focus (a function, so one assert does not narrow the next)."""
    return app.focused


def row_titles(app: ReaderApp) -> list[str]:
    """The title line of every row in the post list, without its mark."""
    post_list = app.screen.query_one(PostList)
    return [
        str(post_list.get_option_at_index(i).prompt).split("\n")[0][MARK_WIDTH:]
        for i in range(post_list.option_count)
    ]


def row_of(app: ReaderApp, title: str) -> str:
    """The first line of the row for `title`, with its mark (★, • or blank)."""
    for line in (str(o.prompt).split("\n")[0] for o in app.screen.query_one(PostList).options):
        if line[MARK_WIDTH:] == title:
            return line
    raise AssertionError(f"{title!r} is not listed")


def footer_text(app: ReaderApp) -> str:
    """The footer's keys and labels as drawn."""
    footer = app.screen.query_one(Footer)
    return " ".join(" ".join(text_of(key).split()) for key in footer.query(FooterKey))


def sidebar_rows(app: ReaderApp) -> list[str]:
    sidebar = app.screen.query_one(TagSidebar)
    return [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]


def reader_title(app: ReaderApp) -> str:
    """The post title in the reader pane's border, as drawn."""
    return lines_of(app.screen.query_one(ReaderPane))[0]


def reader_shows(app: ReaderApp, title: str) -> bool:
    """The reader's border names `title` (cut short with … if the pane is narrow).

    At the top of a post the border is blank and the post's own header names it.
    """
    drawn = reader_title(app).strip("╭╮─ ")
    if not drawn:
        view = lines_of(app.screen.query_one(PostView))
        drawn = " ".join(" ".join(line[:-1] for line in view).split())  # not the scrollbar
        return drawn.startswith(" ".join(title.split()))
    return drawn == title or (drawn.endswith("…") and title.startswith(drawn[:-1]))


def top_line(app: ReaderApp) -> str:
    """The first line of text in the reader's view."""
    return app.screen.query_one(PostView).render_line(0).text.strip()


def saved(data_dir: Path, table: str) -> dict[str, dict[str, object]]:
    """The rows of a table in `state.json` on disk, by slug."""
    tables = json.loads((data_dir / "state.json").read_text(encoding="utf-8"))
    return {str(row["slug"]): row for row in tables.get(table, {}).values()}


async def settle(app: ReaderApp, pilot: Pilot[None]) -> None:
    """Wait until workers, searches and the reader have caught up with the keys."""
    screen = app.screen
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        busy = (
            isinstance(screen, MainScreen)
            and bool(screen.search_query)
            and (screen.shown_query != screen.search_query)
        )
        if not busy and not app.screen.query_one(ReaderPane).is_loading:
            return
        await pilot.pause(0.01)
    raise AssertionError("the app never settled")


async def wait_until(pilot: Pilot[None], done: Callable[[], bool], what: str) -> None:
    """Pause until `done()`; fail (not pass) after about five seconds."""
    for _ in range(500):
        if done():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"never happened: {what}")


@pytest.fixture
def notes_library(library: Library) -> Library:
    """The bundled posts and one long post with links and three sections."""
    library.import_paths([KEYS_POSTS])
    return library


async def open_notes(app: ReaderApp, pilot: Pilot[None]) -> ReaderPane:
    """Open "Field Notes on Lanterns" in the reader, from the end of the list."""
    await settle(app, pilot)
    await pilot.press("end", "enter")
    await settle(app, pilot)
    pane = app.screen.query_one(ReaderPane)
    assert reader_shows(app, NOTES)
    assert pane.has_focus_within
    return pane


# -- everywhere ---------------------------------------------------------------------


async def test_q_quits(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


async def test_question_mark_shows_every_binding_with_its_key(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=(120, 80)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        help_text = text_of(help_screen.query_one("#help-text"))
        help_lines = [" ".join(line.split()) for line in help_text.splitlines()]
        for title, rows in screen.help_sections():
            assert title in help_lines
            for keys, description in rows:
                label = ", ".join(app.get_key_display(b) for b in keys)
                assert f"{label} {description}" in help_lines, (title, label, description)
        for needed in ("Bookmark", "Find", "Outline", "Next link", "Prev link", "Results"):
            assert any(line.endswith(" " + needed) for line in help_lines), needed
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is screen


async def test_tab_and_shift_tab_go_round_the_panes(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        post_list = screen.query_one(PostList)
        assert focus_of(app) is post_list
        seen = []
        for _ in range(4):
            await pilot.press("tab")
            seen.append(app.focused)
        reader = screen.query_one(ReaderPane)
        assert seen == [
            reader,
            screen.query_one(TagSidebar),
            screen.query_one(SearchBar),
            post_list,
        ]
        await pilot.press("shift+tab")  # from the list: straight to the tags
        assert focus_of(app) is screen.query_one(TagSidebar)
        await pilot.press("shift+tab")
        assert focus_of(app) is reader


async def test_slash_starts_a_search_from_any_pane(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")  # into the reader first
        await settle(app, pilot)
        await pilot.press("slash", *"redis")
        await settle(app, pilot)
        bar = app.screen.query_one(SearchBar)
        assert focus_of(app) is bar and bar.value == "redis"
        assert row_titles(app) == [SECOND]


async def test_t_hides_and_shows_the_sidebar_on_a_wide_screen(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        sidebar = app.screen.query_one(TagSidebar)
        post_list = app.screen.query_one(PostList)
        assert sidebar.region.width > 0
        assert "Show tags" in footer_text(app)
        list_width = post_list.region.width
        await pilot.press("t")  # shown but not in focus: to the tags
        await pilot.pause()
        assert focus_of(app) is sidebar and "Hide tags" in footer_text(app)
        await pilot.press("t")  # in focus: hidden
        await pilot.pause()
        assert sidebar.region.width == 0
        assert post_list.region.width > list_width  # the room goes to the other panes
        assert focus_of(app) is post_list and "Show tags" in footer_text(app)
        await pilot.press("t")
        await pilot.pause()
        assert sidebar.region.width > 0 and "All 10" in text_of(sidebar)
        assert focus_of(app) is sidebar


async def test_b_bookmarks_and_unbookmarks(library: Library, isolated_data_dir: Path) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "b")
        await settle(app, pilot)
        assert row_of(app, SECOND).startswith("•★ ")  # unread and bookmarked: both marks
        assert row_of(app, FIRST).startswith("•  ")
        assert "Bookmarks 1" in sidebar_rows(app)
        slug = library.summaries()[1].slug
        await wait_until(
            pilot, lambda: slug in saved(isolated_data_dir, "bookmarks"), "bookmark saved"
        )
        await pilot.press("b")
        await settle(app, pilot)
        assert row_of(app, SECOND).startswith("•  ")
        assert "Bookmarks 0" in sidebar_rows(app)
        await wait_until(
            pilot,
            lambda: slug not in saved(isolated_data_dir, "bookmarks"),
            "bookmark removed on disk",
        )


async def test_capital_b_edits_the_note(library: Library, isolated_data_dir: Path) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("B")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NoteScreen)
        assert FIRST in text_of(dialog.query_one("Label"))
        await pilot.press(*"read again", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert row_of(app, FIRST).startswith("•✎ ")  # bookmarked, with a note
        slug = library.summaries()[0].slug

        def note_on_disk() -> object:
            return saved(isolated_data_dir, "bookmarks").get(slug, {}).get("note")

        await wait_until(pilot, lambda: note_on_disk() == "read again", "note saved")
        await pilot.press("B")  # the dialog opens on the saved note
        await pilot.pause()
        assert "read again" in text_of(app.screen.query_one("Input"))


async def test_m_marks_read_and_unread(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        assert row_of(app, FIRST).startswith("•  ")
        await pilot.press("m")
        await settle(app, pilot)
        assert row_of(app, FIRST).startswith("   ")
        assert "Unread 9" in sidebar_rows(app)
        await pilot.press("m")
        await settle(app, pilot)
        assert row_of(app, FIRST).startswith("•  ")
        assert "Unread 10" in sidebar_rows(app)


async def test_escape_goes_back_to_the_list_and_there_ends_the_search(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        post_list = app.screen.query_one(PostList)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.query_one(ReaderPane).has_focus_within
        await pilot.press("escape")
        assert focus_of(app) is post_list
        await pilot.press("slash", *"redis", "down")
        await settle(app, pilot)
        assert focus_of(app) is post_list and row_titles(app) == [SECOND]
        await pilot.press("escape")
        await settle(app, pilot)
        assert len(row_titles(app)) == 10
        assert app.screen.query_one(SearchBar).value == ""
        assert focus_of(app) is post_list


async def test_s_cycles_the_order_of_the_list(tmp_path: Path) -> None:
    library = dated_library(tmp_path / "dated")
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        post_list = app.screen.query_one(PostList)
        cycle = [
            ("newest first", BY_NEWEST),  # the default: the posts have dates
            ("oldest first", BY_OLDEST),
            ("by title", BY_TITLE),
            ("shortest first", BY_TIME),
            ("import order", IMPORTED),
            ("newest first", BY_NEWEST),
        ]
        for label, order in cycle:
            assert f"Posts · {label}" in lines_of(post_list)[0]
            assert list_rows(post_list) == rows_in(order), label
            await pilot.press("s")
            await settle(app, pilot)


# -- the sidebar -------------------------------------------------------------------


@pytest.mark.parametrize(("down", "up"), [("j", "k"), ("down", "up")])
async def test_sidebar_keys_move_and_enter_filters(library: Library, down: str, up: str) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "tab")
        assert focus_of(app) is app.screen.query_one(TagSidebar)
        assert sidebar_rows(app)[4] == "architecture 2"
        await pilot.press(down, down, down, down, "enter")  # All → ... → architecture
        await settle(app, pilot)
        assert row_titles(app) == [s.title for s in library.summaries("architecture")]
        assert len(row_titles(app)) == 2
        await pilot.press("tab", "tab")  # list → reader → sidebar
        assert focus_of(app) is app.screen.query_one(TagSidebar)
        await pilot.press(up, up, up, "enter")  # → Unread
        await settle(app, pilot)
        assert len(row_titles(app)) == 10


async def test_sidebar_enter_narrows_a_search(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"migration")
        await settle(app, pilot)
        assert len(row_titles(app)) >= 2
        await pilot.press("shift+tab")
        assert focus_of(app) is app.screen.query_one(TagSidebar)
        cli_row = sidebar_rows(app).index("cli 1")
        await pilot.press(*["j"] * cli_row, "enter")
        await settle(app, pilot)
        assert row_titles(app) == ["The Contrarian Argument for CLI Development in 2026"]
        assert app.screen.query_one(SearchBar).value == "migration"


# -- the search bar ----------------------------------------------------------------


async def test_typing_lists_ranked_results_with_the_words_marked(library: Library) -> None:
    library.import_paths([RANKING_POSTS])
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"quillwort")
        await settle(app, pilot)
        # Title above heading above body; import, id and title order all differ.
        assert row_titles(app) == [
            "Zulu Quillwort Guide",
            "Moths at Night",
            "Alpha Camping",
            "Beta Notes",
        ]
        marked = reverse_runs(app.screen.query_one(PostList))
        assert marked and all(run.lower() == "quillwort" for run in marked)
        assert "Quillwort" in marked  # the title's own word is marked, in its own case


async def test_enter_in_the_search_bar_opens_the_top_result_highlighted(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"pgbouncer", "enter")
        await settle(app, pilot)
        pane = app.screen.query_one(ReaderPane)
        assert pane.has_focus_within
        assert reader_shows(app, row_titles(app)[0])
        view = app.screen.query_one(PostView)
        marked = background_runs(view, "post-view--highlight")
        assert marked and {m.lower() for m in marked} == {"pgbouncer"}


async def test_down_in_the_search_bar_moves_into_the_results(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"migration")
        await settle(app, pilot)
        assert focus_of(app) is app.screen.query_one(SearchBar)
        await pilot.press("down")
        post_list = app.screen.query_one(PostList)
        assert focus_of(app) is post_list
        await pilot.press("j")
        await settle(app, pilot)
        assert reader_shows(app, row_titles(app)[1])


async def test_escape_in_the_search_bar_clears_it(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"redis")
        await settle(app, pilot)
        assert row_titles(app) == [SECOND]
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.query_one(SearchBar).value == ""
        assert row_titles(app)[:2] == [FIRST, SECOND] and len(row_titles(app)) == 10
        assert focus_of(app) is app.screen.query_one(PostList)


# -- the post list -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (("j",), 1),
        (("down",), 1),
        (("j", "j", "k"), 1),
        (("down", "down", "up"), 1),
        (("end",), -1),
        (("end", "home"), 0),
        (("pagedown",), 4),
        (("pagedown", "pagedown"), 8),
        (("pagedown", "pagedown", "pageup"), 4),
    ],
)
async def test_list_keys_move_and_the_reader_follows(
    library: Library, keys: tuple[str, ...], expected: int
) -> None:
    app = make_app(library)
    titles = [s.title for s in library.summaries()]
    async with app.run_test(size=(140, 12)) as pilot:  # a page is four rows
        await settle(app, pilot)
        post_list = app.screen.query_one(PostList)
        assert post_list.scrollable_content_region.height == 8
        await pilot.press(*keys)
        await settle(app, pilot)
        assert reader_shows(app, titles[expected]), (reader_title(app), titles[expected])
        assert focus_of(app) is post_list


async def test_enter_in_the_list_opens_the_post(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "enter")
        await settle(app, pilot)
        assert reader_shows(app, SECOND)
        assert app.screen.query_one(ReaderPane).has_focus_within


# -- the reader --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "back"),
    [("j", "k"), ("down", "up"), ("pagedown", "pageup"), ("space", "pageup")],
)
async def test_reader_scroll_keys(notes_library: Library, key: str, back: str) -> None:
    app = make_app(notes_library)
    async with app.run_test(size=WIDE) as pilot:
        await open_notes(app, pilot)
        view = app.screen.query_one(PostView)
        first = top_line(app)
        assert first == NOTES
        await pilot.press(key)
        await pilot.pause()
        moved = view.scroll_y
        assert moved >= 1 and top_line(app) == view.line_text(int(moved)).strip()
        if key in ("pagedown", "space"):
            assert moved >= view.size.height - 2  # a page, not a line
        await pilot.press(back)
        await pilot.pause()
        assert top_line(app) == first


async def test_reader_home_and_end(notes_library: Library) -> None:
    app = make_app(notes_library)
    async with app.run_test(size=WIDE) as pilot:
        pane = await open_notes(app, pilot)
        view = app.screen.query_one(PostView)
        await pilot.press("end")
        await pilot.pause()
        assert "The last lantern of the post." in text_of(view)
        assert lines_of(pane)[-1].rstrip("─╯ ").endswith("100%")
        await pilot.press("home")
        await pilot.pause()
        assert top_line(app) == NOTES


async def test_brackets_step_through_sections(notes_library: Library) -> None:
    app = make_app(notes_library)
    async with app.run_test(size=WIDE) as pilot:
        await open_notes(app, pilot)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert top_line(app) == "Alpha Section"
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert top_line(app) == "Beta Section"
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert top_line(app) == "Gamma Section"
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert top_line(app) == "Beta Section"


async def test_o_opens_the_outline_and_jumps(notes_library: Library) -> None:
    app = make_app(notes_library)
    async with app.run_test(size=WIDE) as pilot:
        await open_notes(app, pilot)
        await pilot.press("o")
        await pilot.pause()
        outline = app.screen
        assert isinstance(outline, OutlineScreen)
        listed = text_of(outline.query_one("OptionList"))
        for heading in ("Alpha Section", "Beta Section", "Gamma Section"):
            assert heading in listed
        await pilot.press("end", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert top_line(app) == "Gamma Section"


async def test_f_finds_and_n_steps_with_the_counter_on_screen(notes_library: Library) -> None:
    app = make_app(notes_library)
    async with app.run_test(size=WIDE) as pilot:
        pane = await open_notes(app, pilot)
        view = app.screen.query_one(PostView)
        bar = app.screen.query_one(FindBar)
        await pilot.press("f", *"lantern")
        await pilot.pause()
        counter = find_counter(bar)
        total = int(counter.split("/")[1])
        assert counter == f"1/{total}" and total >= 4
        assert len(background_runs(view, "post-view--find-hit")) >= 1
        await pilot.press("enter")
        assert pane.has_focus  # back in the text, hits kept
        await pilot.press("n")
        await pilot.pause()
        assert find_counter(bar) == f"2/{total}"
        await pilot.press("n")
        await pilot.pause()
        assert find_counter(bar) == f"3/{total}"
        await pilot.press("N", "N", "N")
        await pilot.pause()
        assert find_counter(bar) == f"{total}/{total}"
        await pilot.press("escape")
        await pilot.pause()
        assert find_counter(bar) == ""
        assert background_runs(view, "post-view--find-hit") == []
        assert pane.has_focus  # escape ended the find, it did not leave the reader


async def test_l_and_capital_l_focus_links_and_enter_opens(
    notes_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(notes_library)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=WIDE) as pilot:
        await open_notes(app, pilot)
        view = app.screen.query_one(PostView)
        await pilot.press("l")
        await pilot.pause()
        assert [r.split(" <")[0] for r in reverse_runs(view)] == ["first link"]
        await pilot.press("l")
        await pilot.pause()
        assert [r.split(" <")[0] for r in reverse_runs(view)] == ["second link"]
        await pilot.press("L")
        await pilot.pause()
        assert [r.split(" <")[0] for r in reverse_runs(view)] == ["first link"]
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, OpenLinkScreen)
        assert "https://example.com/one" in text_of(dialog.query_one("#link-url"))
        assert opened == []
        await pilot.press("enter")  # "Open in browser"
        await pilot.pause()
        assert opened == ["https://example.com/one"]
        assert isinstance(app.screen, MainScreen)


# -- the keymap setting ------------------------------------------------------------


async def test_keymap_setting_remaps_a_binding(library: Library, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"main.bookmark" = "ctrl+b"\n', encoding="utf-8")
    loaded, _ = load_for_tui(library.state, config)
    app = ReaderApp(library, timings=STEADY, config=loaded)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        assert row_of(app, FIRST).startswith("•  ")  # `b` no longer bookmarks
        await pilot.press("ctrl+b")
        await settle(app, pilot)
        assert row_of(app, FIRST).startswith("•★ ")


# -- the README's table and this file ---------------------------------------------

KEY_TESTS: dict[tuple[str, str], Test] = {
    ("everywhere", "`q`"): test_q_quits,
    ("everywhere", "`?`"): test_question_mark_shows_every_binding_with_its_key,
    ("everywhere", "`tab` / `shift+tab`"): test_tab_and_shift_tab_go_round_the_panes,
    ("everywhere", "`/`"): test_slash_starts_a_search_from_any_pane,
    ("everywhere", "`t`"): test_t_hides_and_shows_the_sidebar_on_a_wide_screen,
    ("everywhere", "`b`"): test_b_bookmarks_and_unbookmarks,
    ("everywhere", "`B`"): test_capital_b_edits_the_note,
    ("everywhere", "`m`"): test_m_marks_read_and_unread,
    ("everywhere", "`escape`"): test_escape_goes_back_to_the_list_and_there_ends_the_search,
    ("everywhere", "`s`"): test_s_cycles_the_order_of_the_list,
    ("everywhere", "`R`"): refresh_feeds_test,  # in test_feeds_tui
    ("sidebar", "`j` / `k`, arrows"): test_sidebar_keys_move_and_enter_filters,
    ("sidebar", "`enter`"): test_sidebar_enter_narrows_a_search,
    ("sidebar", "`x` / `delete`"): saved_tests.test_x_removes_the_row_shown_in_footer_and_help,
    ("search bar", "typing"): test_typing_lists_ranked_results_with_the_words_marked,
    ("search bar", "`enter`"): test_enter_in_the_search_bar_opens_the_top_result_highlighted,
    ("search bar", "`down`"): test_down_in_the_search_bar_moves_into_the_results,
    ("search bar", "`ctrl+s`"): saved_tests.test_ctrl_s_pins_the_query_with_its_count,
    ("search bar", "`escape`"): test_escape_in_the_search_bar_clears_it,
    (
        "post list",
        "`j` / `k`, arrows, `home` / `end`, page keys",
    ): test_list_keys_move_and_the_reader_follows,
    ("post list", "`enter`"): test_enter_in_the_list_opens_the_post,
    (
        "reader",
        "`j` / `k`, arrows, page keys, `space`, `home` / `end`",
    ): test_reader_scroll_keys,
    ("reader", "`[` / `]`"): test_brackets_step_through_sections,
    ("reader", "`o`"): test_o_opens_the_outline_and_jumps,
    ("reader", "`f`"): test_f_finds_and_n_steps_with_the_counter_on_screen,
    ("reader", "`l` / `L`"): test_l_and_capital_l_focus_links_and_enter_opens,
    ("reader", "`enter`"): test_l_and_capital_l_focus_links_and_enter_opens,
}
"""Each row of the README's key table, and the test that presses it."""


def readme_key_rows() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    table = text.split("## Keys", 1)[1].split("\n\n", 2)[1]
    rows = []
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows.append((cells[0], cells[1]))
    return rows


def test_every_readme_key_has_a_test() -> None:
    rows = readme_key_rows()
    assert len(rows) >= 20
    from tests.test_editing import EDITING_KEY_TESTS
    from tests.test_navigation import NAVIGATION_KEY_TESTS
    from tests.test_outside import OUTSIDE_KEY_TESTS
    from tests.test_palette import PALETTE_KEY_TESTS
    from tests.test_tui_notes import NOTES_KEY_TESTS

    found = (
        KEY_TESTS
        | NAVIGATION_KEY_TESTS
        | OUTSIDE_KEY_TESTS
        | PALETTE_KEY_TESTS
        | EDITING_KEY_TESTS
        | NOTES_KEY_TESTS
    )
    assert sorted(rows) == sorted(found)
    assert re.search(r"`keymap`", README.read_text(encoding="utf-8"))
