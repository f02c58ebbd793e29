"""`c` copies a URL, `O` opens the post's original page, or says why not."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import pytest

from reader.library import Library
from tests.screen import notices
from tests.test_keys import WIDE, make_app, reader_shows, settle
from tests.test_navigation import notes_library  # noqa: F401 (a fixture)

ORIGINAL = "https://example.org/lanterns"


@pytest.fixture
def with_url(isolated_data_dir: Path, tmp_path: Path) -> Library:
    """Two posts: one with an original URL in its front matter, one without."""
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "a.md").write_text(
        f"---\ntitle: Alpha With Url\nurl: {ORIGINAL}\n---\nBody [a link](https://example.com/x).\n",
        encoding="utf-8",
    )
    (folder / "b.md").write_text("---\ntitle: Beta Plain\n---\nBody.\n", encoding="utf-8")
    library = Library.open(isolated_data_dir, seed=False)
    library.import_paths([folder])
    return library


async def test_c_copies_the_focused_link_else_the_original_url(with_url: Library) -> None:
    app = make_app(with_url)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        assert reader_shows(app, "Alpha With Url")
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == ORIGINAL and f"Copied {ORIGINAL}" in notices(app)
        await pilot.press("enter", "l", "c")
        await pilot.pause()
        assert app.clipboard == "https://example.com/x"
        await pilot.press("escape", "j", "c")
        await settle(app, pilot)
        assert app.clipboard == "https://example.com/x"  # unchanged
        assert "has no original URL" in notices(app)


async def test_capital_o_opens_the_original_url_or_says_there_is_none(
    with_url: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(with_url)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    monkeypatch.setattr(webbrowser, "get", lambda *_: object())
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("O")
        await pilot.pause()
        assert opened == [ORIGINAL]
        await pilot.press("j", "O")
        await settle(app, pilot)
        assert opened == [ORIGINAL] and "has no original URL" in notices(app)


async def test_with_no_browser_capital_o_says_so_and_offers_to_copy(
    with_url: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(with_url)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))

    def no_browser(*_: object) -> object:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", no_browser)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("O")
        await pilot.pause()
        assert opened == []
        assert "No browser can be opened here. Press c to copy" in notices(app)


OUTSIDE_KEY_TESTS = {
    ("everywhere", "`c`"): test_c_copies_the_focused_link_else_the_original_url,
    ("everywhere", "`O`"): test_capital_o_opens_the_original_url_or_says_there_is_none,
}
"""This file's rows of the README's key table (test_keys checks the table against them)."""
