"""Pilot tests for bookmarks, read marks and resuming where the user left off.

The timers (the read mark, the state poll, the saves of the place and of the
reading position) run for real, with short delays passed as `Timings`. Tests
wait for what a timer changes (the file on disk, a mark on screen) in a
bounded loop that fails when it runs out; a test that says something did not
happen first waits for an event proving the moment has passed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.message import Message
from textual.pilot import Pilot

from reader.config import Config, ReadRule
from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.screens.main import MainScreen
from reader.tui.screens.note import NoteScreen
from reader.tui.timings import Timings
from reader.tui.widgets.post_list import MARK_WIDTH, PostList, PostRow
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.tag_sidebar import BOOKMARKS, UNREAD, TagSidebar

NEVER = 3600.0
"""A delay no test lives to see: that timer cannot be what a test observes."""
POLL = 0.05
"""A short state poll. Polling every 20 ms keeps the app so busy that `pilot.press`,
which waits up to a second per key for the app to go idle, takes seconds."""


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


def mark(app: ReaderApp, slug: str) -> str:
    """The marks drawn before the post's title in the list: "•★", "•", " ★", "•✎"... or ""."""
    return str(row(app, slug))[:MARK_WIDTH].rstrip()


def on_disk(library: Library) -> dict[str, dict[str, dict[str, Any]]]:
    """`state.json` as it is on disk now: table -> document id -> document."""
    path = library.root / "state.json"
    if not path.exists():
        return {}
    tables: dict[str, dict[str, dict[str, Any]]] = json.loads(path.read_bytes())
    return tables


def slugs_on_disk(library: Library, table: str) -> set[str]:
    """The slugs in one of the state file's tables (read, bookmarks, positions)."""
    return {str(doc["slug"]) for doc in on_disk(library).get(table, {}).values()}


def settings_on_disk(library: Library) -> dict[str, Any]:
    return on_disk(library).get("settings", {}).get("1", {})


def position_on_disk(library: Library, slug: str) -> tuple[str, int] | None:
    """The (anchor, offset) saved for `slug`, or None."""
    for doc in on_disk(library).get("positions", {}).values():
        if doc["slug"] == slug:
            return str(doc["anchor"]), int(doc["offset"])
    return None


async def wait_until(pilot: Pilot[None], done: Callable[[], bool], what: str) -> None:
    """Let the app run until `done()`; fail (never pass) after ten seconds or more."""
    for _ in range(1000):
        if done():
            return
        await pilot.pause(0.01)
    pytest.fail(f"never happened: {what}")


class StatePolls:
    """A `message_hook` counting the state polls that have come back from the disk."""

    def __init__(self) -> None:
        self.reads: dict[int, Message] = {}
        """By id: the hook sees each message once per widget it bubbles to."""

    @property
    def count(self) -> int:
        return len(self.reads)

    def __call__(self, message: Message) -> None:
        if isinstance(message, MainScreen.StateRead):
            self.reads[id(message)] = message  # kept, so no id is reused


def toasts(app: ReaderApp) -> str:
    """The text of the notifications on screen (`run_test(notifications=True)` shows them)."""
    return " ".join(str(toast.render()) for toast in app.screen.query("Toast"))


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
        assert row(app, slugs[0]).bookmark and not row(app, slugs[1]).bookmark
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


async def test_resume_after_restart(isolated_data_dir: Path) -> None:
    library = Library.open(isolated_data_dir)
    wanted = library.summaries()[1]
    app = ReaderApp(library, timings=Timings(save_place=0.02))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await choose(app, pilot, "tag:redis")
        place = {"last_filter": "tag:redis", "last_slug": wanted.slug}
        await wait_until(
            pilot, lambda: settings_on_disk(library).items() >= place.items(), "the place saved"
        )
    # Left without `q`: only the timer can have saved the place.
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
    app = ReaderApp(library, timings=Timings(state_poll=POLL))
    slug = library.summaries()[3].slug
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        assert mark(app, slug) == "•"
        other = Library(library.root)  # as a CLI command would
        other.state.add_bookmark(slug)
        await wait_until(pilot, lambda: mark(app, slug) == "•★", "the bookmark shown")
        assert sidebar_label(app, BOOKMARKS) == "Bookmarks 1"


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


async def test_reading_position_is_saved_once_scrolling_settles(isolated_data_dir: Path) -> None:
    library = Library.open(isolated_data_dir)
    slug = library.summaries()[4].slug  # three sections
    quick = Timings(position_settle=0.02, save_place=0.02)
    app = ReaderApp(library, timings=quick)
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
        saved = (before.anchor, before.offset)
        await wait_until(
            pilot, lambda: position_on_disk(library, slug) == saved, "the position saved"
        )
        await wait_until(
            pilot, lambda: settings_on_disk(library).get("last_slug") == slug, "the place saved"
        )
    # Left without `q`, which would save the position itself.
    again = ReaderApp(Library.open(isolated_data_dir), timings=quick)
    async with again.run_test(size=(80, 16)) as pilot:
        await settle(again)
        reader = again.screen.query_one(ReaderPane)
        assert reader.post is not None and reader.post.slug == slug
        await wait_until(pilot, lambda: reader.current_position() == before, "the position")


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
    polls = StatePolls()
    # No read mark either: any later write would take the kept change with it.
    app = ReaderApp(library, timings=Timings(state_poll=POLL))
    slug = library.summaries()[0].slug
    async with app.run_test(size=(120, 40), notifications=True, message_hook=polls) as pilot:
        await settle(app)
        await pilot.press("b")
        await wait_until(pilot, lambda: "No space left" in toasts(app), "the refusal shown")
        assert mark(app, slug) == "•★"  # still running, the bookmark shown
        seen = polls.count
        await wait_until(pilot, lambda: polls.count >= seen + 2, "two polls while full")
        assert slug not in slugs_on_disk(library, "bookmarks")  # retried, refused again
        full = False
        await wait_until(
            pilot, lambda: slug in slugs_on_disk(library, "bookmarks"), "the bookmark written"
        )
    assert Library(library.root).state.bookmark(slug) is not None


async def test_unread_view_does_not_mark_the_whole_library_read(library: Library) -> None:
    # A post read under Unread stays in the list where it is: nothing else is
    # pulled under the reader and marked read in turn.
    app = ReaderApp(
        library,
        timings=Timings(save_place=0.02),
        config=Config(mark_read=ReadRule.AFTER_SECONDS, mark_read_seconds=0.02),
    )
    everything = {p.slug for p in library.summaries()}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        await choose(app, pilot, UNREAD)
        listed = list(app.screen.query_one(PostList).slugs)
        first = listed[0]
        await wait_until(
            pilot, lambda: settings_on_disk(library).get("last_filter") == UNREAD, "place saved"
        )
        await pilot.press("enter")
        await wait_until(pilot, lambda: first in slugs_on_disk(library, "read"), "first read")
        await settle(app)
        assert slugs_on_disk(library, "read") == everything - set(listed[1:])
        post_list = app.screen.query_one(PostList)
        assert post_list.slugs[0] == first and post_list.highlighted == 0  # row stays put
        assert mark(app, first) == "" and mark(app, listed[1]) == "•"


async def test_a_poll_after_our_own_bookmark_does_not_rebuild_the_list(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    polls = StatePolls()
    app = ReaderApp(library, timings=Timings(state_poll=POLL, save_place=0.02))
    slugs = [p.slug for p in library.summaries()]
    async with app.run_test(size=(120, 40), message_hook=polls) as pilot:
        await settle(app)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        rebuild = screen.refresh_lists
        rebuilt: list[bool] = []

        def spy() -> None:
            rebuilt.append(True)
            rebuild()

        def written() -> bool:
            return (
                slugs[0] in slugs_on_disk(library, "bookmarks")
                and slugs[1] in slugs_on_disk(library, "read")
                and settings_on_disk(library).get("last_slug") == slugs[1]
            )

        await pilot.press("b", "j", "m")
        await wait_until(pilot, written, "the bookmark, the read mark and the place saved")
        # A poll under way before the last of those writes is not applied; the
        # later ones read them all back.
        monkeypatch.setattr(screen, "refresh_lists", spy)
        seen = polls.count
        await wait_until(pilot, lambda: polls.count >= seen + 3, "three more polls")
        await settle(app)
        await pilot.pause()
        assert rebuilt == []
        assert mark(app, slugs[0]) == "•★" and mark(app, slugs[1]) == ""
        stored = library.state.bookmarks()
        assert list(screen.bookmarks.values()) == stored  # the stored times, kept
