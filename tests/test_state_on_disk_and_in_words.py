"""The user's state as the file holds it and as the user is told it: bookmarks in the
order they were made whatever the time zone, the fields a read mark and an old
position hold, and what a damaged file that cannot be recovered says, once.

Each test kills mutants that survived the core's fast test selection
(docs/TESTING.md).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.models import ReadingPosition
from reader.state import StateStore, StateWriteError


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state.json"


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


def refuse_rename(monkeypatch: pytest.MonkeyPatch) -> None:
    """The damaged file cannot be moved aside."""

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "rename", refuse)


# -- the order of bookmarks -------------------------------------------------------


def test_bookmarks_come_newest_first_by_the_instant_whatever_the_offset(path: Path) -> None:
    path.write_text(
        json.dumps(
            {
                "bookmarks": {
                    # 01:00 UTC, written in Tokyo time: the oldest, though "10:00".
                    "1": {"slug": "tokyo", "created": "2026-01-01T10:00:00+09:00"},
                    "2": {"slug": "london", "created": "2026-01-01T05:00:00+00:00"},
                    # No offset (an older file): read as UTC, 03:00.
                    "3": {"slug": "naive", "created": "2026-01-01T03:00:00"},
                }
            }
        ),
        "utf-8",
    )
    assert [b.slug for b in StateStore(path).bookmarks()] == ["london", "naive", "tokyo"]


# -- what the file holds ------------------------------------------------------------


def test_a_read_mark_is_stored_with_the_utc_time_it_was_made(path: Path) -> None:
    before = datetime.now(UTC)
    StateStore(path).set_read("post", True)
    after = datetime.now(UTC)
    (doc,) = json.loads(path.read_text("utf-8"))["read"].values()
    assert set(doc) == {"slug", "at"} and doc["slug"] == "post"
    at = datetime.fromisoformat(doc["at"])
    assert at.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= at <= after + timedelta(seconds=1)


def test_a_position_from_before_anchors_reads_as_no_anchor(path: Path) -> None:
    path.write_text(json.dumps({"positions": {"1": {"slug": "old", "offset": 12}}}), "utf-8")
    assert StateStore(path).position("old") == ReadingPosition("old", "", 12)


# -- what the user is told ------------------------------------------------------------


def test_a_lock_timeout_without_a_holder_names_another_reader(path: Path) -> None:
    error = StateWriteError(path, TimeoutError(), 2)
    assert error.reason == "another reader process is holding the state file's lock"
    assert str(error) == (
        f"could not save to {path}: another reader process is holding the state file's "
        "lock. 2 changes kept in memory; reader will retry."
    )


def test_an_empty_file_without_a_backup_says_so_and_that_it_starts_empty(path: Path) -> None:
    path.write_text("  \n", "utf-8")
    store = StateStore(path)
    assert store.bookmarks() == []
    assert store.recovered is not None
    assert store.recovered.startswith(
        f"Your reader state file {path} was damaged (the file is empty (truncated?) (line 1))."
    )
    assert store.recovered.endswith(
        ". There was no good backup, so reader starts with empty state."
    )


def test_a_restored_backup_is_dated_in_utc(path: Path, far_from_utc: None) -> None:
    store = StateStore(path)
    store.add_bookmark("first")
    store.add_bookmark("second")
    backup = path.with_name("state.json.bak")
    saved = datetime.fromtimestamp(backup.stat().st_mtime, UTC)
    path.write_text("{not json", "utf-8")
    message = StateStore(path).recovered
    assert message is not None
    found = re.search(r"\(saved (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC\)", message)
    assert found is not None, message
    assert found.group(1) == f"{saved:%Y-%m-%d %H:%M:%S}"


def test_a_damaged_file_that_cannot_be_moved_and_no_backup_shows_nothing_once(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path.write_bytes(b"damaged")
    refuse_rename(monkeypatch)
    store = StateStore(path)
    assert store.bookmarks() == []
    assert store.recovered is not None
    assert "could not be moved aside (Permission denied). Showing nothing for now" in (
        store.recovered
    )
    # Reading again finds the same damaged file: nothing new to tell.
    for _ in range(3):
        assert store.bookmarks() == []
        assert store.bookmarked_slugs() == set()
    assert len(store.recoveries) == 1
    assert path.read_bytes() == b"damaged"


def test_a_damaged_file_that_cannot_be_moved_then_replaced_by_a_good_one_is_read(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path.write_bytes(b"damaged")
    refuse_rename(monkeypatch)
    store = StateStore(path)
    assert store.bookmarks() == []
    # Another process (or the user) puts a good file in its place.
    path.write_text(
        json.dumps({"bookmarks": {"1": {"slug": "fixed", "created": "2026-01-01T00:00:00Z"}}}),
        "utf-8",
    )
    assert [b.slug for b in store.bookmarks()] == ["fixed"]
