"""Every import problem names the path it is about, whatever went wrong with it."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from reader.library import Library


@pytest.fixture
def empty(tmp_path: Path) -> Library:
    return Library.open(tmp_path / "data", seed=False)


def test_a_missing_path_and_an_empty_folder_are_named(empty: Library, tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    report = empty.import_paths([tmp_path / "missing.md", tmp_path / "nothing"])
    assert [(p.path, p.reason) for p in report.problems] == [
        (str(tmp_path / "missing.md"), "no such file or folder"),
        (str(tmp_path / "nothing"), "no .md or .markdown files in this folder"),
    ]


def test_a_file_that_cannot_be_read_is_named_and_the_others_imported(
    empty: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "in" / "locked.md"
    locked.parent.mkdir()
    locked.write_text("# Locked\n\ntext\n", "utf-8")
    (tmp_path / "in" / "open.md").write_text("# Open\n\ntext\n", "utf-8")
    real = Path.read_bytes

    def refusing(self: Path) -> bytes:
        if self == locked:  # as `chmod 000` would for a user who is not root
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refusing)
    report = empty.import_paths([tmp_path / "in"])
    assert report.added == ("open",)
    assert [(p.path, p.reason) for p in report.problems] == [(str(locked), "Permission denied")]
