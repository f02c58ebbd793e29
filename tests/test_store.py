"""The atomic storage and the two stores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.models import Post, ReadingPosition
from reader.storage import AtomicJSONStorage, CorruptFileError, atomic_write_bytes
from reader.store import SHARDS, PostStore, StateStore


def post(slug: str, body: str = "text\n", tags: tuple[str, ...] = ()) -> Post:
    return Post(slug=slug, title=slug.title(), tags=tags, body=body, words=1, source=slug)


def test_atomic_write_replaces_and_keeps_backup(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    atomic_write_bytes(target, b"one", backup=True)
    atomic_write_bytes(target, b"two", backup=True)
    assert target.read_bytes() == b"two"
    assert (tmp_path / "f.json.bak").read_bytes() == b"one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.json", "f.json.bak"]


def test_storage_reports_corruption_with_line(tmp_path: Path) -> None:
    target = tmp_path / "db.json"
    target.write_text('{"posts":\n {"1": oops}}')
    with pytest.raises(CorruptFileError) as caught:
        AtomicJSONStorage(target).read()
    assert caught.value.line == 2 and str(target) in str(caught.value)


def test_post_store_round_trip_and_shards(tmp_path: Path) -> None:
    store = PostStore(tmp_path / "lib")
    posts = [post(f"p{i}", body=f"body {i}\n", tags=("t",)) for i in range(100)]
    store.upsert(posts)
    store.upsert([post("p5", body="changed\n")])
    reopened = PostStore(tmp_path / "lib")
    assert [p.slug for p in reopened.summaries()] == [f"p{i}" for i in range(100)]
    p5 = reopened.get("p5")
    assert p5 is not None and p5.body == "changed\n" and p5.tags == ()
    p7 = reopened.get("p7")
    assert p7 is not None and p7.body == "body 7\n"
    assert reopened.get("missing") is None
    shard_files = list((tmp_path / "lib" / "bodies").glob("*.json"))
    assert 1 < len(shard_files) <= SHARDS
    one_shard = json.loads(shard_files[0].read_text())["bodies"]
    assert len(one_shard) < 100  # a body read touches one shard, not the whole library


def test_state_store_keeps_bookmarks_positions_settings(tmp_path: Path) -> None:
    state = StateStore(tmp_path / "state.json")
    state.add_bookmark("a", note="note")
    state.set_read("a")
    state.set_position(ReadingPosition("a", "intro", 12))
    state.set_setting("theme", "dark")
    again = StateStore(tmp_path / "state.json")
    bookmark = again.bookmark("a")
    assert bookmark is not None and bookmark.note == "note"
    assert again.read_slugs() == {"a"}
    assert again.position("a") == ReadingPosition("a", "intro", 12)
    assert again.settings()["theme"] == "dark"


def test_an_upsert_killed_midway_is_undone_unless_its_writer_still_runs(tmp_path: Path) -> None:
    """The body files of an upsert that never wrote posts.json are put back at the next open.

    (tests/test_crash_injection.py kills real upserts; this covers the writer
    that is still running, whose files are left to it.)
    """
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    for writer, undone in ((int(gone.stdout), True), (os.getpid(), False)):
        folder = tmp_path / str(writer)
        PostStore(folder).upsert([post("a", body="old\n")])
        shard = folder / "bodies" / f"{PostStore.shard_of('a'):02d}.json"
        before = shard.read_bytes()
        previous = shard.with_name(f".{shard.name}.previous-{writer}-0a1b")
        os.link(shard, previous)  # as an upsert keeps it, before writing the new one
        atomic_write_bytes(
            shard, json.dumps({"bodies": {"1": {"slug": "a", "body": "new"}}}).encode()
        )

        store = PostStore(folder)

        assert previous.exists() is not undone
        assert (shard.read_bytes() == before) is undone
        assert store.body("a") == ("old\n" if undone else "new")


def test_a_post_reads_back_equal_with_its_metadata(tmp_path: Path) -> None:
    """An import tells an unchanged post from an edited one by comparing them."""
    post = Post(
        slug="dated",
        title="Dated",
        source="/notes/dated.md",
        body="text\n",
        date="2024-05-01",
        updated="2024-06-01",
        authors=("Ann",),
        summary="short",
        draft=True,
        lang="en",
        url="https://example.org/dated",
        aliases=("old-name",),
    )
    store = PostStore(tmp_path / "library")
    store.upsert([post])
    assert store.get("dated") == post
    assert PostStore(tmp_path / "library").get("dated") == post
