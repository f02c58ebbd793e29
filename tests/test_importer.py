"""Importing Markdown files, folders and digests, and skipping bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.library import Library
from tests.conftest import SEED_DIGEST


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def empty(tmp_path: Path) -> Library:
    return Library.open(tmp_path / "empty", seed=False)


def test_markdown_file(empty: Library, tmp_path: Path) -> None:
    path = write(tmp_path / "in" / "a.md", "---\ntitle: A\ntags: [x]\n---\n\nHi.\n\n## S\n")
    report = empty.import_paths([path])
    assert report.added == ("a",) and report.ok
    post = empty.get("a")
    assert post is not None and post.tags == ("x",) and post.sections[0].heading == "S"


def test_folder_is_recursive_and_markdown_only(empty: Library, tmp_path: Path) -> None:
    write(tmp_path / "in" / "one.md", "# One\n\ntext\n")
    write(tmp_path / "in" / "deep" / "two.markdown", "# Two\n\ntext\n")
    write(tmp_path / "in" / "notes.txt", "ignored")
    report = empty.import_paths([tmp_path / "in"])
    assert sorted(report.added) == ["one", "two"]
    assert [p.title for p in empty.summaries()] == ["Two", "One"]  # sorted by path


def test_digest(empty: Library) -> None:
    report = empty.import_paths([SEED_DIGEST])
    assert len(report.added) == 10 and report.ok
    assert all(p.tags == ("Machine Learning",) for p in empty.summaries())


def test_reimport_updates_and_never_duplicates(empty: Library, tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "# A\n\nfirst\n")
    empty.import_paths([path, SEED_DIGEST])
    again = empty.import_paths([path, SEED_DIGEST])
    assert again.added == () and len(again.unchanged) == 11
    write(path, "# A\n\nsecond\n")
    changed = empty.import_paths([path])
    assert changed.updated == ("a",)
    assert len(empty.summaries()) == 11
    post = empty.get("a")
    assert post is not None and "second" in post.body


def test_same_title_gets_distinct_slugs(empty: Library, tmp_path: Path) -> None:
    a = write(tmp_path / "x" / "a.md", "# Same\n\none\n")
    b = write(tmp_path / "y" / "a.md", "# Same\n\ntwo\n")
    report = empty.import_paths([a, b])
    assert report.added == ("same", "same-2")
    assert empty.import_paths([b]).unchanged == ("same-2",)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bad-yaml.md", "---\ntitle: [oops\n---\nbody\n", "bad front matter"),
        ("latin1.md", "caf\xe9\n".encode("latin-1"), "not UTF-8"),
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("empty.md", "", "empty file"),
        ("bad-digest.txt", "Tag: X\n\nstray text\n\n  • Title\n\n    Body.\n", "before the first"),
    ],
)
def test_bad_file_is_skipped_and_named(
    empty: Library, tmp_path: Path, name: str, content: str | bytes, reason: str
) -> None:
    good = write(tmp_path / "good.md", "# Good\n\ntext\n")
    bad = write(tmp_path / name, content)
    report = empty.import_paths([bad, good])
    assert report.added == ("good",)
    (problem,) = report.problems
    assert problem.path == str(bad) and reason in problem.reason
    assert str(bad) in str(problem)


def test_missing_path_and_empty_folder(empty: Library, tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    report = empty.import_paths([tmp_path / "missing.md", tmp_path / "nothing"])
    assert [p.reason for p in report.problems] == [
        "no such file or folder",
        "no .md or .markdown files in this folder",
    ]


def test_line_of_bad_front_matter_is_reported(empty: Library, tmp_path: Path) -> None:
    bad = write(tmp_path / "b.md", "---\ntitle: ok\ntags: [a\n---\nbody\n")
    (problem,) = empty.import_paths([bad]).problems
    assert problem.line is not None and problem.line >= 3
    assert str(problem).startswith(f"{bad}:{problem.line}: ")
