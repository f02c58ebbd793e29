"""The bookmark commands: bookmark, unbookmark, bookmarks (--json, --export), import-bookmarks."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from reader.cli import cli
from reader.library import Library


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def listed() -> list[dict[str, Any]]:
    result = run("bookmarks", "--json")
    assert result.exit_code == 0, result.output
    entries: list[dict[str, Any]] = json.loads(result.stdout)
    return entries


@pytest.fixture
def slugs(library: Library) -> list[str]:
    """Slugs of the bundled posts, with the library already opened in the test's data dir."""
    return [p.slug for p in library.summaries()]


def test_bookmark_and_list(slugs: list[str], library: Library) -> None:
    first, second = slugs[:2]
    assert run("bookmark", first).stdout == f"bookmarked {first}\n"
    result = run("bookmark", second, "--note", "read again")
    assert result.exit_code == 0
    entries = listed()
    assert [e["slug"] for e in entries] == [second, first]  # newest first
    top = entries[0]
    post = library.posts.summary(second)
    assert post is not None
    assert top["title"] == post.title
    assert top["tags"] == list(post.tags)
    assert top["note"] == "read again"
    assert top["section"] == ""
    assert top["missing"] is False
    assert top["created"].endswith("+00:00")


def test_bookmark_again_updates_note_and_keeps_date(slugs: list[str]) -> None:
    run("bookmark", slugs[0], "--note", "one")
    created = listed()[0]["created"]
    result = run("bookmark", slugs[0], "--note", "two")
    assert result.stdout == f"updated {slugs[0]}\n"
    run("bookmark", slugs[0])  # no --note: the note stays
    (entry,) = listed()
    assert entry["note"] == "two" and entry["created"] == created


def test_bookmark_unknown_slug_is_an_error(slugs: list[str]) -> None:
    result = run("bookmark", "no-such-post")
    assert result.exit_code == 1
    assert "no-such-post" in result.stderr
    assert listed() == []


def test_unbookmark(slugs: list[str]) -> None:
    run("bookmark", slugs[0])
    result = run("unbookmark", slugs[0])
    assert result.exit_code == 0 and result.stdout == f"removed bookmark on {slugs[0]}\n"
    again = run("unbookmark", slugs[0])
    assert again.exit_code == 1 and slugs[0] in again.stderr
    assert listed() == []


def test_plain_listing(slugs: list[str], library: Library) -> None:
    run("bookmark", slugs[0], "--note", "multi\nline\tnote")
    result = run("bookmarks")
    slug, title, date, note = result.stdout.rstrip("\n").split("\t")
    post = library.posts.summary(slugs[0])
    assert post is not None
    assert (slug, title, note) == (slugs[0], post.title, "multi line note")
    assert len(date) == 10


def test_bookmarks_survive_reimport_and_missing_posts_are_kept(
    slugs: list[str], isolated_data_dir: Path
) -> None:
    run("bookmark", slugs[0], "--note", "precious")
    library = Library.open(isolated_data_dir)
    library.import_bundled()
    assert [e["slug"] for e in listed()] == [slugs[0]]

    shutil.rmtree(isolated_data_dir / "library")  # the library rebuilt without that post
    (entry,) = Library(isolated_data_dir).bookmarked()
    assert entry.missing and entry.title == slugs[0] and entry.bookmark.note == "precious"
    Library.open(isolated_data_dir)  # re-seeded: the post is back, the bookmark with it
    (listed_entry,) = listed()
    assert listed_entry["slug"] == slugs[0] and listed_entry["missing"] is False


def test_missing_post_is_shown_as_missing(slugs: list[str], library: Library) -> None:
    library.state.add_bookmark("gone-post", note="was here")
    (entry,) = listed()
    assert entry["missing"] is True and entry["title"] == "gone-post"
    assert "(missing) gone-post" in run("bookmarks").stdout
    assert "missing from the library" in run("bookmarks", "--export", "md").stdout
    # A missing bookmark can still have its note changed, and be removed.
    assert run("bookmark", "gone-post", "--note", "still here").exit_code == 0
    assert run("unbookmark", "gone-post").exit_code == 0


def test_export_markdown(slugs: list[str], library: Library) -> None:
    run("bookmark", slugs[0], "--note", "a *bold* claim\nsecond line")
    text = run("bookmarks", "--export", "md").stdout
    post = library.posts.summary(slugs[0])
    assert post is not None
    assert text.startswith("# Bookmarks\n")
    assert f"(`{slugs[0]}`)" in text
    for tag in post.tags:
        assert tag in text
    assert "  > a \\*bold\\* claim\n  > second line\n" in text


def test_export_markdown_empty() -> None:
    assert "No bookmarks yet." in run("bookmarks", "--export", "md").stdout


def test_json_and_export_together_is_a_usage_error() -> None:
    assert run("bookmarks", "--json", "--export", "md").exit_code == 2


def test_export_import_round_trip(
    slugs: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("bookmark", slugs[0], "--note", "first note")
    run("bookmark", slugs[1])
    Library.open().state.add_bookmark("gone-post", section="intro")
    before = listed()
    export = tmp_path / "bookmarks.json"
    export.write_text(run("bookmarks", "--export", "json").stdout, "utf-8")
    document = json.loads(export.read_text("utf-8"))
    assert document["format"] == "reader-bookmarks" and len(document["bookmarks"]) == 3

    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "elsewhere"))
    Library.open()  # the sample posts, as the TUI seeds them on a new machine
    result = run("import-bookmarks", str(export))
    assert result.exit_code == 0, result.output
    assert result.stdout == "3 added, 0 merged, 0 unchanged (1 for posts not in the library)\n"
    assert listed() == before
    again = run("import-bookmarks", str(export))
    assert again.stdout.startswith("0 added, 0 merged, 3 unchanged")


def test_import_merges_and_never_drops(slugs: list[str], tmp_path: Path) -> None:
    run("bookmark", slugs[0], "--note", "mine")
    run("bookmark", slugs[1])
    source = tmp_path / "in.json"
    # The bare list `bookmarks --json` prints is accepted too.
    source.write_text(
        json.dumps(
            [
                {"slug": slugs[0], "note": "theirs", "created": "2001-01-01T00:00:00Z"},
                {"slug": slugs[2], "note": "new"},
            ]
        )
    )
    result = run("import-bookmarks", str(source))
    assert result.stdout == "1 added, 1 merged, 0 unchanged\n"
    by_slug = {e["slug"]: e for e in listed()}
    assert set(by_slug) == set(slugs[:3])
    assert by_slug[slugs[0]]["note"] == "mine"
    assert by_slug[slugs[0]]["created"].startswith("2001-01-01")
    assert by_slug[slugs[2]]["note"] == "new"


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ('{"format": "reader-bookmarks",\n "bookmarks": [\n  {"slug": "a"},\n', ":4:"),
        ('{"bookmarks": [\n  {"slug": "a"},\n  {"note": "no slug"}\n]}', ":3: bookmark 2"),
        ('[\n{"slug": "a", "note": 5}]', ":2: bookmark 1 (a): note"),
        ('{"format": "something-else", "bookmarks": []}', ":1: not a reader"),
        ('"just a string"', ":1: expected"),
        ('[{"slug": "two words"}]', ":1: bookmark 1: slug 'two words' contains spaces"),
        ('[\n{"slug": "a"},\n]', ":3: invalid JSON"),
        ('[\n\n{"slug": "\\u001b"}]', ":3: bookmark 1 has no slug"),
        ("", ":1: expected"),
    ],
)
def test_import_bad_file_names_file_and_line(
    slugs: list[str], tmp_path: Path, content: str, where: str
) -> None:
    run("bookmark", slugs[0])
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = run("import-bookmarks", str(bad))
    assert result.exit_code == 1
    assert f"{bad}{where}" in result.stderr
    assert [e["slug"] for e in listed()] == [slugs[0]]  # nothing changed


def test_import_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'[\n{"slug": "\xff"}]')
    result = run("import-bookmarks", str(bad))
    assert result.exit_code == 1 and f"{bad}:2: not UTF-8" in result.stderr


def test_import_missing_file(tmp_path: Path) -> None:
    result = run("import-bookmarks", str(tmp_path / "nope.json"))
    assert result.exit_code == 2 and "nope.json" in result.stderr


def test_write_failure_is_reported(slugs: list[str]) -> None:
    def full(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    # A context rather than monkeypatch.undo, which would also unset READER_DATA_DIR
    # and send the next command to the real user data directory.
    with pytest.MonkeyPatch.context() as fault:
        fault.setattr(os, "replace", full)
        result = run("bookmark", slugs[0])
    assert result.exit_code == 1
    assert "could not save" in result.stderr and "No space left" in result.stderr
    assert listed() == []


def test_import_strips_control_characters(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text('[{"slug": "\\u001b[2Jx", "note": "hi\\u0007 \\u009b31m"}]')
    assert run("import-bookmarks", str(source)).exit_code == 0
    (entry,) = listed()
    assert entry["slug"] == "[2Jx" and entry["note"] == "hi 31m"
