"""`e`: the open post's file in the editor (a tiny script here), then the reader shows the new text.

The editor is the config's `editor`, else `$VISUAL`, else `$EDITOR`; a sample
post, a feed entry or a file gone say why they cannot be edited.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.config import Config
from reader.editing import editor_command
from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.widgets.post_view import PostView
from reader.tui.widgets.reader_pane import ReaderPane
from tests.screen import notices, text_of
from tests.test_tui_state import settle, wait_until

SIZE = (120, 30)
POST = "---\ntitle: Lantern Notes\n---\n\nThe lantern was lit at dusk.\n"


def script(folder: Path, body: str) -> Path:
    """An executable shell script: the editor, run with the file as `$1`."""
    path = folder / "editor.sh"
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def own_post(tmp_path: Path) -> tuple[Library, Path]:
    """A library of one post of the user's, from a file they may edit."""
    library = Library.open(tmp_path / "data", seed=False)
    source = tmp_path / "notes" / "lantern.md"
    source.parent.mkdir()
    source.write_text(POST, encoding="utf-8")
    library.import_paths([source.parent])
    return library, source


def reader_text(app: ReaderApp) -> str:
    return text_of(app.screen.query_one(ReaderPane).query_one(PostView))


async def open_first(app: ReaderApp, pilot: Pilot[None]) -> None:
    await settle(app)
    await pilot.press("enter")
    await settle(app)
    await pilot.pause()


async def test_e_edits_the_file_and_the_reader_shows_the_new_text(
    own_post: tuple[Library, Path], tmp_path: Path
) -> None:
    library, source = own_post
    slug = library.summaries()[0].slug
    library.state.add_bookmark(slug, note="mine")
    editor = script(tmp_path, "sed -i 's/lit at dusk/put out at dawn/' \"$1\"")
    app = ReaderApp(library, config=Config(editor=str(editor)))
    async with app.run_test(size=SIZE) as pilot:
        await open_first(app, pilot)
        assert "lit at dusk" in reader_text(app)
        await pilot.press("e")
        await wait_until(pilot, lambda: "put out at dawn" in reader_text(app), "the new text")
        assert f"Read again: {source}" in notices(app)
    assert "put out at dawn" in source.read_text(encoding="utf-8")
    assert [p.slug for p in library.summaries()] == [slug]  # the same post, not a new one
    assert library.state.bookmark(slug) is not None  # its marks kept


async def test_e_uses_visual_then_editor(
    own_post: tuple[Library, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library, _ = own_post
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(script(tmp_path, "echo 'Added by EDITOR.' >> \"$1\"")))
    app = ReaderApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await open_first(app, pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: "Added by EDITOR." in reader_text(app), "the new text")
    monkeypatch.setenv("VISUAL", "nano -w")
    assert editor_command(None) == ["nano", "-w"]
    assert editor_command("code --wait") == ["code", "--wait"]


async def test_a_broken_edit_keeps_the_post_and_says_why(
    own_post: tuple[Library, Path], tmp_path: Path
) -> None:
    library, source = own_post
    editor = script(tmp_path, "printf -- '---\\ntitle: [unclosed\\n---\\nx\\n' > \"$1\"")
    app = ReaderApp(library, config=Config(editor=str(editor)))
    async with app.run_test(size=SIZE) as pilot:
        await open_first(app, pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: "Not read again" in notices(app), "the problem said")
        assert "lit at dusk" in reader_text(app)
        assert str(source) in notices(app)


async def refused(library: Library, folder: Path, says: str) -> None:
    """`e` on the first post says `says`, and the editor never runs."""
    marker = folder / "ran"
    app = ReaderApp(library, config=Config(editor=str(script(folder, f"touch {marker}"))))
    async with app.run_test(size=SIZE) as pilot:
        await open_first(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert says in notices(app)
    assert not marker.exists()


async def test_a_sample_post_cannot_be_edited(library: Library, tmp_path: Path) -> None:
    await refused(library, tmp_path, "is a sample post shipped with reader")


async def test_a_missing_editor_is_named(own_post: tuple[Library, Path]) -> None:
    library, _ = own_post
    app = ReaderApp(library, config=Config(editor="no-such-editor-here"))
    async with app.run_test(size=SIZE) as pilot:
        await open_first(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert "Cannot run the editor 'no-such-editor-here'" in notices(app)


EDITING_KEY_TESTS = {
    ("everywhere", "`e`"): test_e_edits_the_file_and_the_reader_shows_the_new_text,
}
"""This file's row of the README's key table (test_keys checks the table against them)."""


async def test_a_feed_entry_cannot_be_edited(tmp_path: Path) -> None:
    from reader.feeds.refresh import source_prefix

    library = Library.open(tmp_path / "data", seed=False)
    entry = tmp_path / "entry.md"
    entry.write_text(POST, encoding="utf-8")
    library.import_paths([entry], source_prefix=source_prefix("tides"))
    await refused(library, tmp_path, "comes from a feed: each refresh writes it again")
