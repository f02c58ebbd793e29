"""The user's state, field by field: what a new bookmark holds, what old files lack,
what a failed write says and keeps, who the lock record names, where damage goes.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.models import Bookmark
from reader.state import StateStore, StateWriteError


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state.json"


def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every atomic replace fails as on a full disk."""

    def failing(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", failing)


@pytest.fixture
def far_from_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time nine hours ahead of UTC, so a local timestamp cannot pass for UTC."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available on this platform")
    monkeypatch.setenv("TZ", "JST-9")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# -- what a bookmark holds ------------------------------------------------------


def test_a_toggled_bookmark_has_an_empty_note_and_the_section(path: Path) -> None:
    store = StateStore(path)
    assert store.toggle_bookmark("post", section="intro") is True
    mark = StateStore(path).bookmark("post")
    assert mark is not None and (mark.note, mark.section) == ("", "intro")


def test_a_file_from_before_notes_and_sections_reads_them_as_empty(path: Path) -> None:
    path.write_text(json.dumps({"bookmarks": {"1": {"slug": "old"}}}), "utf-8")
    assert StateStore(path).bookmarks() == [Bookmark("old", "", "", "")]


# -- a failed write: what it says, what it keeps ----------------------------------


def test_a_failed_write_counts_the_changes_it_keeps(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(path)
    full_disk(monkeypatch)
    with pytest.raises(StateWriteError) as first:
        store.add_bookmark("one")
    assert "1 change kept in memory" in str(first.value)
    with pytest.raises(StateWriteError) as second:
        store.add_bookmark("two")
    assert "2 changes kept in memory" in str(second.value)
    assert second.value.pending == 2


def test_a_note_that_could_not_be_saved_is_in_the_recovery_file(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(path)
    store.add_bookmark("post")
    with monkeypatch.context() as fault:
        full_disk(fault)
        with pytest.raises(StateWriteError):
            store.set_note("post", "the reason I kept it")
        saved_to = store.save_unsaved()
    assert saved_to is not None
    document = json.loads(saved_to.read_text("utf-8"))
    assert document["unsaved"] == ["note on post"]
    assert [(b["slug"], b["note"]) for b in document["bookmarks"]] == [
        ("post", "the reason I kept it")
    ]
    assert "import-bookmarks" in store.describe_unsaved(saved_to)


# -- the lock record ------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv0", "program"),
    [
        (str(Path("site-packages", "reader", "__main__.py")), "reader"),
        (str(Path("usr", "bin", "reader")), "reader"),
        ("-c", Path(sys.executable).name),
        ("-m", Path(sys.executable).name),
    ],
)
def test_the_lock_record_names_this_program(
    path: Path, monkeypatch: pytest.MonkeyPatch, argv0: str, program: str
) -> None:
    monkeypatch.setattr(sys, "argv", [argv0])
    StateStore(path).add_bookmark("post")
    record = json.loads(path.with_name("state.json.lock.owner").read_text("utf-8"))
    assert record == {"pid": os.getpid(), "command": program}


# -- a damaged file is moved aside under a UTC timestamp ----------------------------


def test_a_damaged_file_goes_aside_under_the_utc_time(path: Path, far_from_utc: None) -> None:
    path.write_text("{not json", "utf-8")
    before = datetime.now(UTC).replace(microsecond=0)
    (recovery,) = StateStore(path).recoveries
    after = datetime.now(UTC)
    assert recovery.moved_to is not None
    found = re.fullmatch(r"state\.json\.corrupt-(\d{8}T\d{6})Z", recovery.moved_to.name)
    assert found is not None, recovery.moved_to.name
    stamp = datetime.strptime(found.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    assert before - timedelta(seconds=1) <= stamp <= after
    assert recovery.moved_to.read_text("utf-8") == "{not json"


def test_a_failed_import_of_bookmarks_is_counted_in_words(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(path)
    full_disk(monkeypatch)
    with pytest.raises(StateWriteError):
        store.merge_bookmarks([Bookmark("a", "2024-01-01T00:00:00Z")])
    with pytest.raises(StateWriteError):
        store.merge_bookmarks([Bookmark("b", ""), Bookmark("c", "")])
    assert store.unsaved_changes() == ["1 imported bookmark", "2 imported bookmarks"]


def test_a_failure_without_an_errno_says_what_it_was(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(path)

    def failing(src: object, dst: object) -> None:
        raise OSError("the disk said no")

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(StateWriteError) as caught:
        store.add_bookmark("post")
    assert caught.value.reason == "the disk said no"
    assert str(caught.value).startswith(f"could not save to {path}: the disk said no. ")


def test_what_is_not_saved_is_listed_and_the_import_hint_only_for_bookmarks(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(path)
    full_disk(monkeypatch)
    for slug in ("a", "b"):
        with pytest.raises(StateWriteError):
            store.set_read(slug)
    saved_to = tmp_path / "unsaved.json"
    assert store.describe_unsaved(saved_to) == (
        f"not saved: read mark on a, read mark on b; kept in {saved_to}"
    )
    with pytest.raises(StateWriteError):
        store.add_bookmark("c")
    assert store.describe_unsaved(saved_to).endswith(
        f"kept in {saved_to} (`reader import-bookmarks {saved_to}` restores the bookmarks)"
    )


@pytest.mark.parametrize(("count", "tail"), [(10, "read mark on p9"), (11, "and 1 more")])
def test_ten_unsaved_changes_are_named_and_the_rest_counted(
    path: Path, monkeypatch: pytest.MonkeyPatch, count: int, tail: str
) -> None:
    store = StateStore(path)
    full_disk(monkeypatch)
    for i in range(count):
        with pytest.raises(StateWriteError):
            store.set_read(f"p{i}")
    line = store.describe_unsaved()
    assert line.startswith("not saved: read mark on p0, ")
    assert line.endswith(f"{tail} (no recovery file could be written)")


def test_changes_not_yet_saved_show_on_top_of_what_another_process_wrote(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = StateStore(path)
    with monkeypatch.context() as fault:
        full_disk(fault)
        with pytest.raises(StateWriteError):
            ours.add_bookmark("mine")
    assert ours.bookmarked_slugs() == {"mine"}
    StateStore(path).add_bookmark("theirs")
    assert ours.bookmarked_slugs() == {"mine", "theirs"}
    ours.flush()
    assert StateStore(path).bookmarked_slugs() == {"mine", "theirs"}
