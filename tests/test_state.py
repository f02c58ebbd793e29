"""StateStore: bookmarks, read marks, positions, settings, and failed writes kept and retried."""

from __future__ import annotations

import errno
import json
import os
import tempfile
import threading
from pathlib import Path

import pytest
from filelock import FileLock
from tinydb import TinyDB

from reader.models import Bookmark, ReadingPosition
from reader.state import StateStore, StateWriteError, normalise_timestamp
from reader.storage import AtomicJSONStorage


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state.json"


@pytest.fixture
def store(path: Path) -> StateStore:
    return StateStore(path)


def count_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every replace of a file (one per atomic write)."""
    calls: list[str] = []
    real = os.replace

    def counting(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if not str(dst).endswith(".bak"):
            calls.append(str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", counting)
    return calls


def fail_replace(monkeypatch: pytest.MonkeyPatch, code: int = errno.ENOSPC) -> None:
    def failing(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "replace", failing)


def on_disk(path: Path) -> dict[str, dict[str, dict[str, object]]]:
    data: dict[str, dict[str, dict[str, object]]] = json.loads(path.read_text("utf-8"))
    return data


def disk_slugs(path: Path) -> set[str]:
    return {str(doc["slug"]) for doc in on_disk(path).get("bookmarks", {}).values()}


# -- bookmarks ----------------------------------------------------------------


def test_new_store_is_empty_and_writes_nothing(store: StateStore, path: Path) -> None:
    assert store.bookmarks() == []
    assert store.read_slugs() == set()
    assert store.settings() == {}
    assert not path.exists()


def test_bookmarks_newest_first_even_within_one_clock_tick(store: StateStore) -> None:
    slugs = [f"post-{n}" for n in range(30)]
    for slug in slugs:
        store.add_bookmark(slug)
    assert [b.slug for b in store.bookmarks()] == slugs[::-1]


def test_bookmark_order_survives_reopening(store: StateStore, path: Path) -> None:
    for slug in ("a", "b", "c"):
        store.toggle_bookmark(slug)
    assert [b.slug for b in StateStore(path).bookmarks()] == ["c", "b", "a"]


def test_add_bookmark_keeps_date_and_unspecified_fields(store: StateStore) -> None:
    first = store.add_bookmark("a", note="why", section="intro")
    again = store.add_bookmark("a")
    assert again == first
    changed = store.add_bookmark("a", section="later")
    assert changed == Bookmark("a", first.created, "why", "later")
    assert store.bookmark("a") == changed


def test_toggle_bookmark(store: StateStore) -> None:
    assert store.toggle_bookmark("a", section="s1") is True
    mark = store.bookmark("a")
    assert mark is not None and mark.section == "s1"
    assert store.bookmarked_slugs() == {"a"}
    assert store.toggle_bookmark("a") is False
    assert store.bookmark("a") is None


def test_remove_bookmark(store: StateStore) -> None:
    store.add_bookmark("a")
    assert store.remove_bookmark("a") is True
    assert store.remove_bookmark("a") is False
    assert store.bookmarks() == []


def test_set_note_bookmarks_if_needed_and_strips_control_characters(store: StateStore) -> None:
    mark = store.set_note("a", "read \x1b[31mthis\x07 again")
    assert mark.note == "read [31mthis again"
    assert store.set_note("a", "").note == ""
    assert store.bookmark("a") is not None


def test_timestamps_are_utc_with_microseconds(store: StateStore) -> None:
    created = store.add_bookmark("a").created
    assert created.endswith("+00:00")
    assert normalise_timestamp(created) == created
    assert "." in created


def test_normalise_timestamp() -> None:
    assert normalise_timestamp("2024-05-01T10:00:00Z") == "2024-05-01T10:00:00.000000+00:00"
    assert normalise_timestamp("2024-05-01T12:00:00+02:00") == "2024-05-01T10:00:00.000000+00:00"
    assert normalise_timestamp("2024-05-01") == "2024-05-01T00:00:00.000000+00:00"
    assert normalise_timestamp("yesterday") is None


def test_merge_bookmarks_never_drops_or_overwrites(store: StateStore) -> None:
    ours = store.add_bookmark("kept", note="my note")
    store.add_bookmark("bare")
    report = store.merge_bookmarks(
        [
            Bookmark("kept", "2000-01-01T00:00:00+00:00", "their note", "sec"),
            Bookmark("bare", "2999-01-01T00:00:00Z", "filled", ""),
            Bookmark("new", "2020-01-01T00:00:00Z", "hello", ""),
            Bookmark("new", "2021-01-01T00:00:00Z", "", "s"),
            Bookmark("undated", "", "", ""),
        ]
    )
    assert report.added == ("new", "undated")
    assert set(report.updated) == {"kept", "bare"}
    kept = store.bookmark("kept")
    assert kept == Bookmark("kept", "2000-01-01T00:00:00.000000+00:00", ours.note, "sec")
    bare = store.bookmark("bare")
    assert bare is not None and bare.note == "filled" and bare.created < "2999"
    assert store.bookmark("new") == Bookmark(
        "new", "2020-01-01T00:00:00.000000+00:00", "hello", "s"
    )
    again = store.merge_bookmarks([Bookmark("kept", "2000-01-01T00:00:00Z", "x", "")])
    assert again.unchanged == ("kept",) and not again.added and not again.updated


# -- read marks, positions, settings ---------------------------------------------


def test_read_marks(store: StateStore) -> None:
    store.set_read("a")
    store.set_read("b")
    store.set_read("a", read=False)
    assert store.read_slugs() == {"b"}
    assert store.is_read("b") and not store.is_read("a")


def test_bulk_read_marks_are_one_write_and_undo_exactly(
    store: StateStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.set_read("old")
    before = json.loads(path.read_text())["read"]
    writes = count_writes(monkeypatch)
    changed = store.set_read_many([f"p{i}" for i in range(500)] + ["old"])
    assert changed == {f"p{i}" for i in range(500)}  # "old" was read already
    assert len(writes) == 1
    assert StateStore(path).read_slugs() == changed | {"old"}
    # "old" keeps its own mark, date and all.
    assert [d for d in json.loads(path.read_text())["read"].values() if d["slug"] == "old"] == [
        *before.values()
    ]
    assert store.set_read_many(changed, read=False) == changed
    assert len(writes) == 2
    assert StateStore(path).read_slugs() == {"old"}
    assert store.set_read_many(["old"]) == frozenset()
    assert len(writes) == 2  # nothing changed, nothing written


def test_bulk_read_marks_kept_and_replayed_when_a_write_fails(
    store: StateStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_replace(monkeypatch)
    with pytest.raises(StateWriteError):
        store.set_read_many(["a", "b"])
    assert store.read_slugs() == {"a", "b"}
    assert store.unsaved_changes() == ["2 read marks"]
    monkeypatch.undo()
    store.flush()
    assert StateStore(path).read_slugs() == {"a", "b"}


def test_positions(store: StateStore, path: Path) -> None:
    assert store.position("a") is None
    store.set_position(ReadingPosition("a", "intro", 12))
    store.set_position(ReadingPosition("a", "end", 40))
    assert StateStore(path).position("a") == ReadingPosition("a", "end", 40)


def test_settings(store: StateStore, path: Path) -> None:
    store.set_setting("last_tag", "python")
    store.update_settings({"last_post": "x", "keymap": {"b": "bookmark"}})
    expected = {"last_tag": "python", "last_post": "x", "keymap": {"b": "bookmark"}}
    assert StateStore(path).settings() == expected
    store.settings()["last_tag"] = "changed"  # a copy
    assert store.settings()["last_tag"] == "python"


def test_set_setting_rejects_non_json_without_queueing(store: StateStore) -> None:
    with pytest.raises(TypeError):
        store.set_setting("bad", object())
    assert store.pending == 0
    store.set_setting("good", 1)
    assert store.settings() == {"good": 1}


def test_one_write_per_change_and_none_when_nothing_changes(
    store: StateStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = count_writes(monkeypatch)
    store.set_setting("a", 1)
    store.set_setting("b", 2)
    store.add_bookmark("x", note="n")
    store.toggle_bookmark("y")
    store.set_read("x")
    store.set_position(ReadingPosition("x", "s", 1))
    assert len(writes) == 6
    store.set_setting("a", 1)
    store.add_bookmark("x")
    store.set_read("x")
    store.set_read("z", read=False)
    store.remove_bookmark("nope")
    store.set_position(ReadingPosition("x", "s", 1))
    assert len(writes) == 6


def test_file_is_a_tinydb_database(store: StateStore, path: Path) -> None:
    store.add_bookmark("a", note="n")
    store.set_read("a")
    db = TinyDB(path, storage=AtomicJSONStorage)
    assert [doc["slug"] for doc in db.table("bookmarks").all()] == ["a"]
    assert [doc["slug"] for doc in db.table("read").all()] == ["a"]


def test_keeps_previous_version_as_backup(store: StateStore, path: Path) -> None:
    store.add_bookmark("a")
    store.add_bookmark("b")
    assert disk_slugs(path) == {"a", "b"}
    assert disk_slugs(path.with_name("state.json.bak")) == {"a"}


def test_stale_temp_files_are_removed_at_open(store: StateStore, path: Path) -> None:
    store.add_bookmark("a")
    leftover = path.with_name(".state.json.abc123.tmp")
    leftover.write_text("half a write")
    StateStore(path)
    assert not leftover.exists()
    assert disk_slugs(path) == {"a"}


# -- several writers ----------------------------------------------------------------


def test_two_stores_see_each_others_changes(path: Path) -> None:
    one, two = StateStore(path), StateStore(path)
    one.add_bookmark("a")
    assert two.bookmark("a") is not None
    two.add_bookmark("b")
    two.set_read("b")
    one.add_bookmark("c")
    assert {b.slug for b in one.bookmarks()} == {"a", "b", "c"}
    assert {b.slug for b in two.bookmarks()} == {"a", "b", "c"}
    assert one.read_slugs() == {"b"}
    assert disk_slugs(path) == {"a", "b", "c"}


def test_threads_and_stores_lose_no_write(path: Path) -> None:
    stores = [StateStore(path), StateStore(path)]

    def work(n: int) -> None:
        for i in range(25):
            stores[n % 2].add_bookmark(f"t{n}-{i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = {f"t{n}-{i}" for n in range(4) for i in range(25)}
    assert disk_slugs(path) == expected
    assert StateStore(path).bookmarked_slugs() == expected


# -- failed writes ------------------------------------------------------------------


def test_full_disk_keeps_change_in_memory_and_retries(
    store: StateStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_bookmark("saved")
    fail_replace(monkeypatch)
    with pytest.raises(StateWriteError) as caught:
        store.toggle_bookmark("unsaved")
    error = caught.value
    assert error.pending == 1
    assert "No space left on device" in str(error) and str(path) in str(error)
    # The change is visible, not on disk, and no temporary file is left behind.
    assert store.bookmarked_slugs() == {"saved", "unsaved"}
    assert disk_slugs(path) == {"saved"}
    assert not list(path.parent.glob(".*.tmp"))
    with pytest.raises(StateWriteError):
        store.set_read("saved")
    assert store.pending == 2
    assert store.read_slugs() == {"saved"}
    with pytest.raises(StateWriteError):
        store.flush()

    monkeypatch.undo()
    store.flush()
    assert store.pending == 0
    assert disk_slugs(path) == {"saved", "unsaved"}
    assert StateStore(path).read_slugs() == {"saved"}


def test_next_successful_write_saves_pending_changes(
    store: StateStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_replace(monkeypatch, errno.EROFS)
    with pytest.raises(StateWriteError, match="Read-only file system"):
        store.add_bookmark("a", note="first")
    with pytest.raises(StateWriteError):
        store.toggle_bookmark("a")  # removes it, in memory
    assert store.bookmark("a") is None
    monkeypatch.undo()
    assert store.toggle_bookmark("b") is True
    assert store.pending == 0
    assert disk_slugs(path) == {"b"}


def test_pending_changes_merge_with_another_process(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, theirs = StateStore(path), StateStore(path)
    fail_replace(monkeypatch)
    with pytest.raises(StateWriteError):
        ours.add_bookmark("ours")
    monkeypatch.undo()
    theirs.add_bookmark("theirs")
    assert ours.bookmarked_slugs() == {"ours", "theirs"}
    ours.flush()
    assert disk_slugs(path) == {"ours", "theirs"}


def test_failure_to_create_temp_file_is_a_write_error(
    store: StateStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_temp(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", no_temp)
    with pytest.raises(StateWriteError):
        store.set_setting("theme", "dark")
    assert store.settings() == {"theme": "dark"}
    monkeypatch.undo()
    store.flush()
    assert StateStore(path).settings() == {"theme": "dark"}


def test_lock_held_elsewhere_is_a_write_error(path: Path) -> None:
    store = StateStore(path, lock_timeout=0.05)
    holder = FileLock(path.with_name("state.json.lock"))
    with holder:
        with pytest.raises(StateWriteError, match="holding the state file's lock"):
            store.add_bookmark("a")
        assert store.bookmark("a") is not None
    store.flush()
    assert disk_slugs(path) == {"a"}


def test_unreadable_file_keeps_last_view(
    store: StateStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_bookmark("a")
    other = StateStore(path)
    other.add_bookmark("b")

    def unreadable(*args: object, **kwargs: object) -> object:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr("builtins.open", unreadable)
    assert store.bookmarked_slugs() == {"a"}  # stale but no crash
    monkeypatch.undo()
    assert store.bookmarked_slugs() == {"a", "b"}


def test_file_is_canonical_json_after_many_changes(store: StateStore, path: Path) -> None:
    # Tables are encoded separately and cached; the file must still be one valid document.
    for n in range(5):
        store.toggle_bookmark(f"b{n}")
        store.set_read(f"r{n}")
        store.set_setting("n", n)
    store.toggle_bookmark("b0")
    store.set_position(ReadingPosition("b1", "x", 2))
    raw = path.read_bytes()
    data = json.loads(raw)
    assert json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() == raw
    assert disk_slugs(path) == {"b1", "b2", "b3", "b4"}
    assert StateStore(path).read_slugs() == {f"r{n}" for n in range(5)}
