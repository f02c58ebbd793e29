"""`R` in the TUI: feeds refresh in a worker, keys go on working, new posts appear."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from reader.config import Config
from reader.feeds.subscribe import add_feeds
from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.timings import Timings
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.tag_sidebar import TagSidebar
from tests.feed_server import threaded_server
from tests.screen import list_rows, notices


@pytest.fixture
def threaded() -> Iterator[HTTPServer]:
    with threaded_server() as server:
        yield server


FEED = (Path(__file__).parent / "data" / "feeds" / "rss2.xml").read_bytes()
STEADY = Timings()


def titles(app: ReaderApp) -> list[str]:
    return [title for title, _ in list_rows(app.screen.query_one(PostList))]


async def test_R_refreshes_without_blocking_keys_and_lists_new_posts(
    library: Library, threaded: HTTPServer
) -> None:
    release = threading.Event()

    def slow_feed(request: Request) -> Response:
        release.wait(5)
        return Response(FEED, content_type="application/rss+xml")

    threaded.expect_request("/tide.xml").respond_with_handler(slow_feed)
    add_feeds(library, [(threaded.url_for("/tide.xml"), "Tide Notes")])
    app = ReaderApp(library, timings=STEADY)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        assert not any("Spring tides" in t for t in titles(app))
        await pilot.press("R")
        # The feed is still being fetched: keys still work.
        sidebar = app.screen.query_one(TagSidebar)
        await pilot.press("t", "t")  # the first focuses the tags, the second hides them
        await pilot.pause()
        assert sidebar.region.width == 0
        release.set()
        for _ in range(400):
            if any("Spring tides explained" in t for t in titles(app)):
                break
            await pilot.pause(0.01)
        assert any("Spring tides explained" in t for t in titles(app))
        assert any("Only a summary" in t for t in titles(app))
    release.set()


async def test_the_setting_refreshes_on_start_when_the_last_refresh_is_old(
    library: Library, threaded: HTTPServer
) -> None:
    threaded.expect_request("/tide.xml").respond_with_data(FEED, content_type="application/rss+xml")
    add_feeds(library, [(threaded.url_for("/tide.xml"), "Tide Notes")])
    app = ReaderApp(library, timings=STEADY, config=Config(feeds_refresh_on_start_minutes=30))
    async with app.run_test(size=(140, 40)) as pilot:
        for _ in range(400):
            if any("Spring tides explained" in t for t in titles(app)):
                break
            await pilot.pause(0.01)
        assert any("Spring tides explained" in t for t in titles(app))


async def test_no_refresh_on_start_by_default(library: Library, threaded: HTTPServer) -> None:
    threaded.expect_request("/tide.xml").respond_with_data(FEED, content_type="application/rss+xml")
    add_feeds(library, [(threaded.url_for("/tide.xml"), "Tide Notes")])
    app = ReaderApp(library, timings=STEADY)
    async with app.run_test(size=(140, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not any("Spring tides" in t for t in titles(app))
    assert len(threaded.log) == 0


async def test_R_without_feeds_says_how_to_add_one(library: Library) -> None:
    app = ReaderApp(library, timings=STEADY)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("R")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = notices(app)
        assert "No feeds yet" in shown
        assert "reader add URL" in shown
        assert "feeds with errors" not in shown
