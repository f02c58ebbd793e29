"""Writes to the user state, one at a time and in order, off the event loop.

A thread worker per write would let two writes race (a bookmark toggled twice
quickly could land in the wrong order), so every write goes through one
single-thread executor. A failed write is shown as a notification; the state
store keeps the change in memory and retries with the next write.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from textual.app import App

__all__ = ["StateWriter"]


class StateWriter:
    """Queue state writes for one background thread."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="state-writer")
        self.submitted = 0
        """How many jobs have been queued: a read queued before a write is older than it."""

    def submit(self, what: str, write: Callable[[], object]) -> Future[object]:
        """Run `write` after every write submitted before it. `what` names it in errors."""
        self.submitted += 1
        future = self._executor.submit(write)
        future.add_done_callback(lambda done: self._report(what, done))
        return future

    def _report(self, what: str, done: Future[object]) -> None:
        error = done.exception()
        if error is None:
            return
        # `notify` only posts a message, which is safe from any thread and
        # never waits for the event loop (which may itself be waiting on us).
        with contextlib.suppress(RuntimeError):
            self.app.notify(
                f"Could not save {what}: {error}",
                title="Not saved yet",
                severity="error",
                timeout=8,
                markup=False,
            )

    def drain(self) -> None:
        """Block until every write submitted so far has finished."""
        self._executor.submit(lambda: None).result()

    def close(self) -> None:
        """Finish every queued write, then stop the thread."""
        self._executor.shutdown(wait=True)
