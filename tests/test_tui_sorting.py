"""The list's order on screen: dates in the rows, the order kept across restarts, search ranked.

`tests/test_keys.py` presses `s` through every order; these check what comes
with it: what each row shows, where the order is said and saved, and what it
does not touch (search results, Bookmarks).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Footer

from reader.library import Library
from reader.models import Filter
from reader.tui import ReaderApp
from reader.tui.screens.main import MainScreen
from reader.tui.timings import Timings
from reader.tui.widgets.post_list import MARK_WIDTH, PostList
from reader.tui.widgets.search_bar import SearchBar
from reader.tui.widgets.tag_sidebar import TagSidebar
from tests.conftest import RANKED, RANKING_POSTS
from tests.dated import BY_NEWEST, BY_TITLE, dated_library, rows_in
from tests.screen import lines_of, list_rows, styled_runs, text_of

WIDE = (140, 40)
STEADY = Timings()


async def settle(app: ReaderApp, pilot: Pilot[None]) -> None:
    """Wait for the workers, the searches and the queued state writes."""
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        if not isinstance(screen, MainScreen) or screen.shown_query == screen.search_query:
            app.state_writer.drain()
            return
        await pilot.pause(0.01)
    raise AssertionError("the app never settled")


def border(app: ReaderApp) -> str:
    """The post list's top border as drawn, with its title."""
    return lines_of(app.screen.query_one(PostList))[0]


def titles(app: ReaderApp) -> list[str]:
    return [title for title, _ in list_rows(app.screen.query_one(PostList))]


def result_titles(app: ReaderApp) -> list[str]:
    """The titles of the three-line search results as drawn, without their marks."""
    inside = [line[1:-1] for line in lines_of(app.screen.query_one(PostList))[1:-1]]
    return [line[MARK_WIDTH:].strip() for line in inside[::3] if line.strip()]


def saved_settings(root: Path) -> dict[str, object]:
    tables = json.loads((root / "state.json").read_text(encoding="utf-8"))
    settings: dict[str, object] = tables.get("settings", {}).get("1", {})
    return settings


async def test_the_chosen_order_is_kept_after_a_restart(tmp_path: Path) -> None:
    root = tmp_path / "dated"
    app = ReaderApp(dated_library(root), timings=STEADY)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        assert "Posts · newest first" in border(app)
        await pilot.press("s", "s")  # oldest, then title
        await settle(app, pilot)
        assert "Posts · by title" in border(app)
        await pilot.press("q")
    assert saved_settings(root)["sort"] == "title"
    again = ReaderApp(Library.open(root, seed=False), timings=STEADY)
    async with again.run_test(size=WIDE) as pilot:
        await settle(again, pilot)
        assert "Posts · by title" in border(again)
        assert list_rows(again.screen.query_one(PostList)) == rows_in(BY_TITLE)


async def test_a_saved_order_that_makes_no_sense_falls_back_to_the_default(
    tmp_path: Path,
) -> None:
    library = dated_library(tmp_path / "dated")
    library.state.update_settings({"sort": "sideways"})
    app = ReaderApp(library, timings=STEADY)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        assert "Posts · newest first" in border(app)
        assert list_rows(app.screen.query_one(PostList)) == rows_in(BY_NEWEST)


async def test_posts_without_dates_stay_in_import_order(library: Library) -> None:
    app = ReaderApp(library, timings=STEADY)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        assert "Posts · import order" in border(app)
        shown = titles(app)
        expected = [p.title for p in library.summaries()]
        assert len(shown) == len(expected)
        for drawn, title in zip(shown, expected, strict=True):  # long titles end in …
            assert drawn == title or title.startswith(drawn.removesuffix("…")), (drawn, title)
        for _, details in list_rows(app.screen.query_one(PostList)):
            assert details and not re.search(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", details)


async def test_search_results_keep_their_ranking_whatever_the_order(tmp_path: Path) -> None:
    library = dated_library(tmp_path / "dated")
    library.import_paths([RANKING_POSTS])
    app = ReaderApp(library, timings=STEADY)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("s", "s")  # by title
        await settle(app, pilot)
        await pilot.press("slash", *"quillwort")
        await settle(app, pilot)
        post_list = app.screen.query_one(PostList)
        assert result_titles(app) == RANKED  # the ranking, not the title order
        assert "Results · best match first" in border(app)
        await pilot.press("down", "s")  # in the results: the browse order changes...
        await settle(app, pilot)
        toasts = " ".join(str(toast.render()) for toast in app.screen.query("Toast"))
        assert "Search results stay ranked; the list will be shortest first." in toasts
        assert result_titles(app) == RANKED  # ...and the results stay ranked
        await pilot.press("escape")
        await settle(app, pilot)
        assert "Posts · shortest first" in border(app)
        assert len(titles(app)) == len(library.summaries()) == 11
        minutes = [int(d.rsplit(" · ", 1)[1].split()[0]) for _, d in list_rows(post_list)]
        assert minutes == sorted(minutes)


async def test_bookmarks_stay_in_the_order_they_were_made(tmp_path: Path) -> None:
    library = dated_library(tmp_path / "dated")
    for slug in ("apple", "rust-1-10", "weekly-c"):
        library.state.add_bookmark(slug)
    library.state.update_settings({"last_filter": Filter(Filter.BOOKMARKS).id})
    app = ReaderApp(library, timings=STEADY)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        # The last bookmarked first: in none of the five orders. One Weekly Notes
        # listed: no folder needed to tell it apart.
        shown = [("Weekly Notes", "notes · 7 min"), *rows_in(["rust-1-10", "apple"])]
        for _ in range(5):
            assert "Bookmarks · newest bookmarked first" in border(app)
            assert list_rows(app.screen.query_one(PostList)) == shown
            await pilot.press("s")
            await settle(app, pilot)
        await pilot.press("s", "s")  # by title, for All below
        sidebar = app.screen.query_one(TagSidebar)
        await pilot.press("tab", "tab", "home", "enter")  # to All, now by title
        await settle(app, pilot)
        assert sidebar.highlighted == 0
        assert list_rows(app.screen.query_one(PostList)) == rows_in(BY_TITLE)


async def test_the_help_says_search_results_stay_ranked(tmp_path: Path) -> None:
    app = ReaderApp(dated_library(tmp_path / "dated"), timings=STEADY)
    async with app.run_test(size=(120, 80)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        help_text = text_of(app.screen.query_one("#help-text"))
        lines = [" ".join(line.split()) for line in help_text.splitlines()]
        assert any("s Sort the list (search results stay ranked)" in line for line in lines)


async def test_the_date_is_dim_like_the_tags_and_the_key_in_the_footer(tmp_path: Path) -> None:
    app = ReaderApp(dated_library(tmp_path / "dated"), timings=STEADY)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        post_list = app.screen.query_one(PostList)
        title_style = post_list.rich_style
        details = styled_runs(
            post_list, lambda style: style.color is not None and style.color != title_style.color
        )
        assert "2025-02-02 · notes · 1 min" in details  # one run: the date styled as the tags
        assert "apple pie notes" not in details
        footer = app.screen.query_one(Footer)
        keys = [" ".join(text_of(key).split()) for key in footer.query("FooterKey")]
        assert "s Sort" in keys


async def test_dates_show_in_a_normal_and_a_narrow_terminal(tmp_path: Path) -> None:
    library = dated_library(tmp_path / "dated")
    for size in ((80, 24), (40, 12)):
        app = ReaderApp(library, timings=STEADY)
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            rows = list_rows(app.screen.query_one(PostList))
            assert rows[0][1].startswith("2025-02-02"), (size, rows[0])
            assert border(app).count("Posts") == 1, size
            assert isinstance(app.screen.query_one(SearchBar), SearchBar)
