"""The library keeps step with what is on disk: linked folders, older files, changes
made behind the search index's back, upserts other writers left midway; and counts
its tags and answers searches as documented.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from reader.library import Library, tag_counts
from reader.models import Post, PostSummary, Section, TagCount
from reader.search import Snippet
from reader.storage import atomic_write_bytes
from reader.store import PostStore


def test_a_linked_folder_is_imported_like_a_real_one(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.md").write_text("# Linked\n\nFrom a linked folder.\n", "utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "own.md").write_text("# Own\n\ntext\n", "utf-8")
    (folder / "link").symlink_to(elsewhere, target_is_directory=True)

    report = Library.open(tmp_path / "data", seed=False).import_paths([folder])
    assert sorted(report.added) == ["linked", "own"] and report.ok


def test_a_posts_file_from_before_levels_lines_and_sections_still_lists(tmp_path: Path) -> None:
    directory = tmp_path / "library"
    directory.mkdir()
    docs = {
        "1": {"slug": "old", "title": "Old", "sections": [{"heading": "Part", "anchor": "part"}]},
        "2": {"slug": "older", "title": "Older"},
    }
    (directory / "posts.json").write_text(json.dumps({"posts": docs}), "utf-8")
    store = PostStore(directory)
    assert store.recoveries == []
    old, older = store.summaries()
    assert old.sections == (Section("Part", "part", 2, 0),)
    assert (older.slug, older.sections, older.words, older.source) == ("older", (), 0, "")


def test_posts_changed_behind_the_index_are_found_at_the_next_open(
    isolated_data_dir: Path,
) -> None:
    library = Library.open(isolated_data_dir)
    (first, second, *_) = library.summaries()
    assert library.search("okapi ").total == 0  # the index is built and saved

    # Another process changes two posts and adds one, but never gets to the index.
    changed = [
        Post(slug=first.slug, title="Okapi Days", tags=(), words=2, body="okapi okapi\n"),
        Post(slug="new", title="New", tags=(), words=2, body="an okapi\n"),
    ]
    PostStore(isolated_data_dir / "library").upsert(changed)

    reopened = Library.open(isolated_data_dir)
    assert [h.slug for h in reopened.search("okapi ").hits] == [first.slug, "new"]
    assert [h.slug for h in reopened.search(f'"{second.title}"').hits] == [second.slug]
    assert first.slug not in {h.slug for h in reopened.search(f'"{first.title}"').hits}


def test_a_body_changed_behind_the_index_under_the_same_title_is_found(
    isolated_data_dir: Path,
) -> None:
    library = Library.open(isolated_data_dir)
    first = library.summaries()[0]
    assert library.search("okapi ").total == 0
    post = library.get(first.slug)
    assert post is not None
    longer = post.body + "\nAn okapi wandered in.\n"
    PostStore(isolated_data_dir / "library").upsert(
        [replace(post, body=longer, words=post.words + 4)]
    )
    assert [h.slug for h in Library.open(isolated_data_dir).search("okapi ").hits] == [first.slug]


def test_tags_are_counted_most_used_first_then_by_name() -> None:
    posts = [
        PostSummary(slug=f"p{i}", title="T", tags=tags)
        for i, tags in enumerate([("zebra", "ant"), ("zebra",), ("moth", "ant"), ("bee",)])
    ]
    assert tag_counts(posts) == [
        TagCount("ant", 2),
        TagCount("zebra", 2),
        TagCount("bee", 1),
        TagCount("moth", 1),
    ]


def test_a_search_without_snippets_leaves_them_empty(library: Library) -> None:
    with_snippets = library.search("redis ").hits
    without = library.search("redis ", snippets=False).hits
    assert [h.slug for h in without] == [h.slug for h in with_snippets]
    assert all(h.snippet.text for h in with_snippets)
    assert all(h.snippet == Snippet("") and h.section is None for h in without)


# -- an upsert some other writer left midway ------------------------------------------


def left_midway(folder: Path, token: str) -> tuple[Path, Path]:
    """A body file as an upsert marked `token` leaves it before its commit: (file, previous)."""
    PostStore(folder).upsert(
        [Post(slug="a", title="A", tags=(), words=1, body="old\n", source="a")]
    )
    shard = folder / "bodies" / f"{PostStore.shard_of('a'):02d}.json"
    previous = shard.with_name(f".{shard.name}.previous-{token}")
    os.link(shard, previous)
    atomic_write_bytes(shard, json.dumps({"bodies": {"1": {"slug": "a", "body": "new"}}}).encode())
    return shard, previous


def test_an_upsert_of_a_process_still_running_is_left_to_it(
    tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    writer = subprocess.Popen([sys.executable, "-c", "input()"], stdin=subprocess.PIPE)
    processes.append(writer)
    _, previous = left_midway(tmp_path, f"{writer.pid}-0a1b2c")
    assert PostStore(tmp_path).body("a") == "new"
    assert previous.exists()


def test_an_upsert_whose_token_cannot_be_read_is_left_alone(tmp_path: Path) -> None:
    _, previous = left_midway(tmp_path, "not-a-pid")
    assert PostStore(tmp_path).body("a") == "new"
    assert previous.exists()


def test_sections_come_back_from_disk_as_they_went_in(tmp_path: Path) -> None:
    sections = (Section("Intro", "intro", 2, 3), Section("Deep", "deep", 4, 17))
    PostStore(tmp_path).upsert(
        [Post(slug="a", title="A", tags=("x",), sections=sections, words=9, body="b\n")]
    )
    (summary,) = PostStore(tmp_path).summaries()
    assert summary.sections == sections and summary.words == 9 and summary.tags == ("x",)


def test_an_upsert_killed_after_its_commit_keeps_its_new_bodies(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    token = f"{int(gone.stdout)}-0a1b2c"
    shard, previous = left_midway(tmp_path, token)
    # The upsert then wrote posts.json, marked with its token, and was killed
    # before it could remove the previous body file.
    posts = tmp_path / "posts.json"
    document = json.loads(posts.read_text("utf-8"))
    document["commit"] = {"1": {"token": token}}
    atomic_write_bytes(posts, json.dumps(document).encode())

    assert PostStore(tmp_path).body("a") == "new"
    assert not previous.exists()
    assert shard.exists()
