"""Pilot tests for searching from the keyboard."""

from __future__ import annotations

from textual.pilot import Pilot

from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.screens.main import MainScreen
from reader.tui.widgets.post_list import PostList, ResultRow
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.search_bar import SearchBar
from reader.tui.widgets.tag_sidebar import TagSidebar
from tests.screen import background_runs, lines_of


async def settle(app: ReaderApp, pilot: Pilot[None]) -> None:
    """Wait until the list shows the results of the query in the bar (or the plain list)."""
    screen = app.screen
    assert isinstance(screen, MainScreen)
    for _ in range(500):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not screen.search_query or screen.shown_query == screen.search_query:
            break
        await pilot.pause(0.01)  # the debounce timer has not fired yet
    else:
        raise AssertionError("search never finished")


def result_slugs(app: ReaderApp) -> list[str]:
    return app.screen.query_one(PostList).slugs


async def type_query(app: ReaderApp, pilot: Pilot[None], text: str) -> None:
    await pilot.press("slash")
    assert app.focused is app.screen.query_one(SearchBar)
    await pilot.press(*text)
    await settle(app, pilot)


async def test_typing_updates_the_list_with_ranked_results(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "redis")
        assert result_slugs(app) == ["debugging-redis-caching-7-techniques-you-need-to-know"]
        row = app.screen.query_one(PostList).get_option_at_index(0).prompt
        assert isinstance(row, ResultRow) and row.hit.title_marks
        await pilot.press(*" x")  # "redis x": nothing matches both
        await settle(app, pilot)
        assert result_slugs(app) == []
        await pilot.press("backspace", "backspace")
        await settle(app, pilot)
        assert len(result_slugs(app)) == 1


async def test_sidebar_counts_follow_the_query_and_a_tag_narrows_it(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "migration")
        matched = result_slugs(app)
        assert len(matched) >= 2
        sidebar = app.screen.query_one(TagSidebar)
        assert str(sidebar.get_option("all").prompt) == f"All {len(matched)}"
        narrowing = "tag:cli"
        assert sidebar.get_option(narrowing)
        sidebar.focus()
        sidebar.highlighted = sidebar.get_option_index(narrowing)
        await pilot.press("enter")
        await settle(app, pilot)
        assert result_slugs(app) == ["the-contrarian-argument-for-cli-development-in-2026"]


async def test_sidebar_counts_the_marks_and_tags_of_every_match(library: Library) -> None:
    """While searching, Unread, Bookmarks and each tag count the matches, all of them."""
    from collections import Counter

    matched = {h.slug for h in library.search("the", limit=100).hits}
    assert len(matched) > 3
    chosen = sorted(matched)
    library.state.set_read(chosen[0])
    library.state.set_read(chosen[1])
    library.state.add_bookmark(chosen[2])
    app = ReaderApp(library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "the ")
        sidebar = app.screen.query_one(TagSidebar)
        for _ in range(100):  # the counts follow the list
            if str(sidebar.get_option("all").prompt) == f"All {len(matched)}":
                break
            await pilot.pause(0.01)
        assert str(sidebar.get_option("unread").prompt) == f"Unread {len(matched) - 2}"
        assert str(sidebar.get_option("bookmarks").prompt) == "Bookmarks 1"
        tags = Counter(t for p in library.summaries() if p.slug in matched for t in p.tags)
        for name, count in tags.items():
            assert str(sidebar.get_option(f"tag:{name}").prompt) == f"{name} {count}"


async def test_escape_restores_the_list(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "redis")
        await pilot.press("escape")
        await settle(app, pilot)
        post_list = app.screen.query_one(PostList)
        assert len(post_list.slugs) == 10
        assert app.focused is post_list
        assert app.screen.query_one(SearchBar).value == ""


def highlighted_words(reader: ReaderPane) -> set[str]:
    """The words drawn highlighted in the reader, folded to lower case."""
    return {run.lower() for run in background_runs(reader.view, "post-view--highlight")}


async def test_enter_opens_the_top_result_with_highlights(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "pgbouncer")
        await pilot.press("enter")
        await settle(app, pilot)
        reader = app.screen.query_one(ReaderPane)
        assert reader.post is not None and "pgbouncer" in reader.post.body.lower()
        assert reader.has_focus_within
        assert highlighted_words(reader) == {"pgbouncer"}


async def test_bad_query_shows_a_message_not_an_exception(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        post_list = app.screen.query_one(PostList)
        for query, message in [
            ('"unbalanced quote', "closed an unbalanced quote"),
            ("tag:", "ignored 'tag:' without a name"),
            ("-", "ignored a lone '-'"),
        ]:
            await type_query(app, pilot, query)
            bottom = lines_of(post_list)[-1]
            assert "found" in bottom and message[:20] in bottom, bottom
            await pilot.press("escape")
            await settle(app, pilot)
            assert message[:20] not in lines_of(post_list)[-1]


async def test_markup_in_a_query_is_never_interpreted(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "is:[/] [bold]x")
        assert app.is_running
        bottom = lines_of(app.screen.query_one(PostList))[-1]
        assert "is:[/]" in bottom, bottom


async def test_highlights_follow_the_final_query_and_clear_with_it(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "pgbouncer")
        reader = app.screen.query_one(ReaderPane)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        for _ in range(20):
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert reader.post is not None and "PgBouncer" in reader.post.body
        assert highlighted_words(reader) == {"pgbouncer"}
        await pilot.press("escape")
        await settle(app, pilot)
        for _ in range(5):
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert highlighted_words(reader) == set()


async def test_enter_right_after_typing_opens_the_new_top_result(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "docker")
        await pilot.press(*["backspace"] * 6, *"redis", "enter")  # no wait before enter
        await settle(app, pilot)
        for _ in range(10):
            await app.workers.wait_for_complete()
            await pilot.pause()
        reader = app.screen.query_one(ReaderPane)
        assert reader.post is not None
        assert reader.post.slug == "debugging-redis-caching-7-techniques-you-need-to-know"
        assert reader.has_focus_within


async def test_an_unknown_is_value_says_so_in_the_list(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "redis is:bookmrk")
        post_list = app.screen.query_one(PostList)
        assert result_slugs(app) == []
        assert "did you mean is:bookmark?" in str(post_list.border_subtitle)
        await pilot.press(*"ed")  # is:bookmrked: still unknown; then fixed
        await settle(app, pilot)
        await pilot.press(*["backspace"] * 5, *"marked")  # is:bookmarked
        await settle(app, pilot)
        assert "did you mean" not in str(post_list.border_subtitle)
        assert result_slugs(app) == []  # nothing bookmarked yet, but a query that reads
