"""Random keys: seeded sequences of every binding, typing, batches, resizes and timers.

Keys are sent the way a terminal delivers them: several in one read (a
paste, fast typing, a busy moment), so a key that moves the focus is
followed by keys already queued. Timers are made short so the read mark,
the position save and the state poll fire between the keys. Quitting
starts the app again on the same data, which also drives the restored
position and filter of a second start.

The world outside is stubbed (`outside`): `o` on a link and `O` open no real
browser, `c` copies to a list, not the terminal's clipboard; half the runs
have a browser and half have none, so both paths are driven.

Each run asserts that no exception escapes and that the app is on its main
screen or one of its dialogs after every batch. `READER_RANDOM_KEYS` sets
the number of keys per seed (default 500: five seeds on two libraries make 5,000 keys in CI), and
`READER_RANDOM_SEEDS` the number of seeds, for longer runs by hand:

    READER_RANDOM_KEYS=10000 pytest tests/test_random_keys.py
"""

from __future__ import annotations

import os
import random
import unicodedata
import webbrowser
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.keys import key_to_character
from textual.screen import ModalScreen

from reader.config import Config, ReadRule
from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.screens.main import MainScreen
from reader.tui.timings import Timings

KEYS_PER_SEED = int(os.environ.get("READER_RANDOM_KEYS", "500"))
SEEDS = int(os.environ.get("READER_RANDOM_SEEDS", "5"))

BOUND = [
    "question_mark", "tab", "shift+tab", "slash", "t", "b", "B", "m", "s", "escape",
    "j", "k", "up", "down", "home", "end", "pageup", "pagedown", "enter", "space",
    "left_square_bracket", "right_square_bracket", "o", "f", "n", "N", "l", "L",
    "left", "right", "backspace", "delete", "ctrl+p", "ctrl+c",
    "ctrl+s", "x", "R", "M", "u", "y",
    "g", "G", "J", "K", "ctrl+d", "ctrl+u", "alt+left", "alt+right", "e", "O", "c",
]  # fmt: skip
"""Every key the app binds, and the editing keys of its inputs."""

WORDS = ["redis", "cache", "tag:redis", '"data lake"', "-ml", "is:unread", "[b]", "zzzz", "é"]
"""Text typed into the search bar, the find bar and the note dialog."""

HOSTILE = {
    "markup.md": "---\ntitle: '[bold red]Not markup[/] [link=x]'\ntags: ['[/]', '[b]']\n"
    "url: 'https://example.com/[/]'\n---\n"
    "# [red]Heading[/]\n\n[/] stray close tag, $var and [@click=app.quit]click[/].\n",
    "control.md": "# Bell \x07 and escape \x1b[31m red \x1b[0m\n\nText with \x9b C1 and \x7f.\n",
    "empty.md": "",
    "headings.md": "".join(f"## Same heading\n\nParagraph {n}.\n\n" for n in range(60)),
    "wide.md": "# Wide\n\n" + "x" * 5000 + "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    "cjk.md": "# ホットキー\n\n日本語の本文です。検索できるように。\n\n## 节\n\n中文内容。\n",
    "links.md": "---\nurl: https://example.com/links\n---\n"
    "# Links\n\n[one](https://example.com) [two](javascript:alert(1)) "
    "[three](file:///etc/passwd)\n\n```python\nprint('[b]code[/b]')\n```\n",
    "original.md": "---\ntitle: Original\nurl: 'https://example.com/a?b=[bold]c[/]&d=$x'\n---\n"
    "# Original\n\n[a link](https://example.com/[b]l[/b]) and [another](https://example.com/m)\n",
    "long.md": "# Long\n\n"
    + "".join(f"## Part {n}\n\n" + "Words " * 300 + "\n\n" for n in range(40)),
}
"""Posts that have broken things before: markup, control characters, odd shapes."""


def hostile_library(root: Path) -> Library:
    """The bundled posts plus `HOSTILE`."""
    library = Library.open(root)
    folder = root.parent / "hostile"
    folder.mkdir()
    for name, text in HOSTILE.items():
        (folder / name).write_text(text, encoding="utf-8")
    library.import_paths([folder])
    return library


OPENED: list[str] = []
"""URLs the app asked the (stubbed) browser to open."""
COPIED: list[str] = []
"""Text the app put on the (stubbed) clipboard."""


@pytest.fixture(autouse=True)
def outside(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No real browser or clipboard: each run records what it would have opened or copied.
    The palette's Screenshot saves in the current folder: a temporary one."""
    monkeypatch.chdir(tmp_path)
    OPENED.clear()
    COPIED.clear()
    monkeypatch.setattr(ReaderApp, "open_url", lambda self, url, **_: OPENED.append(url))
    monkeypatch.setattr(ReaderApp, "copy_to_clipboard", lambda self, text: COPIED.append(text))
    monkeypatch.setattr(webbrowser, "open", lambda url, *_, **__: OPENED.append(url))
    yield


def with_browser(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """A browser for even seeds (`O` opens), none for odd ones (`O` offers to copy)."""

    def none(*_: object) -> object:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", (lambda *_: object()) if seed % 2 == 0 else none)


def key_of(char: str) -> str:
    """The key name a terminal reports for typing `char` ("/" is "slash")."""
    if char.isalnum():
        return char
    name = unicodedata.name(char).lower().replace("-", "_").replace(" ", "_")
    return RENAMED.get(name, name)


RENAMED = {"solidus": "slash", "hyphen_minus": "minus", "commercial_at": "at"}
"""Keys Textual names otherwise than Unicode does (`key_to_character` misses these)."""
RENAMED_CHARS = {"slash": "/", "minus": "-", "at": "@"}


def send_batch(app: App[Any], keys: list[str]) -> None:
    """Queue `keys` (key names) at once, as one read from the terminal delivers them."""
    driver = app._driver  # Pilot has no way to send several keys without waiting.
    assert driver is not None
    for key in keys:
        event = events.Key(key, RENAMED_CHARS.get(key) or key_to_character(key))
        event.set_sender(app)
        driver.send_message(event)


def random_batch(rng: random.Random) -> list[str]:
    """One read's worth of keys: mostly bindings, sometimes a typed word, rarely quit."""
    roll = rng.random()
    if roll < 0.005:
        return ["q"]  # starting again costs as much as a hundred keys: rarely
    if roll < 0.15:
        prefix = [rng.choice(["slash", "f", "B"])]
        return (
            prefix
            + [c if c != " " else "space" for c in rng.choice(WORDS)]
            + rng.choice([[], ["enter"], ["escape"]])
        )
    return [rng.choice(BOUND) for _ in range(rng.choice([1, 1, 1, 2, 3, 5, 8]))]


def random_size(rng: random.Random) -> tuple[int, int]:
    """A terminal size from 10x4 to 300x100, mostly small or ordinary (big ones paint slowly)."""
    low, high = rng.choices(
        [((10, 4), (60, 20)), ((60, 20), (160, 50)), ((160, 50), (300, 100))], weights=[4, 5, 1]
    )[0]
    return rng.randint(low[0], high[0]), rng.randint(low[1], high[1])


def on_known_screen(app: App[Any]) -> bool:
    """True when the app shows its main screen or one of its dialogs on top of it."""
    stack = app.screen_stack
    return any(isinstance(s, MainScreen) for s in stack) and (
        isinstance(app.screen, MainScreen | ModalScreen)
    )


QUICK = Timings(state_poll=0.05, position_settle=0.01)
"""The app's timers firing within a few batches."""


def random_config(rng: random.Random) -> Config:
    """A read-marking rule drawn for each run (its timer firing within a few batches); `e`
    runs `true` as the editor, which returns at once."""
    return Config(mark_read=rng.choice(list(ReadRule)), mark_read_seconds=0.02, editor="true")


async def drive(library: Library, seed: int, keys: int) -> None:
    """Send `keys` random keys in batches, restarting the app whenever it quits."""
    rng = random.Random(seed)
    history: list[str] = []
    size = random_size(rng)
    sent = 0
    while sent < keys:
        app = ReaderApp(library, timings=QUICK, config=random_config(rng))
        try:
            more, size = await run_once(app, rng, size, keys - sent, history)
        except Exception as error:
            raise AssertionError(f"seed {seed}, last batches {history[-20:]}") from error
        sent += more
        assert app.return_code in (0, None), (seed, history[-20:])


async def run_once(
    app: ReaderApp, rng: random.Random, size: tuple[int, int], keys: int, history: list[str]
) -> tuple[int, tuple[int, int]]:
    """Run the app until it quits or `keys` keys are sent; the keys sent and the last size."""
    sent = 0
    async with app.run_test(size=size) as pilot:
        while sent < keys and app.is_running:
            roll = rng.random()
            if roll < 0.04:
                size = random_size(rng)
                history.append(f"resize {size}")
                await pilot.resize_terminal(*size)
            elif roll < 0.08:
                history.append("pause")
                await pilot.pause(0.06)  # a timer's worth: the read mark, the poll
            else:
                batch = random_batch(rng)
                history.append(" ".join(batch))
                sent += len(batch)
                send_batch(app, batch)
            if rng.random() < 0.75:
                continue  # the next read comes before this one is handled
            await pilot.pause()
            if app.is_running:
                assert on_known_screen(app), app.screen_stack
        await pilot.pause()
        await app.workers.wait_for_complete()
    return sent, size


@pytest.mark.timeout(600)
@pytest.mark.parametrize("seed", range(SEEDS))
async def test_random_keys_on_bundled_posts(
    library: Library, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_browser(monkeypatch, seed)
    await drive(library, seed, KEYS_PER_SEED)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("seed", range(SEEDS))
async def test_random_keys_on_hostile_posts(
    isolated_data_dir: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_browser(monkeypatch, seed)
    await drive(hostile_library(isolated_data_dir), 1000 + seed, KEYS_PER_SEED)


FEEDS = Path(__file__).parent / "data" / "feeds"


@pytest.mark.timeout(600)
@pytest.mark.parametrize("seed", range(2))
async def test_random_keys_with_feeds(
    library: Library, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sidebar's feed rows, and `R` failing fast (nothing listens on port 1)."""
    from reader.feeds.parse import parse_feed
    from reader.feeds.refresh import import_feed
    from reader.feeds.subscribe import add_feeds

    for name, title in (("rss2.xml", "Tide Notes"), ("atom.xml", "Kiln Diary")):
        (sub,) = add_feeds(library, [(f"http://127.0.0.1:1/{name}", title)])
        feed = parse_feed((FEEDS / name).read_bytes())
        assert feed is not None
        import_feed(library, sub.key, feed, title)
    with_browser(monkeypatch, seed)
    await drive(library, 2000 + seed, KEYS_PER_SEED)
