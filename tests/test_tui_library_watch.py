"""Pilot tests: a running TUI picks up posts another process imported or removed.

The other process is a real `python -m reader` on the same data directory;
the app polls the library every `POLL` seconds. Tests wait for what shows on
screen in a bounded loop of `pilot.pause()`, never a fixed sleep.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.timings import Timings
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.tag_sidebar import ALL, TagSidebar

NEVER = 3600.0
POLL = 0.05
QUICK = Timings(state_poll=NEVER, library_poll=POLL, save_place=NEVER)
REDIS = "debugging-redis-caching-7-techniques-you-need-to-know"


async def reader_command(*args: str) -> str:
    """Run `reader ARGS` in another process (on the test's data directory); its stdout."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "reader",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return out.decode()


async def wait_until(pilot: Pilot[None], done: Callable[[], bool], what: str) -> None:
    """Let the app run until `done()`; fail (never pass) after ten seconds or more."""
    for _ in range(1000):
        if done():
            return
        await pilot.pause(0.01)
    pytest.fail(f"never happened: {what}")


def listed(app: ReaderApp) -> list[str]:
    return app.screen.query_one(PostList).slugs


def toasts(app: ReaderApp) -> str:
    return " ".join(str(toast.render()) for toast in app.screen.query("Toast"))


@pytest.mark.parametrize("size", [(40, 12), (120, 40)])
async def test_an_import_elsewhere_shows_in_the_list(
    library: Library, tmp_path: Path, size: tuple[int, int]
) -> None:
    library.state.add_bookmark(REDIS)  # a bookmarked sample: the import keeps the samples
    note = tmp_path / "zebra.md"
    note.write_text("# Aardvark Zebra\n\nStripes and snouts.\n")
    app = ReaderApp(library, timings=QUICK)
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("j", "j")
        third = listed(app)[2]
        assert app.screen.query_one(PostList).highlighted_slug == third
        assert "1 added" in await reader_command("import", str(note))
        await wait_until(pilot, lambda: "aardvark-zebra" in listed(app), "the new post listed")
        assert len(listed(app)) == 11
        assert app.screen.query_one(PostList).highlighted_slug == third  # the cursor stays
        sidebar = app.screen.query_one(TagSidebar)
        assert str(sidebar.get_option(ALL).prompt).split() == ["All", "11"]
        # And the search finds it.
        await pilot.press("slash", *"snouts")
        await wait_until(pilot, lambda: listed(app) == ["aardvark-zebra"], "the search finds it")


async def test_a_removal_elsewhere_closes_the_open_post(library: Library) -> None:
    app = ReaderApp(library, timings=QUICK)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        index = listed(app).index(REDIS)
        app.screen.query_one(PostList).highlighted = index
        await pilot.press("enter")
        reader = app.screen.query_one(ReaderPane)
        await wait_until(
            pilot, lambda: reader.post is not None and reader.post.slug == REDIS, "opened"
        )
        title = reader.post.title if reader.post is not None else ""
        after = listed(app)[index + 1]
        assert (await reader_command("remove", REDIS)).startswith("removed 1 post")
        await wait_until(pilot, lambda: REDIS not in listed(app), "the post unlisted")
        assert len(listed(app)) == 9
        assert app.screen.query_one(PostList).highlighted_slug == after  # where it was
        await wait_until(pilot, lambda: "was removed" in toasts(app), "the message")
        assert title[:20] in toasts(app)
        assert reader.post is None or reader.post.slug != REDIS
