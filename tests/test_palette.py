"""The command palette (ctrl+p): each of our providers, chosen as a user would."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import rapidfuzz
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import OptionList

from reader.library import Library
from reader.models import PostSummary
from reader.tui import ReaderApp, palette
from reader.tui.widgets.search_bar import SearchBar
from tests.screen import notices
from tests.test_keys import (
    FIRST,
    SECOND,
    WIDE,
    make_app,
    open_notes,
    reader_shows,
    row_titles,
    settle,
    top_line,
    wait_until,
)
from tests.test_navigation import notes_library  # noqa: F401 (a fixture)

LAKEHOUSE = "Revisiting Data Lakehouse Architecture After 5 Quarter in Production"


def choices(app: ReaderApp) -> list[str]:
    """The palette's rows as drawn, first line of each."""
    options = app.screen.query_one(OptionList)
    return [
        str(options.get_option_at_index(i).prompt).split("\n")[0]
        for i in range(options.option_count)
    ]


async def steady(app: ReaderApp, pilot: Pilot[None]) -> None:
    """Wait until the rows stop changing: every provider's hits have arrived."""
    last: list[str] = []
    same = 0
    for _ in range(500):
        await pilot.pause()
        now = choices(app)
        same = same + 1 if now == last else 0
        last = now
        if same >= 5:
            return
    raise AssertionError("the palette never settled")


async def choose(app: ReaderApp, pilot: Pilot[None], query: str, wanted: str) -> None:
    """Open the palette, type `query`, wait for `wanted` among the rows, and choose it."""
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "palette open")
    await pilot.press(*query)
    await wait_until(pilot, lambda: any(wanted in c for c in choices(app)), f"{wanted} offered")
    await steady(app, pilot)
    options = app.screen.query_one(OptionList)
    options.highlighted = next(i for i, c in enumerate(choices(app)) if wanted in c)
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, CommandPalette), "palette closed")
    await settle(app, pilot)


async def test_a_post_is_found_by_a_fuzzy_title_and_opened(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await choose(app, pilot, "lakhouse", LAKEHOUSE)
        assert reader_shows(app, LAKEHOUSE)
        # It went on the history: back returns to the post shown before.
        await pilot.press("backspace")
        await settle(app, pilot)
        assert reader_shows(app, FIRST)


async def test_a_tag_narrows_the_list(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await choose(app, pilot, "blue-green", "Tag: blue-green")
        assert row_titles(app) == [
            "Zero to Blue-Green Deployments: A Weekend Project Retrospective"
        ]


async def test_a_section_of_the_open_post(notes_library: Library) -> None:  # noqa: F811
    app = make_app(notes_library)
    async with app.run_test(size=WIDE) as pilot:
        await open_notes(app, pilot)
        await choose(app, pilot, "beta sect", "§ Beta Section")
        assert top_line(app) == "Beta Section"


async def test_every_action_is_offered_with_its_key(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "palette open")
        await wait_until(pilot, lambda: "Bookmark" in choices(app), "actions listed")
        options = app.screen.query_one(OptionList)
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any(row.startswith("Bookmark") and "key: b" in row for row in shown), shown
        await pilot.press(*"sort")
        await wait_until(pilot, lambda: "Sort" in choices(app), "sort offered")
        options.highlighted = choices(app).index("Sort")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "import order" not in str(app.screen.query_one("#post-list").border_title).lower()


async def test_textual_themes_stay_in_the_palette(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "palette open")
        await pilot.press(*"theme")
        await wait_until(pilot, lambda: any("Theme" in c for c in choices(app)), "theme offered")


async def test_a_saved_search_runs_from_the_palette(library: Library) -> None:
    library.save_search("tag:redis cache")
    library.save_search("[b]not markup")
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "palette open")
        # Listed before anything is typed, the query as written.
        await wait_until(
            pilot, lambda: "Saved search: [b]not markup" in choices(app), "saved listed"
        )
        await pilot.press("escape")
        await settle(app, pilot)
        await choose(app, pilot, "redis cache", "Saved search: tag:redis cache")
        assert app.screen.query_one(SearchBar).value == "tag:redis cache"
        assert row_titles(app) == [SECOND]


PALETTE_KEY_TESTS = {
    ("everywhere", "`ctrl+p`"): test_a_post_is_found_by_a_fuzzy_title_and_opened,
}
"""This file's rows of the README's key table (test_keys checks the table against them)."""


async def test_the_title_search_gives_the_loop_turns_and_stops_when_cancelled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Keys stay read while titles are scored: the loop runs between slices, and the
    next keystroke's cancellation ends the search before the rest is scored."""
    monkeypatch.setattr(palette, "CHUNK", 10)
    posts = [PostSummary(f"p{i}", f"Post {i} about lakehouse {i % 7}") for i in range(200)]
    turns = 0
    done = False

    async def other_keys() -> None:
        nonlocal turns
        while not done:
            turns += 1
            await asyncio.sleep(0)

    keys = asyncio.create_task(other_keys())
    found = await palette.TitleIndex().search("lakhouse", posts)
    done = True
    await keys
    assert turns >= 200 // 10 - 1
    assert found == palette.TitleIndex().match("lakhouse", posts)
    assert len(found) == palette.POST_HITS

    scored: list[int] = []
    real: Any = rapidfuzz.process.extract

    def counting(*args: object, **kwargs: object) -> object:
        scored.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(rapidfuzz.process, "extract", counting)
    search = asyncio.create_task(palette.TitleIndex().search("lakhouse", posts))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    search.cancel()
    with pytest.raises(asyncio.CancelledError):
        await search
    assert 0 < len(scored) < 200 // 10


async def test_the_screenshot_command_saves_an_svg_in_the_current_folder(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await choose(app, pilot, "screenshot", "Screenshot")
        await wait_until(pilot, lambda: list(tmp_path.glob("*.svg")) != [], "the file")
        (svg,) = tmp_path.glob("*.svg")
        assert svg.read_text("utf-8").startswith("<svg")
        await wait_until(pilot, lambda: str(svg) in notices(app), "where it is said")


async def test_a_screenshot_that_cannot_be_saved_says_why(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()  # the current folder deleted under the app (permissions do not stop root)
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await choose(app, pilot, "screenshot", "Screenshot")
        await wait_until(
            pilot, lambda: "Could not save the screenshot" in notices(app), "the reason"
        )
