"""The user's state survives damaged files, SIGKILL mid-write and two processes at once."""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.state import StateStore

# -- damaged files at open ------------------------------------------------------------


def make_good_state(path: Path) -> None:
    """Two writes, so the backup holds "first" and the file "first" and "second"."""
    store = StateStore(path)
    store.add_bookmark("first", note="keep me")
    store.add_bookmark("second")


def bookmarks_in(path: Path) -> set[str]:
    data = json.loads(path.read_text("utf-8"))
    return {doc["slug"] for doc in data.get("bookmarks", {}).values()}


def aside_files(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.corrupt-*"))


DAMAGE = {
    "garbage": b"this is not json at all",
    "truncated": None,  # the first half of the good file
    "empty": b"",
    "binary": b"\x00\xff\xfe\x01" * 10,
    "wrong shape": b"[1, 2, 3]",
    "bad table": b'{"bookmarks": [1, 2]}',
    "doc without slug": b'{"bookmarks": {"1": {"note": "x"}}}',
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_damaged_file_is_moved_aside_and_backup_restored(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "state.json"
    make_good_state(path)
    good = path.read_bytes()
    damage = DAMAGE[kind]
    damaged = damage if damage is not None else good[: len(good) // 2]
    path.write_bytes(damaged)

    store = StateStore(path)

    assert [b.slug for b in store.bookmarks()] == ["first"]
    first = store.bookmark("first")
    assert first is not None and first.note == "keep me"
    (moved,) = aside_files(path)
    assert moved.read_bytes() == damaged  # kept byte for byte
    assert bookmarks_in(path) == {"first"}  # restored on disk for other processes
    (recovery,) = store.recoveries
    assert recovery.moved_to == moved
    assert recovery.restored_from == path.with_name("state.json.bak")
    assert store.recovered is not None
    assert str(moved) in store.recovered and "damaged" in store.recovered
    assert "state.json.bak" in store.recovered
    # A second open finds a good file and says nothing.
    assert StateStore(path).recoveries == []


def test_damaged_file_and_damaged_backup_start_empty_and_keep_both(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    make_good_state(path)
    path.write_bytes(b"{broken")
    path.with_name("state.json.bak").write_bytes(b"also broken")

    store = StateStore(path)

    assert store.bookmarks() == []
    assert store.recovered is not None and "no good backup" in store.recovered
    assert [p.read_bytes() for p in aside_files(path)] == [b"{broken"]
    (bad_backup,) = path.parent.glob("state.json.bak.corrupt-*")
    assert bad_backup.read_bytes() == b"also broken"
    store.add_bookmark("new")
    store.add_bookmark("newer")
    assert bookmarks_in(path) == {"new", "newer"}


def test_damaged_file_without_backup(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b'{"bookmarks": ')
    store = StateStore(path)
    assert store.bookmarks() == []
    assert store.recovered is not None and "line 1" in store.recovered
    assert len(aside_files(path)) == 1


def test_missing_file_with_backup_is_restored(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    make_good_state(path)
    path.unlink()
    store = StateStore(path)
    assert store.bookmarked_slugs() == {"first"}
    assert store.recovered is not None and "missing" in store.recovered
    assert aside_files(path) == []


def test_damage_found_while_running_is_recovered_too(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    store = StateStore(path)
    store.add_bookmark("a")
    store.add_bookmark("b")
    path.write_text("{oops")  # another program writes garbage
    assert store.bookmarked_slugs() == {"a"}
    store.add_bookmark("c")
    assert bookmarks_in(path) == {"a", "c"}
    assert len(store.recoveries) == 1
    assert len(aside_files(path)) == 1


def test_two_damaged_files_in_the_same_second_get_distinct_names(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    for _ in range(2):
        make_good_state(path)
        path.write_text("nope")
        StateStore(path)
    assert len(aside_files(path)) == 2


def test_damaged_file_that_cannot_be_moved_is_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    make_good_state(path)
    path.write_bytes(b"damaged")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "rename", refuse)
    store = StateStore(path)
    assert store.bookmarked_slugs() == {"first"}  # the backup, in memory
    assert store.recovered is not None and "could not be moved aside" in store.recovered
    with pytest.raises(Exception, match="could not save"):
        store.add_bookmark("new")
    assert path.read_bytes() == b"damaged"
    assert store.bookmarked_slugs() == {"first", "new"}

    monkeypatch.undo()
    store.flush()
    assert bookmarks_in(path) == {"first", "new"}
    assert [p.read_bytes() for p in aside_files(path)] == [b"damaged"]


def test_cli_reports_recovery_on_stderr(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from reader.cli import cli

    root = tmp_path / "data"
    root.mkdir()
    make_good_state(root / "state.json")
    (root / "state.json").write_text("garbage")
    result = CliRunner().invoke(cli, ["--data-dir", str(root), "bookmarks", "--json"])
    assert result.exit_code == 0, result.output
    assert [b["slug"] for b in json.loads(result.stdout)] == ["first"]
    assert "damaged" in result.stderr and "state.json.corrupt-" in result.stderr


# -- processes ------------------------------------------------------------------------

WORKER = r"""
import random, sys
from pathlib import Path
from reader.state import StateStore

path, seed, mode = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
store = StateStore(path)
rng = random.Random(seed)
out = sys.stdout
out.write("ready\n"); out.flush()
sys.stdin.readline()  # wait for "go", so start-up is hidden behind the previous run
if mode == "kill":
    n = 0
    while True:
        slug = f"post-{rng.randrange(40)}"
        n += 1
        out.write(f"start {slug}\n"); out.flush()
        if rng.random() < 0.25:
            note = f"note {seed} {n}"
            store.add_bookmark(slug, note=note)
            out.write(f"done {slug} 1 {note}\n")
        else:
            now = store.toggle_bookmark(slug)
            out.write(f"done {slug} {int(now)} \n")
        out.flush()
else:  # "concurrent": add distinct bookmarks, read some back
    for i in range(int(mode)):
        store.add_bookmark(f"w{seed}-{i}")
        store.set_read(f"w{seed}-{i}")
        assert store.bookmark(f"w{seed}-{i}") is not None
    out.write("finished\n"); out.flush()
"""


class Worker:
    """A worker process whose stdout is read line by line with a deadline (never a hang)."""

    def __init__(self, path: Path, seed: int, mode: str) -> None:
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path), str(seed), mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert self.proc.stdout is not None
        self.fd = self.proc.stdout.fileno()
        self.buffer = b""

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"go\n")
        self.proc.stdin.flush()

    def line(self, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.fd], [], [], max(left, 0))
            if not ready:
                raise AssertionError("worker went silent")
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise AssertionError(f"worker exited early ({self.proc.wait()})")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def kill_and_drain(self) -> list[str]:
        """SIGKILL the worker and return every line it wrote that we had not read."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        rest = self.buffer
        while chunk := os.read(self.fd, 65536):
            rest += chunk
        self.buffer = b""
        return [line.decode() for line in rest.split(b"\n") if line]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.close()


def state_on_disk(path: Path) -> dict[str, str]:
    """Slug -> note of every bookmark in a file that must parse."""
    data = json.loads(path.read_text("utf-8"))
    return {doc["slug"]: doc["note"] for doc in data.get("bookmarks", {}).values()}


KILLS = 200
LOOKAHEAD = 3


def test_sigkill_never_loses_an_acknowledged_bookmark(
    tmp_path: Path, workers: list[Worker]
) -> None:
    path = tmp_path / "state.json"
    rng = random.Random(5_2025)
    expected: dict[str, str] = {}  # slug -> note, for every bookmark that must be there
    interrupted = 0

    def spawn() -> Worker:
        worker = Worker(path, rng.randrange(1 << 30), "kill")
        workers.append(worker)
        return worker

    # Start-up is the slow part: keep a few workers importing while one runs.
    upcoming = [spawn() for _ in range(min(LOOKAHEAD, KILLS))]
    for round_ in range(KILLS):
        worker = upcoming.pop(0)
        assert worker.line() == "ready"
        worker.go()
        if round_ + len(upcoming) < KILLS - 1:
            upcoming.append(spawn())
        lines = [worker.line() for _ in range(rng.randint(1, 24))]
        lines += worker.kill_and_drain()
        worker.close()

        in_flight: str | None = None
        for line in lines:
            kind, slug, *rest = line.split(" ", 3)
            if kind == "start":
                in_flight = slug
            elif kind == "done":
                in_flight = None
                if rest[0] == "1":
                    expected[slug] = rest[1] if len(rest) > 1 else ""
                else:
                    expected.pop(slug, None)
        actual = state_on_disk(path)  # must parse after every kill
        json.loads(path.with_name("state.json.bak").read_text("utf-8"))
        if in_flight is not None:
            # Killed mid-operation: either outcome is fine, nothing else is.
            interrupted += 1
            if in_flight in actual:
                expected[in_flight] = actual[in_flight]
            else:
                expected.pop(in_flight, None)
        assert actual == expected, f"after kill {round_ + 1}"
    assert interrupted > 0
    # A fresh store sees it all, and cleans the temporary files the kills left.
    assert {b.slug for b in StateStore(path).bookmarks()} == set(expected)
    assert not list(tmp_path.glob(".state.json.*.tmp"))


def test_two_processes_lose_no_write(tmp_path: Path, workers: list[Worker]) -> None:
    path = tmp_path / "state.json"
    StateStore(path).add_bookmark("before")
    pair = [Worker(path, seed, "60") for seed in (1, 2)]
    workers.extend(pair)
    for worker in pair:
        assert worker.line() == "ready"
    for worker in pair:
        worker.go()
    for worker in pair:
        assert worker.line() == "finished"
        assert worker.proc.wait() == 0
    expected = {"before"} | {f"w{seed}-{i}" for seed in (1, 2) for i in range(60)}
    store = StateStore(path)
    assert store.bookmarked_slugs() == expected
    assert store.read_slugs() == expected - {"before"}
