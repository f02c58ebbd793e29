"""The command palette and keys read in the same batch as the ones that open and close it.

A terminal read can hold `ctrl+p`, `escape` and whatever was typed next. Textual
8.2's palette crashed on such batches: a search started after it closed looked
up its list once the list was gone (`NoMatches`), a second `enter` dismissed the
screen beneath it and ran the command again, and `pagedown` before the list had
a height raised `KeyError`. `ReaderPalette` drops what reaches it once closing.
"""

from __future__ import annotations

import asyncio

import pytest
from textual.command import CommandList, CommandPalette, Hit, Hits, Provider
from textual.pilot import Pilot
from textual.widgets import HelpPanel, Input

from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.screens.main import MainScreen
from tests.test_keys import WIDE, make_app, settle, wait_until
from tests.test_random_keys import send_batch

GATHER = CommandPalette._GATHER_COMMANDS_GROUP
"""The worker group of the palette's searches (Textual names it on the class)."""


async def open_palette(app: ReaderApp, pilot: Pilot[None]) -> CommandPalette:
    """Press ctrl+p and wait until the palette has listed its first commands."""
    await settle(app, pilot)
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "palette open")
    await app.workers.wait_for_complete()
    palette = app.screen
    assert isinstance(palette, CommandPalette)
    return palette


async def after_batch(app: ReaderApp, pilot: Pilot[None], keys: list[str]) -> None:
    """Send `keys` as one read, then let the app handle all of it."""
    send_batch(app, keys)
    for _ in range(5):
        await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize(
    "keys",
    [
        ["ctrl+p", "escape"],
        ["ctrl+p", "escape", "j", "k"],
        ["ctrl+p", "r", "e", "d", "escape", "enter"],
        ["ctrl+p", "pagedown"],
        ["ctrl+p", "r", "pageup", "pagedown", "escape"],
    ],
)
async def test_open_and_close_in_one_read(library: Library, keys: list[str]) -> None:
    app = make_app(library)
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(app, pilot)
        await after_batch(app, pilot, keys)
        assert app.is_running
        if "escape" in keys:
            assert isinstance(app.screen, MainScreen)
        await after_batch(app, pilot, ["escape"])
        assert isinstance(app.screen, MainScreen)
        assert app.return_code is None


async def test_a_second_enter_runs_the_command_once_and_keeps_the_main_screen(
    library: Library,
) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await open_palette(app, pilot)
        await pilot.press(*"keys")
        await wait_until(pilot, lambda: "Keys" in palette_rows(app), "Keys offered")
        await app.workers.wait_for_complete()
        await after_batch(app, pilot, ["enter", "enter"])
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query(HelpPanel), "the keys panel shown once, not toggled twice"


async def test_a_second_enter_in_the_theme_palette_keeps_the_main_screen(
    library: Library,
) -> None:
    # Textual's "Theme" command opens a palette of its own: it is ours too (the random
    # keys found the second enter popping the main screen: ScreenStackError).
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        app.search_themes()
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "themes open")
        await app.workers.wait_for_complete()

        def listed() -> bool:
            return bool(app.screen.query(CommandList)) and "nord" in palette_rows(app)

        await wait_until(pilot, listed, "themes listed")
        await after_batch(app, pilot, ["enter", "enter"])
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, MainScreen)


def palette_rows(app: ReaderApp) -> str:
    """The palette's rows as drawn, one string."""
    commands = app.screen.query_one(CommandList)
    return " ".join(
        str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)
    )


class SlowToClose(Provider):
    """A provider that finds nothing, slowly, and closes slowly.

    It stands for any slow provider (a big library, a file to close): its
    search ends while the palette is half taken down, its list removed and
    the palette itself not yet, which is when a search still running reached
    the missing list (to hide it: no command matched).
    """

    watched: CommandList | None = None
    """The list of the palette under test (a search typed in it ends once the list is gone)."""

    async def search(self, query: str) -> Hits:
        while query and self.watched is not None and self.watched.is_attached:
            await asyncio.sleep(0)  # a turn of the loop, not a wait on the clock
        nothing: tuple[Hit, ...] = ()
        for hit in nothing:
            yield hit

    async def shutdown(self) -> None:
        """Let the palette's searches finish before the palette goes."""
        while any(w.group == GATHER and not w.is_finished for w in self.app.workers):
            await asyncio.sleep(0)


@pytest.fixture
def slow_app(library: Library, monkeypatch: pytest.MonkeyPatch) -> ReaderApp:
    """The app with `SlowToClose` among its providers."""
    monkeypatch.setattr(ReaderApp, "COMMANDS", ReaderApp.COMMANDS | {SlowToClose})
    return make_app(library)


async def open_watched(
    app: ReaderApp, pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch
) -> CommandPalette:
    """Open the palette; `SlowToClose` watches its list."""
    palette = await open_palette(app, pilot)
    monkeypatch.setattr(SlowToClose, "watched", palette.query_one(CommandList))
    return palette


async def test_a_search_typed_after_escape_never_reaches_the_removed_list(
    slow_app: ReaderApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = slow_app
    async with app.run_test(size=WIDE) as pilot:
        palette = await open_watched(app, pilot, monkeypatch)
        # Escape, then a key the same read held, reaching the palette after
        # escape took it off the stack (the order a busy app handles them in).
        await palette.run_action("escape")
        palette.post_message(Input.Changed(palette.query_one(Input), "zzzzzz"))
        await wait_until(pilot, lambda: not palette.is_attached, "palette removed")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, MainScreen)


async def test_quitting_with_a_search_running_in_the_palette(
    slow_app: ReaderApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = slow_app
    async with app.run_test(size=WIDE) as pilot:
        await open_watched(app, pilot, monkeypatch)
        await pilot.press(*"zzzzzz")  # its search ends only once the palette is taken down
        assert isinstance(app.screen, CommandPalette)
    # Leaving `run_test` shut the app down with the palette open; it raises what crashed.
    assert app.return_code in (None, 0)
