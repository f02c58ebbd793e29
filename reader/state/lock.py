"""The state file's cross-process lock, and the record of who holds it.

Every read-modify-write of the state file holds `state.json.lock` (filelock),
so two processes (two terminals, the TUI and a CLI command) never lose each
other's writes. Each holder records its pid and program in
`state.json.lock.owner`, so a writer kept waiting can say for whom.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from filelock import FileLock

__all__ = ["LOCK_TIMEOUT", "LOCK_WAIT_NOTICE", "LockTimeout", "StateLock"]

LOCK_TIMEOUT = 10.0
"""Seconds a write waits for another process's lock before giving up (and retrying later)."""
LOCK_WAIT_NOTICE = 1.0
"""Seconds a write waits for another process's lock before saying so (`StateStore.on_wait`).

Read as `reader.state.LOCK_WAIT_NOTICE` when a wait starts, so setting it there
(as the tests do) takes effect."""


def _wait_notice() -> float:
    import reader.state  # the package's name for it is the one callers set

    return reader.state.LOCK_WAIT_NOTICE


class LockTimeout(TimeoutError):
    """Another process held the lock for the whole timeout; `holder` names it."""

    def __init__(self, holder: str) -> None:
        super().__init__(f"{holder} is holding the state file's lock")
        self.holder = holder


class StateLock:
    """The lock file beside the state file, shared with other processes; re-entrant."""

    def __init__(self, path: Path, timeout: float = LOCK_TIMEOUT) -> None:
        self.path = path.with_name(path.name + ".lock")
        self.owner_path = path.with_name(path.name + ".lock.owner")
        """Who holds (or last held) the lock: `{"pid": ..., "command": ...}`."""
        self.timeout = timeout
        self._state_path = path
        self._instance: FileLock | None = None

    @property
    def _lock(self) -> FileLock:
        """The file lock, made on first use.

        filelock is imported here, not at the top: opening the state for the
        first screen needs no lock, and the import costs start-up time.
        """
        if self._instance is None:
            from filelock import FileLock

            self._instance = FileLock(self.path, timeout=self.timeout, thread_local=False)
        return self._instance

    @contextlib.contextmanager
    def held(self, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the lock; after `LOCK_WAIT_NOTICE` seconds of waiting, tell `on_wait` for whom.

        Raises `LockTimeout` (a `TimeoutError` naming the holder) after `timeout` seconds.
        """
        lock = self._lock
        first = not lock.is_locked
        notice = min(_wait_notice(), self.timeout) if first else self.timeout
        try:
            lock.acquire(timeout=notice)
        except TimeoutError:
            holder = self.holder()
            left = self.timeout - notice
            if left <= 0:
                raise LockTimeout(holder) from None
            if on_wait is not None:
                on_wait(f"waiting for {holder} to release {self.path}")
            try:
                lock.acquire(timeout=left)
            except TimeoutError:
                raise LockTimeout(self.holder()) from None
        try:
            if first:
                # Informational only: a failure to write it must not stop the write.
                with contextlib.suppress(OSError):
                    self.owner_path.write_text(
                        json.dumps({"pid": os.getpid(), "command": _program()}), "utf-8"
                    )
            yield
        finally:
            lock.release()

    def holder(self) -> str:
        """Who holds the lock, from the record every holder leaves: "reader (pid 1234)"."""
        try:
            record = json.loads(self.owner_path.read_text("utf-8"))
        except (OSError, ValueError):
            return "another process"
        pid = record.get("pid") if isinstance(record, dict) else None
        if not isinstance(pid, int) or not _alive(pid):
            return "another process"  # the record is left from a process now gone
        command = record.get("command")
        return f"{command if isinstance(command, str) and command else 'a process'} (pid {pid})"

    def remove_stale_temp_files(self) -> None:
        """Delete temporary files left by a process killed mid-write.

        Only while holding the lock, which every writer holds while its
        temporary file exists; skipped when another process is busy.
        """
        path = self._state_path
        stale = list(path.parent.glob(f".{path.name}.*.tmp"))
        if not stale:
            return
        with contextlib.suppress(OSError), self._lock.acquire(timeout=0):
            for leftover in stale:
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()


def _program() -> str:
    """This process's program name for the lock record: "reader", or "python" for -c."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] not in ("", "-c", "-m") else None
    if script is None:
        return Path(sys.executable).name
    return script.parent.name if script.name == "__main__.py" else script.name


def _alive(pid: int) -> bool:
    """Whether a process `pid` exists (assumed so where we cannot ask)."""
    if sys.platform == "win32":
        return True  # os.kill(pid, 0) would send it Ctrl+C there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but is not ours to signal
    return True
