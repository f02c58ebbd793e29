"""The child processes of the crash-injection tests: one real write, with a fault at one step.

`python tests/crash_child.py` imports the app once, then forks a child for
each job (a JSON line) read from stdin and writes back how the child ended
(exit code, or minus the signal that killed it, and its output) as a JSON
line. Forking from a process that has done the imports already makes a child
cost milliseconds instead of half a second; each is still a process of its
own, doing the real operation on real files and really killed.

A job names an operation done through the public API (`StateStore`, or the
`reader` command), the file to hurt (`target`, a glob for names not known in
advance) and where and how to hurt it:

* `step`: `partial-write` (the first write of the target's temporary file
  that reaches the OS gets half its bytes through), `before-fsync` (of that
  temporary file), `before-replace` or `after-replace` (the `os.replace`, or
  `os.link`, whose destination is the target; after it, the directory is not
  fsynced yet). Whatever the step, a write into the target itself (opened for
  writing, in any mode), which an atomic write never does, is torn as at
  `partial-write`: that is where a crash would leave the target half written.
  At `in-place-write` that is the only fault: an atomic write runs to the end;
* `fault`: `raise` (an `OSError` in this process, as from a full disk or an
  I/O error; the app goes on as it would) or `kill` (SIGKILL to this process).

The real OS call always happens up to the fault: the wrappers call the real
function, or write half the buffer for real, and only then fail or die. Each
fault fires once, and says so on stderr (`FAULT_FIRED`) just before.
"""

from __future__ import annotations

import builtins
import errno
import fnmatch
import io
import json
import os
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from reader.cli import cli
from reader.models import Bookmark, ReadingPosition
from reader.state import StateStore, StateWriteError

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["FAULTS", "FAULT_FIRED", "IN_PLACE", "STATE_OPS", "STEPS", "WRITE_FAILED"]

STEPS = ("partial-write", "before-fsync", "before-replace", "after-replace")
"""Where a write is hurt, in the order a write goes through them."""
IN_PLACE = "in-place-write"
"""No step: only a write into the target itself is hurt, and an atomic write does none."""
FAULTS = ("raise", "kill")
FAULT_FIRED = "crash_child: fault fired"
"""What the child prints on stderr when (just before) its fault fires."""
WRITE_FAILED = 3
"""The exit code of a state operation whose write failed (`StateWriteError`)."""

STATE_OPS: dict[str, Callable[[StateStore], object]] = {
    "bookmark": lambda store: store.add_bookmark("new", note="fresh"),
    "unbookmark": lambda store: store.remove_bookmark("gone"),
    "note": lambda store: store.set_note("kept", "changed"),
    "read": lambda store: store.set_read("kept"),
    "position": lambda store: store.set_position(ReadingPosition("kept", "later", 7)),
    "settings": lambda store: store.set_setting("theme", "dark"),
    "merge": lambda store: store.merge_bookmarks(
        [Bookmark("merged", "2024-01-02T03:04:05+00:00", "imported", "")]
    ),
}
"""One change of the user state each, on the state the parent prepares."""


class Fault:
    """Where and how to hurt one write; fires at most once."""

    def __init__(self, target: Path, step: str, kind: str) -> None:
        if step not in (*STEPS, IN_PLACE) or kind not in FAULTS:
            raise ValueError(f"unknown fault {kind} at {step}")
        self.target = target
        self.step = step
        self.kind = kind
        self.fired = False

    def is_target(self, path: str | os.PathLike[str] | None) -> bool:
        """True for the target itself (a name matching its glob, in its folder)."""
        if path is None:
            return False
        found = Path(os.path.abspath(os.fspath(path)))
        return found.parent == self.target.parent and fnmatch.fnmatchcase(
            found.name, self.target.name
        )

    def owns(self, path: str | None) -> bool:
        """True for the target or a temporary file of it (`.NAME.XXXX.tmp` beside it)."""
        if path is None or self.is_target(path):
            return path is not None
        found = Path(path)
        return (
            found.parent == self.target.parent
            and found.name.startswith(".")
            and fnmatch.fnmatchcase(found.name[1:], f"{self.target.name}.*.tmp")
        )

    def armed(self, step: str) -> bool:
        return self.step == step and not self.fired

    def tears(self, path: str | None) -> bool:
        """True when a write of `path` now is to be torn in half.

        The target's temporary file at `partial-write`; the target itself at
        any step, since an atomic write never writes into it.
        """
        if self.fired or path is None:
            return False
        return self.is_target(path) or (self.step == "partial-write" and self.owns(path))

    def fire(self, what: str, code: int) -> NoReturn:
        """Die (SIGKILL) or raise `OSError(code)`, after saying so on stderr."""
        self.fired = True
        os.write(2, f"{FAULT_FIRED}: {self.kind} at {self.step} ({what})\n".encode())
        if self.kind == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        raise OSError(code, f"injected fault at {self.step}")


def _path_of(fd: int) -> str | None:
    """The file an open descriptor refers to (Linux: /proc/self/fd)."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


class TornFile(io.FileIO):
    """A real file whose first write lets half its bytes through, then the fault fires.

    With `raise`, every later write fails too, as on a disk that stays full.
    """

    def __init__(self, file: int | str, mode: str, fault: Fault, closefd: bool = True) -> None:
        super().__init__(file, mode, closefd=closefd)
        self.fault = fault

    def write(self, data: ReadableBuffer, /) -> int:
        if self.fault.fired:
            raise OSError(errno.ENOSPC, "injected fault: the disk is still full")
        view = memoryview(data).cast("B")
        half = view[: len(view) // 2]
        while half:
            half = half[super().write(half) or 0 :]
        self.fault.fire(f"{len(view) // 2} of {len(view)} bytes written", errno.ENOSPC)


def install(fault: Fault) -> None:
    """Wrap the real calls a write of a file goes through (all looked up at call time).

    Opening a file for writing (`open`, `io.open`, so `os.fdopen` and `Path.open`
    too) and `os.write` for the partial write; `os.fsync`; `os.replace`,
    `os.link` and `os.rename` for the replace.
    """
    real_open, real_write, real_fsync = io.open, os.write, os.fsync
    real_replace, real_link, real_rename = os.replace, os.link, os.rename

    def named(file: Any) -> str | None:
        if isinstance(file, int):
            return _path_of(file)
        return os.path.abspath(os.fsdecode(file))

    def open_(
        file: Any,
        mode: str = "r",
        buffering: int = -1,
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
        closefd: bool = True,
        opener: Any = None,
    ) -> Any:
        writing = (mode[0] in "wxa" or "+" in mode) and opener is None
        if writing and fault.tears(named(file)):
            raw = TornFile(file, mode.replace("b", "").replace("t", ""), fault, closefd)
            buffered = io.BufferedRandom(raw) if "+" in mode else io.BufferedWriter(raw)
            if "b" in mode:
                return buffered
            return io.TextIOWrapper(buffered, encoding, errors, newline)
        return real_open(file, mode, buffering, encoding, errors, newline, closefd, opener)

    def write(fd: int, data: ReadableBuffer) -> int:
        if fault.tears(_path_of(fd)):
            view = memoryview(data).cast("B")
            real_write(fd, view[: len(view) // 2])  # a short write is a partial one too
            fault.fire(f"{len(view) // 2} of {len(view)} bytes written", errno.ENOSPC)
        return real_write(fd, data)

    def fsync(fd: Any) -> None:
        number = fd if isinstance(fd, int) else fd.fileno()
        if fault.armed("before-fsync") and fault.owns(_path_of(number)):
            fault.fire("the temporary file is written, not fsynced", errno.EIO)
        real_fsync(fd)

    def committing(real: Callable[..., None]) -> Callable[..., None]:
        def call(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            if fault.is_target(dst) and not fault.fired:
                if fault.step == "before-replace":
                    fault.fire(f"{real.__name__} not done", errno.EIO)
                real(src, dst, *args, **kwargs)
                if fault.step == "after-replace":
                    fault.fire(f"{real.__name__} done, directory not fsynced", errno.EIO)
                return
            real(src, dst, *args, **kwargs)

        return call

    builtins.open = io.open = open_
    wrappers: dict[str, Callable[..., Any]] = {
        "write": write,
        "fsync": fsync,
        "replace": committing(real_replace),
        "link": committing(real_link),
        "rename": committing(real_rename),
    }
    for name, wrapper in wrappers.items():
        setattr(os, name, wrapper)


def run(job: dict[str, Any]) -> int:
    """Do the job's operation with its fault installed; the exit code."""
    data = Path(job["data"])
    tempfile.tempdir = job["tmp"]  # where a recovery file falls back to
    install(Fault(Path(job["target"]), job["step"], job["fault"]))
    op: str = job["op"]
    if op in STATE_OPS:
        store = StateStore(data / "state.json")
        try:
            STATE_OPS[op](store)
        except StateWriteError as error:
            print(f"write failed: {error}", file=sys.stderr)
            return WRITE_FAILED
        return 0
    if op == "open":
        # The parent damaged the state file: opening moves it aside and writes
        # the backup's content in its place.
        for recovery in StateStore(data / "state.json").recoveries:
            print(recovery)
        return 0
    if op == "unsaved":
        # The parent made the state file read-only: the change waits in memory
        # and goes to a recovery file, as when `reader bookmark` fails.
        store = StateStore(data / "state.json")
        try:
            store.add_bookmark("new", note="fresh")
        except StateWriteError:
            pass
        else:
            raise AssertionError("the state file was meant to refuse writes")
        print(store.save_unsaved())
        return 0
    if op == "cli":
        cli.main(["--data-dir", str(data), *job["args"]], prog_name="reader")
        return 0  # not reached: click exits
    raise ValueError(f"unknown operation {op!r}")


def serve() -> None:
    """Fork a child for each job read from stdin; write back how it ended, a JSON line each."""
    # What an import loads on demand too, so that no child pays for it.
    import reader.importer
    import reader.search  # noqa: F401

    for line in sys.stdin:
        job = json.loads(line)
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _child(job, out.fileno(), err.fileno())
            _, status = os.waitpid(pid, 0)
            out.seek(0)
            err.seek(0)
            reply = {
                "code": os.waitstatus_to_exitcode(status),
                "stdout": out.read().decode(errors="replace"),
                "stderr": err.read().decode(errors="replace"),
            }
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def _child(job: dict[str, Any], out: int, err: int) -> NoReturn:
    """Run `job` with its output in `out` and `err`, then exit (never back to the loop)."""
    code = 1
    try:
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        code = run(job)
    except SystemExit as stop:  # click ends every command this way
        code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    serve()
