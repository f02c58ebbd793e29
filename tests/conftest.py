"""Shared fixtures: every test gets its own data directory, never the user's."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.library import Library

SEED_DIGEST = Path(__file__).parent / "data" / "seed_digest.txt"
"""A copy of the seed digest the bundled posts were made from."""

RANKING_POSTS = Path(__file__).parent / "data" / "ranking"
"""Four posts whose import order, title order and score order for `quillwort` all differ."""

RANKED = ["Zulu Quillwort Guide", "Moths at Night", "Alpha Camping", "Beta Notes"]
"""Title match, then heading, then five mentions in a short body, then one in a long one."""


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point READER_DATA_DIR at a fresh folder, and READER_CONFIG at a file that is not there,
    so nothing touches real user data or reads the user's settings."""
    root = tmp_path / "data"
    monkeypatch.setenv("READER_DATA_DIR", str(root))
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "config.toml"))
    yield root


@pytest.fixture
def samples(isolated_data_dir: Path) -> Path:
    """The data dir seeded with the samples, as the TUI seeds a new one (the CLI never does)."""
    Library.open(isolated_data_dir)
    return isolated_data_dir


@pytest.fixture
def library(isolated_data_dir: Path) -> Library:
    """A library holding the ten bundled posts."""
    return Library.open(isolated_data_dir)


@pytest.fixture
def ranking_library(tmp_path: Path) -> Library:
    """A library of the four ranking posts only."""
    library = Library.open(tmp_path / "ranking", seed=False)
    library.import_paths([RANKING_POSTS])
    return library


GIT_POSTS = ("git-at-home", "git-review", "git-notes")
"""The posts of `exact_library` holding the word `git` itself, best first."""


def _write_exact_posts(folder: Path) -> None:
    """`git` as a word in three posts; `gitlint` and `gitmoji` in titles and bodies of nine."""
    folder.mkdir(parents=True)
    posts = {
        "git-at-home": ("Git at Home", "How we use git for the household budget. " * 2),
        "git-review": ("Weekly Review", "Every Friday we read the git log together. " + "x " * 40),
        "git-notes": (
            "Notes on Tools",
            "Editors, shells, git, make and a few scripts. " + "More words here. " * 30,
        ),
    }
    for i in range(9):
        word = ("gitlint", "gitmoji")[i % 2]
        posts[f"{word}-{i}"] = (
            f"{word.title()} in Practice {i}",
            f"{word} rules. {word} in CI, {word} locally, {word} everywhere.",
        )
    for slug, (title, body) in posts.items():
        (folder / f"{slug}.md").write_text(
            f"---\ntitle: {title}\nslug: {slug}\n---\n\n{body}\n", encoding="utf-8"
        )


@pytest.fixture
def exact_posts(tmp_path: Path) -> Path:
    """A folder of the twelve posts of `exact_library`."""
    folder = tmp_path / "exact-posts"
    _write_exact_posts(folder)
    return folder


@pytest.fixture
def exact_library(tmp_path: Path, exact_posts: Path) -> Library:
    """A library where `git` is a word in three posts and a prefix of words in nine."""
    library = Library.open(tmp_path / "exact", seed=False)
    library.import_paths([exact_posts])
    return library


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Child processes to kill and reap at the end of the test, whatever happened."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
