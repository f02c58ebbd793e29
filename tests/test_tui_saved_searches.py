"""Pilot tests for saved searches: ctrl+s in the search bar, the sidebar rows, their counts."""

from __future__ import annotations

import json

from textual.pilot import Pilot
from textual.widgets import Footer

from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.screens.help import HelpScreen
from reader.tui.timings import Timings
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.search_bar import SearchBar
from reader.tui.widgets.tag_sidebar import TagSidebar
from tests.screen import text_of
from tests.test_tui_state import settle, toasts, wait_until

SIZE = (120, 40)


def sidebar(app: ReaderApp) -> str:
    """The sidebar as drawn, one row a line, trailing blanks dropped."""
    return "\n".join(
        line.strip(" │▐▌") for line in text_of(app.screen.query_one(TagSidebar)).splitlines()
    )


def saved_rows(app: ReaderApp) -> list[str]:
    """The rows drawn under the "Saved searches" heading, down to the first tag's row."""
    lines = sidebar(app).splitlines()
    if "Saved searches" not in lines:
        return []
    tags = {t.name for t in app.library.tags()}
    rows = []
    for line in lines[lines.index("Saved searches") + 1 :]:
        if not line.strip() or line.rsplit(" ", 1)[0] in tags:
            break
        rows.append(line)
    return rows


def footer_keys(app: ReaderApp) -> list[str]:
    footer = app.screen.query_one(Footer)
    return [" ".join(text_of(key).split()) for key in footer.query("FooterKey")]


def saved_on_disk(library: Library) -> list[str]:
    path = library.root / "state.json"
    if not path.exists():
        return []
    tables = json.loads(path.read_bytes())
    return [doc["query"] for doc in tables.get("saved_searches", {}).values()]


async def type_query(app: ReaderApp, pilot: Pilot[None], query: str) -> None:
    await pilot.press("slash", *("space" if c == " " else c for c in query))
    await settle(app)


async def save(app: ReaderApp, pilot: Pilot[None], query: str) -> None:
    await type_query(app, pilot, query)
    await pilot.press("ctrl+s")
    await settle(app)


async def highlight_saved(app: ReaderApp, pilot: Pilot[None], query: str) -> None:
    bar = app.screen.query_one(TagSidebar)
    app.screen.set_focus(bar)
    bar.highlighted = bar.get_option_index("saved:" + query)
    await pilot.pause()


def fast() -> Timings:
    return Timings(state_poll=3600.0, library_poll=3600.0)


async def test_ctrl_s_pins_the_query_with_its_count(library: Library) -> None:
    app = ReaderApp(library, fast())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app)
        await save(app, pilot, "stampede")
        found = len(library.search("stampede", limit=100, typing=True).hits)
        await wait_until(pilot, lambda: saved_rows(app) == [f"stampede {found}"], "the row's count")
        assert "Saved search: stampede" in toasts(app)
        assert saved_on_disk(library) == ["stampede"]
        await pilot.press("ctrl+s")  # the same query again
        await settle(app)
        assert "Already saved: stampede" in toasts(app)
        assert saved_on_disk(library) == ["stampede"]
        assert saved_rows(app) == [f"stampede {found}"]


async def test_an_empty_query_is_not_pinned(library: Library) -> None:
    app = ReaderApp(library, fast())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app)
        await pilot.press("slash", "space", "ctrl+s")
        await settle(app)
        assert "an empty search cannot be saved" in toasts(app)
        assert "Saved searches" not in sidebar(app)
        assert saved_on_disk(library) == []


async def test_the_count_follows_the_bookmarks(library: Library) -> None:
    app = ReaderApp(library, fast())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await save(app, pilot, "is:bookmarked")
        await wait_until(pilot, lambda: saved_rows(app) == ["is:bookmarked 0"], "count 0")
        await pilot.press("escape")  # back to the list
        await settle(app)
        await pilot.press("b", "j", "b")
        await settle(app)
        await wait_until(pilot, lambda: saved_rows(app) == ["is:bookmarked 2"], "count 2")
        await pilot.press("b")
        await wait_until(pilot, lambda: saved_rows(app) == ["is:bookmarked 1"], "count 1")


async def test_enter_on_the_row_runs_the_search(library: Library) -> None:
    app = ReaderApp(library, fast())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await save(app, pilot, "stampede")
        await pilot.press("escape")
        await settle(app)
        post_list = app.screen.query_one(PostList)
        everything = len(post_list.slugs)
        await highlight_saved(app, pilot, "stampede")
        await pilot.press("enter")
        await settle(app)
        found = library.search("stampede", limit=100, typing=True)
        assert app.screen.query_one(SearchBar).value == "stampede"
        await wait_until(pilot, lambda: post_list.slugs == [h.slug for h in found.hits], "results")
        assert len(post_list.slugs) < everything
        assert f"{found.total} found" in text_of(post_list)


async def test_x_removes_the_row_shown_in_footer_and_help(library: Library) -> None:
    app = ReaderApp(library, fast())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await save(app, pilot, "stampede")
        await pilot.press("escape")
        await save(app, pilot, "stampede OR cache")
        await pilot.press("escape")
        await settle(app)
        app.screen.set_focus(app.screen.query_one(TagSidebar))
        await pilot.pause()
        assert not any("Remove saved search" in k for k in footer_keys(app))  # on "All"
        await highlight_saved(app, pilot, "stampede")
        assert any("Remove saved search" in k for k in footer_keys(app))
        await pilot.press("x")
        await settle(app)
        assert [r.rsplit(" ", 1)[0] for r in saved_rows(app)] == ["stampede OR cache"]
        assert saved_on_disk(library) == ["stampede OR cache"]
        await highlight_saved(app, pilot, "stampede OR cache")
        await pilot.press("delete")
        await settle(app)
        assert "Saved searches" not in sidebar(app)
        assert saved_on_disk(library) == []
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = " ".join(text_of(app.screen.query_one("#help-text")).split())
        assert "Remove saved search" in shown and "Save search" in shown


async def test_saved_searches_come_back_after_a_restart(library: Library) -> None:
    app = ReaderApp(library, fast())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await save(app, pilot, "stampede")
    assert saved_on_disk(library) == ["stampede"]
    again = ReaderApp(Library.open(library.root), fast())
    async with again.run_test(size=SIZE) as pilot:
        await settle(again)
        found = library.search("stampede", limit=1, typing=True).total
        await wait_until(
            pilot, lambda: saved_rows(again) == [f"stampede {found}"], "the row after restart"
        )
