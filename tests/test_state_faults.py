"""Data that must never be lost: a state file that cannot be read, cannot be written,
is held by another process, or was made read-only by the user.

Every fault is real where the filesystem allows it (a directory or a symlink loop
where the file should be, permission bits, a second process holding the lock) and
otherwise one OS call made to fail for the state file only. We run as root, so
`chmod 000` does not stop a read; refusing a read is monkeypatched.
"""

from __future__ import annotations

import builtins
import errno
import json
import os
import select
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import reader.state
from reader.cli import cli
from reader.library import Library
from reader.state import (
    StateReadOnlyError,
    StateStore,
    StateUnreadableError,
    StateWriteError,
)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state.json"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def slugs_on_disk(path: Path) -> dict[str, str]:
    """Slug -> note of every bookmark in the file."""
    data = json.loads(path.read_text("utf-8"))
    return {doc["slug"]: doc["note"] for doc in data.get("bookmarks", {}).values()}


def make_good_state(path: Path) -> None:
    store = StateStore(path)
    store.add_bookmark("kept", note="precious note")
    store.add_bookmark("also")
    store.set_read("kept")


def refuse_reading(monkeypatch: pytest.MonkeyPatch, path: Path, code: int = errno.EACCES) -> None:
    """Make opening `path` (and nothing else) fail as `chmod 000` does for a normal user."""
    real_open = builtins.open

    def guarded(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | os.PathLike) and os.fspath(file) == os.fspath(path):
            raise OSError(code, os.strerror(code), os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)


def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every atomic replace fails as on a full disk (the temporary file is written)."""

    def failing(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", failing)


def read_only_disk(monkeypatch: pytest.MonkeyPatch, under: Path) -> None:
    """Creating any file under `under` fails as on a read-only filesystem.

    Covers mkstemp, the lock file and the recovery file: they all go through os.open.
    """
    real = os.open

    def guarded(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        inside = os.path.abspath(os.fspath(file)).startswith(str(under) + os.sep)
        if inside and flags & os.O_CREAT:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(file))
        return real(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)


@pytest.fixture
def own_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary folder recovery files fall back to, inside the test's own folder."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


# -- 1. unreadable is not empty ------------------------------------------------------


def test_unreadable_file_at_open_is_never_written_over(path: Path) -> None:
    make_good_state(path)
    good = path.read_bytes()
    backup = path.with_name("state.json.bak").read_bytes()
    with pytest.MonkeyPatch.context() as fault:
        refuse_reading(fault, path)
        store = StateStore(path)
        assert store.unreadable is not None
        assert store.unreadable.path == path and store.unreadable.reason == "Permission denied"
        assert store.problem is not None and str(path) in store.problem
        # Two changes, as two cursor moves in the TUI: both refused, neither written.
        with pytest.raises(StateUnreadableError, match="could not be read") as caught:
            store.set_read("other")
        assert str(path) in str(caught.value) and caught.value.pending == 1
        with pytest.raises(StateUnreadableError):
            store.toggle_bookmark("kept")  # already bookmarked in the file the user cannot see
        assert isinstance(caught.value, StateWriteError)
        assert path.read_bytes() == good
        assert path.with_name("state.json.bak").read_bytes() == backup
        assert store.pending == 2

    # Readable again: the changes go on top of the real content.
    assert store.bookmarked_slugs() == {"kept", "also"}
    store.flush()
    assert store.unreadable is None and store.pending == 0
    assert slugs_on_disk(path) == {"kept": "precious note", "also": ""}
    assert StateStore(path).read_slugs() == {"kept", "other"}


def test_file_unreadable_while_running_keeps_other_process_changes(path: Path) -> None:
    ours = StateStore(path)
    ours.add_bookmark("a")
    StateStore(path).add_bookmark("b", note="theirs")  # we have not seen it yet
    with pytest.MonkeyPatch.context() as fault:
        refuse_reading(fault, path, errno.EIO)
        with pytest.raises(StateUnreadableError, match="Input/output error"):
            ours.add_bookmark("c")
        assert ours.bookmarked_slugs() == {"a", "c"}  # the last good read, plus ours
        assert slugs_on_disk(path) == {"a": "", "b": "theirs"}
    ours.flush()
    assert slugs_on_disk(path) == {"a": "", "b": "theirs", "c": ""}


def test_directory_in_place_of_the_file_is_not_a_missing_file(path: Path) -> None:
    path.mkdir()
    store = StateStore(path)
    assert store.unreadable is not None and store.unreadable.reason == "Is a directory"
    with pytest.raises(StateUnreadableError, match="Is a directory"):
        store.add_bookmark("a")
    assert path.is_dir() and list(path.iterdir()) == []


def test_symlink_loop_is_not_a_missing_file(path: Path) -> None:
    os.symlink(path.name, path)  # state.json -> state.json
    store = StateStore(path)
    assert store.unreadable is not None
    assert store.unreadable.error.errno == errno.ELOOP
    with pytest.raises(StateUnreadableError):
        store.set_read("a")
    assert path.is_symlink() and os.readlink(path) == path.name  # not replaced by a file


def test_cli_stops_when_the_state_cannot_be_read(
    library: Library, isolated_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slug = library.summaries()[0].slug
    state_file = isolated_data_dir / "state.json"
    assert run("bookmark", slug, "--note", "mine").exit_code == 0
    good = state_file.read_bytes()
    refuse_reading(monkeypatch, state_file)

    for args in (["bookmark", "another"], ["unbookmark", slug], ["bookmarks", "--json"]):
        result = run(*args)
        assert result.exit_code == 1, args
        assert result.stdout == ""
        assert f"cannot read your state file {state_file}: Permission denied" in result.stderr
        assert "Traceback" not in result.stderr
    assert state_file.read_bytes() == good
    # A command that does not need the state goes on, and says so.
    listed = run("list")
    assert listed.exit_code == 0 and slug in listed.stdout
    assert f"warning: cannot read your state file {state_file}" in listed.stderr


# -- 2. what was not saved is said, and kept in a recovery file ------------------------


def test_unsaved_changes_in_words_and_a_recovery_file_that_imports_back(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(path)
    store.add_bookmark("saved")
    on_disk = path.read_bytes()
    with pytest.MonkeyPatch.context() as fault:
        full_disk(fault)
        for change in (
            lambda: store.add_bookmark("mine", note="why", section="Intro"),
            lambda: store.set_read("saved"),
            lambda: store.toggle_bookmark("saved"),
            lambda: store.set_setting("theme", "dark"),
        ):
            with pytest.raises(StateWriteError):
                change()
    assert store.unsaved_changes() == [
        "bookmark on mine",
        "read mark on saved",
        "bookmark removed from saved",
        "setting theme",
    ]

    saved_to = store.save_unsaved()
    assert saved_to is not None and saved_to.parent == path.parent
    assert saved_to.name.startswith("state.json.unsaved-") and saved_to.suffix == ".json"
    document = json.loads(saved_to.read_text("utf-8"))
    assert document["unsaved"] == store.unsaved_changes()
    assert [b["slug"] for b in document["bookmarks"]] == ["mine"]
    line = store.describe_unsaved(saved_to)
    assert "bookmark on mine" in line and str(saved_to) in line and "import-bookmarks" in line
    assert path.read_bytes() == on_disk  # the state file itself untouched

    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "elsewhere"))
    result = run("import-bookmarks", str(saved_to))
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(run("bookmarks", "--json").stdout)
    assert (entry["slug"], entry["note"], entry["section"]) == ("mine", "why", "Intro")


def test_recovery_file_falls_back_to_the_temporary_folder(
    tmp_path: Path, own_tempdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "data" / "state.json"
    store = StateStore(path)
    read_only_disk(monkeypatch, path.parent)
    with pytest.raises(StateWriteError, match="Read-only file system"):
        store.add_bookmark("a")
    saved_to = store.save_unsaved()
    assert saved_to is not None and saved_to.parent == own_tempdir
    assert json.loads(saved_to.read_text("utf-8"))["bookmarks"][0]["slug"] == "a"


def test_save_unsaved_says_none_when_nothing_can_be_written(
    path: Path, own_tempdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(path)
    assert store.save_unsaved() is None and store.describe_unsaved() == ""
    read_only_disk(monkeypatch, path.parent.parent)  # the temporary folder too
    with pytest.raises(StateWriteError):
        store.set_read("a")
    assert store.save_unsaved() is None
    assert store.describe_unsaved(None) == (
        "not saved: read mark on a (no recovery file could be written)"
    )


def test_cli_write_failure_keeps_the_change_in_a_recovery_file(
    library: Library, isolated_data_dir: Path
) -> None:
    slug = library.summaries()[0].slug
    # A context rather than monkeypatch.undo, which would unset READER_DATA_DIR too.
    with pytest.MonkeyPatch.context() as fault:
        full_disk(fault)
        result = run("bookmark", slug, "--note", "keep this")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    (saved_to,) = isolated_data_dir.glob("state.json.unsaved-*.json")
    assert str(isolated_data_dir / "state.json") in line and "No space left on device" in line
    assert f"not saved: bookmark on {slug}; kept in {saved_to}" in line
    assert json.loads(saved_to.read_text("utf-8"))["bookmarks"][0]["note"] == "keep this"
    assert run("import-bookmarks", str(saved_to)).exit_code == 0
    (entry,) = json.loads(run("bookmarks", "--json").stdout)
    assert entry["slug"] == slug and entry["note"] == "keep this"


# -- 3. another process holds the lock -------------------------------------------------

HOLDER = r"""
import sys
from pathlib import Path
import reader.state
from reader.state import StateStore

real = reader.state.atomic_write_bytes

def held(*args, **kwargs):
    # Inside the write, so under the lock: say so and wait to be told to go on.
    sys.stdout.write("holding\n"); sys.stdout.flush()
    sys.stdin.readline()
    real(*args, **kwargs)

reader.state.atomic_write_bytes = held
StateStore(Path(sys.argv[1])).add_bookmark("theirs")
sys.stdout.write("done\n"); sys.stdout.flush()
"""


class Lines:
    """Read a child's pipe line by line with a deadline, never hanging the test."""

    def __init__(self, stream: Any) -> None:
        self.fd = stream.fileno()
        self.buffer = b""

    def line(self, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            ready, _, _ = select.select([self.fd], [], [], max(deadline - time.monotonic(), 0))
            if not ready:
                raise AssertionError("the process went silent")
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise AssertionError(f"the process closed its output: {self.buffer!r}")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()


def hold_lock(
    path: Path, processes: list[subprocess.Popen[bytes]]
) -> tuple[subprocess.Popen[bytes], Lines]:
    """Start a second process and return once it is inside a state write, holding the lock."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    processes.append(proc)
    out = Lines(proc.stdout)
    assert out.line() == "holding"
    return proc, out


@pytest.fixture
def holder(
    path: Path, processes: list[subprocess.Popen[bytes]]
) -> tuple[subprocess.Popen[bytes], Lines]:
    """A second process inside a state write, holding the lock until told "go"."""
    return hold_lock(path, processes)


def let_go(proc: subprocess.Popen[bytes]) -> None:
    assert proc.stdin is not None
    proc.stdin.write(b"go\n")
    proc.stdin.flush()


def test_waiting_for_the_lock_says_for_whom(
    path: Path,
    holder: tuple[subprocess.Popen[bytes], Lines],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proc, out = holder
    monkeypatch.setattr(reader.state, "LOCK_WAIT_NOTICE", 0.2)
    messages: list[str] = []
    told = threading.Event()

    def on_wait(message: str) -> None:
        messages.append(message)
        told.set()

    store = StateStore(path, lock_timeout=60, on_wait=on_wait)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            store.add_bookmark("ours")
        except BaseException as error:
            errors.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    assert told.wait(30), "never said it was waiting"
    let_go(proc)
    writer.join(30)
    assert out.line() == "done" and errors == []
    (message,) = messages
    program = Path(sys.executable).name
    assert message == f"waiting for {program} (pid {proc.pid}) to release {store.lock_path}"
    assert set(slugs_on_disk(path)) == {"theirs", "ours"}


def test_lock_timeout_names_the_holder(
    path: Path, holder: tuple[subprocess.Popen[bytes], Lines]
) -> None:
    proc, _ = holder
    store = StateStore(path, lock_timeout=0.1)
    with pytest.raises(StateWriteError, match=rf"\(pid {proc.pid}\) is holding the state file"):
        store.add_bookmark("ours")
    assert store.pending == 1


def test_cli_says_it_is_waiting_for_the_lock(
    library: Library, isolated_data_dir: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    slug = library.summaries()[0].slug
    state_file = isolated_data_dir / "state.json"
    holding, _ = hold_lock(state_file, processes)  # holding it before the command starts
    command = subprocess.Popen(
        [sys.executable, "-m", "reader", "bookmark", slug],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "READER_DATA_DIR": str(isolated_data_dir)},
    )
    processes.append(command)
    assert Lines(command.stderr).line(timeout=30) == (
        f"reader: waiting for {Path(sys.executable).name} (pid {holding.pid}) "
        f"to release {state_file}.lock"
    )
    let_go(holding)
    assert holding.wait(30) == 0
    assert command.wait(30) == 0
    assert set(slugs_on_disk(state_file)) == {"theirs", slug}


# -- 4. a read-only file stays read-only -----------------------------------------------


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o000], ids=["0444", "0400", "0000"])
def test_read_only_file_is_left_as_it_is(path: Path, mode: int) -> None:
    make_good_state(path)
    path.chmod(mode)
    good = path.read_bytes()
    backup = path.with_name("state.json.bak").read_bytes()

    store = StateStore(path)
    assert store.read_only and store.unreadable is None
    assert store.bookmarked_slugs() == {"kept", "also"}  # reading still works
    assert store.problem is not None and "read-only; make it writable" in store.problem
    with pytest.raises(StateReadOnlyError) as caught:
        store.add_bookmark("new")
    assert str(caught.value).startswith(
        f"could not save to {path}: it is read-only; make it writable to save changes."
    )
    assert isinstance(caught.value, StateWriteError)
    assert path.read_bytes() == good and stat.S_IMODE(path.stat().st_mode) == mode
    assert path.with_name("state.json.bak").read_bytes() == backup

    path.chmod(0o644)  # the user makes it writable again
    store.flush()
    assert not store.read_only and store.pending == 0
    assert set(slugs_on_disk(path)) == {"kept", "also", "new"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_writes_keep_the_file_mode(path: Path) -> None:
    StateStore(path).add_bookmark("a")
    path.chmod(0o640)
    StateStore(path).add_bookmark("b")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert set(slugs_on_disk(path)) == {"a", "b"}


def test_cli_refuses_to_write_a_read_only_file(library: Library, isolated_data_dir: Path) -> None:
    slug = library.summaries()[0].slug
    state_file = isolated_data_dir / "state.json"
    assert run("bookmark", slug).exit_code == 0
    state_file.chmod(0o444)
    good = state_file.read_bytes()
    result = run("bookmark", slug, "--note", "new note")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert f"{state_file}: it is read-only; make it writable to save changes" in line
    assert state_file.read_bytes() == good
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o444
    assert run("bookmarks").exit_code == 0  # reading is fine


# -- 5. a fresh data directory on a read-only disk -----------------------------------


def test_first_write_on_a_read_only_disk_is_a_clear_error(
    path: Path, own_tempdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_only_disk(monkeypatch, path.parent)
    store = StateStore(path)
    with pytest.raises(StateWriteError) as caught:
        store.add_bookmark("a")
    assert str(caught.value).startswith(f"could not save to {path}: Read-only file system.")
    assert not path.exists()


@pytest.mark.parametrize("command", ["bookmark", "import-bookmarks"])
def test_cli_write_on_a_read_only_disk_is_one_line_and_exit_1(
    library: Library,
    isolated_data_dir: Path,
    own_tempdir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    slug = library.summaries()[0].slug
    export = tmp_path / "in.json"
    export.write_text(json.dumps([{"slug": slug, "note": "n"}]))
    state_file = isolated_data_dir / "state.json"
    assert not state_file.exists()
    read_only_disk(monkeypatch, isolated_data_dir)

    result = run(command, slug if command == "bookmark" else str(export))
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "Traceback" not in result.output
    assert line.startswith(f"reader: error: could not save to {state_file}: Read-only file system;")
    (saved_to,) = own_tempdir.glob("state.json.unsaved-*.json")
    assert f"kept in {saved_to}" in line
    assert not state_file.exists()
