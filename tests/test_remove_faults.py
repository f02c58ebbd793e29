"""A fault at every step of every write of `reader remove` leaves the library as it was, or done.

The same machinery as `tests/test_crash_injection.py`: a child process runs
the real command with an `OSError` or a SIGKILL at one step of one file's
write, and the parent reads the files on disk and opens the library again.
A removal is committed when `posts.json` is replaced: before that, every
post, body and search result is as it was; after it, the post is wholly
gone. The bookmark of a removed post is never touched.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.library import Library
from reader.store import PostStore
from tests.crash_child import IN_PLACE
from tests.test_crash_injection import LANDED, Children, hurt, leftovers, matrix, shard_bodies

REDIS = "debugging-redis-caching-7-techniques-you-need-to-know"
"""A sample post, bookmarked in the template."""


@pytest.fixture(scope="module")
def children() -> Iterator[Children]:
    pool = Children()
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the samples, one bookmarked, and their search index."""
    root = tmp_path_factory.mktemp("remove-template") / "data"
    Library.open(root).state.add_bookmark(REDIS, note="keep me")
    assert (root / "library" / "search-index.bin").is_file()
    return root


def prepare(template: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the template with a folder of two notes imported and remembered."""
    data = tmp_path / "data"
    shutil.copytree(template, data)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "mine.md").write_text("# Mine\n\nMy own words about quokkas.\n")
    (notes / "other.md").write_text("# Other\n\nMore about quokkas.\n")
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "import", str(notes)])
    assert result.exit_code == 0 and "sample" not in result.output, result.output
    return data, notes


def titles(data: Path) -> dict[str, str]:
    posts = json.loads((data / "library" / "posts.json").read_bytes())["posts"]
    return {d["slug"]: d["title"] for d in posts.values()}


CASES = {
    "slug-posts": (["remove", REDIS], "posts.json", {REDIS}),
    "slug-body": (["remove", REDIS], "body", {REDIS}),
    "source-posts": (["remove", "--source", "NOTES"], "posts.json", {"mine", "other"}),
    "source-sources": (["remove", "--source", "NOTES"], "sources.json", {"mine", "other"}),
}
"""A removal, the file hurt, and the slugs it removes."""


@pytest.mark.parametrize(("write", "step", "fault"), matrix(list(CASES)))
def test_remove_write(
    children: Children, template: Path, tmp_path: Path, write: str, step: str, fault: str
) -> None:
    """`reader remove`, hurt in one of the files it writes."""
    args, part, slugs = CASES[write]
    data, notes = prepare(template, tmp_path)
    args = [str(notes) if a == "NOTES" else a for a in args]
    folder = data / "library"
    first = sorted(slugs)[0]
    target = {
        "posts.json": folder / "posts.json",
        "body": folder / "bodies" / f"{PostStore.shard_of(first):02d}.json",
        "sources.json": folder / "sources.json",
    }[part]
    old = titles(data)
    new = {s: t for s, t in old.items() if s not in slugs}
    old_bodies = {p.name: shard_bodies(p) for p in (folder / "bodies").glob("*.json")}

    outcome = hurt(children, data, target, step, fault, "cli", args=args)
    left = leftovers(data)
    # Removed once posts.json is replaced; the sources file comes after.
    committed = (
        step == IN_PLACE or part == "sources.json" or (part == "posts.json" and step in LANDED)
    )
    if fault == "raise":
        assert outcome.code == (0 if committed else 1), outcome
        if not committed:
            assert "nothing was removed, the library is as it was" in outcome.stderr
    assert titles(data) == (new if committed else old)
    for shard in (folder / "bodies").glob("*.json"):
        bodies = shard_bodies(shard)  # parses
        was = old_bodies.get(shard.name, {})
        assert bodies in (was, {k: v for k, v in was.items() if k not in slugs}), shard.name
    if part == "sources.json":
        sources = json.loads(target.read_bytes())["sources"]  # parses, old or new
        assert set(sources) in ({str(notes)}, set())

    # The next start: the same posts through the CLI and the API, nothing lost.
    expected = new if committed else old
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "list", "--json"])
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert {p["slug"]: p["title"] for p in json.loads(result.stdout)} == expected
    library = Library.open(data, seed=False)
    assert library.problems == []
    assert not list(data.rglob(".*.previous-*"))  # settled at the first open
    for slug in old:
        post = library.get(slug)
        assert (post is not None) == (slug in expected)
        if post is not None:
            assert not post.body.startswith("*The text of this post could not be read")
    found = {h.slug for h in library.search("quokkas").hits} | {
        h.slug for h in library.search("redis caching").hits
    }
    assert found == {"mine", "other", REDIS} & set(expected)
    assert {b.slug: b.note for b in library.state.bookmarks()} == {REDIS: "keep me"}
    # And the removal, done again, works.
    CliRunner().invoke(cli, ["--data-dir", str(data), *args])
    assert titles(data) == new
    assert {h.slug for h in Library.open(data).search("quokkas").hits} == {"mine", "other"} & set(
        new
    )
    if fault == "raise":
        assert left == []  # an error is cleaned up at once
