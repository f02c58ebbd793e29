"""The Textual front end. Imported only when the TUI runs."""

from __future__ import annotations

from reader.tui.app import ReaderApp, run_app

__all__ = ["ReaderApp", "run_app"]
