"""Saved searches in the user state and `reader search --saved/--save/--unsave`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from reader.cli import cli
from reader.library import Library
from reader.state import StateStore, StateWriteError
from tests.test_state_faults import full_disk


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def on_disk(path: Path) -> list[str]:
    data = json.loads(path.read_text("utf-8"))
    return [doc["query"] for doc in data.get("saved_searches", {}).values()]


def listed() -> list[dict[str, Any]]:
    result = run("search", "--saved", "--json")
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state.json"


def test_saved_in_pin_order_once_each_and_removed(path: Path) -> None:
    store = StateStore(path)
    assert store.save_search("redis  cache ")
    assert store.save_search("is:bookmarked")
    assert not store.save_search("redis cache")  # the same query, pinned already
    assert [s.query for s in StateStore(path).saved_searches()] == ["redis cache", "is:bookmarked"]
    assert on_disk(path) == ["redis cache", "is:bookmarked"]
    assert store.remove_saved_search("redis cache")
    assert not store.remove_saved_search("redis cache")
    assert on_disk(path) == ["is:bookmarked"]


def test_an_empty_query_is_refused(path: Path) -> None:
    store = StateStore(path)
    with pytest.raises(ValueError, match="empty"):
        store.save_search("  \x1b ")
    assert not path.exists()


def test_control_characters_never_reach_the_file(path: Path) -> None:
    StateStore(path).save_search("red\x1b[31mis")
    assert on_disk(path) == ["red[31mis"]


def test_a_damaged_file_keeps_the_saved_searches_from_the_backup(path: Path) -> None:
    store = StateStore(path)
    store.save_search("kept")
    store.add_bookmark("a")  # the backup now holds "kept"
    path.write_bytes(b"\x00garbage")
    again = StateStore(path)
    assert again.recovered
    assert [s.query for s in again.saved_searches()] == ["kept"]


def test_a_saved_search_without_a_query_is_a_damaged_file(path: Path) -> None:
    StateStore(path).save_search("kept")
    StateStore(path).save_search("also")
    data = json.loads(path.read_text("utf-8"))
    data["saved_searches"]["1"] = {"created": "x"}
    path.write_text(json.dumps(data), "utf-8")
    again = StateStore(path)
    assert again.recovered  # set aside, never read as an empty table
    assert [s.query for s in again.saved_searches()] == ["kept"]


def test_a_failed_write_keeps_the_saved_search_pending(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(path)
    store.add_bookmark("a")
    full_disk(monkeypatch)
    with pytest.raises(StateWriteError):
        store.save_search("later")
    assert [s.query for s in store.saved_searches()] == ["later"]
    assert store.unsaved_changes() == ["saved search 'later'"]
    monkeypatch.undo()
    store.flush()
    assert on_disk(path) == ["later"]


def test_cli_lists_saves_and_unsaves(library: Library) -> None:
    assert run("search", "--saved").exit_code == 1  # nothing saved yet, as grep
    assert run("search", "--save", "redis").exit_code == 0
    again = run("search", "--save", "redis")
    assert again.exit_code == 0 and "already saved" in again.stderr
    assert run("search", "--save", "is:bookmarked").exit_code == 0
    redis = run("search", "redis", "--json")
    found = len(json.loads(redis.stdout))
    assert found > 0
    rows = listed()
    assert [(r["query"], r["count"]) for r in rows] == [("redis", found), ("is:bookmarked", 0)]
    assert all(r["created"] for r in rows)
    text = run("search", "--saved")
    assert text.stdout == f"{found}\tredis\n0\tis:bookmarked\n"
    slug = json.loads(redis.stdout)[0]["slug"]
    assert run("bookmark", slug).exit_code == 0
    assert [r["count"] for r in listed()] == [found, 1]
    assert run("search", "--unsave", "redis").exit_code == 0
    assert run("search", "--unsave", "redis").exit_code == 1
    assert [r["query"] for r in listed()] == ["is:bookmarked"]


def test_cli_refuses_an_empty_or_a_mixed_use(library: Library) -> None:
    empty = run("search", "--save")
    assert empty.exit_code == 2 and "empty search" in empty.stderr
    assert run("search", "--save", "--unsave", "x").exit_code == 2
    assert run("search", "--saved", "x").exit_code == 2
    assert run("search").exit_code == 2


def test_saved_searches_survive_a_damaged_posts_library(
    library: Library, isolated_data_dir: Path
) -> None:
    assert run("search", "--save", "redis").exit_code == 0
    posts = isolated_data_dir / "library" / "posts.json"
    assert posts.exists()
    posts.write_bytes(b"\x00garbage")
    assert [r["query"] for r in listed()] == ["redis"]
