"""The screens and dialogs of the app."""

from __future__ import annotations

from reader.tui.screens.help import HelpScreen
from reader.tui.screens.main import MainScreen
from reader.tui.screens.note import NoteScreen

__all__ = ["HelpScreen", "MainScreen", "NoteScreen"]
