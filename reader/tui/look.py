"""Styles the widgets share, by role rather than by colour."""

from __future__ import annotations

__all__ = ["MUTED", "NOTE_MARK"]

MUTED = "dim"
"""Secondary text (counts, tags, minutes, a snippet's context): dimmer than titles in every theme.

Not `$text-muted`: inside `Content` its `auto 60%` is drawn as pure white on a dark
theme (pure black on a light one), brighter than the titles. `dim` is blended
towards the theme's background by Textual, and is the terminal's own dim in the
ANSI themes, where `$foreground-muted` is only the default colour.
"""

NOTE_MARK = "✎"
"""Marks a bookmark's note: in the list (in place of ★), and before the note in the reader."""
