"""Pilot tests for bookmarks, read marks and resuming where the user left off."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.screens.main import MainScreen
from reader.tui.screens.note import NoteScreen
from reader.tui.widgets.post_list import PostList, PostRow
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.tag_sidebar import BOOKMARKS, UNREAD, TagSidebar


async def settle(app: ReaderApp) -> None:
    """Wait for workers and for queued state writes."""
    await app.workers.wait_for_complete()
    app.state_writer.drain()
    await app.workers.wait_for_complete()


def sidebar_label(app: ReaderApp, filter_id: str) -> str:
    sidebar = app.screen.query_one(TagSidebar)
    return str(sidebar.get_option(filter_id).prompt)


def row(app: ReaderApp, slug: str) -> PostRow:
    prompt = app.screen.query_one(PostList).get_option(slug).prompt
    assert isinstance(prompt, PostRow)
    return prompt


async def choose(app: ReaderApp, pilot: Pilot[None], filter_id: str) -> None:
    sidebar = app.screen.query_one(TagSidebar)
    sidebar.highlighted = sidebar.get_option_index(filter_id)
    sidebar.action_select()
    await pilot.pause()
    await settle(app)
    await pilot.pause()


async def test_b_toggles_a_bookmark_and_the_bookmarks_row(library: Library) -> None:
    app = ReaderApp(library)
    slugs = [p.slug for p in library.summaries()]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await pilot.press("b")
        await pilot.press("j", "j", "b")
        await settle(app)
        assert sidebar_label(app, BOOKMARKS) == "Bookmarks 2"
        assert row(app, slugs[0]).bookmarked and not row(app, slugs[1]).bookmarked
        assert "★" in str(row(app, slugs[2]))
        assert [b.slug for b in library.state.bookmarks()] == [slugs[2], slugs[0]]
        await choose(app, pilot, BOOKMARKS)
        await pilot.pause()
        assert app.screen.query_one(PostList).slugs == [slugs[2], slugs[0]]  # newest first
        await pilot.press("b")  # removes the highlighted (newest) one
        await settle(app)
        await pilot.pause()
        assert app.screen.query_one(PostList).slugs == [slugs[0]]
        assert sidebar_label(app, BOOKMARKS) == "Bookmarks 1"
        assert [b.slug for b in library.state.bookmarks()] == [slugs[0]]


async def test_b_in_the_reader_bookmarks_the_open_post(library: Library) -> None:
    app = ReaderApp(library)
    slugs = [p.slug for p in library.summaries()]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await pilot.press("j", "enter")
        await settle(app)
        await pilot.pause()
        assert app.screen.query_one(ReaderPane).has_focus_within
        await pilot.press("b")
        await settle(app)
        assert [b.slug for b in library.state.bookmarks()] == [slugs[1]]


async def test_shift_b_edits_the_note(library: Library) -> None:
    app = ReaderApp(library)
    slug = library.summaries()[0].slug
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await pilot.press("B")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"read again [bold]", "enter")
        await settle(app)
        assert isinstance(app.screen, MainScreen)
        mark = library.state.bookmark(slug)
        assert mark is not None and mark.note == "read again [bold]"
        await pilot.press("B")
        await pilot.pause()
        await pilot.press("x", "escape")  # cancel keeps the note
        await settle(app)
        mark = library.state.bookmark(slug)
        assert mark is not None and mark.note == "read again [bold]"


async def test_m_toggles_read_and_the_unread_row(library: Library) -> None:
    app = ReaderApp(library)
    slug = library.summaries()[0].slug
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        assert sidebar_label(app, UNREAD) == "Unread 10"
        assert row(app, slug).unread
        await pilot.press("m")
        await settle(app)
        assert sidebar_label(app, UNREAD) == "Unread 9"
        assert not row(app, slug).unread
        assert library.state.read_slugs() == {slug}
        await choose(app, pilot, UNREAD)
        assert slug not in app.screen.query_one(PostList).slugs
        assert len(app.screen.query_one(PostList).slugs) == 9
        await choose(app, pilot, "all")
        app.screen.query_one(PostList).highlighted = 0
        await pilot.press("m")
        await settle(app)
        assert library.state.read_slugs() == set()


async def test_open_post_counts_as_read_after_a_while(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reader.tui.screens.main.READ_AFTER_SECONDS", 0.05)
    app = ReaderApp(library)
    slug = library.summaries()[0].slug
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        for _ in range(50):
            await pilot.pause(0.02)
            if slug in app.screen.read:  # type: ignore[attr-defined]
                break
        await settle(app)
        assert slug in library.state.read_slugs()


async def test_resume_after_restart(isolated_data_dir: Path) -> None:
    library = Library.open(isolated_data_dir)
    wanted = library.summaries()[1]
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await choose(app, pilot, "tag:redis")
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen._save_place()  # what the settle timer does after half a second
        await settle(app)
    again = ReaderApp(Library.open(isolated_data_dir))
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(again)
        await pilot.pause()
        post_list = again.screen.query_one(PostList)
        assert post_list.slugs == [wanted.slug]
        post = again.screen.query_one(ReaderPane).post
        assert post is not None and post.slug == wanted.slug


async def test_missing_bookmarked_post_is_kept_and_shown(library: Library) -> None:
    library.state.add_bookmark("gone-post", note="keep me")
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await choose(app, pilot, BOOKMARKS)
        await pilot.pause()
        post_list = app.screen.query_one(PostList)
        assert post_list.slugs == ["gone-post"]
        assert "missing" in str(row(app, "gone-post"))
    assert library.state.bookmark("gone-post") is not None


async def test_changes_from_another_process_are_picked_up(library: Library) -> None:
    app = ReaderApp(library)
    slug = library.summaries()[3].slug
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        other = Library(library.root)  # as a CLI command would
        other.state.add_bookmark(slug)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.poll_state()
        await settle(app)
        await pilot.pause()
        assert sidebar_label(app, BOOKMARKS) == "Bookmarks 1"
        assert row(app, slug).bookmarked


async def test_reading_position_is_restored_after_restart(isolated_data_dir: Path) -> None:
    library = Library.open(isolated_data_dir)
    slug = library.summaries()[4].slug  # three sections
    app = ReaderApp(library)
    async with app.run_test(size=(80, 16)) as pilot:
        await settle(app)
        post_list = app.screen.query_one(PostList)
        post_list.highlighted = post_list.slugs.index(slug)
        await pilot.press("enter")
        await settle(app)
        await pilot.pause()
        await pilot.press("]", "]")
        await pilot.pause()
        reader = app.screen.query_one(ReaderPane)
        before = reader.current_position()
        assert before is not None and before.slug == slug and before.anchor
        await pilot.press("q")
    saved = Library.open(isolated_data_dir).state.position(slug)
    assert saved == before
    again = ReaderApp(Library.open(isolated_data_dir))
    async with again.run_test(size=(80, 16)) as pilot:
        await settle(again)
        await pilot.pause()
        reader = again.screen.query_one(ReaderPane)
        assert reader.post is not None and reader.post.slug == slug  # resumed on the same post
        for _ in range(20):
            if reader.current_position() == before:
                break
            await pilot.pause()
        assert reader.current_position() == before


async def test_single_pane_terminal_takes_turns(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(45, 12)) as pilot:
        await settle(app)
        post_list = app.screen.query_one(PostList)
        reader = app.screen.query_one(ReaderPane)
        assert post_list.region.width > 0 and reader.region.width == 0
        await pilot.press("enter")
        await pilot.pause()
        assert reader.region.width > 0 and post_list.region.width == 0
        await pilot.press("escape")
        await pilot.pause()
        assert post_list.region.width > 0 and reader.region.width == 0
        await pilot.press("t")
        await pilot.pause()
        assert app.screen.query_one(TagSidebar).region.width > 0


async def test_opening_from_bookmarks_goes_to_the_bookmarked_section(library: Library) -> None:
    slug = library.summaries()[4].slug
    post = library.get(slug)
    assert post is not None and len(post.sections) == 3
    library.state.add_bookmark(slug, section=post.sections[2].anchor)
    app = ReaderApp(library)
    async with app.run_test(size=(80, 16)) as pilot:
        await settle(app)
        await choose(app, pilot, BOOKMARKS)
        await settle(app)
        await pilot.pause()
        reader = app.screen.query_one(ReaderPane)
        assert reader.post is not None and reader.post.slug == slug
        for _ in range(20):
            if reader.current_anchor == post.sections[2].anchor:
                break
            await pilot.pause()
        assert reader.current_anchor == post.sections[2].anchor


async def test_a_refused_write_is_shown_and_retried(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    real_replace = os.replace
    full = True

    def replace(src: str, dst: str) -> None:
        if full and str(dst).endswith("state.json"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    app = ReaderApp(library)
    slug = library.summaries()[0].slug
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await pilot.press("b")
        await settle(app)
        await pilot.pause()
        assert any("No space left" in str(n.message) for n in app._notifications)
        assert app.screen.query_one(TagSidebar).get_option(BOOKMARKS)  # still running
        assert library.state.pending
        full = False
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.poll_state()
        await settle(app)
        assert not library.state.pending
    assert Library(library.root).state.bookmark(slug) is not None


async def test_unread_view_does_not_mark_the_whole_library_read(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reader.tui.screens.main.READ_AFTER_SECONDS", 0.02)
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await choose(app, pilot, UNREAD)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        already = set(screen.read)  # the post shown at start may have been read already
        first = app.screen.query_one(PostList).slugs[0]
        for _ in range(100):  # until the shown post has been marked read
            await pilot.pause(0.01)
            if first in screen.read:
                break
        for _ in range(10):  # and a while longer: nothing else may follow
            await pilot.pause(0.03)
        await settle(app)
        assert screen.read == already | {first}
        post_list = app.screen.query_one(PostList)
        assert post_list.slugs[0] == first and post_list.highlighted == 0  # row stays put
        assert not row(app, first).unread


async def test_a_poll_after_our_own_bookmark_does_not_rebuild_the_list(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("b", "j", "m")
        await settle(app)
        rebuilt: list[bool] = []
        monkeypatch.setattr(screen, "refresh_lists", lambda: rebuilt.append(True))
        screen.poll_state()
        await settle(app)
        await pilot.pause()
        screen.poll_state()
        await settle(app)
        await pilot.pause()
        assert rebuilt == []
        stored = library.state.bookmarks()
        assert list(screen.bookmarks.values()) == stored  # the stored times, kept
