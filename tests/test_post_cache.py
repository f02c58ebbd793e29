"""The compact cache of the list of posts (`posts.cache`): used only when it matches
`posts.json`, rebuilt when missing, stale or damaged, and never shows wrong rows."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reader.library import Library
from reader.models import Post, PostSummary, Section
from reader.store import PostStore


def post(slug: str, title: str = "", tags: tuple[str, ...] = ("t",)) -> Post:
    return Post(
        slug=slug,
        title=title or slug.title(),
        tags=tags,
        sections=(Section("Intro", "intro", 2, 3), Section("More", "more", 3, 9)),
        words=7,
        source=f"/notes/{slug}.md",
        date="2024-05-01",
        authors=("Ann",),
        summary="about it",
        draft=slug.endswith("draft"),
        lang="en",
        url=f"https://example.org/{slug}",
        aliases=("other",),
        body=f"# {slug}\n",
    )


def from_json(directory: Path) -> list[PostSummary]:
    """The posts as `posts.json` alone gives them (no cache)."""
    (directory / "posts.cache").unlink(missing_ok=True)
    return PostStore(directory).summaries()


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    directory = tmp_path / "lib"
    store = PostStore(directory)
    store.upsert([post("a"), post("b-draft"), post("c", tags=())])
    return directory


def test_a_commit_writes_the_cache_and_it_gives_the_same_posts(lib: Path) -> None:
    assert (lib / "posts.cache").exists()
    cached = PostStore(lib).summaries()
    assert cached == from_json(lib)
    assert [p.slug for p in cached] == ["a", "b-draft", "c"]


def test_a_missing_cache_is_rebuilt(lib: Path) -> None:
    (lib / "posts.cache").unlink()
    assert [p.slug for p in PostStore(lib).summaries()] == ["a", "b-draft", "c"]
    assert (lib / "posts.cache").exists()


def test_a_stale_cache_is_never_used(lib: Path) -> None:
    old = (lib / "posts.cache").read_bytes()
    store = PostStore(lib)
    store.upsert([post("a", title="Renamed"), post("d")])
    store.delete(["c"])
    (lib / "posts.cache").write_bytes(old)  # as if the process died before writing it
    reopened = PostStore(lib).summaries()
    assert [(p.slug, p.title) for p in reopened] == [
        ("a", "Renamed"),
        ("b-draft", "B-Draft"),
        ("d", "D"),
    ]
    assert (lib / "posts.cache").read_bytes() != old


def test_posts_json_changed_by_hand_is_read_not_the_cache(lib: Path) -> None:
    path = lib / "posts.json"
    data = json.loads(path.read_text())
    first = next(iter(data["posts"].values()))
    first["title"] = "Edited"
    stat = path.stat()
    path.write_text(json.dumps(data))
    # Same modification time as before: the size tells the versions apart.
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert PostStore(lib).summaries()[0].title == "Edited"


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],
        lambda raw: raw.replace(b"B-Draft", b"X-Draft"),  # still a valid marshal
        lambda raw: b"",
        lambda raw: b"not a cache at all",
    ],
    ids=["truncated", "flipped", "empty", "garbage"],
)
def test_a_damaged_cache_is_rebuilt_with_the_right_posts(lib: Path, damage: object) -> None:
    assert callable(damage)
    cache = lib / "posts.cache"
    cache.write_bytes(damage(cache.read_bytes()))
    store = PostStore(lib)
    assert store.summaries() == from_json(lib)
    assert store.recoveries == []  # derived data: nothing of the user's was lost
    assert PostStore(lib).summaries() == from_json(lib)


def test_a_damaged_posts_json_is_still_reported_with_a_good_cache(lib: Path) -> None:
    (lib / "posts.json").write_text('{"posts": {"1": oops')
    store = PostStore(lib)
    assert store.damaged and store.summaries() == []
    assert any("damaged" in message for message in store.recoveries)


def test_an_imported_library_opens_the_same_from_the_cache(library: Library) -> None:
    directory = library.posts.directory
    cached = Library(library.root).summaries(drafts=True)
    assert cached and cached == from_json(directory)


def test_posts_another_store_wrote_are_in_the_cache_or_it_is_not_used(tmp_path: Path) -> None:
    ours, theirs = PostStore(tmp_path), PostStore(tmp_path)
    theirs.upsert([post("theirs")])
    ours.upsert([post("ours")])  # merges theirs into posts.json, which `ours` never read
    assert [p.slug for p in PostStore(tmp_path).summaries()] == ["theirs", "ours"]
    assert PostStore(tmp_path).summaries() == from_json(tmp_path)
