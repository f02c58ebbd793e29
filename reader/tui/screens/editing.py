"""The main screen's `e`: the open post's source file in the user's editor, then read again.

A part of `MainScreen` (which derives from it and declares the key). The app
is suspended while the editor runs (`App.suspend`), so the editor has the
terminal; on return the file is imported again in a worker and the reader
shows the new text where it was. Which file, and whether it may be edited,
is `reader.editing`'s to say.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import SuspendNotSupported
from textual.screen import Screen

from reader.editing import NotEditable, editor_command, source_file
from reader.tui.widgets.reader_pane import ReaderPane

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from reader.config import Config
    from reader.library import Library

__all__ = ["EditingPart"]


class EditingPart(Screen[None]):
    """Edit the open post's file in `$EDITOR` (or the config's `editor`), then re-import it."""

    library: Library
    config: Config

    if TYPE_CHECKING:  # the screen's side of it, defined by MainScreen and its other parts

        def library_changed(self, changed: set[str], gone: set[str]) -> None: ...

    def _say(self, message: str, severity: SeverityLevel = "warning") -> None:
        self.notify(message, title="Edit", severity=severity, timeout=8, markup=False)

    def action_edit_source(self) -> None:
        """Open the post in the reader in the editor; show it again as saved."""
        post = self.query_one(ReaderPane).post
        if post is None:
            self._say("Open a post first: e edits the post in the reader.")
            return
        try:
            path = source_file(self.library, post)
        except NotEditable as error:
            self._say(f"Cannot edit: {error}.")
            return
        command = [*editor_command(self.config.editor), str(path)]
        try:
            if self.app.is_headless:  # tests: no terminal to hand over
                code = subprocess.run(command, check=False).returncode
            else:
                with self.app.suspend():
                    code = subprocess.run(command, check=False).returncode
        except SuspendNotSupported:
            self._say("Cannot open an editor here: there is no terminal to hand it.")
            return
        except OSError as error:
            self._say(
                f"Cannot run the editor {command[0]!r}: {error.strerror or error}. "
                "Set `editor` in config.toml, or $VISUAL or $EDITOR."
            )
            return
        if code:
            self._say(f"The editor exited with {code}; reading the file again all the same.")
        self.reimport(path)

    @work(thread=True, exclusive=True, group="edit-reimport", exit_on_error=False)
    def reimport(self, path: Path) -> None:
        """Import the edited file again, off the event loop, then show what changed."""
        report = self.library.import_paths([path])
        self.library.tags()  # counted here, not on the event loop
        self.app.call_from_thread(self._reimported, path, report.problems, report.updated)

    def _reimported(
        self, path: Path, problems: tuple[object, ...], updated: tuple[str, ...]
    ) -> None:
        for problem in problems:
            self._say(f"Not read again, the post is as it was: {problem}", "error")
        if not problems:
            self._say(f"Read again: {path}", "information")
        self.library_changed(set(updated), set())
