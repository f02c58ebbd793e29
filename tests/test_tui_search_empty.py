"""Pilot tests for a search that finds nothing: the list says so, the reader drops old marks."""

from __future__ import annotations

from textual.pilot import Pilot

from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.reader_pane import ReaderPane
from tests.screen import lines_of
from tests.test_tui_search import highlighted_words, result_slugs, settle, type_query

PGBOUNCER = "pgbouncer"


def list_words(post_list: PostList) -> str:
    """The list's text inside its border, its lines joined by single spaces."""
    return " ".join(" ".join(line.strip("│ ") for line in lines_of(post_list)[1:-1]).split())


async def _loaded(app: ReaderApp, pilot: Pilot[None]) -> None:
    for _ in range(20):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def test_nothing_found_says_so_with_a_suggestion(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "redis cahe")
        post_list = app.screen.query_one(PostList)
        assert result_slugs(app) == []
        shown = list_words(post_list)
        assert 'No matches for "redis cahe"; did you mean redis cache?' in shown, shown
        await pilot.press("down", "enter")  # the message is not a post to open
        await settle(app, pilot)
        assert app.screen.query_one(ReaderPane).post is None or app.is_running


async def test_the_message_never_reads_the_query_as_markup(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "[bold red]zzyzx[/]")
        shown = list_words(app.screen.query_one(PostList))
        assert 'No matches for "[bold red]zzyzx[/]"' in shown, shown


async def _open_marked(app: ReaderApp, pilot: Pilot[None]) -> ReaderPane:
    """Search for PgBouncer and wait for the top result, marked, in the reader."""
    await settle(app, pilot)
    await type_query(app, pilot, PGBOUNCER)
    await _loaded(app, pilot)
    reader = app.screen.query_one(ReaderPane)
    assert reader.post is not None and "PgBouncer" in reader.post.body
    assert highlighted_words(reader) == {PGBOUNCER}
    return reader


async def test_no_results_take_the_marks_off_the_open_post(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(140, 40)) as pilot:
        reader = await _open_marked(app, pilot)
        assert reader.post is not None
        opened = reader.post.slug
        await pilot.press(*" zzyzx")  # one batch: no pause between the keys
        await settle(app, pilot)
        await _loaded(app, pilot)
        assert result_slugs(app) == []
        # The post stays open where it was, without the marks of the older query.
        assert reader.post is not None and reader.post.slug == opened
        assert highlighted_words(reader) == set()


async def test_new_results_never_show_the_older_querys_marks(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(140, 40)) as pilot:
        reader = await _open_marked(app, pilot)
        await pilot.press(*["backspace"] * len(PGBOUNCER), *"redis")
        await settle(app, pilot)
        assert PGBOUNCER not in highlighted_words(reader)  # gone before the new post loads
        await _loaded(app, pilot)
        assert reader.post is not None and reader.post.slug == result_slugs(app)[0]
        assert highlighted_words(reader) == {"redis"}
