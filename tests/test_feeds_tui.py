"""`R` in the TUI: feeds refresh in a worker, keys go on working, new posts appear as each
feed is stored; the sidebar lists the feeds with their unread counts."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from textual.pilot import Pilot
from werkzeug import Request, Response

from reader.config import Config
from reader.feeds.refresh import fetching, refresh, store_for
from reader.feeds.subscribe import add_feeds
from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.timings import Timings
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.post_view import PostView
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.tag_sidebar import TagSidebar
from tests.feed_server import threaded_server
from tests.screen import lines_of, list_rows, notices, styled_runs
from tests.test_tui_state import wait_until


@pytest.fixture
def threaded() -> Iterator[HTTPServer]:
    with threaded_server() as server:
        yield server


FEEDS = Path(__file__).parent / "data" / "feeds"
FEED = (FEEDS / "rss2.xml").read_bytes()
"""Tide Notes: "Spring tides explained" and "Only a summary"."""
ATOM = (FEEDS / "atom.xml").read_bytes()
"""Kiln Diary: "Glaze firing"."""
STEADY = Timings()
QUIET = Timings(state_poll=3600, library_poll=3600)
"""No timer of the app's own changes what the test watches: only the refresh does."""


def titles(app: ReaderApp) -> list[str]:
    return [title for title, _ in list_rows(app.screen.query_one(PostList))]


def sidebar_lines(app: ReaderApp) -> list[str]:
    """The sidebar's rows as drawn, without the border."""
    return [line.strip("│╭╮╰╯─ ") for line in lines_of(app.screen.query_one(TagSidebar))]


def reader_title(app: ReaderApp) -> str:
    """The post's title as drawn: in the reader's border, else (at the top of a post,
    where the border is blank) the first line of its header."""
    drawn = lines_of(app.screen.query_one(ReaderPane))[0].strip("╭╮─ ")
    return drawn or lines_of(app.screen.query_one(PostView))[0].strip()


def slow_feed(
    release: threading.Event, asked: threading.Event | None = None
) -> Callable[[Request], Response]:
    """Tide Notes, answered once `release` is set (or after five seconds); `asked` is set
    as the request arrives (the server's log has it only once it is answered)."""

    def answer(request: Request) -> Response:
        if asked is not None:
            asked.set()
        release.wait(5)
        return Response(FEED, content_type="application/rss+xml")

    return answer


def two_feeds_app(server: HTTPServer, library: Library) -> ReaderApp:
    """The app on `library` with Tide Notes and Kiln Diary refreshed."""
    serve_two_feeds(server, library)
    refresh(library)
    return ReaderApp(library, timings=STEADY)


def serve_two_feeds(server: HTTPServer, library: Library) -> None:
    server.expect_request("/tide.xml").respond_with_data(FEED, content_type="application/rss+xml")
    server.expect_request("/kiln.xml").respond_with_data(ATOM, content_type="application/atom+xml")
    add_feeds(
        library,
        [(server.url_for("/tide.xml"), "Tide Notes"), (server.url_for("/kiln.xml"), "")],
    )


async def test_R_refreshes_without_blocking_keys_and_lists_new_posts(
    library: Library, threaded: HTTPServer
) -> None:
    release = threading.Event()
    threaded.expect_request("/tide.xml").respond_with_handler(slow_feed(release))
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
        starting = "Refreshing 1 feed… (last refreshed over 30 minutes ago)"
        await wait_until(pilot, lambda: starting in notices(app), "the notice")
        for _ in range(400):
            if any("Spring tides explained" in t for t in titles(app)):
                break
            await pilot.pause(0.01)
        assert any("Spring tides explained" in t for t in titles(app))
        # Said, in a worker: the first frame did not wait for the network.
        await wait_until(pilot, lambda: "2 new" in notices(app), "the summary")


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


async def test_the_sidebar_lists_the_feeds_with_unread_counts_and_enter_filters(
    library: Library, threaded: HTTPServer
) -> None:
    app = two_feeds_app(threaded, library)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: "Feeds" in sidebar_lines(app), "the Feeds heading")
        rows = sidebar_lines(app)
        at = rows.index("Feeds")
        # By title (the feed's own title when the subscription has none), unread counts.
        assert rows[at + 1 : at + 3] == ["Kiln Diary 1", "Tide Notes 2"]
        await pilot.press("t")
        sidebar = app.screen.query_one(TagSidebar)
        while sidebar.highlighted_option is None or "Tide Notes" not in str(
            sidebar.highlighted_option.prompt
        ):
            await pilot.press("j")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert sorted(titles(app)) == ["Only a summary", "Spring tides explained"]


async def test_reading_a_feed_post_lowers_its_feeds_count(
    tmp_path: Path, threaded: HTTPServer
) -> None:
    library = Library.open(tmp_path / "data", seed=False)
    serve_two_feeds(threaded, library)
    refresh(library)
    app = ReaderApp(library, timings=STEADY)
    async with app.run_test(size=(140, 40)) as pilot:
        # The post open at start is never marked read by itself: both Tide Notes stay unread.
        await wait_until(pilot, lambda: "Tide Notes 2" in sidebar_lines(app), "Tide Notes 2")
        assert "Kiln Diary 1" in sidebar_lines(app)
        post_list = app.screen.query_one(PostList)
        while (
            post_list.highlighted_slug is None
            or "Glaze" not in titles(app)[post_list.highlighted or 0]
        ):
            await pilot.press("j")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Kiln Diary 0" in sidebar_lines(app), "Kiln Diary 0")


async def test_R_shows_each_feed_as_it_arrives_keeping_the_cursor_and_the_open_post(
    library: Library, threaded: HTTPServer
) -> None:
    release = threading.Event()
    # The slow feed comes first: the fast one must not wait for it.
    threaded.expect_request("/tide.xml").respond_with_handler(slow_feed(release))
    threaded.expect_request("/kiln.xml").respond_with_data(
        ATOM, content_type="application/atom+xml"
    )
    add_feeds(
        library,
        [
            (threaded.url_for("/tide.xml"), "Tide Notes"),
            (threaded.url_for("/kiln.xml"), "Kiln Diary"),
        ],
    )
    app = ReaderApp(library, timings=QUIET)
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_until(pilot, lambda: "Tide Notes 0" in sidebar_lines(app), "the feeds' rows")
            assert "Kiln Diary 0" in sidebar_lines(app)
            post_list = app.screen.query_one(PostList)
            await pilot.press("j", "j", "enter")  # open the third post
            await pilot.pause()
            cursor = titles(app)[post_list.highlighted or 0]
            open_title = reader_title(app)
            assert open_title.startswith(cursor[:10])
            await pilot.press("escape", "R")
            await wait_until(pilot, lambda: "Glaze firing" in titles(app), "the fast feed's post")
            assert "Spring tides explained" not in titles(app)
            # The counts follow from a worker: a moment later than the list.
            await wait_until(pilot, lambda: "Kiln Diary 1" in sidebar_lines(app), "Kiln Diary 1")
            assert "Feeds (refreshing 1/2)" in sidebar_lines(app)
            assert titles(app)[post_list.highlighted or 0] == cursor
            assert reader_title(app) == open_title
            await pilot.press("R")  # not a second refresh alongside
            await pilot.pause()
            assert "already" in notices(app)
            release.set()
            await wait_until(
                pilot, lambda: "Spring tides explained" in titles(app), "the slow feed's posts"
            )
            await wait_until(pilot, lambda: "Tide Notes 2" in sidebar_lines(app), "Tide Notes 2")
            await wait_until(pilot, lambda: "Feeds" in sidebar_lines(app), "the heading, done")
            assert titles(app)[post_list.highlighted or 0] == cursor
            assert reader_title(app) == open_title
            assert "3 new, 0 updated, 0 feeds with errors" in notices(app)
    finally:
        release.set()


def highlighted_rows(app: ReaderApp) -> list[str]:
    """The sidebar's rows drawn on another background than its own: the highlighted one."""
    sidebar = app.screen.query_one(TagSidebar)
    page = sidebar.rich_style.bgcolor
    return styled_runs(sidebar, lambda style: style.bgcolor not in (None, page))


async def highlight_row(app: ReaderApp, pilot: Pilot[None], wanted: str) -> None:
    """Focus the sidebar (`t`) and move down to the first row drawn as `wanted`."""
    await pilot.press("t")
    for _ in range(10):
        if highlighted_rows(app) == [wanted]:
            return
        await pilot.press("j")
    assert highlighted_rows(app) == [wanted]


async def test_a_chosen_feed_keeps_the_highlight_on_its_row_not_its_tags(
    library: Library, threaded: HTTPServer
) -> None:
    app = two_feeds_app(threaded, library)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: "Feeds" in sidebar_lines(app), "the Feeds heading")
        await highlight_row(app, pilot, "Tide Notes 2")
        await pilot.press("enter")  # the list shows the feed's posts, the focus goes to it
        await wait_until(
            pilot,
            lambda: sorted(titles(app)) == ["Only a summary", "Spring tides explained"],
            "the feed's posts",
        )
        await pilot.press("t")  # back to the sidebar: on the feed's row, not its tag's
        await wait_until(pilot, lambda: highlighted_rows(app) == ["Tide Notes 2"], "its row")
        await pilot.press("j")
        await wait_until(
            pilot, lambda: highlighted_rows(app) == ["Machine Learning 10"], "the next row"
        )


async def test_two_feeds_of_the_same_title_keep_their_posts_apart(
    tmp_path: Path, threaded: HTTPServer
) -> None:
    library = Library.open(tmp_path / "data", seed=False)
    for path in ("/tide.xml", "/mirror.xml"):  # the same feed, so the same title, twice
        threaded.expect_request(path).respond_with_data(FEED, content_type="application/rss+xml")
    add_feeds(library, [(threaded.url_for("/tide.xml"), ""), (threaded.url_for("/mirror.xml"), "")])
    refresh(library)
    tags = sorted(s.tag for s in store_for(library).load())
    assert tags == ["tide-notes", "tide-notes-2"]
    app = ReaderApp(library, timings=STEADY)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: "Feeds" in sidebar_lines(app), "the Feeds heading")
        rows = sidebar_lines(app)
        at = rows.index("Feeds")
        assert rows[at + 1 : at + 3] == ["Tide Notes 2", "Tide Notes 2"]
        assert len(titles(app)) == 4
        two = ["Only a summary", "Spring tides explained"]
        await highlight_row(app, pilot, "Tide Notes 2")
        await pilot.press("enter")  # the first feed's row lists its own two posts, not four
        await wait_until(pilot, lambda: sorted(titles(app)) == two, "the first feed's posts")
        await pilot.press("t", "j")  # back on its row, then the second feed's
        assert highlighted_rows(app) == ["Tide Notes 2"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: sorted(titles(app)) == two, "the second feed's posts")


async def test_quitting_during_a_refresh_stops_it_and_stores_nothing_half(
    tmp_path: Path, threaded: HTTPServer
) -> None:
    library = Library.open(tmp_path / "data", seed=False)
    release, asked = threading.Event(), threading.Event()
    threaded.expect_request("/tide.xml").respond_with_handler(slow_feed(release, asked))
    add_feeds(library, [(threaded.url_for("/tide.xml"), "Tide Notes")])
    app = ReaderApp(library, timings=QUIET)
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.press("R")
            await wait_until(pilot, asked.is_set, "the feed being fetched")
            await pilot.press("q")
            await wait_until(pilot, lambda: not app.is_running, "the app gone")
        release.set()  # the fetch under way ends; nothing of it is imported or recorded
        for _ in range(1000):
            if not fetching():
                break
            await asyncio.sleep(0.01)
        assert not fetching()
    finally:
        release.set()
    assert app.return_code in (0, None)
    (sub,) = store_for(library).load()
    assert sub.fetched == "" and sub.etag == ""
    assert [p.title for p in Library.open(tmp_path / "data", seed=False).summaries()] == []
