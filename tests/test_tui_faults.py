"""Every crash and lost key found by hand and by random keys, driven the way it broke.

Keys that arrived in one read from the terminal are sent in one batch
(`send_batch`), timers are made short and waited for through what they
change, and each test asserts on what the user sees: the screen, the
focused widget, the text typed, the file on disk.
"""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

import reader.state
from reader.config import Config, ReadRule
from reader.library import Library
from reader.models import ReadingPosition
from reader.store import PostStore
from reader.tui import ReaderApp
from reader.tui import app as app_module
from reader.tui.app import save_on_exit
from reader.tui.screens.main import MainScreen
from reader.tui.timings import Timings
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.search_bar import SearchBar
from tests.test_random_keys import key_of, send_batch
from tests.test_state_faults import hold_lock, let_go


def keys(text: str) -> list[str]:
    """Key names for typing `text`."""
    return [key_of(c) for c in text]


async def settle(pilot: Pilot[None]) -> None:
    """Let every queued message, worker and refresh finish (workers start more messages)."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def extra_posts(root: Path, count: int) -> Path:
    """A folder of `count` posts that all mention "pipeline"."""
    folder = root.parent / "extra"
    folder.mkdir()
    for n in range(count):
        (folder / f"extra-{n:02d}.md").write_text(
            f"# Extra post {n}\n\nA pipeline note, number {n}.\n", encoding="utf-8"
        )
    return folder


# -- rows updated for posts no longer listed -----------------------------------


async def test_read_mark_after_the_list_changed(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read timer fires for a post that a search has taken out of the list."""
    first = library.summaries()[0].slug
    app = ReaderApp(
        library, config=Config(mark_read=ReadRule.AFTER_SECONDS, mark_read_seconds=0.05)
    )
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # opened: the rule's timer runs
        send_batch(app, ["slash", *keys("zzzz")])
        for _ in range(100):  # until the timer has marked the post read
            await pilot.pause(0.02)
            if first in library.state.read_slugs():
                break
        await settle(pilot)
        assert first in library.state.read_slugs()
        assert app.screen.query_one(PostList).slugs == []  # only the "no matches" line
        assert isinstance(app.screen, MainScreen)
        assert app.is_running


async def test_snippets_for_hits_the_bookmarks_filter_hides(library: Library) -> None:
    """Under Bookmarks, a search with more hits than the first screenful of snippets."""
    library.import_paths([extra_posts(library.root, 20)])
    bookmarked = library.summaries()[-1].slug
    library.state.add_bookmark(bookmarked)
    library.state.update_settings({"last_filter": "bookmarks"})
    app = ReaderApp(library)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("slash", *keys("pipeline"))
        await settle(pilot)
        post_list = app.screen.query_one(PostList)
        assert post_list.slugs == [bookmarked]
        assert "Extra post 19" in str(post_list.get_option_at_index(0).prompt)
        assert app.is_running


# -- section jumps remembered for the next post -----------------------------------


async def test_section_jump_is_not_remembered_for_the_next_post(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        for key in ["enter", "right_square_bracket", "right_square_bracket", "escape", "j"]:
            await pilot.press(key)
            await settle(pilot)
        reader = app.screen.query_one(ReaderPane)
        assert reader.post is not None and reader.post.slug == library.summaries()[1].slug
        # No section read yet: no section in the border (the title is in the post's header).
        assert not str(reader.border_title or "")


async def test_restored_position_then_next_post(library: Library) -> None:
    """On a second start, restored at a last section whose heading cannot reach the top
    (the whole post fits on screen), then `k` to a post with fewer sections."""
    last = library.summaries()[-1]
    assert len(last.sections) >= 3
    library.state.update_settings({"last_slug": last.slug})
    library.state.set_position(ReadingPosition(last.slug, last.sections[-1].anchor, 0))
    app = ReaderApp(library)
    async with app.run_test(size=(300, 100)) as pilot:
        await settle(pilot)
        reader = app.screen.query_one(ReaderPane)
        assert str(reader.border_title) == last.sections[-1].heading
        await pilot.press("k")
        await settle(pilot)
        assert reader.post is not None and reader.post.slug == library.summaries()[-2].slug
        assert isinstance(app.screen, MainScreen) and app.is_running


# -- dialogs dismissed twice -----------------------------------------------------


async def test_outline_with_three_enters_in_one_read(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        send_batch(app, ["o", "enter", "enter", "enter"])
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(ReaderPane).post is not None
        assert app.is_running


async def test_note_with_three_enters_in_one_read(library: Library) -> None:
    slug = library.summaries()[0].slug
    app = ReaderApp(library)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("B", *keys("kept"))
        send_batch(app, ["enter", "enter", "enter"])
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.is_running
    mark = library.state.bookmark(slug)
    assert mark is not None and mark.note == "kept"


async def test_quit_then_outline_in_one_read(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        send_batch(app, ["q", "o"])
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.parametrize("key", ["pagedown", "pageup"])
async def test_page_keys_in_a_tiny_terminal(library: Library, key: str) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(40, 4)) as pilot:
        await pilot.pause()
        await pilot.press(key, key)
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, MainScreen)


# -- keys read together with a key that moves the focus -----------------------------


async def test_keys_after_slash_go_to_the_search_bar(library: Library) -> None:
    slug = library.summaries()[0].slug
    app = ReaderApp(library, timings=Timings())  # `m` alone could mark it
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        send_batch(app, ["slash", "b", "m", "q"])
        await settle(pilot)
        assert app.is_running
        bar = app.screen.query_one(SearchBar)
        assert bar.value == "bmq"
        assert app.focused is bar
    assert library.state.bookmark(slug) is None
    assert slug not in library.state.read_slugs()


async def test_slash_types_a_slash_in_the_search_bar(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        send_batch(app, ["slash", *keys("a/b")])
        await settle(pilot)
        assert app.screen.query_one(SearchBar).value == "a/b"


async def test_keys_after_f_go_to_the_find_bar(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        send_batch(app, ["f", *keys("fnNq")])
        await settle(pilot)
        assert app.is_running
        box = app.screen.query_one("#find-input", Input)
        assert box.value == "fnNq"
        assert app.focused is box


class KeysAtStart(ReaderApp):
    """Keys already read from the terminal when the app mounts (typed while it started)."""

    CSS_PATH = str(Path(app_module.__file__).parent / "app.tcss")

    def on_mount(self) -> None:
        start = getattr(super(), "on_mount", None)
        if start is not None:
            start()
        send_batch(self, ["j"])


async def test_keys_in_the_first_moment(library: Library) -> None:
    """Keys read while the app starts still reach the post list."""
    second = library.summaries()[1].slug
    app = KeysAtStart(library)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(PostList).highlighted_slug == second


# -- user state that cannot be saved -------------------------------------------


async def test_unreadable_state_is_shown_and_never_written_over(library: Library) -> None:
    """A state file that cannot be read: a banner and a notice, and the file is left alone."""
    library.state.add_bookmark(library.summaries()[0].slug, note="precious")
    state_file = library.state.path
    saved = state_file.read_bytes()
    state_file.unlink()
    state_file.mkdir()  # reading it now fails (IsADirectoryError), as root too
    reopened = Library.open(library.root)
    app = ReaderApp(reopened)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        banner = app.screen.query_one("#state-problem", Static)
        assert banner.display
        assert str(state_file) in str(banner.content)
        for key in ["b", "m", "j", "b"]:
            await pilot.press(key)
        await settle(pilot)
        assert app.is_running
    assert state_file.is_dir()  # nothing was written over it
    assert save_on_exit(reopened) == 1
    state_file.rmdir()
    state_file.write_bytes(saved)
    mark = Library.open(library.root).state.bookmark(library.summaries()[0].slug)
    assert mark is not None and mark.note == "precious"


async def test_read_only_state_stays_read_only(
    library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    slug = library.summaries()[0].slug
    library.state.add_bookmark(slug)
    state_file = library.state.path
    state_file.chmod(0o444)
    before = state_file.read_bytes()
    app = ReaderApp(Library.open(library.root))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#state-problem", Static).display
        await pilot.press("b")  # remove the bookmark: refused, kept in memory
        await settle(pilot)
    assert state_file.read_bytes() == before
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o444
    assert save_on_exit(app.library) == 1
    err = capsys.readouterr().err
    assert "not saved" in err and str(state_file) in err
    recovery = next(state_file.parent.glob("state.json.unsaved-*.json"))
    assert slug in recovery.read_text(encoding="utf-8")


async def test_waiting_for_another_process_is_shown(
    library: Library,
    processes: list[subprocess.Popen[bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another process holds the state lock: after a moment the TUI says for whom it waits."""
    monkeypatch.setattr(reader.state, "LOCK_WAIT_NOTICE", 0.05)
    holding, out = hold_lock(library.state.path, processes)
    app = ReaderApp(library)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("b")
        shown = ""
        for _ in range(500):  # until the notice is on screen (the writer waits in a thread)
            await pilot.pause(0.02)
            # Notifications have no public reader; the toasts show these messages.
            shown = " ".join(n.message for n in app._notifications)
            if "waiting for" in shown:
                break
        assert f"(pid {holding.pid}) to release {library.state.lock_path}" in shown
        let_go(holding)
        assert out.line() == "done"
        await settle(pilot)
    assert library.state.bookmark(library.summaries()[0].slug) is not None


# -- a damaged library ---------------------------------------------------------------


async def test_a_garbled_body_file_is_told_in_the_reader(library: Library) -> None:
    """The posts of a bad body file still list; one whose source is gone says what happened."""
    source = library.root.parent / "mine.md"
    source.write_text("# Mine\n\nMy own words.\n", encoding="utf-8")
    library.import_paths([source])
    source.unlink()  # it cannot be imported again
    shard = library.root / "library" / "bodies" / f"{PostStore.shard_of('mine'):02d}.json"
    shard.write_bytes(shard.read_bytes()[:-40])
    library.state.update_settings({"last_slug": "mine"})
    app = ReaderApp(Library.open(library.root))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(PostList).option_count == len(library.summaries())
        reader = app.screen.query_one(ReaderPane)
        assert reader.post is not None and reader.post.slug == "mine"
        assert "could not be read" in reader.post.body and str(shard) in reader.post.body
        notices = " ".join(n.message for n in app._notifications)  # no public reader
        assert str(shard) in notices
        assert app.is_running


async def test_a_damaged_posts_file_is_rebuilt_and_told(library: Library) -> None:
    (library.root / "library" / "posts.json").write_bytes(b'{"posts": {"1": {"sl')
    app = ReaderApp(Library.open(library.root))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(PostList).option_count == len(library.summaries())
        notices = " ".join(n.message for n in app._notifications)
        assert "posts.json" in notices
